/**
 * ReadinessGate — `awaitThreadContext(connectionId, timeoutMs = 5000)` from the status report.
 *
 * Contract (FAILURE-MODES invariant 8): resolves `true` as soon as the connection is bound to
 * a thread, `false` exactly at the deadline if it is not, and `false` when the connection
 * closes first. Never rejects. An explicit acknowledgement, not a sleep.
 */
import type { Clock } from '../../ports/clock.ts';

interface Waiter {
  resolve(ready: boolean): void;
}

export class ReadinessGate {
  private readonly ready = new Set<string>();
  private readonly closed = new Set<string>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(private readonly clock: Clock) {}

  awaitThreadContext(connectionId: string, timeoutMs = 5_000): Promise<boolean> {
    if (this.ready.has(connectionId)) return Promise.resolve(true);
    if (this.closed.has(connectionId)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const set = this.waiters.get(connectionId) ?? new Set<Waiter>();
      this.waiters.set(connectionId, set);
      const waiter: Waiter = {
        resolve: (value) => {
          this.clock.cancelTimer(timer);
          set.delete(waiter);
          if (set.size === 0) this.waiters.delete(connectionId);
          resolve(value);
        },
      };
      const timer = this.clock.setTimer(timeoutMs * 1_000, () => waiter.resolve(false), 'readiness:deadline');
      set.add(waiter);
    });
  }

  /** The connection now has a thread context. */
  markReady(connectionId: string): void {
    this.ready.add(connectionId);
    for (const w of [...(this.waiters.get(connectionId) ?? [])]) w.resolve(true);
  }

  /** The connection lost its context (it is being re-bound). */
  markNotReady(connectionId: string): void {
    this.ready.delete(connectionId);
  }

  markClosed(connectionId: string): void {
    this.ready.delete(connectionId);
    this.closed.add(connectionId);
    for (const w of [...(this.waiters.get(connectionId) ?? [])]) w.resolve(false);
  }

  isReady(connectionId: string): boolean {
    return this.ready.has(connectionId);
  }
}
