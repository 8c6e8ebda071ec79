import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addSeq, holdsSeq, parseSeqRanges } from '../../src/protocol/seq-ranges.ts';

describe('sequence ranges', () => {
  it('merge neighbours and hold exactly what was added (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }), (seqs) => {
        const r: Array<[number, number]> = [];
        for (const s of seqs) addSeq(r, s);
        for (let s = 0; s <= 61; s++) expect(holdsSeq(r, s)).toBe(seqs.includes(s));
        for (let i = 1; i < r.length; i++) expect(r[i]![0]).toBeGreaterThan(r[i - 1]![1] + 1); // disjoint, not adjacent
        expect(parseSeqRanges(r.slice(0, 64))).toEqual(r.slice(0, 64));
      }),
    );
  });

  it('refuse malformed ranges from the wire', () => {
    for (const bad of [[[3, 1]], [[1, 2], [2, 3]], [[-1, 2]], [[1.5, 2]], 'x', [[1]], Array.from({ length: 65 }, (_, i) => [i * 3, i * 3])]) expect(parseSeqRanges(bad)).toBeNull();
    expect(parseSeqRanges([[1, 7], [12, 15]])).toEqual([[1, 7], [12, 15]]);
  });
});
