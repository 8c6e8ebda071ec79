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
 * Templates (swarm.ts) add a late phase after it, per tab, once its link has settled: idle
 * gaps past the catch-up window, a reconnect just inside or just beyond the resume window,
 * runs longer than the registry TTL, a drop inside a look-up. Faults (partitions, pauses,
 * slow and half-open links) still happen only in the safety phase; a case's bound and budget
 * grow with its late phase (`deadlineFor`, `caseDurationMs`).
 *
 * Times are whole milliseconds drawn as `hundreds × 100 + units`: both parts shrink towards 0
 * on their own, so a shrunk case says "at 0 ms", "at 100 ms", "at 3 ms" rather than "at 269 ms".
 */
import fc from 'fast-check';
import { CATCH_UP_WINDOW_US } from '../sut/router/router.ts';
import { MODE_PRESETS } from '../sut/router/flags.ts';

/** Every fault and every safety-phase action happens before this time (templates' episodes come after), ms. */
export const FAULT_CUTOFF_MS = 2_000;
/**
 * How long a tab that went half-open keeps its script alive after the cutoff, ms. The runner
 * stops heartbeats once every script has ended and no agent runs; a zombie link must be
 * noticed first (two heartbeat periods), and the client must reconnect and resume.
 */
export const LIVENESS_WATCH_MS = 4_000;
/** The liveness bound: owed events arrive within this time of production, ms. */
export const LIVENESS_BOUND_MS = 15_000;
/**
 * A generated run may last this long in virtual time (queue TTLs and resume windows included)
 * after its last scripted action and its longest agent run, ms (see `caseDurationMs`).
 */
export const MAX_RUN_MS = 600_000;
/** Event budget of one generated run: a runaway loop fails fast instead of hanging the search. */
export const MAX_RUN_EVENTS = 2_000_000;

/** A whole number of ms in [0, maxMs], drawn as hundreds + units so it shrinks to round values. */
export function roundTimeArb(maxMs: number): fc.Arbitrary<number> {
  const hundreds = Math.floor(maxMs / 100);
  return fc.tuple(fc.nat({ max: hundreds }), fc.nat({ max: 99 })).map(
    ([h, u]) => Math.min(maxMs, h * 100 + u),
    // The way back, so a time can shrink without its drawing context (see arbitraries.ts).
    (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > maxMs) throw new Error('not a round time');
      return [Math.floor(v / 100), v % 100] as [number, number];
    },
  );
}

/** A small whole number of ms in [0, maxMs] (profiles: latencies, look-ups, agent steps). */
export function smallMsArb(maxMs: number): fc.Arbitrary<number> {
  return fc.nat({ max: maxMs });
}

// ---- The router's time scales (read from the router, so the templates follow it) -------------

/** On binding, the guaranteed router catches up on the last 5 s of a thread (router.ts), ms. */
export const CATCH_UP_WINDOW_MS = CATCH_UP_WINDOW_US / 1_000;
/** The guaranteed router's resume window, ms (120 s). */
export const RESUME_WINDOW_MS = MODE_PRESETS.guaranteed.resumeWindowMs;
/** The shipped router's registry TTL, ms (180 s, F9). */
export const REGISTRY_TTL_MS = MODE_PRESETS.shipped.registryTtlMs;

// ---- Template times ----------------------------------------------------------------------------

/** idle-gap: a tab is idle longer than the catch-up window, up to 30 s; shrinks to 5.001 s. */
export const IDLE_GAP_MIN_MS = CATCH_UP_WINDOW_MS + 1;
export const IDLE_GAP_MAX_MS = 30_000;
/** idle-gap: the next traffic comes 0–30 s after the run's message (shrinks to 0). */
export const IDLE_THEN_MAX_MS = 30_000;
/** resume-edge: offline 110–135 s, i.e. the resume window − 10 s … + 15 s. */
export const RESUME_EDGE_BEFORE_MS = 10_000;
export const RESUME_EDGE_AFTER_MS = 15_000;
/** resume-edge: a quarter of the draws land within ±100 ms of the window's end. */
export const RESUME_EDGE_NEAR_MS = 100;
/** long-run: a run lasts the registry TTL + 1 s + (−10 s … +60 s), i.e. 171–241 s. */
export const LONG_RUN_BEFORE_MS = 10_000;
export const LONG_RUN_AFTER_MS = 60_000;

/** idle-gap's idle time, ms: 5,001–30,000, shrinking to just past the catch-up window. */
export function idleGapArb(): fc.Arbitrary<number> {
  return fc.integer({ min: IDLE_GAP_MIN_MS, max: IDLE_GAP_MAX_MS });
}

/**
 * resume-edge's offline time relative to the end of the resume window, ms: −10 s … +15 s
 * (110–135 s offline), a quarter of the draws within ±100 ms of it; shrinks to 0 (exactly 120 s).
 */
export function resumeEdgeArb(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: -RESUME_EDGE_BEFORE_MS, max: RESUME_EDGE_AFTER_MS }), weight: 3 },
    { arbitrary: fc.integer({ min: -RESUME_EDGE_NEAR_MS, max: RESUME_EDGE_NEAR_MS }), weight: 1 },
  );
}

/**
 * The bound of a case, ms: LIVENESS_BOUND_MS, plus the latest time a tab comes back from a
 * deliberate long absence (resume-edge). Events produced while a tab is away can reach it only
 * once it is back: the oracle owes them to it when it returns within the resume window, and
 * measures their latency from production. A tab of a resume-edge episode can be away at most
 * from time 0 to its return, so the bound covers any such wait; other cases keep 15 s.
 */
export function deadlineFor(longestReturnMs: number): number {
  return LIVENESS_BOUND_MS + Math.ceil(longestReturnMs);
}

/**
 * What a case without templates can reach: its script ends by the zombie watch, and an agent
 * run of the ordinary profiles takes at most 1.3 s (5 + 200 + 3 × 300 + 100 ms), ms.
 */
export const BASE_HORIZON_MS = FAULT_CUTOFF_MS + LIVENESS_WATCH_MS + 2_000;

/**
 * Virtual-time budget of a case, ms: MAX_RUN_MS, plus however far its last scripted action
 * followed by its longest agent run reaches past BASE_HORIZON_MS (templates: a late phase,
 * runs past the registry TTL). A case without templates keeps exactly MAX_RUN_MS.
 */
export function caseDurationMs(lastScriptedMs: number, longestRunMs: number): number {
  return MAX_RUN_MS + Math.max(0, Math.ceil(lastScriptedMs + longestRunMs) - BASE_HORIZON_MS);
}
