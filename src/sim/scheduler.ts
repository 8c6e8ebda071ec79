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
 *    (see "Draining" below). Continuations that schedule work at t form the next batch at t.
 *    Only then does time advance.
 *  - Draining, without a macrotask per instant: after a batch the loop yields to the microtask
 *    queue, one turn at a time (`await`), and counts kernel activity (every `now`, `at`,
 *    `setTimer`, `sleep`, `cancelTimer`). It advances time after `QUIET_TURNS` turns in a row
 *    in which nothing called the kernel. The microtask queue is FIFO, so a turn runs every
 *    continuation queued before it; a continuation chain that calls the kernel at least once
 *    every `QUIET_TURNS` hops (a sleep, a send, a clock read) is therefore fully drained
 *    before time advances, as with a macrotask. One that runs longer without touching the
 *    kernel finishes after time has advanced: still deterministic (microtask order is), but
 *    later in virtual time than it would be under a macrotask drain. As a safety net, and so
 *    I/O and signals are not starved, every `MACROTASK_EVERY`-th drain is a macrotask turn
 *    (`setImmediate`), which runs every queued microtask: a count, not a clock, so it is the
 *    same on every run. A `setImmediate` costs about 2.5 µs of real time, a microtask turn
 *    about 0.03 µs: draining by turns is what lets the kernel run ~1 M events/s with every
 *    event on its own instant (bench/kernel.ts).
 *  - Budgets (`maxEvents`, `maxTimeUs`) stop a runaway run with `BudgetExceededError`, whose
 *    message names the budget, the virtual time, the seed and the run's label.
 *  - Nothing here reads real time or real randomness. `setImmediate` is used only to let the
 *    JavaScript engine run continuations; it carries no time.
 */
import { type Clock, type TimerHandle, timeoutWith, formatUs } from '../ports/clock.ts';
import { createRandom, type Random } from './rng.ts';
import type { Trace } from './trace.ts';
import { TimeQueue, type QueuedEvent } from './time-queue.ts';
import { realSetImmediate } from '../ports/real-time.ts';

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
class SimEvent implements TimerHandle, QueuedEvent {
  cancelled = false;
  /**
   * 0 for a timer. For a sleep, how many sleeps this event stands for: sleeps due at one instant
   * and scheduled back to back share one event and one promise (see `sleep`).
   */
  sleepers = 0;
  /** The promise the sleepers wait on (a sleep only). */
  promise: Promise<void> | null = null;
  constructor(
    readonly t: number,
    readonly key: number,
    readonly seq: number,
    /** Let go when cancelled (see cancelTimer). */
    public callback: () => unknown,
    readonly label: string,
  ) {}
  get id(): number {
    return this.seq;
  }
}

const cancelledCallback = (): void => {};

export const DEFAULT_MAX_EVENTS = 50_000_000;
const DEFAULT_MAX_TIME_US = 7 * 24 * 3600 * 1_000_000;

/** Microtask turns without kernel activity after which a batch counts as drained. */
export const QUIET_TURNS = 4;
/** Every this many drains, one is a macrotask turn (a safety net; see the header comment). */
export const MACROTASK_EVERY = 1_024;

/**
 * A settled promise whose `then` queues a drain turn. Cheaper than `queueMicrotask`, which in
 * Node wraps each callback in an async resource (measured: 4× the cost per turn).
 */
const RESOLVED = Promise.resolve();

// real-time: the loop's setImmediate (the real one, even while a server's own code runs with
// virtual timers: ports/real-time.ts) carries no time and no order of its own; it only lets the
// engine run every queued promise continuation (and pending I/O) before the next batch.

