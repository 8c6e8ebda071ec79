/**
 * The Clock port on real time, for the `ws` transport (serve, runScenarioWs, probe, proxy).
 *
 * Time is integer microseconds of *virtual* time since the clock was created:
 *
 *     now() = floor(realElapsedUs / timeScale) + skippedUs
 *
 *  - `timeScale` compresses or stretches time: 0.25 makes a 4 s scenario take 1 s of wall time
 *    (every timer, every ownership look-up and agent step runs 4× faster; the real network
 *    does not, so a loopback hop of 0.1 ms real counts as 0.4 ms virtual). 1 = real time.
 *  - `skippedUs` grows only through `advanceTo()`: a driver that *knows* nothing can happen
 *    before the next timer (no frame in flight, no handshake, no close) may jump to it instead
 *    of sleeping. The simulation kernel does exactly this between events; runScenarioWs does it
 *    only with exact in-flight accounting (see ws-runner.ts).
 *
 * Timers live in one heap ordered by (due time, creation order), as in the simulated
 * scheduler: timers due at the same instant fire in the order they were set, and everything
 * due by now fires in one batch. Node's `setTimeout` only resolves whole milliseconds, which
 * at a time scale of 0.1 would be 10 ms of virtual time — wider than the race windows the
 * harness studies (look-ups of a few ms). So the driver sleeps with `setTimeout` until about a
 * millisecond before the next due time and then polls with `setImmediate` (which still lets
 * socket I/O run between polls): timers fire within a few tens of µs of their due time.
 *
 * This file and the ws adapters are the only places that touch real time.
 */
import { LazyHeap } from '../sim/heap.ts';
import { performance } from 'node:perf_hooks';
import { type Clock, type TimerHandle, timeoutWith } from '../ports/clock.ts';

export interface RealClockOptions {
  /** Virtual µs = real µs / timeScale. Default 1. Must be > 0. */
  timeScale?: number;
  /** Keep the process alive while timers are pending (default true). A server sets false. */
  ref?: boolean;
  /** Poll with setImmediate for the last `spinUs` of real time before a due timer (default 1500). */
  spinUs?: number;
  /** A timer callback threw (or its promise rejected). Default: remembered in `errors`. */
  onError?: (error: unknown, label: string) => void;
}

interface RealTimer extends TimerHandle {
  dueUs: number;
  readonly seq: number;
  readonly callback: () => unknown;
  readonly label: string;
  cancelled: boolean;
}

export class RealClock implements Clock {
  readonly timeScale: number;
  private startMs: number;
  private skippedUs = 0;
  private lastNow = 0;
  /** Ordered by (due time, creation order), as in the simulated scheduler. */
  private readonly heap = new LazyHeap<RealTimer>((a, b) => (a.dueUs !== b.dueUs ? a.dueUs < b.dueUs : a.seq < b.seq));
  private seq = 0;
  private live = 0;
  private disposed = false;
  private readonly ref: boolean;
  private readonly spinUs: number;
  private readonly onError: ((error: unknown, label: string) => void) | undefined;
  private armedTimeout: NodeJS.Timeout | null = null;
  private armedImmediate: NodeJS.Immediate | null = null;
  /** Errors thrown by timer callbacks (when no `onError` is given). */
  readonly errors: Array<{ label: string; error: unknown }> = [];
  /** Timers fired so far. */
  fired = 0;

