/**
 * A progress line for one long simulated run, on a terminal: the run's virtual time and the
 * agent events produced so far, refreshed once a second of real time. A load scenario such as
 * chat-million runs for minutes in one piece; without it the terminal shows nothing meanwhile.
 *
 * It only reads the world (`virtualNowUs` is not kernel activity, `producedEvents` is a plain
 * counter), so a run with the line is the run without it: same trace, same hash.
 */
import { formatUs } from '../ports/clock.ts';
import type { SimWorld } from '../run/runner.ts';
import type { Output } from './output.ts';

/** Real time between refreshes of the line, ms. */
export const LIVE_PROGRESS_EVERY_MS = 1_000;

export interface LiveProgress {
  /** Hand to `runScenario`'s `onWorld`: starts the line once the world exists. */
  onWorld(world: SimWorld): void;
  /** Stop refreshing (the run ended, or failed). */
  stop(): void;
}

/** The line's text for a world at this moment. */
export function liveLabel(label: string, world: Pick<SimWorld, 'scheduler' | 'world'>): string {
  return `${label} · t=${formatUs(world.scheduler.virtualNowUs)} · ${world.world.producedEvents.toLocaleString('en')} events`;
}

export function liveProgress(out: Pick<Output, 'progress'>, done: number, total: number, label: string, everyMs = LIVE_PROGRESS_EVERY_MS): LiveProgress {
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopped = false;
  return {
    onWorld(world) {
      if (stopped || timer !== null) return;
      // real-time: a refresh for humans, outside the simulation; the simulated run takes a
      // macrotask turn every MACROTASK_EVERY drains, which is when this can fire.
      timer = setInterval(() => out.progress(done, total, liveLabel(label, world)), everyMs);
      timer.unref();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
