/**
 * Who is in a generated run: 1–4 users, each owning 1–3 threads and using 1–3 browser tabs.
 *
 * Names are given after drawing, in order, so a shrunk case always reads u1, u2, ... with
 * threads A, B, C, ... and tabs t1, t2, ...: removing a user renames the rest, which keeps a
 * minimal case as plain as possible.
 */
import fc from 'fast-check';
import type { UserSpec } from '../scenario/types.ts';
import { rawActionArb, type RawAction } from './actions.ts';
import { roundTimeArb, FAULT_CUTOFF_MS } from './timing.ts';

export const MAX_USERS = 4;
export const MAX_THREADS_PER_USER = 3;
export const MAX_TABS_PER_USER = 3;
/** Actions after the first connect, per tab. */
export const MAX_ACTIONS_PER_TAB = 6;

export interface RawTab {
  /** When the tab opens its first connection, ms. */
  connectAt: number;
  /** Index of the thread named in the connect URL, or null (the chat page without a thread). */
  connectThread: number | null;
  actions: RawAction[];
}

export interface RawUser {
  threads: number;
  tabs: RawTab[];
}

export interface TopologyOptions {
  maxUsers?: number;
  maxTabsPerUser?: number;
  maxActionsPerTab?: number;
}

export function rawTabArb(maxActions: number): fc.Arbitrary<RawTab> {
  return fc.record({
    connectAt: roundTimeArb(FAULT_CUTOFF_MS - 1),
    connectThread: fc.option(fc.nat({ max: MAX_THREADS_PER_USER - 1 }), { nil: null }),
    actions: fc.array(rawActionArb(), { maxLength: maxActions }),
  });
}

export function rawUsersArb(options: TopologyOptions = {}): fc.Arbitrary<RawUser[]> {
  const user = fc.record({
    threads: fc.integer({ min: 1, max: MAX_THREADS_PER_USER }),
    tabs: fc.array(rawTabArb(options.maxActionsPerTab ?? MAX_ACTIONS_PER_TAB), { minLength: 1, maxLength: options.maxTabsPerUser ?? MAX_TABS_PER_USER }),
  });
  return fc.array(user, { minLength: 1, maxLength: options.maxUsers ?? MAX_USERS });
}

/** Thread names: A..Z, then T27, T28, ... (never more than 12 here). */
export function threadName(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `T${index + 1}`;
}

/** Users with named threads, in order: u1 owns A (and B, C), u2 the next letters, ... */
export function nameUsers(raw: readonly RawUser[]): UserSpec[] {
  let next = 0;
  return raw.map((u, i) => ({ id: `u${i + 1}`, threads: Array.from({ length: u.threads }, () => threadName(next++)) }));
}
