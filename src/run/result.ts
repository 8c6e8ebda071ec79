/**
 * The results document (`results.json`, `--json`): schema "threadline/results@1".
 * Field names are a public contract (CI gates and the HTML report read them).
 */
import type { HistogramJSON } from '../stats/histogram.ts';
import type { Counts, Violation, ViolationCounts } from '../oracle/judge.ts';
import type { MonitoringSnapshot } from '../ports/server.ts';
import type { Verdict } from '../oracle/verdict.ts';
import type { CheckNotMade } from '../oracle/checks-not-made.ts';

export const RESULTS_SCHEMA = 'threadline/results@1';

export interface TimelineItem {
  /** Virtual time, µs. */
  t: number;
  /** Lane: "agent", "router", or a client connection id such as "t1#1". */
  lane: string;
  kind: 'connect' | 'open' | 'close' | 'declare' | 'send' | 'produced' | 'bind' | 'route' | 'queued' | 'deliver' | 'lost' | 'gap' | 'fault' | 'log';
  label: string;
  user?: string;
  thread?: string;
  eid?: string;
  /** For deliveries: the lane the frame came from and its send time (an arrow). */
  fromT?: number;
  explanation?: string;
}

export interface FaultWindow {
  kind: string;
  startUs: number;
  endUs: number;
  label: string;
}

export interface RunResult {
  scenario: string;
  router: string;
  seed: number;
  verdict: Verdict;
  traceHash: string;
  traceRecords: number;
  simulatedUs: number;
  wallMs: number;
  counts: Counts;
  interactions: { total: number; succeeded: number; abandoned: number };
  /** The first violations with explanations (capped; see violationCount). */
  violations: Violation[];
  /** The true number of violations, all invariants (never capped). */
  violationCount: number;
  /** The true number of violations per invariant that fired (absent in older results files). */
  violationCounts?: ViolationCounts;
  latencyUs: HistogramJSON;
  monitoring: MonitoringSnapshot;
  /** "No connections found for thread" warnings logged by the router. */
  noConnectionWarnings: number;
  faults: FaultWindow[];
  /**
   * Checks this run could not make, or made weaker, and why (the protocol carries no event ids,
   * the server reports no monitoring, the ground truth was inferred). Absent when every check
   * was made.
   */
  checksNotMade?: CheckNotMade[];
  /** Present for failing runs and a sample of passing ones. */
  timeline?: TimelineItem[];
  timelineTruncated?: boolean;
  /** Whose facts the timeline shows, when not every user's: a streamed run keeps its first users with violations. */
  timelineScope?: string;
  /** Threshold results for this run's scenario (evaluated on the aggregate). */
  error?: string;
}

export interface Summary {
  scenario: string;
  router: string;
  runs: number;
  verdict: Verdict;
  successRate: number;
  successRateCi95: [number, number];
  interactions: { total: number; succeeded: number };
  counts: Counts;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  latencyUs: HistogramJSON;
  connectToBindUs: HistogramJSON;
  queueWaitUs: HistogramJSON;
  /** Total pending-queue depth sampled at each enqueue (absent in older results files). */
  queueDepth?: HistogramJSON;
  sentBeforeReady: number;
  /** First routing attempts that found no bound connection (may still have been delivered later). */
  routingMisses: number;
  /** Events that reached no connection of any kind in the end (written nowhere). */
  eventsUnreached: number;
  /** Older results files: the first-attempt misses under their old, ambiguous name. */
  routingFailures?: number;
  dropsByReason: Record<string, number>;
  /** All runs' violations, and per invariant (absent in older results files). */
  violationCount?: number;
  violationCounts?: ViolationCounts;
  thresholds: Array<{ source: string; actual: number; ok: boolean }>;
  failedSeeds: number[];
}

export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  version: string;
  verdict: Verdict;
  command: string;
  startedAt?: string;
  wallMs: number;
  runs: RunResult[];
  summary: Summary[];
  /** Extra documents (fuzz counterexample, shard info). */
  fuzz?: unknown;
  shard?: { index: number; total: number };
  partial?: boolean;
}
