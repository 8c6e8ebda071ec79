/**
 * Node's timer functions on a run's virtual clock, for a server's own code: setTimeout,
 * setInterval, setImmediate and their clear*, with Node's Timeout objects (ref, unref, hasRef,
 * refresh, and a numeric primitive so `clearTimeout(Number(t))` works as in Node).
 *
 * Timers made before the clock is attached (a module's top-level `setInterval`, evaluated
 * while the server file is imported, before the run's server starts) wait and are armed, in
 * creation order, when it is. `cancelAll` stops every timer, the way process exit would: the run
 * calls it when the scenario is over, so a heartbeat interval does not keep the run going.
 */
import type { Clock, TimerHandle } from '../ports/clock.ts';

type Callback = (...args: unknown[]) => void;

/** What `setTimeout` returns: shaped like Node's Timeout. */
export class VirtualTimeout {
  handle: TimerHandle | null = null;
  /** When it fires next, on the run's clock (µs); null while not armed. */
  dueUs: number | null = null;
  private referenced = true;
  constructor(
    readonly id: number,
    readonly owner: VirtualTimers,
    readonly callback: Callback,
    readonly args: unknown[],
    readonly delayUs: number,
    readonly repeat: boolean,
  ) {}
  ref(): this {
    this.referenced = true;
    return this;
  }
  unref(): this {
    this.referenced = false;
    return this;
  }
  hasRef(): boolean {
    return this.referenced;
  }
  refresh(): this {
    this.owner.rearm(this);
    return this;
  }
  close(): this {
    this.owner.clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** Node's minimum timer delay (1 ms); a delay that is not a positive number is 1 ms too. */
const MIN_DELAY_MS = 1;
/** Node's maximum (2^31 − 1 ms); longer delays become 1 ms, with a warning in Node. */
const MAX_DELAY_MS = 2_147_483_647;

export class VirtualTimers {
  private clock: Clock | null = null;
  private nextId = 1;
  private readonly live = new Map<number, VirtualTimeout>();
  private readonly waiting: VirtualTimeout[] = [];
  /** Called when a timer callback throws (an uncaught exception of the server's code). */
  onError: (error: unknown, what: string) => void = (error) => {
    throw error;
  };

  /** Start using `clock`; timers made before now are armed in creation order. */
  attach(clock: Clock): void {
    this.clock = clock;
    for (const t of this.waiting.splice(0)) this.arm(t);
  }

  /** The run is over: cancel everything and let go of its clock. */
  detach(): void {
    this.cancelAll();
    this.waiting.length = 0;
    this.clock = null;
  }

  get pending(): number {
    return this.live.size;
  }

  /**
   * Work in progress: a one-shot timer (setTimeout, setImmediate) due before `horizonUs` — a
   * store round trip, a retry, a debounce. Intervals are background (a heartbeat), and so is a
   * timeout far ahead (a session expiry): neither keeps a finished scenario going.
   */
  hasWorkDueBefore(horizonUs: number): boolean {
    for (const t of this.live.values()) if (!t.repeat && (t.dueUs === null || t.dueUs < horizonUs)) return true;
    return false;
  }

  setTimeout = (callback: Callback, delayMs?: number, ...args: unknown[]): VirtualTimeout => this.make(callback, delayMs, args, false);
  setInterval = (callback: Callback, delayMs?: number, ...args: unknown[]): VirtualTimeout => this.make(callback, delayMs, args, true);
  /**
   * setImmediate: a batch at the current instant after the continuations already queued, as in
   * Node (a promise callback queued before it runs first). Armed from a microtask, so it cannot
   * join the batch in progress.
   */
  setImmediate = (callback: Callback, ...args: unknown[]): VirtualTimeout => this.make(callback, 0, args, false, true);
  clearTimeout = (timer: unknown): void => this.clear(timer);
  clearInterval = (timer: unknown): void => this.clear(timer);
  clearImmediate = (timer: unknown): void => this.clear(timer);

  clear(timer: unknown): void {
    const t = timer instanceof VirtualTimeout ? timer : typeof timer === 'number' ? this.live.get(timer) : undefined;
    if (!t || t.owner !== this) return;
    this.live.delete(t.id);
    if (t.handle) this.clock?.cancelTimer(t.handle);
    t.handle = null;
    t.dueUs = null;
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  /** Stop every timer (the run is over). */
  cancelAll(): void {
    for (const t of [...this.live.values()]) this.clear(t);
  }

  rearm(t: VirtualTimeout): void {
    if (!this.live.has(t.id)) return;
    if (t.handle) this.clock?.cancelTimer(t.handle);
    t.handle = null;
    if (this.clock) this.arm(t);
  }

  private make(callback: Callback, delayMs: number | undefined, args: unknown[], repeat: boolean, immediate = false): VirtualTimeout {
    if (typeof callback !== 'function') throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    const ms = immediate ? 0 : normaliseDelayMs(delayMs);
    const t = new VirtualTimeout(this.nextId++, this, callback, args, Math.round(ms * 1_000), repeat);
    this.live.set(t.id, t);
    if (!this.clock) this.waiting.push(t);
    else if (immediate) {
      this.clock.now(); // kernel activity: the drain waits for the arming microtask
      queueMicrotask(() => {
        if (this.live.has(t.id) && t.handle === null && this.clock) this.arm(t);
      });
    } else this.arm(t);
    return t;
  }

  private arm(t: VirtualTimeout): void {
    t.dueUs = this.clock!.now() + t.delayUs;
    t.handle = this.clock!.setTimer(
      t.delayUs,
      () => {
        if (!this.live.has(t.id)) return;
        if (t.repeat) this.arm(t);
        else this.live.delete(t.id);
        try {
          t.callback(...t.args);
        } catch (error) {
          this.onError(error, t.repeat ? 'setInterval callback' : 'setTimeout callback');
        }
      },
      t.repeat ? 'server:setInterval' : 'server:setTimeout',
    );
  }
}

function normaliseDelayMs(delayMs: number | undefined): number {
  const ms = Number(delayMs);
  if (!(ms >= MIN_DELAY_MS) || ms > MAX_DELAY_MS) return MIN_DELAY_MS;
  return ms;
}
