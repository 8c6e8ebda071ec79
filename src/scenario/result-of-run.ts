/**
 * The end of every run, whatever the transport: the oracle judges the ground truth, and the
 * run's figures become a RunResult (with a timeline when asked for, or when the run failed).
 */
import { judge, type Judgement } from '../oracle/judge.ts';
import type { GroundTruth } from '../oracle/recorder.ts';
import type { RouterConfig } from '../router/flags.ts';
import type { Router } from '../router/router.ts';
import type { Trace } from '../sim/trace.ts';
import type { FaultWindow, RunResult } from './result.ts';
import { buildTimeline } from './timeline.ts';
import type { ScenarioSpec } from './types.ts';

export const DEFAULT_DEADLINE_MS = 30_000;

export interface FinishedRun {
  spec: ScenarioSpec;
  config: RouterConfig;
  seed: number;
  truth: GroundTruth;
  trace: Trace;
  router: Router;
  simulatedUs: number;
  wallMs: number;
  faults: FaultWindow[];
  timeline?: 'always' | 'failing' | 'never';
  maxTimelineItems?: number;
}

export function resultOfRun(run: FinishedRun): { result: RunResult; judgement: Judgement } {
  const { spec, config, truth, router } = run;
  const judgement = judge(truth, {
    resumeWindowUs: config.flags.resumeWindowMs * 1_000,
    deadlineUs: (spec.deadlineMs ?? DEFAULT_DEADLINE_MS) * 1_000,
    reported: {
      delivered: router.monitoring.counters.eventsReportedDelivered,
      routingMisses: router.monitoring.counters.routingMisses,
      unreached: router.monitoring.eventsUnreached(),
    },
  });
  const timelineMode = run.timeline ?? 'failing';
  const wantTimeline = timelineMode === 'always' || (timelineMode === 'failing' && judgement.verdict === 'fail');
  const timeline = wantTimeline ? buildTimeline(truth, judgement, run.maxTimelineItems ?? 5_000) : undefined;
  const result: RunResult = {
    scenario: spec.name,
    router: config.name,
    seed: run.seed,
    verdict: judgement.verdict,
    traceHash: run.trace.hash(),
    traceRecords: run.trace.size,
    simulatedUs: run.simulatedUs,
    wallMs: Math.round(run.wallMs * 100) / 100,
    counts: judgement.counts,
    interactions: judgement.interactions,
    violations: judgement.violations,
    violationCount: judgement.violationTotal,
    violationCounts: judgement.violationCounts,
    latencyUs: judgement.latencyUs.toJSON(),
    monitoring: router.monitoring.snapshot(),
    noConnectionWarnings: router.log.warnings.get('No connections found for thread <id>') ?? 0,
    faults: [...run.faults].sort((a, b) => a.startUs - b.startUs),
    ...(timeline ? { timeline: timeline.items, timelineTruncated: timeline.truncated } : {}),
  };
  return { result, judgement };
}
