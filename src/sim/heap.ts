/**
 * A binary min-heap with lazy deletion, shared by the virtual scheduler and the real-time
 * clock: items are marked `cancelled` instead of being removed, and skipped when they reach
 * the top. The order is given by `less`, which must be a strict total order (ties broken by an
 * insertion sequence) so that equal times pop in a deterministic order.
 */
export interface HeapItem {
  cancelled: boolean;
}

export class LazyHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The top item as it is, cancelled or not. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Every item, in heap (not sorted) order. */
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }

  clear(): void {
    this.items.length = 0;
  }

  /** The smallest item that is not cancelled (cancelled ones on top are discarded). */
  peekLive(): T | undefined {
    while (this.items.length > 0 && this.items[0]!.cancelled) this.pop();
    return this.items[0];
  }

  push(item: T): void {
    const heap = this.items;
    const less = this.less;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(item, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): T | undefined {
    const heap = this.items;
    const less = this.less;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[c]!, last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
