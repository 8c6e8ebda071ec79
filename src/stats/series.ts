/**
 * A bounded time series of (tUs, value) points: memory O(limit) however long the run.
 *
 * Every record is kept until the series is full; then adjacent pairs merge into the point with
 * the larger value (the earlier one on a tie) and each kept point stands for twice as many
 * records from then on. Keeping the larger point, not an average, means a peak is never lost
 * and every point is a real observation. The latest record is kept as well, so a step line
 * still ends at the value the run ended with (a drained queue ends at 0, not at its last peak).
 * No clock of its own: callers pass the time (virtual time in the simulation).
 */

export type SeriesPoint = [tUs: number, value: number];

export const DEFAULT_SERIES_LIMIT = 2_000;

export class BoundedSeries {
  private readonly points: SeriesPoint[] = [];
  /** The point being filled: the largest of the records since the last kept point. */
  private open: SeriesPoint | null = null;
  private openRecords = 0;
  private latest: SeriesPoint | null = null;
  /** Records per kept point (doubles at each compaction). */
  stride = 1;
  /** Records seen, kept or merged. */
  recorded = 0;

  constructor(readonly limit = DEFAULT_SERIES_LIMIT) {
    // Room for at least one merged pair, the open point and the latest record.
    if (!(Number.isInteger(limit) && limit >= 4)) throw new RangeError(`BoundedSeries: limit must be an integer >= 4, got ${limit}`);
  }

  record(tUs: number, value: number): void {
    this.recorded++;
    const point: SeriesPoint = [tUs, value];
    this.latest = point;
    if (this.open !== null && this.openRecords < this.stride) {
      this.openRecords++;
      if (value > this.open[1]) this.open = point;
      return;
    }
    if (this.open !== null) this.keep(this.open);
    this.open = point;
    this.openRecords = 1;
  }

  /** The points, oldest first: never more than `limit`. */
  toJSON(): SeriesPoint[] {
    const out = this.points.map((p): SeriesPoint => [p[0], p[1]]);
    if (this.open !== null) out.push([this.open[0], this.open[1]]);
    if (this.latest !== null && this.latest !== this.open) out.push([this.latest[0], this.latest[1]]);
    return out;
  }

  private keep(point: SeriesPoint): void {
    this.points.push(point);
    // Room for the open point and the latest record; at stride 1 they are the same record, so
    // a series of up to `limit` records is kept whole.
    if (this.points.length <= this.limit - (this.stride === 1 ? 1 : 2)) return;
    let w = 0;
    for (let r = 0; r < this.points.length; r += 2) {
      const a = this.points[r]!;
      const b = this.points[r + 1];
      this.points[w++] = b !== undefined && b[1] > a[1] ? b : a;
    }
    this.points.length = w;
    this.stride *= 2;
  }
}
