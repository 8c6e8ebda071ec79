/**
 * PendingMessageQueue — `queueUntilReady(key, message)` from the status report, built.
 *
 * Holds messages for a key (here: a user's thread) that has no ready connection yet.
 * Limits are explicit: at most `maxPerKey` items per key and `maxTotal` in all; an item older
 * than `ttlUs` expires. Overflow and expiry are never silent: each calls `onDrop` with the
 * reason, and the counters say how many. `flush(key)` hands the items back oldest first.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';

export interface PendingQueueLimits {
  maxPerKey: number;
  maxTotal: number;
  ttlUs: number;
}

interface Entry<T> {
  readonly item: T;
  readonly enqueuedAtUs: number;
  timer: TimerHandle | null;
}

export type PendingDropReason = 'queue_overflow' | 'queue_expired';

export class PendingMessageQueue<T> {
  private readonly byKey = new Map<string, Entry<T>[]>();
  private total = 0;
  enqueued = 0;
  flushed = 0;
  expired = 0;
  overflowed = 0;
  /** Highest total depth ever seen (must never exceed maxTotal). */
  maxDepthSeen = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits: PendingQueueLimits,
    private readonly onDrop: (key: string, item: T, reason: PendingDropReason, waitedUs: number) => void,
  ) {
    if (!(limits.maxPerKey > 0 && limits.maxTotal > 0 && limits.ttlUs > 0)) {
      throw new RangeError(`PendingMessageQueue: limits must be positive, got ${JSON.stringify(limits)}`);
    }
  }

  /** Queue `item` under `key`. Returns false (and reports an overflow) when a limit is reached. */
  queueUntilReady(key: string, item: T): boolean {
    const list = this.byKey.get(key) ?? [];
    if (list.length >= this.limits.maxPerKey || this.total >= this.limits.maxTotal) {
      this.overflowed++;
      this.onDrop(key, item, 'queue_overflow', 0);
      return false;
    }
    const entry: Entry<T> = { item, enqueuedAtUs: this.clock.now(), timer: null };
    entry.timer = this.clock.setTimer(this.limits.ttlUs, () => this.expire(key, entry), 'pending-queue:ttl');
    list.push(entry);
    this.byKey.set(key, list);
    this.total++;
    this.enqueued++;
    if (this.total > this.maxDepthSeen) this.maxDepthSeen = this.total;
    return true;
  }

  /** Remove and return every item of `key`, oldest first, with how long each waited. */
  flush(key: string): Array<{ item: T; waitedUs: number }> {
    const list = this.byKey.get(key);
    if (!list) return [];
    this.byKey.delete(key);
    this.total -= list.length;
    this.flushed += list.length;
    const now = this.clock.now();
    return list.map((e) => {
      if (e.timer) this.clock.cancelTimer(e.timer);
      return { item: e.item, waitedUs: now - e.enqueuedAtUs };
    });
  }

  /** Remove and return the items of `key` that match `pred`, oldest first; the rest stay queued. */
  take(key: string, pred: (item: T) => boolean): Array<{ item: T; waitedUs: number }> {
    const list = this.byKey.get(key);
    if (!list) return [];
    const now = this.clock.now();
    const taken: Array<{ item: T; waitedUs: number }> = [];
    const kept: Entry<T>[] = [];
    for (const e of list) {
      if (!pred(e.item)) {
        kept.push(e);
        continue;
      }
      if (e.timer) this.clock.cancelTimer(e.timer);
      taken.push({ item: e.item, waitedUs: now - e.enqueuedAtUs });
    }
    if (kept.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, kept);
    this.total -= taken.length;
    this.flushed += taken.length;
    return taken;
  }

  depth(key?: string): number {
    return key === undefined ? this.total : (this.byKey.get(key)?.length ?? 0);
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  private expire(key: string, entry: Entry<T>): void {
    const list = this.byKey.get(key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(key);
    this.total--;
    this.expired++;
    this.onDrop(key, entry.item, 'queue_expired', this.clock.now() - entry.enqueuedAtUs);
  }
}
