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

/** Collects violations: counts every one, keeps the first `maxDetailed` with explanations. */
export class ViolationLog {
  readonly detailed: Violation[] = [];
  readonly counts: ViolationCounts = {};
  /** Invariants in the order they first fired. */
  readonly order: InvariantName[] = [];
  total = 0;

  constructor(readonly maxDetailed: number) {
    if (!(maxDetailed >= 0)) throw new Error(`ViolationLog: maxDetailed must be >= 0, got ${maxDetailed}`);
  }

  add(v: Violation): void {
    const n = this.counts[v.invariant] ?? 0;
    if (n === 0) this.order.push(v.invariant);
    this.counts[v.invariant] = n + 1;
    this.total++;
    if (this.detailed.length < this.maxDetailed) this.detailed.push(v);
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