export class Scheduler implements Clock {
  /** Ordered by (time, tie key, insertion sequence): a strict total order, so runs are reproducible. */
  private readonly queue: TimeQueue<SimEvent>;
  private nowUs = 0;
  /** Bumped by every kernel entry point; the drain watches it (see "Draining"). */
  private activity = 0;
  private drains = 0;
  /** The run loop in progress (runUntil / runUntilIdle), or null. */
  private loop: { limitUs: number; resolve: () => void; reject: (error: unknown) => void; quiet: number; seen: number } | null = null;
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
    this.queue = new TimeQueue<SimEvent>(options.tieBreak ?? false);
  }

  // ---- Clock port -------------------------------------------------------------------------

  now(): number {
    this.activity++;
    return this.nowUs;
  }

  setTimer(delayUs: number, callback: () => unknown, label = 'timer'): TimerHandle {
    return this.at(this.dueUs(delayUs, `setTimer("${label}")`), callback, label);
  }

  /** The instant a delay from now ends, in whole µs (a negative delay is now). */
  private dueUs(delayUs: number, what: string): number {
    if (Number.isNaN(delayUs) || delayUs === Infinity) {
      // "Never" is not a delay: a timer that would fire at once by accident is worse than an error.
      throw new RangeError(`${what}: delay must be a finite number of microseconds, got ${delayUs}`);
    }
    return this.nowUs + Math.max(0, Math.round(delayUs));
  }

  cancelTimer(handle: TimerHandle): void {
    this.activity++;
    const ev = handle as unknown as SimEvent;
    if (this.queue.cancel(ev)) {
      this.live--;
      // A cancelled event stays queued until its instant (lazy deletion); what its callback
      // holds must not: a give-up timeout of a wait that was answered would pin the waiting
      // code's promises and closures for its whole timeout (a minute, for every message of a
      // load scenario).
      ev.callback = cancelledCallback;
    }
  }

  /**
   * Sleeps due at the same instant and scheduled back to back (nothing else scheduled at that
   * instant between them) share one event and one promise, the way Node keeps one list per
   * timer duration: a server whose sessions sleep whole milliseconds pays one promise and one
   * queue entry per instant, not per sleep. The order is kept: the sleeps would have fired
   * consecutively, so their waiters resume consecutively, in the order they awaited (the order
   * they called `sleep`, for code that awaits at once). Each sleep still counts as one event
   * (`eventsRun`, `pending`, `maxEvents`). With tie-breaking every sleep stays its own event,
   * so each draws its own tie key.
   */
  sleep(us: number): Promise<void> {
    const t = this.dueUs(us, 'sleep');
    if (this.tieRng === null) {
      const last = this.queue.lastAt(t);
      if (last !== undefined && last.sleepers > 0 && !last.cancelled) {
        this.activity++;
        last.sleepers++;
        this.live++;
        return last.promise!;
      }
    }
    let ev!: SimEvent;
    const promise = new Promise<void>((resolve) => {
      ev = this.at(t, resolve, 'sleep') as SimEvent;
    });
    ev.sleepers = 1;
    ev.promise = promise;
    return promise;
  }

  timeout<T>(promise: Promise<T>, us: number, what?: string): Promise<T> {
    return timeoutWith(this, promise, us, what);
  }

  // ---- Scheduling --------------------------------------------------------------------------

  /** Schedule at an absolute virtual time (clamped to now). Returns a cancellable handle. */
  at(timeUs: number, callback: () => unknown, label = 'event'): TimerHandle {
    this.activity++;
    const t = Math.max(this.nowUs, Math.round(timeUs));
    const ev = new SimEvent(t, this.tieRng ? this.tieRng.int(0, 0x3fffffff) : 0, this.seq++, callback, label);
    this.queue.push(ev);
    this.live++;
    return ev;
  }

  /** Number of scheduled, not cancelled, events. */
  get pending(): number {
    return this.live;
  }

  /**
   * The virtual time, for observers outside the simulation (a progress line). Unlike `now()` it
   * does not count as kernel activity, so reading it cannot change how a batch drains.
   */
  get virtualNowUs(): number {
    return this.nowUs;
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

  /**
   * The loop is callback-driven rather than an `async` loop: a batch, then a drain made of
   * promise-reaction checks, then the next batch, with no promise allocated per turn (the
   * `await`-based loop spent a third of a distinct-instant run on its own promises).
   */
  private runLoop(limitUs: number): Promise<void> {
    if (this.running) return Promise.reject(new Error('Scheduler: run loop re-entered (runUntil/runUntilIdle called from inside a callback)'));
    this.running = true;
    return new Promise<void>((resolve, reject) => {
      this.loop = { limitUs, resolve, reject, quiet: 0, seen: 0 };
      // Let continuations queued before the run (e.g. an async setup) settle first.
      realSetImmediate(this.step);
    });
  }

  /** Run one batch (every event due at the earliest instant), then start draining it. */
  private readonly step = (): void => {
    const loop = this.loop!;
    try {
      this.throwAsyncError();
      const bucket = this.queue.peekBucket();
      if (bucket === undefined || bucket.t > loop.limitUs) return this.finish(null);
      const t = bucket.t;
      if (t > this.maxTimeUs) {
        throw new BudgetExceededError('maxTimeUs', this.maxTimeUs, this.nowUs, this.seed, this.label, this.budgetSources.maxTimeUs);
      }
      this.nowUs = t;
      // One batch: every event due at t, including ones scheduled at t during the batch.
      for (let ev = this.queue.take(bucket); ev !== undefined; ev = this.queue.take(bucket)) {
        const n = ev.sleepers > 1 ? ev.sleepers : 1;
        this.live -= n;
        if ((this.executed += n) > this.maxEvents) {
          throw new BudgetExceededError('maxEvents', this.maxEvents, t, this.seed, this.label, this.budgetSources.maxEvents);
        }
        if (this.traceTimers && this.trace) for (let i = 0; i < n; i++) this.trace.record(t, 'kernel.timer', { label: ev.label });
        this.runCallback(ev);
      }
    } catch (error) {
      return this.finish(error);
    }
    if (++this.drains % MACROTASK_EVERY === 0) {
      realSetImmediate(this.step);
      return;
    }
    loop.quiet = 0;
    loop.seen = this.activity;
    void RESOLVED.then(this.check);
  };

  /** One drain turn: count it quiet if nothing called the kernel since the last turn. */
  private readonly check = (): void => {
    const loop = this.loop!;
    if (this.activity !== loop.seen) {
      loop.seen = this.activity;
      loop.quiet = 0;
    } else if (++loop.quiet >= QUIET_TURNS) {
      return this.step();
    }
    void RESOLVED.then(this.check);
  };

  private finish(error: unknown): void {
    const loop = this.loop!;
    this.loop = null;
    this.running = false;
    if (error === null) loop.resolve();
    else loop.reject(error);
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
