/**
 * Everything the report says about one scenario × mode pair, gathered once: its summary, its
 * runs, the status the filter uses, where its timeline is, the command that replays it, its
 * baseline deltas and the explanation of its numbers. The comparison table, the baseline
 * section and the header read these, so they cannot disagree.
 */
import type { Summary } from '../run/result.ts';
import type { BaselineDelta } from '../run/baseline-comparison.ts';
import { explainRow, type RowExplanation } from './explain.ts';
import { pairCommand, replayCommand } from './replay.ts';
import type { ReportDocument } from './report-document.ts';

/** The status the filter bar sorts by: a pair fails on its verdict or on a baseline regression (as the gate does). */
export type PairStatus = 'fail' | 'pass' | 'unknown';

export interface PairView {
  summary: Summary;
  /** id of its comparison row (link target). */
  anchor: string;
  /** Indexes into doc.runs. */
  runs: number[];
  status: PairStatus;
  /** A run of this pair whose timeline the report embeds: a failing one when there is one. */
  timelineRun?: number;
  /** The command to reproduce the failure (one seed; every seed for an aggregate failure). */
  replay?: string;
  regressions: BaselineDelta[];
  improvements: BaselineDelta[];
  /** Compared with the baseline and within tolerance (old and new values, for the report). */
  unchanged: BaselineDelta[];
  explanation: RowExplanation;
}

/** The key the CLI uses for a pair too (baseline newPairs, runsDiffer). */
export const pairKey = (scenario: string, router: string): string => `${scenario} × ${router}`;

export function buildPairViews(doc: ReportDocument, timelineRuns: ReadonlySet<number>): Map<string, PairView> {
  const runsOf = new Map<string, number[]>();
  doc.runs.forEach((r, i) => {
    const key = pairKey(r.scenario, r.router);
    const list = runsOf.get(key) ?? [];
    list.push(i);
    runsOf.set(key, list);
  });
  const views = new Map<string, PairView>();
  doc.summary.forEach((s, n) => {
    const key = pairKey(s.scenario, s.router);
    const runs = runsOf.get(key) ?? [];
    const failing = runs.filter((i) => doc.runs[i]!.verdict === 'fail');
    const regressions = (doc.baseline?.regressions ?? []).filter((d) => d.scenario === s.scenario && d.router === s.router);
    const improvements = (doc.baseline?.improvements ?? []).filter((d) => d.scenario === s.scenario && d.router === s.router);
    const unchanged = (doc.baseline?.unchanged ?? []).filter((d) => d.scenario === s.scenario && d.router === s.router);
    const status: PairStatus = s.verdict === 'fail' || regressions.length > 0 ? 'fail' : s.verdict === 'pass' ? 'pass' : 'unknown';
    const where = doc.scenarioFiles?.[s.scenario] ?? s.scenario;
    // A failing run replays on its own; a pair that fails only in aggregate (a threshold, a
    // regression) needs all of its seeds.
    const replay =
      status !== 'fail' ? undefined : failing.length > 0 ? replayCommand(where, s.router, doc.runs[failing[0]!]!.seed, doc.serverFiles?.[s.router]) : pairCommand(where, s.router, runs.map((i) => doc.runs[i]!.seed), doc.serverFiles?.[s.router]);
    const timelineRun = failing.find((i) => timelineRuns.has(i)) ?? runs.find((i) => timelineRuns.has(i));
    views.set(key, {
      summary: s,
      anchor: `pair-${n}`,
      runs,
      status,
      ...(timelineRun !== undefined ? { timelineRun } : {}),
      ...(replay !== undefined ? { replay } : {}),
      regressions,
      improvements,
      unchanged,
      explanation: explainRow({
        summary: s,
        erroredRuns: runs.filter((i) => doc.runs[i]!.error !== undefined).length,
        regressions,
        listedInvariants: [...new Set(runs.flatMap((i) => (doc.runs[i]!.violations ?? []).map((v) => v.invariant)))],
      }),
    });
  });
  return views;
}
