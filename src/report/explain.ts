/**
 * Why a comparison row says what it says, in words. A row's numbers measure different things:
 * the verdict comes from the invariants (every owed (connection, event) pair) and the
 * thresholds; the success rate counts only interactions, and an interaction succeeds when its
 * run completed and *the tab that sent the message* received every event of that run. So
 * "fail, 100.00% success, 6 lost" is true when the lost events were owed to another tab, and
 * "pass, 50.00% success" is true when nothing owed was lost and no threshold asks for more.
 * A reader should not have to know that: each row whose numbers seem to disagree carries a
 * note, and each failing row says which invariants and thresholds failed.
 *
 * Pure: from a summary (and facts about its runs) to text; the sections only lay it out.
 */
import type { Counts, InvariantName } from '../oracle/judge.ts';
import type { Summary } from '../run/result.ts';
import type { BaselineDelta } from '../run/baseline-comparison.ts';
import { countOf, formatCount, formatNumber, formatRate } from './format.ts';

/** The invariants in the oracle's order, with the count that measures each (when there is one). */
export const INVARIANT_COUNTS: ReadonlyArray<{ invariant: InvariantName; count?: keyof Counts; noun: string }> = [
  { invariant: 'no-loss', count: 'lost', noun: 'lost' },
  { invariant: 'no-leakage', count: 'leaked', noun: 'leaked' },
  { invariant: 'no-duplicates', count: 'duplicated', noun: 'duplicated' },
  { invariant: 'order', count: 'outOfOrder', noun: 'out of order' },
  { invariant: 'timeliness', count: 'late', noun: 'late' },
  { invariant: 'thread-isolation', count: 'misrouted', noun: 'misrouted' },
  { invariant: 'honest-monitoring', noun: '' },
  { invariant: 'no-lost-request', count: 'requestsLost', noun: 'requests lost' },
  { invariant: 'no-duplicate-run', count: 'runsDuplicated', noun: 'runs duplicated' },
];

export interface RowFacts {
  summary: Summary;
  /** Runs of this pair that did not complete (budget, crash). */
  erroredRuns?: number;
  /** Baseline regressions of this pair. */
  regressions?: readonly BaselineDelta[];
  /** Invariants named in the runs' violation lists (capped lists: names, not counts). */
  listedInvariants?: readonly InvariantName[];
}

export interface RowExplanation {
  /** What failed, one item per invariant, threshold, incomplete run or regression; empty when nothing did. */
  failedOn: string[];
  /** Why numbers that look contradictory are not; empty when they read consistently. */
  notes: string[];
}

const isRate = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * "no-loss (6)": per-invariant counts when the document has complete ones (their sum is the
 * violation count); else from the counts the invariants are judged on, plus the names of
 * invariants seen in the runs' (capped) violation lists that have no count (honest-monitoring).
 */
function invariantsFailed(s: Summary, listed: readonly InvariantName[]): string[] {
  const exact = s.violationCounts;
  const exactTotal = Object.values(exact ?? {}).reduce((a, n) => a + (n ?? 0), 0);
  if (exact && exactTotal > 0 && (s.violationCount === undefined || exactTotal === s.violationCount)) {
    // The known invariants in the oracle's order, then any newer ones by name.
    const known = INVARIANT_COUNTS.map((x) => x.invariant as string);
    const names = [...known, ...Object.keys(exact).filter((k) => !known.includes(k)).sort()];
    const counts = exact as Record<string, number | undefined>;
    return names.filter((name) => (counts[name] ?? 0) > 0).map((name) => `${name} (${formatCount(counts[name]!)})`);
  }
  const out: string[] = [];
  for (const { invariant, count, noun } of INVARIANT_COUNTS) {
    if (count !== undefined && (s.counts[count] ?? 0) > 0) out.push(`${invariant} (${formatCount(s.counts[count]!)} ${noun})`);
    else if (count === undefined && listed.includes(invariant)) out.push(invariant);
  }
  for (const name of listed) if (!INVARIANT_COUNTS.some((x) => x.invariant === name)) out.push(name);
  return out;
}

/** A regression as "lost 0 → 3". */
export function regressionText(d: BaselineDelta): string {
  const f = (v: number): string => (d.unit === 'rate' ? formatRate(v) : d.unit === 'ms' ? `${formatNumber(v)} ms` : formatNumber(v));
  return `${d.metric} ${f(d.oldScaled ?? d.old)} → ${f(d.new)}`;
}

