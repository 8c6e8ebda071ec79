/**
 * The property search: fast-check draws cases, the simulator runs them, the oracle judges them;
 * on the first failure fast-check shrinks the case to a minimal one.
 *
 * The search runs in batches of `batchSize` runs; batch i uses the fast-check seed derived
 * from (seed, i), batch 0 uses `seed` itself. `--runs N` and `--time D` walk the same sequence
 * of batches, so a counterexample found by a timed search at run k is found again by
 * `--runs k'` (k' ≥ k, rounded up to the batch) with the same seed. Real time is read only to
 * stop a timed search between batches; nothing inside the simulation sees it.
 *
 * Batches can run in parallel (fuzz --workers N: each batch in a worker thread, N at a time).
 * They are still dispatched in order and their results taken in order: a batch's result counts
 * only once every batch before it has come back without a counterexample. So a parallel search
 * reports the counterexample of the lowest-numbered failing batch, the one a serial search
 * with the same seed finds first, with the same shrunk case and the same run count; batches
 * after it that were already running are dropped. With `--time`, the parallel search gets
 * further in the same time, and finds that same counterexample whenever the serial one would.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import type { SystemUnderTest } from '../run/sut.ts';
import type { InvariantName } from '../oracle/judge.ts';
import { fuzzCaseArb, type FuzzCase, type FuzzCaseOptions } from './arbitraries.ts';
import { evaluateCase, holds, type CaseOutcome } from './property.ts';
import type { RunOutput } from '../run/runner.ts';

export const DEFAULT_RUNS = 200;
export const DEFAULT_BATCH = 100;

/** What one fast-check batch found. */
export interface BatchResult {
  /** Runs the batch made (numRuns of fast-check's RunDetails). */
  numRuns: number;
  /** The shrunk counterexample, or null when the property held for the whole batch. */
  counterexample: FuzzCase | null;
  numShrinks: number;
}

/** Runs one batch: fast-check seed and number of runs in, what it found out. */
export type BatchRunner = (seed: number, numRuns: number) => Promise<BatchResult>;

/** The batch in this thread: one fast-check call over the case generator and the property. */
export function localBatchRunner(router: SystemUnderTest, focus: readonly InvariantName[] | undefined, caseOptions: FuzzCaseOptions = {}): BatchRunner {
  const arb = fuzzCaseArb(caseOptions);
  const predicate = holds(router, focus && focus.length > 0 ? focus : undefined);
  return async (seed, numRuns) => {
    const details = await fc.check(fc.asyncProperty(arb, predicate), { seed, numRuns });
    if (details.failed && details.counterexample) return { numRuns: details.numRuns, counterexample: details.counterexample[0], numShrinks: details.numShrinks };
    if (details.failed) {
      // The property threw outside a run (a bug in the harness itself): surface it.
      throw new Error(`fuzz: the property failed without a counterexample: ${String(details.errorInstance)}`);
    }
    return { numRuns: details.numRuns, counterexample: null, numShrinks: 0 };
  };
}

export interface FuzzOptions {
  /** The server under test: a router configuration, a plug-in, or a team's own server file. */
  router: SystemUnderTest;
  /** fast-check seed of the search. */
  seed: number;
  /** Stop after this many runs (default 200 when no time is given). */
  runs?: number;
  /** Stop starting new batches after this much real time, ms. */
  timeMs?: number;
  /** Runs per fast-check call. Default 100. */
  batchSize?: number;
  /** Search only for violations of these invariants (others are reported, not counterexamples). */
  invariants?: readonly InvariantName[];
  /** Restrict the generator (tests, benchmarks). */
  caseOptions?: FuzzCaseOptions;
  /** Called after each batch with the runs tried so far. */
  onProgress?: (runsTried: number) => void;
  /** Checked between batches: true stops the search (e.g. Ctrl-C). */
  shouldStop?: () => boolean;
  /** Run batches elsewhere (worker threads), `concurrency` at a time. Default: in this thread, one at a time. */
  parallel?: { runBatch: BatchRunner; concurrency: number };
}

