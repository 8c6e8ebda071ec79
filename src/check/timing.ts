/**
 * The time frame of a generated run, and times that shrink well.
 *
 * A generated run has two phases:
 *   - the safety phase, [0, FAULT_CUTOFF_MS): every scripted action and every fault happens
 *     here (drops, partitions, pauses, slow links, half-open links);
 *   - the liveness phase, from FAULT_CUTOFF_MS on: no new fault, slow links are restored at
 *     the cutoff, partitions and pauses have ended, and clients recover by themselves
 *     (reconnect, heartbeat). Nothing is scripted any more; agents finish their runs.
 * The stated bound: every owed event must reach its connection within LIVENESS_BOUND_MS of
 * being produced (the scenario's `deadlineMs`), or be dropped explicitly with a gap notice.
 * The bound covers the longest fault (ending by the cutoff), half-open detection (two
 * heartbeat periods), the client's reconnect delay, and draining a slow link's backlog.
 *
 * Times are whole milliseconds drawn as `hundreds × 100 + units`: both parts shrink towards 0
 * on their own, so a shrunk case says "at 0 ms", "at 100 ms", "at 3 ms" rather than "at 269 ms".
 */
import fc from 'fast-check';

/** All scripted actions and faults happen before this time, ms. */
export const FAULT_CUTOFF_MS = 2_000;
/**
 * How long a tab that went half-open keeps its script alive after the cutoff, ms. The runner
 * stops heartbeats once every script has ended and no agent runs; a zombie link must be
 * noticed first (two heartbeat periods), and the client must reconnect and resume.
 */
export const LIVENESS_WATCH_MS = 4_000;
/** The liveness bound: owed events arrive within this time of production, ms. */
export const LIVENESS_BOUND_MS = 15_000;
/** A generated run may last this long in virtual time (queue TTLs and resume windows included), ms. */
export const MAX_RUN_MS = 600_000;
/** Event budget of one generated run: a runaway loop fails fast instead of hanging the search. */
export const MAX_RUN_EVENTS = 2_000_000;

/** A whole number of ms in [0, maxMs], drawn as hundreds + units so it shrinks to round values. */
export function roundTimeArb(maxMs: number): fc.Arbitrary<number> {
  const hundreds = Math.floor(maxMs / 100);
  return fc
    .tuple(fc.nat({ max: hundreds }), fc.nat({ max: 99 }))
    .map(([h, u]) => Math.min(maxMs, h * 100 + u));
}

/** A small whole number of ms in [0, maxMs] (profiles: latencies, look-ups, agent steps). */
export function smallMsArb(maxMs: number): fc.Arbitrary<number> {
  return fc.nat({ max: maxMs });
}
