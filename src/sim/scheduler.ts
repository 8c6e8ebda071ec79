/**
 * The simulation kernel: a virtual clock and an event queue.
 *
 * Semantics (see docs/architecture.md for the long form):
 *  - Events are ordered by (time, tie key, insertion sequence). Without tie-breaking the tie
 *    key is 0, so events due at the same instant run in the order they were scheduled. With
 *    `tieBreak: true`, each event draws its tie key from the seeded stream "kernel/tiebreak",
 *    which explores other interleavings of same-instant events, reproducibly.
 *  - The loop takes the earliest instant t, runs every event due at t (including events
 *    scheduled *at t* by those callbacks, synchronously), then drains promise continuations
 *    with one macrotask turn (`setImmediate`), which runs every queued microtask, and all the
 *    microtasks they queue, before it fires. Continuations that schedule work at t form the
 *    next batch at t. Only then does time advance. One drain per batch, not per event: a
 *    `setImmediate` costs about 2.5 µs of real time, so per-event draining caps a run near
 *    0.4 M events/s.
 *  - Budgets (`maxEvents`, `maxTimeUs`) stop a runaway run with `BudgetExceededError`, whose
 *    message names the budget, the virtual time, the seed and the run's label.
 *  - Nothing here reads real time or real randomness. `setImmediate` is used only to let the
 *    JavaScript engine run continuations; it carries no time.
 */
import { type Clock, type TimerHandle, timeoutWith, formatUs } from '../ports/clock.ts';
import { createRandom, type Random } from './rng.ts';
import type { Trace } from './trace.ts';
import { LazyHeap } from './heap.ts';

export interface SchedulerOptions {
  /** Seed of the run; named in budget errors and used for tie-breaking. */
  seed: number | string;
  /** Randomise the order of events due at the same instant (seeded). Default false. */
  tieBreak?: boolean;
  /** Stop with an error after this many events. Default 50,000,000. */
  maxEvents?: number;
  /** Stop with an error when virtual time would pass this. Default 7 days. */
  maxTimeUs?: number;
  /** A name for the run (the scenario), used in errors. */
  label?: string;
  /** When given, every fired timer is recorded as `kernel.timer` with its label. */
  trace?: Trace;
  /** Record kernel timer fires in the trace (default true when a trace is given). */
  traceTimers?: boolean;
  /** Stream for tie-breaking; defaults to a stream derived from `seed`. */
  rng?: Random;
  /**
   * Where each budget is set, in the user's terms (a scenario field, a flag), so the budget
   * error can say what to change, e.g. `the scenario's maxDurationMs (120000 ms)`.
   */
  budgetSources?: { maxEvents?: string; maxTimeUs?: string };
}

export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(
    readonly budget: 'maxEvents' | 'maxTimeUs',
    readonly limit: number,
    readonly atUs: number,
    readonly seed: number | string,
    readonly label: string,
    /** Where the budget is set (a scenario field or flag); the scheduler option's name otherwise. */
    readonly source: string = `the scheduler option ${budget}`,
  ) {
    const what = budget === 'maxEvents' ? `event budget of ${limit} events` : `virtual-time budget of ${formatUs(limit)}`;
    super(
      `${label}: the run exceeded its ${what} at t=${formatUs(atUs)} (seed ${seed}); ` +
        `a timer loop or an endless workload is the usual cause — raise ${source} only if the run is meant to be this long`,
    );
  }
}

