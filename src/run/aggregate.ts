/**
 * Aggregation of runs into per (scenario, router) summaries: counts are added, histograms are
 * merged bucket by bucket (percentiles are never averaged), the success rate gets a 95% Wilson
 * interval, and the scenario's thresholds are evaluated on the aggregate.
 */
import { Histogram } from '../stats/histogram.ts';
import { wilsonInterval } from '../stats/wilson.ts';
import type { Counts, InvariantName, ViolationCounts } from '../oracle/judge.ts';
import { combineVerdicts, type Verdict } from '../oracle/verdict.ts';
import { evaluateThreshold, parseThreshold, type ThresholdMetric } from '../scenario/thresholds.ts';
import type { RunResult, Summary } from './result.ts';

export function emptyCounts(): Counts {
  return { produced: 0, owed: 0, delivered: 0, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0, requests: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0, redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0, lateFlushes: 0, sequenceHoles: 0 };
}

export function summarise(runs: readonly RunResult[], thresholdsByScenario: ReadonlyMap<string, readonly string[]>): Summary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.scenario}\u0000${r.router}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out: Summary[] = [];
  for (const list of groups.values()) out.push(summariseGroup(list, thresholdsByScenario.get(list[0]!.scenario) ?? []));
  return out;
}

export function summariseGroup(list: readonly RunResult[], thresholds: readonly string[]): Summary {
  const first = list[0]!;
  const counts = emptyCounts();
  const latency = new Histogram();
  const bind = new Histogram();
  const queueWait = new Histogram();
  const queueDepth = new Histogram();
  let total = 0;
  let succeeded = 0;
  let sentBeforeReady = 0;
  let routingMisses = 0;
  let eventsUnreached = 0;
  let violations = 0;
  const violationCounts: ViolationCounts = {};
  const drops: Record<string, number> = {};
  const failedSeeds: number[] = [];
  for (const r of list) {
    // `?? 0`: older results files lack the request counts.
    for (const k of Object.keys(counts) as Array<keyof Counts>) counts[k] += r.counts[k] ?? 0;
    latency.merge(Histogram.fromJSON(r.latencyUs));
    // A server plug-in that reports no monitoring has none of these histograms.
    const h = r.monitoring.histograms;
    if (h['connectToBindUs']) bind.merge(Histogram.fromJSON(h['connectToBindUs']));
    if (h['queueWaitUs']) queueWait.merge(Histogram.fromJSON(h['queueWaitUs']));
    if (h['queueDepth']) queueDepth.merge(Histogram.fromJSON(h['queueDepth']));
    total += r.interactions.total;
    succeeded += r.interactions.succeeded;
    sentBeforeReady += r.monitoring.counters['sentBeforeReady'] ?? 0;
    // Older results files have only `routingFailures` (the first-attempt misses).
    routingMisses += r.monitoring.counters['routingMisses'] ?? r.monitoring.counters['routingFailures'] ?? 0;
    const written = r.monitoring.counters['eventsWritten'];
    if (written !== undefined) eventsUnreached += (r.monitoring.counters['eventsEmitted'] ?? 0) - written;
    violations += r.violationCount;
    for (const [k, n] of Object.entries(r.violationCounts ?? {}) as Array<[InvariantName, number]>) violationCounts[k] = (violationCounts[k] ?? 0) + n;
    for (const [k, v] of Object.entries(r.monitoring.dropsByReason)) drops[k] = (drops[k] ?? 0) + v;
    if (r.verdict === 'fail') failedSeeds.push(r.seed);
  }
  const toMs = (us: number): number => (Number.isNaN(us) ? NaN : Math.round(us) / 1_000);
  const successRate = total === 0 ? NaN : succeeded / total;
  const ci = wilsonInterval(succeeded, total);
  const metrics: Record<ThresholdMetric, number> = {
    lost: counts.lost,
    duplicated: counts.duplicated,
    leaked: counts.leaked,
    out_of_order: counts.outOfOrder,
    late: counts.late,
    misrouted: counts.misrouted,
    dropped_explicit: counts.droppedExplicit,
    requests_lost: counts.requestsLost,
    runs_duplicated: counts.runsDuplicated,
    produced: counts.produced,
    owed: counts.owed,
    delivered: counts.delivered,
    violations,
    success_rate: successRate,
    success_rate_ci_low: total === 0 ? NaN : ci[0],
    latency_p50_ms: toMs(latency.quantile(0.5)),
    latency_p90_ms: toMs(latency.quantile(0.9)),
    latency_p99_ms: toMs(latency.quantile(0.99)),
    latency_p999_ms: toMs(latency.quantile(0.999)),
    latency_max_ms: toMs(latency.count ? latency.max : NaN),
    connect_to_bind_p99_ms: toMs(bind.quantile(0.99)),
    routing_misses: routingMisses,
    events_unreached: eventsUnreached,
    sent_before_ready: sentBeforeReady,
  };
  const thresholdResults = thresholds.map((source) => {
    const t = parseThreshold(source);
    const actual = metrics[t.metric];
    return { source: t.source, actual, ok: evaluateThreshold(t, actual) };
  });
  const thresholdFailed = thresholdResults.some((t) => !t.ok);
  return {
    scenario: first.scenario,
    router: first.router,
    runs: list.length,
    verdict: combineVerdicts([...list.map((r) => r.verdict), ...(thresholdFailed ? (['fail'] as const) : [])]),
    successRate,
    successRateCi95: ci,
    interactions: { total, succeeded },
    counts,
    latencyMs: {
      p50: metrics.latency_p50_ms,
      p90: metrics.latency_p90_ms,
      p99: metrics.latency_p99_ms,
      p999: metrics.latency_p999_ms,
      max: metrics.latency_max_ms,
    },
    latencyUs: latency.toJSON(),
    connectToBindUs: bind.toJSON(),
    queueWaitUs: queueWait.toJSON(),
    queueDepth: queueDepth.toJSON(),
    sentBeforeReady,
    routingMisses,
    eventsUnreached,
    dropsByReason: drops,
    violationCount: violations,
    violationCounts,
    thresholds: thresholdResults,
    failedSeeds,
  };
}

/** The metric table of a summary, by threshold metric name (for baselines). */
export function overallVerdict(summaries: readonly Summary[]): Verdict {
  return combineVerdicts(summaries.map((s) => s.verdict));
}
