/**
 * The kernel's event queue: a calendar of same-instant buckets over a min-heap of distinct
 * times. Scheduling at an instant that already has events is an append (O(1)), so a server
 * whose millisecond timers pile onto the same instants pays one heap operation per instant,
 * not per event. Order within an instant:
 *  - FIFO by insertion (the kernel's default, tie key 0), or
 *  - by (tie key, insertion sequence) when tie-breaking, kept as a small heap per bucket.
 * Either way the whole queue is the strict total order (time, tie key, sequence) of the kernel.
 *
 * Cancelled events stay where they are (lazy deletion) and are skipped; each bucket counts its
 * live events so an instant whose events were all cancelled is dropped without advancing the
 * clock to it.
 */
import { LazyHeap } from './heap.ts';

export interface QueuedEvent {
  readonly t: number;
  readonly key: number;
  readonly seq: number;
  cancelled: boolean;
}

/** The events of one instant. Buckets are pooled: a dropped one is reset and reused. */
export class Bucket<E extends QueuedEvent> {
  t = 0;
  live = 0;
  private readonly fifo: (E | undefined)[] | null;
  private head = 0;
  private tail = 0;
  private readonly ordered: LazyHeap<E> | null;

  constructor(tieBreak: boolean) {
    this.fifo = tieBreak ? null : [];
    this.ordered = tieBreak ? new LazyHeap<E>((a, b) => (a.key !== b.key ? a.key < b.key : a.seq < b.seq)) : null;
  }

  /** Empty the bucket for reuse at instant `t` (arrays keep their capacity). */
  reset(t: number): void {
    this.t = t;
    this.live = 0;
    this.head = 0;
    this.tail = 0; // slots are overwritten, not truncated: a pooled array keeps its capacity
    if (!this.fifo) this.ordered!.clear();
  }

  push(ev: E): void {
    this.live++;
    if (this.fifo) this.fifo[this.tail++] = ev;
    else this.ordered!.push(ev);
  }

  /** The event pushed last, if it has not been taken yet. */
  last(): E | undefined {
    if (this.fifo) return this.tail > this.head ? this.fifo[this.tail - 1] : undefined;
    return undefined; // a tie-broken bucket has no "last": its order is by key
  }

  /** The next live event of this instant, removed; undefined when none is left. */
  shift(): E | undefined {
    if (this.fifo) {
      while (this.head < this.tail) {
        const ev = this.fifo[this.head]!;
        this.fifo[this.head++] = undefined; // a fired event is not pinned by a pooled bucket
        if (!ev.cancelled) return ev;
      }
      return undefined;
    }
    const ev = this.ordered!.peekLive();
    if (ev !== undefined) this.ordered!.pop();
    return ev;
  }
}

/** A binary min-heap of numbers (the distinct instants). */
class TimeHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  push(t: number): void {
    const heap = this.items;
    heap.push(t);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= t) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = t;
  }

  pop(): void {
    const heap = this.items;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]! < heap[l]! ? r : l;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
}

/** Dropped buckets kept for reuse (a bound, so a burst of instants does not pin memory). */
const MAX_POOLED_BUCKETS = 64;

export class TimeQueue<E extends QueuedEvent> {
  private readonly times = new TimeHeap();
  private readonly buckets = new Map<number, Bucket<E>>();
  private readonly pool: Bucket<E>[] = [];

  constructor(private readonly tieBreak: boolean) {}

  push(ev: E): void {
    let bucket = this.buckets.get(ev.t);
    if (bucket === undefined) {
      bucket = this.pool.pop() ?? new Bucket<E>(this.tieBreak);
      bucket.reset(ev.t);
      this.buckets.set(ev.t, bucket);
      this.times.push(ev.t);
    }
    bucket.push(ev);
  }

  /** The event scheduled last at instant `t` and not yet taken, if any (FIFO buckets only). */
  lastAt(t: number): E | undefined {
    return this.buckets.get(t)?.last();
  }

  /**
   * Mark an event cancelled; returns false if it already was (or already fired). Its bucket is
   * still the one in the map: a bucket is dropped only once every event in it fired or was
   * cancelled, and then this event is already marked.
   */
  cancel(ev: E): boolean {
    if (ev.cancelled) return false;
    ev.cancelled = true;
    this.buckets.get(ev.t)!.live--;
    return true;
  }

  /** The earliest instant that still has a live event (empty instants are dropped). */
  peekBucket(): Bucket<E> | undefined {
    for (let t = this.times.peek(); t !== undefined; t = this.times.peek()) {
      const bucket = this.buckets.get(t)!;
      if (bucket.live > 0) return bucket;
      this.times.pop();
      this.buckets.delete(t);
      if (this.pool.length < MAX_POOLED_BUCKETS) this.pool.push(bucket);
    }
    return undefined;
  }

  /** Take the next live event of `bucket` (the earliest instant), marking it fired. */
  take(bucket: Bucket<E>): E | undefined {
    const ev = bucket.shift();
    if (ev !== undefined) {
      ev.cancelled = true; // fired: a later cancel is a no-op
      bucket.live--;
    }
    return ev;
  }
}
