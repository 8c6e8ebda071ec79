/**
 * Who is in a generated run: 1–4 users, each owning 1–3 threads and using 1–3 browser tabs.
 *
 * Names are given after drawing, in order, so a shrunk case always reads u1, u2, ... with
 * threads A, B, C, ... and tabs t1, t2, ...: removing a user renames the rest, which keeps a
 * minimal case as plain as possible.
 *
 * Lists are drawn as lists of options (`optionalList`): fast-check's array shrinker removes
 * leading elements and shrinks elements in place, but does not try to drop any one element;
 * an option shrinks to "absent", so every user, tab, action and fault can vanish on its own.
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
  /** When the tab opens its first connection, ms (in the first half of the safety phase). */
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

/** A list of up to `maxLength` items, each of which can shrink away on its own. */
export function optionalList<T>(item: fc.Arbitrary<T>, minLength: number, maxLength: number): fc.Arbitrary<T[]> {
  return fc.array(fc.option(item, { nil: null }), { minLength, maxLength }).map((xs) => xs.filter((x): x is T => x !== null));
}

export function rawTabArb(maxActions: number): fc.Arbitrary<RawTab> {
  return fc.record({
    connectAt: roundTimeArb(FAULT_CUTOFF_MS / 2 - 1),
    connectThread: fc.option(fc.nat({ max: MAX_THREADS_PER_USER - 1 }), { nil: null }),
    actions: optionalList(rawActionArb(), 0, maxActions),
  });
}

/** One idle tab, for the (shrunk-away) case where every user or tab was removed. */
const PLACEHOLDER_USER: RawUser = { threads: 1, tabs: [{ connectAt: 0, connectThread: null, actions: [] }] };

export function rawUsersArb(options: TopologyOptions = {}): fc.Arbitrary<RawUser[]> {
  const user = fc.record({
    threads: fc.integer({ min: 1, max: MAX_THREADS_PER_USER }),
    tabs: optionalList(rawTabArb(options.maxActionsPerTab ?? MAX_ACTIONS_PER_TAB), 1, options.maxTabsPerUser ?? MAX_TABS_PER_USER),
  });
  return optionalList(user, 1, options.maxUsers ?? MAX_USERS).map((users) => {
    // A user whose tabs all shrank away is gone; with nobody left, one idle tab remains.
    const left = users.filter((u) => u.tabs.length > 0);
    return left.length > 0 ? left : [PLACEHOLDER_USER];
  });
}

/** Thread names: A..Z, then T27, T28, ... (never more than 12 here). */
export function threadName(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `T${index + 1}`;
}

/**
 * Users with named threads, in order: u1 owns A (and B, C), u2 the next letters, ... With
 * `shared`, every user's threads are named from A (two users own an "A": F25).
 */
export function nameUsers(raw: readonly RawUser[], shared = false): UserSpec[] {
  let next = 0;
  return raw.map((u, i) => {
    if (shared) next = 0;
    return { id: `u${i + 1}`, threads: Array.from({ length: u.threads }, () => threadName(next++)) };
  });
}
