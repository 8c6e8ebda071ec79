/**
 * The Clock port: the only way the router (and everything the simulation reaches) sees time.
 *
 * Time is an integer number of microseconds. The simulated implementation lives in
 * `scheduler.ts` (virtual time); the real-time implementation for the `ws` transport lives in
 * `../transport/real-clock.ts`. Both honour the same contract:
 *   - `now()` never decreases;
 *   - a timer set for `delayUs` fires at `now() + delayUs` (virtual: exactly; real: no earlier);
 *   - a cancelled timer never fires;
 *   - `timeout(p, us)` settles like `p` if `p` settles first, else rejects with `TimeoutError`
 *     exactly at the deadline.
 */

export interface TimerHandle {
  /** Unique per clock; used to cancel. */
  readonly id: number;
}

export interface Clock {
  /** Current time in integer microseconds since the clock's epoch. */
  now(): number;
  /** Run `callback` after `delayUs` microseconds (rounded to an integer, at least 0). */
  setTimer(delayUs: number, callback: () => void, label?: string): TimerHandle;
  /** Cancel a timer. Cancelling a fired or cancelled timer is a no-op. */
  cancelTimer(handle: TimerHandle): void;
  /** Resolve after `us` microseconds. */
  sleep(us: number): Promise<void>;
  /** Settle like `promise`, or reject with `TimeoutError` exactly `us` from now. */
  timeout<T>(promise: Promise<T>, us: number, what?: string): Promise<T>;
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly what: string,
    readonly afterUs: number,
    readonly atUs: number,
  ) {
    super(`${what} timed out after ${formatUs(afterUs)} (at t=${formatUs(atUs)})`);
  }
}

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

export function ms(n: number): number {
  return Math.round(n * US_PER_MS);
}

export function seconds(n: number): number {
  return Math.round(n * US_PER_S);
}

/** Human form of a microsecond duration: "850 µs", "3.2 ms", "12.500 s". */
export function formatUs(us: number): string {
  const abs = Math.abs(us);
  if (abs < 1_000) return `${us} µs`;
  if (abs < 1_000_000) return `${trim(us / 1_000, 1)} ms`;
  if (abs < 3_600_000_000) return `${trim(us / 1_000_000, 3)} s`;
  return `${trim(us / 3_600_000_000, 2)} h`;
}

function trim(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/**
 * `timeout` built from `setTimer`: shared by both clock implementations so they cannot
 * disagree about the deadline semantics.
 */
export function timeoutWith<T>(clock: Clock, promise: Promise<T>, us: number, what = 'operation'): Promise<T> {
  const startUs = clock.now();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimer(us, () => {
      if (settled) return;
      settled = true;
      reject(new TimeoutError(what, us, startUs + Math.max(0, Math.round(us))));
    }, `timeout:${what}`);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clock.cancelTimer(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clock.cancelTimer(timer);
        reject(error);
      },
    );
  });
}