export class CallbackError extends Error {
  override readonly name = 'CallbackError';
  constructor(
    readonly label: string,
    readonly atUs: number,
    override readonly cause: unknown,
  ) {
    super(`event "${label}" at t=${formatUs(atUs)} threw: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  }
}

/** One scheduled event; also the timer handle given out (its `id` is its insertion sequence). */
class SimEvent implements TimerHandle {
  cancelled = false;
  constructor(
    readonly t: number,
    readonly key: number,
    readonly seq: number,
    readonly callback: () => unknown,
    readonly label: string,
  ) {}
  get id(): number {
    return this.seq;
  }
}

export const DEFAULT_MAX_EVENTS = 50_000_000;
const DEFAULT_MAX_TIME_US = 7 * 24 * 3600 * 1_000_000;

// real-time: setImmediate carries no time and no order of its own; it only lets the engine run
// every queued promise continuation before the next batch (see the header comment).
const drainMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Scheduler implements Clock {
  /** Ordered by (time, tie key, insertion sequence): a strict total order, so runs are reproducible. */
  private readonly heap = new LazyHeap<SimEvent>((a, b) => (a.t !== b.t ? a.t < b.t : a.key !== b.key ? a.key < b.key : a.seq < b.seq));
  private nowUs = 0;
  private seq = 0;
  private live = 0;
  private executed = 0;
  private running = false;
  private asyncError: { label: string; atUs: number; error: unknown } | null = null;
  private readonly tieRng: Random | null;
  private readonly maxEvents: number;
  private readonly maxTimeUs: number;
  private readonly traceTimers: boolean;
  private readonly budgetSources: { maxEvents?: string; maxTimeUs?: string };
  readonly seed: number | string;
  readonly label: string;
  readonly trace: Trace | undefined;

  constructor(options: SchedulerOptions) {
    this.seed = options.seed;
    this.label = options.label ?? 'run';
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxTimeUs = options.maxTimeUs ?? DEFAULT_MAX_TIME_US;
    this.budgetSources = options.budgetSources ?? {};
    this.trace = options.trace;
    this.traceTimers = options.traceTimers ?? options.trace !== undefined;
    this.tieRng = options.tieBreak ? (options.rng ?? createRandom(options.seed)).fork('kernel/tiebreak') : null;
  }

  // ---- Clock port -------------------------------------------------------------------------

  now(): number {
    return this.nowUs;
  }

  setTimer(delayUs: number, callback: () => unknown, label = 'timer'): TimerHandle {
    if (Number.isNaN(delayUs) || delayUs === Infinity) {
      // "Never" is not a delay: a timer that would fire at once by accident is worse than an error.
      throw new RangeError(`setTimer("${label}"): delay must be a finite number of microseconds, got ${delayUs}`);
    }
    const d = Math.max(0, Math.round(delayUs));
    return this.at(this.nowUs + d, callback, label);
  }

  cancelTimer(handle: TimerHandle): void {
    const ev = handle as unknown as SimEvent;
    if (!ev.cancelled) {
      ev.cancelled = true;
      this.live--;
    }
  }

  sleep(us: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(us, resolve, 'sleep');
    });
  }

  timeout<T>(promise: Promise<T>, us: number, what?: string): Promise<T> {
    return timeoutWith(this, promise, us, what);
  }

  // ---- Scheduling --------------------------------------------------------------------------

  /** Schedule at an absolute virtual time (clamped to now). Returns a cancellable handle. */
  at(timeUs: number, callback: () => unknown, label = 'event'): TimerHandle {
    const t = Math.max(this.nowUs, Math.round(timeUs));
    const ev = new SimEvent(t, this.tieRng ? this.tieRng.int(0, 0x3fffffff) : 0, this.seq++, callback, label);
    this.heap.push(ev);
    this.live++;
    return ev;
  }

  /** Number of scheduled, not cancelled, events. */
  get pending(): number {
    return this.live;
  }

  /** Number of events run so far. */
  get eventsRun(): number {
    return this.executed;
  }

  /** Run until no event is left. */
  async runUntilIdle(): Promise<void> {
    await this.runLoop(Infinity);
  }

  /** Run every event due at or before `timeUs`, then set the clock to `timeUs`. */
  async runUntil(timeUs: number): Promise<void> {
    await this.runLoop(timeUs);
    if (timeUs > this.nowUs && Number.isFinite(timeUs)) this.nowUs = Math.round(timeUs);
  }

  private async runLoop(limitUs: number): Promise<void> {
    if (this.running) throw new Error('Scheduler: run loop re-entered (runUntil/runUntilIdle called from inside a callback)');
    this.running = true;
    try {
      // Let continuations queued before the run (e.g. an async setup) settle first.
      await drainMicrotasks();
      this.throwAsyncError();
      for (;;) {
        const head = this.heap.peekLive();
        if (head === undefined || head.t > limitUs) break;
        const t = head.t;
        if (t > this.maxTimeUs) {
          throw new BudgetExceededError('maxTimeUs', this.maxTimeUs, this.nowUs, this.seed, this.label, this.budgetSources.maxTimeUs);
        }
        this.nowUs = t;
        // One batch: every event due at t, including ones scheduled at t during the batch.
        for (let ev = this.heap.peekLive(); ev !== undefined && ev.t === t; ev = this.heap.peekLive()) {
          this.heap.pop();
          this.live--;
          ev.cancelled = true; // fired: a later cancel is a no-op
          if (++this.executed > this.maxEvents) {
            throw new BudgetExceededError('maxEvents', this.maxEvents, t, this.seed, this.label, this.budgetSources.maxEvents);
          }
          if (this.traceTimers && this.trace) this.trace.record(t, 'kernel.timer', { label: ev.label });
          this.runCallback(ev);
        }
        await drainMicrotasks();
        this.throwAsyncError();
      }
    } finally {
      this.running = false;
    }
  }

  private runCallback(ev: SimEvent): void {
    let result: unknown;
    try {
      result = ev.callback();
    } catch (error) {
      throw new CallbackError(ev.label, ev.t, error);
    }
    if (result !== undefined && result !== null && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (error: unknown) => {
        this.asyncError ??= { label: ev.label, atUs: ev.t, error };
      });
    }
  }

  private throwAsyncError(): void {
    if (this.asyncError) {
      const { label, atUs, error } = this.asyncError;
      this.asyncError = null;
      throw new CallbackError(label, atUs, error);
    }
  }
}
