/**
 * Kernel benchmark: timer events whose callbacks are async functions with awaits.
 *
 * Workload: 2,000 concurrent async "sessions"; each step sleeps a whole number of
 * milliseconds (1–4 ms, seeded) and then does two awaits of already-resolved work, like a
 * handler that awaits a look-up and a send. Many sessions wake at the same instant, as on a
 * server with millisecond timers, so the kernel drains continuations once per instant.
 *
 * Reported separately, for honesty: the same workload with every wake-up on a distinct
 * microsecond (no two events share an instant), where one drain per event is unavoidable.
 *
 * Real time is read here only: the bench measures the simulation from outside.
 */
import { performance } from 'node:perf_hooks';
import { createRandom } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import type { BenchResult } from './network.ts';

async function workload(distinctTimes: boolean, sessions: number, steps: number): Promise<{ events: number; seconds: number }> {
  const scheduler = new Scheduler({ seed: 1 });
  const rng = createRandom(1).fork('bench');
  const work = async (): Promise<number> => 1;
  for (let s = 0; s < sessions; s++) {
    const r = rng.fork(`s${s}`);
    scheduler.at(0, async () => {
      for (let i = 0; i < steps; i++) {
        const delayUs = distinctTimes ? r.int(1, 4) * 1_000 * sessions + s : r.int(1, 4) * 1_000;
        await scheduler.sleep(delayUs);
        await work();
        await work();
      }
    }, 'session');
  }
  const t0 = performance.now();
  await scheduler.runUntilIdle();
  return { events: scheduler.eventsRun, seconds: (performance.now() - t0) / 1000 };
}

export async function benchKernel(): Promise<BenchResult[]> {
  await workload(false, 200, 50); // warm-up
  const shared: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { events, seconds } = await workload(false, 2_000, 250);
    shared.push(events / seconds);
  }
  const { events, seconds } = await workload(true, 200, 250);
  return [
    { name: 'kernel_events_per_s', value: Math.round(median(shared)), unit: 'events/s' },
    { name: 'kernel_events_per_s_distinct_instants', value: Math.round(events / seconds), unit: 'events/s' },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
