/**
 * Results documents for commands that judge one run (fuzz, replay): the same schema as `run`,
 * so the HTML report, `threadline report` and `--trace-out` work on them unchanged.
 */
import { writeFileSync } from 'node:fs';
import type { RunOutput } from '../run/runner.ts';
import { buildTimeline } from '../run/timeline.ts';
import { overallVerdict, summarise } from '../run/aggregate.ts';
import { RESULTS_SCHEMA, type ResultsDocument, type RunResult } from '../run/result.ts';
import { toChromeTrace } from '../report/perfetto.ts';
import { VERSION } from '../run/version.ts';

/** The run's result with its full timeline attached (a single run is small). */
export function withTimeline(run: RunOutput, maxItems = 5_000): RunResult {
  const timeline = buildTimeline(run.truth, run.judgement, maxItems);
  return { ...run.result, timeline: timeline.items, timelineTruncated: timeline.truncated };
}

export function documentForRuns(runs: RunResult[], command: string, thresholds: readonly string[], startedAtMs: number, extra: Partial<ResultsDocument> = {}): ResultsDocument {
  const summary = summarise(runs, new Map(runs.map((r) => [r.scenario, thresholds])));
  const verdict = overallVerdict(summary);
  return {
    schema: RESULTS_SCHEMA,
    version: VERSION,
    verdict,
    command,
    startedAt: new Date(startedAtMs).toISOString(),
    wallMs: Date.now() - startedAtMs,
    runs,
    summary,
    ...extra,
  };
}

/** `--trace-out <file.json>`: Chrome trace-event JSON of the runs that carry a timeline. */
export function writeTraceOut(file: string, runs: readonly RunResult[], command: string): number {
  const trace = toChromeTrace(runs, { command, generator: `threadline ${VERSION}` });
  writeFileSync(file, JSON.stringify(trace));
  return runs.filter((r) => r.timeline && r.timeline.length > 0).length;
}
