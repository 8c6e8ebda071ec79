/**
 * The gate's view of a results document: per (scenario, router) pair, whether it held and, if
 * not, each reason — failing runs (with the first violation and the command that replays the
 * seed), failed thresholds (with the actual value) and baseline regressions (old → new). The
 * human summary, JUnit XML, GitHub annotations and the step summary all read this.
 */
import type { RunResult, Summary } from '../run/result.ts';
import type { Verdict } from '../oracle/verdict.ts';
import { describeDelta, pairKey } from './baseline.ts';
import type { GateDocument } from './results-file.ts';

export interface PairFailure {
  kind: 'invariant' | 'error' | 'threshold' | 'baseline';
  message: string;
  /** The command that reproduces it. */
  replay?: string;
}

export interface PairOutcome {
  scenario: string;
  router: string;
  /** The scenario script, when known. */
  file?: string;
  verdict: Verdict;
  summary: Summary;
  runs: number;
  wallMs: number;
  failures: PairFailure[];
  /** Failing seeds beyond the ones listed in `failures`. */
  moreFailingSeeds: number;
}

const MAX_SEEDS_LISTED = 10;

// One source for the copyable commands: the report's (the CLI may import the report layer, not the reverse).
export { pairCommand, replayCommand } from '../report/replay.ts';
import { pairCommand, replayCommand } from '../report/replay.ts';

export function pairOutcomes(doc: GateDocument): PairOutcome[] {
  const runsByPair = new Map<string, RunResult[]>();
  for (const r of doc.runs) {
    const key = pairKey(r.scenario, r.router);
    const list = runsByPair.get(key) ?? [];
    list.push(r);
    runsByPair.set(key, list);
  }
  const regressions = doc.baseline?.regressions ?? [];
  return doc.summary.map((s) => {
    const key = pairKey(s.scenario, s.router);
    const runs = runsByPair.get(key) ?? [];
    const file = doc.scenarioFiles?.[s.scenario];
    const where = file ?? s.scenario;
    const failures: PairFailure[] = [];
    const failing = runs.filter((r) => r.verdict === 'fail');
    for (const r of failing.slice(0, MAX_SEEDS_LISTED)) {
      if (r.error !== undefined) {
        failures.push({ kind: 'error', message: `seed ${r.seed}: the run did not complete: ${r.error}`, replay: replayCommand(where, r.router, r.seed, doc.serverFiles?.[r.router]) });
        continue;
      }
      const v = r.violations[0];
      const first = v ? `; first: ${v.invariant}: ${v.explanation}` : '';
      failures.push({ kind: 'invariant', message: `seed ${r.seed}: ${r.violationCount} violation(s)${first}`, replay: replayCommand(where, r.router, r.seed, doc.serverFiles?.[r.router]) });
    }
    const seeds = runs.map((r) => r.seed);
    for (const t of s.thresholds.filter((x) => !x.ok)) {
      const actual = t.actual === null || Number.isNaN(t.actual) ? 'no data' : String(+Number(t.actual).toFixed(6));
      failures.push({ kind: 'threshold', message: `threshold "${t.source}" failed: actual ${actual}`, replay: pairCommand(where, s.router, seeds, doc.serverFiles?.[s.router]) });
    }
    for (const d of regressions.filter((x) => x.scenario === s.scenario && x.router === s.router)) {
      failures.push({ kind: 'baseline', message: `baseline regression: ${describeDelta(d)}`, replay: pairCommand(where, s.router, seeds, doc.serverFiles?.[s.router]) });
    }
    const verdict: PairOutcome['verdict'] = failures.length > 0 || s.verdict === 'fail' ? 'fail' : s.verdict;
    return {
      scenario: s.scenario,
      router: s.router,
      ...(file !== undefined ? { file } : {}),
      verdict,
      summary: s,
      runs: s.runs,
      wallMs: runs.reduce((a, r) => a + (r.wallMs || 0), 0),
      failures,
      moreFailingSeeds: Math.max(0, failing.length - MAX_SEEDS_LISTED),
    };
  });
}

/** One line per pair: what failed, for annotations and JUnit failure messages. */
export function failureHeadline(p: PairOutcome): string {
  const parts: string[] = [];
  const failingRuns = p.summary.failedSeeds.length;
  if (failingRuns > 0) parts.push(`${failingRuns} of ${p.runs} run(s) failed an invariant`);
  const thr = p.failures.filter((f) => f.kind === 'threshold').length;
  if (thr > 0) parts.push(`${thr} threshold(s) failed`);
  const reg = p.failures.filter((f) => f.kind === 'baseline').length;
  if (reg > 0) parts.push(`${reg} baseline regression(s)`);
  return parts.length > 0 ? parts.join(', ') : 'failed';
}