export function failedOn(facts: RowFacts): string[] {
  const s = facts.summary;
  const out: string[] = [];
  if (s.verdict === 'fail') {
    out.push(...invariantsFailed(s, facts.listedInvariants ?? []));
    if ((facts.erroredRuns ?? 0) > 0) out.push(`${countOf(facts.erroredRuns!, 'run')} did not complete`);
    for (const t of s.thresholds ?? []) if (!t.ok) out.push(`threshold ${t.source} (actual ${formatNumber(t.actual)})`);
    // A failing verdict with nothing above: an invariant without a count (older document).
    if (out.length === 0) out.push(`${countOf(s.violationCount ?? s.failedSeeds.length, 'violation')} (see the runs)`);
  }
  for (const d of facts.regressions ?? []) out.push(`baseline: ${regressionText(d)}`);
  return out;
}

/** What went wrong that the success rate does not count: "the 2 lost events (owed to other tabs or connections)", … */
function uncountedProblems(s: Summary): string[] {
  const c = s.counts;
  const out: string[] = [];
  if (c.lost > 0) out.push(`the ${countOf(c.lost, 'lost event')} (owed to other tabs or connections)`);
  if (c.leaked > 0) out.push(`${countOf(c.leaked, 'leak')} to another user’s tab`);
  if (c.duplicated > 0) out.push(`${countOf(c.duplicated, 'duplicate')}`);
  if (c.outOfOrder > 0) out.push(`${countOf(c.outOfOrder, 'event')} out of order`);
  if (c.late > 0) out.push(`${countOf(c.late, 'late delivery', 'late deliveries')}`);
  if (c.misrouted > 0) out.push(`${countOf(c.misrouted, 'misrouted frame')}`);
  // A failed threshold on another metric (latency, say), when no count above explains the failure.
  const failedThresholds = (s.thresholds ?? []).filter((t) => !t.ok);
  if (out.length === 0 && failedThresholds.length > 0) out.push(`the failed threshold${failedThresholds.length === 1 ? '' : 's'} ${failedThresholds.map((t) => t.source).join(', ')}`);
  return out;
}

const joinWords = (parts: string[]): string => (parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);

export function rowNotes(facts: RowFacts): string[] {
  const s = facts.summary;
  const c = s.counts;
  const total = s.interactions?.total ?? 0;
  const succeeded = s.interactions?.succeeded ?? 0;
  const rate = s.successRate;
  const notes: string[] = [];
  if (s.verdict === 'unknown') {
    notes.push('Unknown: nothing was owed in these runs, so the oracle had nothing to judge (an empty run never passes).');
    return notes;
  }
  if (total === 0 || !isRate(rate)) {
    notes.push('No interaction counted (no message was sent on a thread its user owns, or every sending tab was closed before its run ended), so there is no success rate; the verdict comes from the owed events alone.');
    return notes;
  }
  const fails = s.verdict === 'fail';
  // Looks perfect, yet fails or lost events: success does not see what went wrong.
  if (rate === 1 && (fails || c.lost > 0)) {
    const problems = uncountedProblems(s);
    notes.push(
      `${formatRate(rate)} success because success counts only the tab that sent each message, and ${total === 1 ? 'its one interaction' : `all ${formatCount(total)} interactions`} got every event of ${total === 1 ? 'its' : 'their'} run there. ` +
        (problems.length ? `It does not count ${joinWords(problems)}.` : 'Success does not measure what failed here (see “failed on”).'),
    );
  }
  // Interactions failed, yet nothing owed was lost.
  if (rate < 1 && c.lost === 0) {
    const failed = total - succeeded;
    const drops = c.droppedExplicit > 0 ? ` ${countOf(c.droppedExplicit, 'event was', 'events were')} dropped with a gap notice (announced, so not a loss).` : '';
    notes.push(
      `${formatCount(failed)} of ${countOf(total, 'interaction')} did not succeed, yet no owed event was lost: an interaction succeeds only when its run completed and the sending tab received every event of it, including events it was no longer owed after switching thread or reconnecting.${drops}`,
    );
  }
  // Passes below 100%: say what allowed it.
  if (!fails && rate < 1) {
    const floor = (s.thresholds ?? []).filter((t) => /^\s*success_rate(_ci_low)?\b/.test(t.source));
    notes.push(
      floor.length
        ? `It passes: no invariant fired and its threshold${floor.length === 1 ? '' : 's'} ${floor.map((t) => t.source).join(', ')} allow${floor.length === 1 ? 's' : ''} ${formatRate(rate)}.`
        : `It passes: no invariant fired and no threshold sets a minimum success rate for this scenario.`,
    );
  }
  return notes;
}

export function explainRow(facts: RowFacts): RowExplanation {
  return { failedOn: failedOn(facts), notes: rowNotes(facts) };
}