  constructor(options: RealClockOptions = {}) {
    const scale = options.timeScale ?? 1;
    if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0)) {
      throw new RangeError(`RealClock: timeScale must be a number > 0, got ${String(scale)}`);
    }
    this.timeScale = scale;
    this.ref = options.ref ?? true;
    this.spinUs = options.spinUs ?? 1_500;
    this.onError = options.onError;
    this.startMs = performance.now();
  }

  // ---- Clock port -----------------------------------------------------------------------------

  now(): number {
    const t = Math.floor(((performance.now() - this.startMs) * 1_000) / this.timeScale) + this.skippedUs;
    // performance.now() is monotonic; the guard keeps the contract under float rounding.
    if (t > this.lastNow) this.lastNow = t;
    return this.lastNow;
  }

  setTimer(delayUs: number, callback: () => unknown, label = 'timer'): TimerHandle {
    const d = Number.isFinite(delayUs) ? Math.max(0, Math.round(delayUs)) : 0;
    const timer: RealTimer = { id: ++this.seq, seq: this.seq, dueUs: this.now() + d, callback, label, cancelled: false };
    if (this.disposed) {
      // A disposed clock accepts timers (callers need a handle) but never fires them.
      timer.cancelled = true;
      return timer;
    }
    this.heap.push(timer);
    this.live++;
    if (this.heap.peek() === timer) this.arm();
    return timer;
  }

  cancelTimer(handle: TimerHandle): void {
    const timer = handle as RealTimer;
    if (timer.cancelled) return;
    timer.cancelled = true;
    this.live--;
  }

  sleep(us: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(us, resolve, 'sleep');
    });
  }

  timeout<T>(promise: Promise<T>, us: number, what?: string): Promise<T> {
    return timeoutWith(this, promise, us, what);
  }

  // ---- Beyond the port --------------------------------------------------------------------------

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.live;
  }

  /** Due time of the earliest pending timer, or null. */
  nextDueUs(): number | null {
    return this.heap.peekLive()?.dueUs ?? null;
  }

  /** Label of the earliest pending timer (diagnostics). */
  nextLabel(): string | null {
    return this.heap.peekLive()?.label ?? null;
  }

  /** Virtual time skipped so far by `advanceTo`. */
  get skipped(): number {
    return this.skippedUs;
  }

  /**
   * Jump virtual time forward to `timeUs` (no-op if it is not in the future). Only a caller
   * that knows nothing observable can happen before `timeUs` may do this.
   */
  advanceTo(timeUs: number): void {
    const now = this.now();
    if (timeUs <= now) return;
    this.skippedUs += Math.round(timeUs - now);
    this.arm();
  }

  /**
   * Make "now" the new time 0: pending timers keep their remaining delays. For a harness that
   * sets up servers and sockets first (which takes real time) and wants its scenario to start
   * at t = 0.
   */
  rebase(): void {
    const now = this.now();
    for (const t of this.heap) t.dueUs -= now;
    this.startMs = performance.now();
    this.skippedUs = 0;
    this.lastNow = 0;
    this.arm();
  }

  /** Real milliseconds corresponding to `us` of virtual time. */
  realMs(us: number): number {
    return (us / 1_000) * this.timeScale;
  }

  /** Cancel every timer and stop the driver; later timers never fire. Idempotent. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.heap) t.cancelled = true;
    this.heap.clear();
    this.live = 0;
    this.disarm();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---- Driver ------------------------------------------------------------------------------------

  private disarm(): void {
    if (this.armedTimeout) clearTimeout(this.armedTimeout);
    if (this.armedImmediate) clearImmediate(this.armedImmediate);
    this.armedTimeout = null;
    this.armedImmediate = null;
  }

  private arm(): void {
    if (this.disposed) return;
    this.disarm();
    const head = this.heap.peekLive();
    if (!head) return;
    const waitRealUs = (head.dueUs - this.now()) * this.timeScale;
    if (waitRealUs > this.spinUs) {
      const ms = Math.max(1, Math.floor((waitRealUs - this.spinUs) / 1_000));
      this.armedTimeout = setTimeout(() => {
        this.armedTimeout = null;
        this.arm();
      }, ms);
      if (!this.ref) this.armedTimeout.unref();
    } else {
      // Poll: fire when due. setImmediate lets pending socket I/O run between polls.
      this.armedImmediate = setImmediate(() => {
        this.armedImmediate = null;
        this.fireDue();
        this.arm();
      });
      // Never unref'd: Node runs unref'd immediates only when something else wakes the loop,
      // so an unref'd poll would stall until the next I/O (seconds on an idle server).
    }
  }

  private fireDue(): void {
    const now = this.now();
    for (let t = this.heap.peekLive(); t !== undefined && t.dueUs <= now && !this.disposed; t = this.heap.peekLive()) {
      this.heap.pop();
      this.live--;
      t.cancelled = true;
      this.fired++;
      try {
        const result = t.callback();
        if (result !== undefined && result !== null && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(undefined, (error: unknown) => this.report(error, t.label));
        }
      } catch (error) {
        this.report(error, t.label);
      }
    }
  }

  private report(error: unknown, label: string): void {
    if (this.onError) this.onError(error, label);
    else this.errors.push({ label, error });
  }
}
