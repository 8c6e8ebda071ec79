/**
 * The end of every run, whatever the transport: the oracle judges the ground truth, and the
 * run's figures become a RunResult (with a timeline when asked for, or when the run failed).
 */
import type { ServerInstance, ServerPlugin, MonitoringSnapshot } from '../ports/server.ts';
import { judge, type JudgeOptions, type Judgement } from '../oracle/judge.ts';
import { GroundTruth } from '../oracle/recorder.ts';
import type { StreamingTruth } from '../oracle/streaming-truth.ts';
import { checksNotMade } from '../oracle/checks-not-made.ts';
import type { Codec } from '../ports/codec.ts';
import type { Trace } from '../sim/trace.ts';
import type { FaultWindow, RunResult } from './result.ts';
import { buildTimeline } from './timeline.ts';
import type { ScenarioSpec } from '../scenario/types.ts';

export const DEFAULT_DEADLINE_MS = 30_000;

/** The warning template the status report counts (`noConnectionWarnings`). */
export const NO_CONNECTION_WARNING = 'No connections found for thread <id>';

export interface FinishedRun {
  spec: ScenarioSpec;
  plugin: ServerPlugin;
  seed: number;
  /** The whole run's ground truth, or the streaming judge that judged it as it went. */
  truth: GroundTruth | StreamingTruth;
  trace: Trace;
  /** The server's instance, for its self-reported metrics; null when the server is not ours to ask (probe). */
  server: ServerInstance | null;
  /** The server's log warnings by template. */
  warnings: ReadonlyMap<string, number>;
  simulatedUs: number;
  wallMs: number;
  faults: FaultWindow[];
  /** The run's wire protocol: what it could carry decides which checks could be made. */
  codec: Codec;
  timeline?: 'always' | 'failing' | 'never';
  maxTimelineItems?: number;
  /** What was produced was inferred from the frames the tabs received (a server with its own agents). */
  inferredTruth?: boolean;
}

/** A server that reports no monitoring gets an empty snapshot: nothing claimed, nothing judged. */
export function emptySnapshot(): MonitoringSnapshot {
  return { counters: {}, dropsByReason: {}, histograms: {} };
}

/** The fields of a RunResult that come from the judgement, the same for every transport and the probe. */
export function judgedFields(judgement: Judgement): Pick<RunResult, 'verdict' | 'counts' | 'interactions' | 'violations' | 'violationCount' | 'violationCounts' | 'latencyUs'> {
  return {
    verdict: judgement.verdict,
    counts: judgement.counts,
    interactions: judgement.interactions,
    violations: judgement.violations,
    violationCount: judgement.violationTotal,
    violationCounts: judgement.violationCounts,
    latencyUs: judgement.latencyUs.toJSON(),
  };
}

/** How a run of `spec` against `plugin` is judged (what the server reports is added at the end). */
export function judgeOptionsOf(spec: ScenarioSpec, plugin: ServerPlugin): JudgeOptions {
  return { resumeWindowUs: plugin.resumeWindowMs * 1_000, deadlineUs: (spec.deadlineMs ?? DEFAULT_DEADLINE_MS) * 1_000 };
}

export function resultOfRun(run: FinishedRun): { result: RunResult; judgement: Judgement } {
  const { spec, plugin } = run;
  const metrics = run.server?.metrics?.() ?? {};
  const reported = metrics.reported ? { reported: metrics.reported } : {};
  const judgement = run.truth instanceof GroundTruth ? judge(run.truth, { ...judgeOptionsOf(spec, plugin), ...reported }) : run.truth.finish(metrics.reported);
  // A streamed run keeps the parts of its first users with violations, for the timeline.
  const truth = run.truth instanceof GroundTruth ? run.truth : run.truth.keptTruth();
  const notMade = checksNotMade({ carries: run.codec.carries, identifiedByOccurrence: truth.identifiedByOccurrence, reportsMonitoring: metrics.reported !== undefined, inferredTruth: run.inferredTruth ?? false });
  const timelineMode = run.timeline ?? 'failing';
  const wantTimeline = timelineMode === 'always' || (timelineMode === 'failing' && judgement.verdict === 'fail');
  const timeline = wantTimeline ? buildTimeline(truth, judgement, run.maxTimelineItems ?? 5_000) : undefined;
  const result: RunResult = {
    scenario: spec.name,
    router: plugin.name,
    seed: run.seed,
    ...judgedFields(judgement),
    traceHash: run.trace.hash(),
    traceRecords: run.trace.size,
    simulatedUs: run.simulatedUs,
    wallMs: Math.round(run.wallMs * 100) / 100,
    monitoring: metrics.snapshot ?? emptySnapshot(),
    noConnectionWarnings: run.warnings.get(NO_CONNECTION_WARNING) ?? 0,
    faults: [...run.faults].sort((a, b) => a.startUs - b.startUs),
    ...(notMade.length > 0 ? { checksNotMade: notMade } : {}),
    ...(timeline ? { timeline: timeline.items, timelineTruncated: timeline.truncated } : {}),
    ...(timeline && !(run.truth instanceof GroundTruth) && run.truth.keptScope !== null ? { timelineScope: run.truth.keptScope } : {}),
  };
  return { result, judgement };
}