export interface FuzzCounterexample {
  /** The shrunk case. */
  case: FuzzCase;
  /** Shrink steps fast-check took (RunDetails.numShrinks). */
  numShrinks: number;
  /** fast-check seed of the batch that found it. */
  batchSeed: number;
  /** The shrunk case's outcome, re-run. */
  outcome: CaseOutcome;
  /** The shrunk case's run (for its story); null when the run crashed. */
  run: RunOutput | null;
}

export interface FuzzReport {
  router: string;
  seed: number;
  /** Runs tried before the counterexample (including it), or all runs when none was found. */
  runs: number;
  counterexample: FuzzCounterexample | null;
  wallMs: number;
}

export function batchSeed(seed: number, batch: number): number {
  return batch === 0 ? seed : (seed ^ Math.imul(batch, 0x9e3779b1)) | 0;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  // real-time: the timed search's budget (--time) and wallMs for humans; read between batches,
  // never inside a simulated run, so no case depends on it.
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const maxRuns = options.runs ?? (options.timeMs === undefined ? DEFAULT_RUNS : Infinity);
  const focus = options.invariants && options.invariants.length > 0 ? options.invariants : undefined;
  const runBatch = options.parallel?.runBatch ?? localBatchRunner(options.router, focus, options.caseOptions ?? {});
  const concurrency = Math.max(1, options.parallel?.concurrency ?? 1);

  // A batch that failed (a harness error, a worker that died) counts in its turn, like a result:
  // an earlier batch's counterexample still wins, as in a serial search.
  type Outcome = { batch: number; seed: number; result: BatchResult | null; error?: unknown };
  const inFlight = new Map<number, Promise<Outcome>>();
  const done = new Map<number, Outcome>();
  let dispatched = 0; // batches handed out
  let dispatchedRuns = 0;
  let committed = 0; // batches taken, in order
  let tried = 0;
  const mayStart = (): boolean =>
    dispatchedRuns < maxRuns &&
    // real-time: --time stops handing out batches (see `started`).
    !(options.timeMs !== undefined && dispatched > 0 && performance.now() - started >= options.timeMs) &&
    !options.shouldStop?.();

  for (;;) {
    while (inFlight.size < concurrency && mayStart()) {
      const batch = dispatched++;
      const numRuns = Math.min(batchSize, maxRuns - dispatchedRuns);
      dispatchedRuns += numRuns;
      const seed = batchSeed(options.seed, batch);
      inFlight.set(
        batch,
        runBatch(seed, numRuns).then(
          (result): Outcome => ({ batch, seed, result }),
          (error: unknown): Outcome => ({ batch, seed, result: null, error }),
        ),
      );
    }
    if (inFlight.size === 0) break;
    const outcome = await Promise.race(inFlight.values());
    inFlight.delete(outcome.batch);
    done.set(outcome.batch, outcome);
    // Take results in batch order: the first failing batch is the serial search's first.
    for (let next = done.get(committed); next !== undefined; next = done.get(committed)) {
      done.delete(committed++);
      if (next.result === null) throw next.error; // its turn came: the search cannot go on past it
      tried += next.result.numRuns;
      const found = next.result.counterexample;
      if (found) {
        // Later batches still running are dropped (their outcomes settle into nothing).
        const { outcome, run } = await evaluateCase(found, options.router, { keepTrace: false, ...(focus ? { focus } : {}) });
        return {
          router: options.router.name,
          seed: options.seed,
          runs: tried,
          counterexample: { case: found, numShrinks: next.result.numShrinks, batchSeed: next.seed, outcome, run },
          wallMs: performance.now() - started, // real-time: for humans
        };
      }
      options.onProgress?.(tried);
    }
  }
  // real-time: wallMs for humans
  return { router: options.router.name, seed: options.seed, runs: tried, counterexample: null, wallMs: performance.now() - started };
}
