/**
 * The property search: fast-check draws cases, the simulator runs them, the oracle judges them;
 * on the first failure fast-check shrinks the case to a minimal one.
 *
 * The search runs in batches of `batchSize` runs; batch i uses the fast-check seed derived
 * from (seed, i), batch 0 uses `seed` itself. `--runs N` and `--time D` walk the same sequence
 * of batches, so a counterexample found by a timed search at run k is found again by
 * `--runs k'` (k' ≥ k, rounded up to the batch) with the same seed. Real time is read only to
 * stop a timed search between batches; nothing inside the simulation sees it.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import type { RouterConfig } from '../sut/router/flags.ts';
import type { InvariantName } from '../oracle/judge.ts';
import { fuzzCaseArb, type FuzzCase, type FuzzCaseOptions } from './arbitraries.ts';
import { evaluateCase, holds, type CaseOutcome } from './property.ts';
import type { RunOutput } from '../run/runner.ts';

export const DEFAULT_RUNS = 200;
export const DEFAULT_BATCH = 100;

export interface FuzzOptions {
  router: RouterConfig;
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
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const maxRuns = options.runs ?? (options.timeMs === undefined ? DEFAULT_RUNS : Infinity);
  const arb = fuzzCaseArb(options.caseOptions ?? {});
  const focus = options.invariants && options.invariants.length > 0 ? options.invariants : undefined;
  const predicate = holds(options.router, focus);
  let tried = 0;
  for (let batch = 0; tried < maxRuns; batch++) {
    if (options.timeMs !== undefined && batch > 0 && performance.now() - started >= options.timeMs) break;
    if (options.shouldStop?.()) break;
    const numRuns = Math.min(batchSize, maxRuns - tried);
    const seed = batchSeed(options.seed, batch);
    const details = await fc.check(fc.asyncProperty(arb, predicate), { seed, numRuns });
    if (details.failed && details.counterexample) {
      tried += details.numRuns;
      const found = details.counterexample[0];
      const { outcome, run } = await evaluateCase(found, options.router, { keepTrace: false, ...(focus ? { focus } : {}) });
      return {
        router: options.router.name,
        seed: options.seed,
        runs: tried,
        counterexample: { case: found, numShrinks: details.numShrinks, batchSeed: seed, outcome, run },
        wallMs: performance.now() - started,
      };
    }
    if (details.failed) {
      // The property threw outside a run (a bug in the harness itself): surface it.
      throw new Error(`fuzz: the property failed without a counterexample: ${String(details.errorInstance)}`);
    }
    tried += details.numRuns;
    options.onProgress?.(tried);
  }
  return { router: options.router.name, seed: options.seed, runs: tried, counterexample: null, wallMs: performance.now() - started };
}
