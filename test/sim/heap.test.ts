import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LazyHeap } from '../../src/sim/heap.ts';

describe('LazyHeap', () => {
  it('pops in (key, sequence) order and skips cancelled items, whatever the insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }), (entries) => {
        const heap = new LazyHeap<{ key: number; seq: number; cancelled: boolean }>((a, b) => (a.key !== b.key ? a.key < b.key : a.seq < b.seq));
        const items = entries.map(([key, cancelled], seq) => ({ key, seq, cancelled: false, cancelLater: cancelled }));
        for (const it of items) heap.push(it);
        for (const it of items) if (it.cancelLater) it.cancelled = true;
        const out: number[] = [];
        for (let x = heap.peekLive(); x !== undefined; x = heap.peekLive()) out.push(heap.pop()!.seq);
        const expected = items.filter((i) => !i.cancelLater).sort((a, b) => a.key - b.key || a.seq - b.seq).map((i) => i.seq);
        expect(out).toEqual(expected);
      }),
    );
  });
});
