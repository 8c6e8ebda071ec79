/**
 * Sets of sequence numbers as sorted, disjoint, inclusive ranges: [[1, 7], [12, 15]].
 *
 * The client keeps, per thread, the sequence numbers it holds; a resume sends them (`have`),
 * so the server replays exactly what the client lacks — also below its highest position, where
 * a tab that was away from a thread has holes — and nothing it already has (FAILURE-MODES
 * invariant 16: no redundant redelivery). Part of the wire protocol, shared by client and server.
 */
import type { SeqRanges } from '../ports/facts.ts';
export type { SeqRanges } from '../ports/facts.ts';

/** At most this many ranges per thread go into a resume; the newest are kept. */
export const MAX_RESUME_RANGES = 64;

/** Add `seq` to `ranges` (sorted, disjoint), merging neighbours. Mutates and returns `ranges`. */
export function addSeq(ranges: SeqRanges, seq: number): SeqRanges {
  // Search from the end: sequence numbers mostly arrive in increasing order.
  let i = ranges.length - 1;
  while (i >= 0 && ranges[i]![0] > seq) i--;
  if (i >= 0 && seq <= ranges[i]![1]) return ranges; // already held
  const joinsLeft = i >= 0 && ranges[i]![1] === seq - 1;
  const right = ranges[i + 1];
  const joinsRight = right !== undefined && right[0] === seq + 1;
  if (joinsLeft && joinsRight) {
    ranges[i]![1] = right[1];
    ranges.splice(i + 1, 1);
  } else if (joinsLeft) {
    ranges[i]![1] = seq;
  } else if (joinsRight) {
    right[0] = seq;
  } else {
    ranges.splice(i + 1, 0, [seq, seq]);
  }
  return ranges;
}

export function holdsSeq(ranges: readonly (readonly [number, number])[] | undefined, seq: number): boolean {
  if (!ranges) return false;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (seq < a) hi = mid - 1;
    else if (seq > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Validate ranges from the wire: sorted, disjoint, non-negative integers, bounded count. */
export function parseSeqRanges(value: unknown): SeqRanges | null {
  if (!Array.isArray(value) || value.length > MAX_RESUME_RANGES) return null;
  const out: SeqRanges = [];
  let prevEnd = -1;
  for (const r of value) {
    if (!Array.isArray(r) || r.length !== 2) return null;
    const [a, b] = r as unknown[];
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || a <= prevEnd) return null;
    out.push([a, b]);
    prevEnd = b;
  }
  return out;
}
