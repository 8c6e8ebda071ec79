/**
 * One mode (router) over all scenarios: the scenario verdicts, the pooled counts and merged
 * histograms the timing section charts, and the mode's verdict by the single verdict rule
 * (overallVerdict → combineVerdicts), so the cards agree with the CLI's exit code.
 */
import type { Histogram } from '../stats/histogram.ts';
import type { Summary } from '../run/result.ts';
import { overallVerdict } from '../run/aggregate.ts';
import type { Verdict } from '../oracle/verdict.ts';
import { mergeHistograms } from './charts.ts';

export interface RouterAggregate {
  router: string;
  color: string;
  summaries: Summary[];
  /** Scenario × mode rows by verdict. */
  scenarios: { passed: number; failed: number; unknown: number };
  /** Pooled over every scenario's interactions (chat-day's thousands dominate). */
  succeeded: number;
  total: number;
  counts: Record<string, number>;
  latency: Histogram;
  connectToBind: Histogram;
  queueWait: Histogram;
  queueDepth: Histogram;
  sentBeforeReady: number;
  routingFailures: number;
  drops: Record<string, number>;
  verdict: Verdict;
}

export function aggregateModes(summaries: readonly Summary[], routers: readonly string[], colors: Map<string, string>): RouterAggregate[] {
  return routers.map((router) => {
    const list = summaries.filter((s) => s.router === router);
    const counts: Record<string, number> = {};
    const drops: Record<string, number> = {};
    for (const s of list) {
      for (const [k, v] of Object.entries(s.counts)) counts[k] = (counts[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.dropsByReason ?? {})) drops[k] = (drops[k] ?? 0) + v;
    }
    return {
      router,
      color: colors.get(router) ?? '#888',
      summaries: list,
      scenarios: {
        passed: list.filter((s) => s.verdict === 'pass').length,
        failed: list.filter((s) => s.verdict === 'fail').length,
        unknown: list.filter((s) => s.verdict !== 'pass' && s.verdict !== 'fail').length,
      },
      succeeded: list.reduce((a, s) => a + s.interactions.succeeded, 0),
      total: list.reduce((a, s) => a + s.interactions.total, 0),
      counts,
      latency: mergeHistograms(list.map((s) => s.latencyUs)),
      connectToBind: mergeHistograms(list.map((s) => s.connectToBindUs)),
      queueWait: mergeHistograms(list.map((s) => s.queueWaitUs)),
      queueDepth: mergeHistograms(list.flatMap((s) => (s.queueDepth ? [s.queueDepth] : []))),
      sentBeforeReady: list.reduce((a, s) => a + (s.sentBeforeReady ?? 0), 0),
      routingFailures: list.reduce((a, s) => a + (s.routingFailures ?? 0), 0),
      drops,
      verdict: overallVerdict(list),
    };
  });
}
