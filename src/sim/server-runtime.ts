/**
 * The server process as the network sees it: something that can be paused.
 *
 * A pause models a stop-the-world stall (GC, a blocked event loop, a VM migration): virtual
 * time goes on, the network keeps carrying frames, but no server code runs. Everything that
 * would run server code is funnelled through `run`: inbound frames, 'close' events, send
 * callbacks, accepted connections and timers of `clock` (the server's Clock). During a pause
 * this work is queued in the order it became due. When the pause ends it runs, still in that
 * order, in the kernel event that ends the pause. So a frame that arrived at 7 ms runs before
 * a timer that was due at 10 ms, as it would have without the pause.
 */
import { timeoutWith, type Clock, type TimerHandle } from '../ports/clock.ts';
import type { Scheduler } from './scheduler.ts';
import type { Trace } from './trace.ts';

export class ServerRuntime {
  private pausedFlag = false;
  private pauseEndUs = 0;
  private resumeTimer: TimerHandle | null = null;
  private readonly deferred: Array<() => unknown> = [];
  private readonly onResume = (): unknown => this.resume();
  /** The server's clock: the scheduler's time, with timers deferred while paused. */
  readonly clock: Clock;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace | undefined,
  ) {
    this.clock = new ServerClock(scheduler, this);
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Run server work now, or queue it until the pause ends. */
  run(work: () => unknown): unknown {
    if (this.pausedFlag) {
      this.deferred.push(work);
      return undefined;
    }
    return work();
  }

  /** Pause for `durationUs` from now. Pausing while paused extends the pause to the later end. */
  pause(durationUs: number): void {
    const endUs = this.scheduler.now() + Math.max(0, Math.round(durationUs));
    if (this.pausedFlag && endUs <= this.pauseEndUs) return;
    this.pausedFlag = true;
    this.pauseEndUs = endUs;
    if (this.resumeTimer !== null) this.scheduler.cancelTimer(this.resumeTimer);
    this.resumeTimer = this.scheduler.at(endUs, this.onResume, 'net/server-resume');
  }

  private resume(): unknown {
    this.resumeTimer = null;
    this.pausedFlag = false;
    const queued = this.deferred.length;
    if (this.trace !== undefined) this.trace.record(this.scheduler.now(), 'net.fault', { fault: 'pause-end', links: [], deferred: queued });
    // Return the promises of async work so the kernel reports their rejections as it does for
    // timers that return promises.
    let pending: Array<Promise<unknown>> | null = null;
    let i = 0;
    // Stop if deferred work pauses the server again; the rest waits for that pause to end.
    for (; i < this.deferred.length && !this.pausedFlag; i++) {
      const result = this.deferred[i]!();
      if (isThenable(result)) (pending ??= []).push(result);
    }
    this.deferred.splice(0, i);
    return pending === null ? undefined : Promise.all(pending);
  }
}

function isThenable(value: unknown): value is Promise<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

class ServerTimer implements TimerHandle {
  /** Fired or cancelled: either way it must never run again. */
  done = false;
  kernel: TimerHandle | null = null;
  constructor(readonly id: number) {}
}

/** A Clock that behaves like the scheduler except that its timers do not fire during a server pause. */
class ServerClock implements Clock {
  private nextId = 1;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly runtime: ServerRuntime,
  ) {}

  now(): number {
    return this.scheduler.now();
  }

  setTimer(delayUs: number, callback: () => void, label = 'server-timer'): TimerHandle {
    const timer = new ServerTimer(this.nextId++);
    const fire = (): unknown => {
      if (timer.done) return undefined; // cancelled while deferred
      timer.done = true;
      return (callback as () => unknown)();
    };
    timer.kernel = this.scheduler.setTimer(delayUs, () => this.runtime.run(fire), label);
    return timer;
  }

  cancelTimer(handle: TimerHandle): void {
    if (!(handle instanceof ServerTimer)) throw new Error('serverClock.cancelTimer: the handle was not created by this clock');
    if (handle.done) return;
    handle.done = true;
    if (handle.kernel !== null) this.scheduler.cancelTimer(handle.kernel);
  }

  sleep(us: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(us, resolve, 'server-sleep');
    });
  }

  timeout<T>(promise: Promise<T>, us: number, what?: string): Promise<T> {
    return timeoutWith(this, promise, us, what);
  }
}
