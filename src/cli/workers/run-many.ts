/**
 * Runs a command's list of runs, in this thread one after another, or spread over a pool of
 * worker threads (`--workers N`). Either way the results come back in the list's order, so the
 * results document of a parallel run is the serial one: same runs, same order, same hashes
 * (only the wall-clock fields differ, as they do between any two runs).
 *
 * Interruption (Ctrl-C) stops handing out runs; runs already started finish and are kept, so
 * the partial results are the runs that completed, in list order.
 */
import type { RunResult } from '../../run/result.ts';
import type { RunJob } from './jobs.ts';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.ts';
import { WorkerPool } from './pool.ts';

/** The default of --workers: the cores this process may use. */
export const defaultWorkers = (): number => availableParallelism();

export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return defaultWorkers();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--workers must be a whole number from 1 to 256 (worker threads; default: ${defaultWorkers()}, the cores available), got "${value}"`);
  return n;
}

export interface RunManyOptions<W> {
  /** Worker threads; 1 runs everything in this thread. */
  workers: number;
  /** One run in this thread. */
  local: (item: W) => Promise<RunResult>;
  /** The same run as a worker job. */
  job: (item: W) => RunJob;
  /** The result of a run whose worker thread died under it (a failed run, with the reason). */
  failed: (item: W, error: unknown) => RunResult;
  /** Checked before each run is handed out: true stops (Ctrl-C). */
  stopped: () => boolean;
  /** Called as runs start (index, item) — for progress lines. */
  onStart?: (index: number, item: W, done: number) => void;
}

/**
 * A macrotask turn between runs: a simulated run never waits on real I/O, so without this a
 * SIGINT would only be seen after the last run.
 */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runMany<W>(items: readonly W[], options: RunManyOptions<W>): Promise<RunResult[]> {
  const workers = Math.min(options.workers, items.length);
  if (workers <= 1) {
    const results: RunResult[] = [];
    for (let i = 0; i < items.length; i++) {
      await yieldToEvents();
      if (options.stopped()) break;
      options.onStart?.(i, items[i]!, i);
      results.push(await options.local(items[i]!));
    }
    await yieldToEvents();
    return results;
  }
  const pool = new WorkerPool(workers);
  const results: (RunResult | undefined)[] = new Array(items.length);
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolve) => {
      let running = 0;
      const launch = (): void => {
        while (running < workers && next < items.length && !options.stopped()) {
          const i = next++;
          running++;
          options.onStart?.(i, items[i]!, finished);
          pool.run(options.job(items[i]!)).then(
            (result) => {
              results[i] = result as RunResult;
              running--;
              finished++;
              launch();
            },
            (error: unknown) => {
              results[i] = options.failed(items[i]!, error);
              running--;
              finished++;
              launch();
            },
          );
        }
        if (running === 0) resolve();
      };
      launch();
    });
  } finally {
    await pool.close();
  }
  return results.filter((r): r is RunResult => r !== undefined);
}
