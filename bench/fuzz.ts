/**
 * Benchmark of the property search.
 *
 *  - fuzz_runs_per_s: generated cases per second of real time through the whole pipeline —
 *    fast-check draws a case (default size), the simulator runs it against the guaranteed
 *    router, the oracle judges it. 1,000 runs (10 batches of 100) after a warm-up of 200; one
 *    process, so one core.
 *  - fuzz_runs_per_s_1_worker / fuzz_runs_per_s_2_workers: the same 1,000 runs through
 *    `fuzz --workers 1` (this thread) and `--workers 2` (a pool of two worker threads, each
 *    warmed up with as many runs as the thread), and their ratio. A single thread already
 *    keeps more than one core busy part of the time (V8's garbage collector and optimising
 *    compiler run on helper threads), so on two cores the ratio stays below 2 for reasons
 *    outside threadline.
 *  - shrink_emit_before_bind_ms: real time to find and shrink the emit-before-bind race of the
 *    dynamic router (fuzz --router dynamic --seed 1) down to its minimal case.
 *
 * Real time (performance.now) is read here only: the bench measures the simulation from
 * outside it. Run it with `npx tsx bench/fuzz.ts`.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { fuzz } from '../src/check/fuzz.ts';
import { actionCount } from '../src/check/arbitraries.ts';
import { parseRouterSpec } from '../src/sut/router/flags.ts';
import { WorkerPool } from '../src/cli/workers/pool.ts';
import type { BatchResult } from '../src/check/fuzz.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const WARMUP_RUNS = 200;
const MEASURED_RUNS = 1_000;

export async function benchFuzz(): Promise<BenchResult[]> {
  const guaranteed = parseRouterSpec('guaranteed');
  // Seeds that hold for guaranteed, so every run is counted (a counterexample would stop the search).
  await fuzz({ router: guaranteed, seed: 101, runs: WARMUP_RUNS });
  const t0 = performance.now();
  const report = await fuzz({ router: guaranteed, seed: 1, runs: MEASURED_RUNS });
  const elapsedMs = performance.now() - t0;
  if (report.counterexample) {
    throw new Error(`bench: guaranteed failed at run ${report.runs} (seed 1): ${report.counterexample.outcome.violations[0]?.explanation ?? report.counterexample.outcome.error}`);
  }

  // The same runs, two workers. Each worker is warmed up with as many runs as the thread above
  // was (WARMUP_RUNS each, so 2 × WARMUP_RUNS over the pair): with one batch each, the measured
  // runs began while the workers' code was still being optimised, which measured the JIT.
  const pool = new WorkerPool(2);
  const runBatch = async (seed: number, numRuns: number): Promise<BatchResult> => (await pool.run({ kind: 'fuzz-batch', server: { router: 'guaranteed' }, focus: [], caseOptions: {}, seed, numRuns })) as BatchResult;
  let twoWorkersPerS: number;
  try {
    await fuzz({ router: guaranteed, seed: 101, runs: 2 * WARMUP_RUNS, parallel: { runBatch, concurrency: 2 } });
    const t2 = performance.now();
    const parallel = await fuzz({ router: guaranteed, seed: 1, runs: MEASURED_RUNS, parallel: { runBatch, concurrency: 2 } });
    twoWorkersPerS = (parallel.runs / (performance.now() - t2)) * 1_000;
    if (parallel.counterexample) throw new Error('bench: guaranteed failed on two workers but not on one');
  } finally {
    await pool.close();
  }
  const oneWorkerPerS = (report.runs / elapsedMs) * 1_000;

  const t1 = performance.now();
  const race = await fuzz({ router: parseRouterSpec('dynamic'), seed: 1, runs: 200, invariants: ['no-loss'] });
  const shrinkMs = performance.now() - t1;
  const found = race.counterexample;
  if (!found || found.outcome.invariant !== 'no-loss' || actionCount(found.case.spec) > 6) {
    throw new Error('bench: the dynamic emit-before-bind race was not found and shrunk to at most 6 actions');
  }
  return [
    { name: 'fuzz_runs_per_s', value: Math.round(oneWorkerPerS), unit: 'runs/s' },
    { name: 'fuzz_runs_per_s_1_worker', value: Math.round(oneWorkerPerS), unit: 'runs/s' },
    { name: 'fuzz_runs_per_s_2_workers', value: Math.round(twoWorkersPerS), unit: 'runs/s' },
    { name: 'fuzz_2_workers_vs_1_x', value: Math.round((twoWorkersPerS / oneWorkerPerS) * 100) / 100, unit: '×' },
    { name: 'shrink_emit_before_bind_ms', value: Math.round(shrinkMs), unit: 'ms' },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchFuzz()) console.log(`${r.name.padEnd(28)} ${String(r.value).padStart(8)} ${r.unit}`);
}
