/**
 * What the oracle returns for one run: a discriminated result in the style of fast-check's
 * `RunDetails`. The verdict decides which fields exist, so a reader never has to guess whether
 * a failing judgement has a first violation or why an unknown one judged nothing.
 *
 * Counts are complete, always: `violationCounts` has one entry per invariant that fired, with
 * its true total. Only the detailed list `violations` (explanations) is capped, and
 * `violationsOmitted` says by how much.
 */
import type { Histogram } from '../stats/histogram.ts';
import type { Counts } from './counts.ts';
import type { InvariantName, Violation } from './invariants.ts';

export type ViolationCounts = Partial<Record<InvariantName, number>>;

interface JudgementCommon {
  counts: Counts;
  interactions: { total: number; succeeded: number; abandoned: number };
  /** True totals per invariant (never capped). Empty when nothing fired. */
  violationCounts: ViolationCounts;
  /** Sum of `violationCounts`. */
  violationTotal: number;
  /** The first violations in detail, at most the judge's `maxViolations`. */
  violations: Violation[];
  /** How many violations have no entry in `violations` (0 when none were left out). */
  violationsOmitted: number;
  /** Delivery latency of owed, delivered pairs, µs. */
  latencyUs: Histogram;
  notes: string[];
}

export interface PassJudgement extends JudgementCommon {
  verdict: 'pass';
}

export interface FailJudgement extends JudgementCommon {
  verdict: 'fail';
  /** The invariants that fired, in the order of their first violation. Never empty. */
  failed: InvariantName[];
}

export interface UnknownJudgement extends JudgementCommon {
  verdict: 'unknown';
  /** Why nothing could be judged (e.g. nothing was owed). */
  reason: string;
}

export type Judgement = PassJudgement | FailJudgement | UnknownJudgement;

/**
 * Where a violation falls in the judge's order of reporting: (section, position, sub-position).
 * Sections follow the order the judge checks in (loss and timeliness by production order, then
 * the deliveries by arrival, honesty, requests, redelivery, readiness); positions are the run's
 * global orders of facts. A judge over one user's facts (the streaming judge) keys its
 * violations the same way, so merged logs list exactly what one judge over the whole run would.
 */
export type ViolationKey = readonly [section: number, position: number, sub: number];

export function compareKeys(a: ViolationKey, b: ViolationKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Collects violations: counts every one, keeps the first `maxDetailed` with explanations. */
export class ViolationLog {
  readonly detailed: Violation[] = [];
  /** The key of each detailed violation (same index). */
  readonly keys: ViolationKey[] = [];
  readonly counts: ViolationCounts = {};
  /** Invariants in the order they first fired. */
  readonly order: InvariantName[] = [];
  /** The key of each invariant's first violation. */
  readonly firstKeys: Partial<Record<InvariantName, ViolationKey>> = {};
  total = 0;

  constructor(readonly maxDetailed: number) {
    if (!(maxDetailed >= 0)) throw new Error(`ViolationLog: maxDetailed must be >= 0, got ${maxDetailed}`);
  }

  /** Violations must be added in key order (the judge's order of checking). */
  add(v: Violation, key: ViolationKey = [0, 0, 0]): void {
    const n = this.counts[v.invariant] ?? 0;
    if (n === 0) {
      this.order.push(v.invariant);
      this.firstKeys[v.invariant] = key;
    }
    this.counts[v.invariant] = n + 1;
    this.total++;
    if (this.detailed.length < this.maxDetailed) {
      this.detailed.push(v);
      this.keys.push(key);
    }
  }

  /**
   * The logs of disjoint parts of one run (each in key order) as one log: complete counts, the
   * first `maxDetailed` violations by key, invariants in the order of their first violation.
   */
  static merge(parts: readonly ViolationLog[], maxDetailed: number): ViolationLog {
    const out = new ViolationLog(maxDetailed);
    const first = new Map<InvariantName, ViolationKey>();
    for (const part of parts) {
      out.total += part.total;
      for (const inv of part.order) {
        out.counts[inv] = (out.counts[inv] ?? 0) + part.counts[inv]!;
        const k = part.firstKeys[inv]!;
        const had = first.get(inv);
        if (had === undefined || compareKeys(k, had) < 0) first.set(inv, k);
      }
    }
    const byKey = [...first].sort((a, b) => compareKeys(a[1], b[1]));
    for (const [inv, k] of byKey) {
      out.order.push(inv);
      out.firstKeys[inv] = k;
    }
    const all: Array<{ v: Violation; k: ViolationKey }> = [];
    for (const part of parts) for (let i = 0; i < part.detailed.length; i++) all.push({ v: part.detailed[i]!, k: part.keys[i]! });
    all.sort((a, b) => compareKeys(a.k, b.k));
    for (const { v, k } of all.slice(0, maxDetailed)) {
      out.detailed.push(v);
      out.keys.push(k);
    }
    return out;
  }
}

/** Build the discriminated judgement from the collected parts. */
export function makeJudgement(common: Omit<JudgementCommon, 'violationCounts' | 'violationTotal' | 'violations' | 'violationsOmitted' | 'notes'>, log: ViolationLog, notes: string[] = []): Judgement {
  const base: JudgementCommon = {
    ...common,
    violationCounts: { ...log.counts },
    violationTotal: log.total,
    violations: log.detailed,
    violationsOmitted: log.total - log.detailed.length,
    notes: [...notes],
  };
  if (base.violationsOmitted > 0) base.notes.push(`${log.total} violations; the first ${log.detailed.length} are listed (counts per invariant are complete)`);
  if (log.total > 0) return { ...base, verdict: 'fail', failed: [...log.order] };
  if (common.counts.owed === 0) return { ...base, verdict: 'unknown', reason: 'nothing was owed to any connection, so no delivery could be judged' };
  return { ...base, verdict: 'pass' };
}

/**
 * A judgement with violations found outside the judge added (the probe's end-to-end deadline
 * check): counts and verdict stay consistent.
 */
export function withViolations(j: Judgement, extra: readonly Violation[], maxDetailed: number): Judgement {
  if (extra.length === 0) return j;
  const log = new ViolationLog(maxDetailed);
  // Replay the existing counts, then the new violations.
  for (const inv of j.verdict === 'fail' ? j.failed : []) {
    log.order.push(inv);
    log.counts[inv] = j.violationCounts[inv] ?? 0;
    log.total += log.counts[inv]!;
  }
  log.detailed.push(...j.violations.slice(0, maxDetailed));
  for (const v of extra) log.add(v);
  const { counts, interactions, latencyUs, notes } = j;
  return makeJudgement({ counts, interactions, latencyUs }, log, notes.filter((n) => !n.includes('are listed')));
}
