/** The result of a run that did not complete (a budget blown, a plug-in that threw): a failure, with the reason. */
import type { RunResult } from './result.ts';

export function errorResult(scenario: string, router: string, seed: number, error: unknown): RunResult {
  const message = error instanceof Error ? error.message : String(error);
  const empty = { count: 0, sum: 0, min: 0, max: 0, buckets: [] };
  return {
    scenario,
    router,
    seed,
    verdict: 'fail',
    traceHash: '',
    traceRecords: 0,
    simulatedUs: 0,
    wallMs: 0,
    counts: { produced: 0, owed: 0, delivered: 0, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0, requests: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0, redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0, lateFlushes: 0, sequenceHoles: 0 },
    interactions: { total: 0, succeeded: 0, abandoned: 0 },
    violations: [{ invariant: 'timeliness', messageId: null, connectionId: null, atUs: 0, explanation: `the run did not complete: ${message}` }],
    violationCount: 1,
    latencyUs: empty,
    monitoring: { counters: {}, dropsByReason: {}, histograms: { connectToBindUs: empty, queueWaitUs: empty, queueDepth: empty, sendLatencyUs: empty } },
    noConnectionWarnings: 0,
    faults: [],
    error: message,
  };
}
