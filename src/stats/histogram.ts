/**
 * A mergeable log-linear histogram of non-negative integers (durations in µs, depths, ...).
 *
 * Values below 1024 are counted exactly; above, each power of two is split into 512 buckets,
 * so a reported quantile is within 0.2% of the true one. Histograms merge by adding bucket
 * counts, which is what makes shard results combinable: percentiles are never averaged.
 * Serialised form (`toJSON`) is sparse: [bucket, count] pairs.
 */

const EXACT_LIMIT = 1024;
const SUB_BUCKETS = 512;

import type { HistogramJSON } from '../ports/server.ts';
export type { HistogramJSON } from '../ports/server.ts';

export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  record(value: number, times = 1): void {
    const v = Math.max(0, Math.round(value));
    const b = bucketOf(v);
    this.counts.set(b, (this.counts.get(b) ?? 0) + times);
    this.count += times;
    this.sum += v * times;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram): void {
    for (const [b, c] of other.counts) this.counts.set(b, (this.counts.get(b) ?? 0) + c);
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Nearest-rank quantile, q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) {
        const mid = b < EXACT_LIMIT ? b : (lowerBound(b) + lowerBound(b + 1) - 1) / 2;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** Bucketed counts for charts: [lowerBound, upperBoundExclusive, count], ascending. */
  bins(): Array<[number, number, number]> {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, c]) => [lowerBound(b), lowerBound(b + 1), c]);
  }

  toJSON(): HistogramJSON {
    return {
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? 0 : this.min,
      max: this.count === 0 ? 0 : this.max,
      buckets: [...this.counts.entries()].sort((a, b) => a[0] - b[0]),
    };
  }

  static fromJSON(json: HistogramJSON): Histogram {
    const h = new Histogram();
    for (const [b, c] of json.buckets) h.counts.set(b, c);
    h.count = json.count;
    h.sum = json.sum;
    h.min = json.count === 0 ? Infinity : json.min;
    h.max = json.count === 0 ? -Infinity : json.max;
    return h;
  }
}

function bucketOf(v: number): number {
  if (v < EXACT_LIMIT) return v;
  const exp = Math.floor(Math.log2(v));
  const shift = exp - 9; // keep 10 significant bits: sub in [512, 1023]
  let sub = Math.floor(v / 2 ** shift);
  // Guard against log2 rounding at exact powers of two.
  let e = exp;
  if (sub >= 2 * SUB_BUCKETS) {
    e += 1;
    sub = Math.floor(v / 2 ** (e - 9));
  } else if (sub < SUB_BUCKETS) {
    e -= 1;
    sub = Math.floor(v / 2 ** (e - 9));
  }
  return EXACT_LIMIT + (e - 10) * SUB_BUCKETS + (sub - SUB_BUCKETS);
}

function lowerBound(b: number): number {
  if (b < EXACT_LIMIT) return b;
  const k = b - EXACT_LIMIT;
  const exp = 10 + Math.floor(k / SUB_BUCKETS);
  const sub = SUB_BUCKETS + (k % SUB_BUCKETS);
  return sub * 2 ** (exp - 9);
}
