/**
 * Kernel benchmark: timer wake-ups whose continuations are async code with awaits, run by
 * threadline's kernel and by @sinonjs/fake-timers (its async API, `runAllAsync`, which is how
 * async code is driven under fake timers) on the same workload, in the same process, in
 * alternation; each figure is the median of the rounds.
 *
 * Workload: concurrent async "sessions"; each step sleeps a whole number of milliseconds
 * (1–4 ms, seeded) and then does two awaits of already-resolved work, like a handler that
 * awaits a look-up and a send. Two shapes:
 *  - shared: 2,000 sessions with millisecond timers, so many wake-ups share an instant (a server
 *    with millisecond timers);
 *  - distinct: 200 sessions whose wake-ups are spread so that nearly every one has its own
 *    instant, where a kernel cannot batch.
 * A wake-up is counted the same way on both sides (the line after the sleep).
 *
 * Each round runs in a fresh child process (its own V8 heap, with the flags of this one):
 * measured in one heap, the two clocks' garbage slows whichever runs next (our kernel ran at
 * 2.0 M wake-ups/s alone and 1.2 M interleaved with fake-timers rounds), which would measure
 * the order, not the clocks. Worker threads were tried: their smaller default heaps slowed both
 * sides by a third.
 *
 * Real time is read here only: the bench measures the simulation from outside.
 */
import { performance } from 'node:perf_hooks';
import FakeTimers from '@sinonjs/fake-timers';
import { createRandom } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import type { BenchResult } from './network.ts';
import { childJob, runInChild } from './child.ts';

type Shape = 'shared' | 'distinct';
const SHAPES: Record<Shape, { sessions: number; steps: number }> = {
  shared: { sessions: 2_000, steps: 100 },
  distinct: { sessions: 200, steps: 500 },
};
const ROUNDS = 3;

/** A clock under test: how to sleep (ms) and how to run every timer to the end. */
interface Driver {
  sleepMs(ms: number): Promise<void>;
  runAll(): Promise<void>;
}

function kernelDriver(): Driver {
  const scheduler = new Scheduler({ seed: 1 });
  return { sleepMs: (ms) => scheduler.sleep(ms * 1_000), runAll: () => scheduler.runUntilIdle() };
}

function fakeTimersDriver(): Driver {
  const clock = FakeTimers.createClock(0, Number.MAX_SAFE_INTEGER);
  return {
    sleepMs: (ms) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms)),
    runAll: async () => {
      await clock.runAllAsync();
    },
  };
}

/**
 * The floor: the cheapest clock that can run the shared shape (an array of resolvers per
 * millisecond, one macrotask per instant). What it costs is the workload's own cost (the
 * async functions, their awaits, the seeded draws); no clock can run the workload faster.
 */
function floorDriver(): Driver {
  const due = new Map<number, (() => void)[]>();
  let nowMs = 0;
  return {
    sleepMs: (ms) =>
      new Promise<void>((resolve) => {
        const at = nowMs + ms;
        const list = due.get(at);
        if (list) list.push(resolve);
        else due.set(at, [resolve]);
      }),
    runAll: async () => {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve)); // continuations of the last instant
        if (due.size === 0) return;
        nowMs++;
        const list = due.get(nowMs);
        due.delete(nowMs);
        if (list) for (const resolve of list) resolve();
      }
    },
  };
}

/** Wake-ups per second of real time for one round of `shape` on `driver`. */
async function round(shape: Shape, driver: Driver, scale = 1): Promise<number> {
  const { sessions, steps } = SHAPES[shape];
  const n = Math.max(1, Math.round(sessions * scale));
  const rng = createRandom(1).fork('bench');
  const work = async (): Promise<number> => 1;
  let wakeUps = 0;
  for (let s = 0; s < n; s++) {
    const r = rng.fork(`s${s}`);
    void (async () => {
      for (let i = 0; i < steps; i++) {
        // distinct: session s wakes on instants ≡ i·s (mod n) ms apart from the others.
        const ms = shape === 'distinct' ? r.int(1, 4) * n + s : r.int(1, 4);
        await driver.sleepMs(ms);
        wakeUps++;
        await work();
        await work();
      }
    })();
  }
  const t0 = performance.now();
  await driver.runAll();
  const seconds = (performance.now() - t0) / 1_000;
  if (wakeUps !== n * steps) throw new Error(`bench: ${wakeUps} wake-ups of ${n * steps} ran`);
  return wakeUps / seconds;
}

type Clock = 'kernel' | 'fake-timers' | 'floor';
interface Job {
  shape: Shape;
  clock: Clock;
}

const JOB_ENV = 'THREADLINE_BENCH_KERNEL_JOB';

/** One round in a fresh child process: two warm-up rounds (the JIT), then the measured one. */
function inChild(job: Job): Promise<number> {
  return runInChild<number>(import.meta.url, JOB_ENV, job, `kernel round ${JSON.stringify(job)}`);
}

const job = childJob<Job>(JOB_ENV);
if (job) {
  const { shape, clock } = job;
  const driver = clock === 'kernel' ? kernelDriver : clock === 'fake-timers' ? fakeTimersDriver : floorDriver;
  await round(shape, driver());
  await round(shape, driver());
  process.send!(await round(shape, driver()));
  process.disconnect();
}

export async function benchKernel(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const shape of ['shared', 'distinct'] as const) {
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await inChild({ shape, clock: 'kernel' }));
      theirs.push(await inChild({ shape, clock: 'fake-timers' }));
    }
    if (shape === 'shared') {
      const floor: number[] = [];
      for (let i = 0; i < ROUNDS; i++) floor.push(await inChild({ shape, clock: 'floor' }));
      out.push({ name: 'workload_floor_events_per_s', value: Math.round(median(floor)), unit: 'events/s' });
      out.push({ name: 'kernel_share_of_floor', value: round2(median(ours) / median(floor)), unit: '×' });
    }
    const suffix = shape === 'shared' ? '' : '_distinct_instants';
    out.push({ name: `kernel_events_per_s${suffix}`, value: Math.round(median(ours)), unit: 'events/s' });
    out.push({ name: `fake_timers_events_per_s${suffix}`, value: Math.round(median(theirs)), unit: 'events/s' });
    out.push({ name: `kernel_vs_fake_timers_${shape}_x`, value: round2(median(ours) / median(theirs)), unit: '×' });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
