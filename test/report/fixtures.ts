/**
 * Synthetic results documents for the report tests and the report bench: built in code from
 * real Histograms so the shapes match what the runner produces.
 */
import { Histogram, type HistogramJSON } from '../../src/stats/histogram.ts';
import { RESULTS_SCHEMA, type ResultsDocument, type RunResult, type Summary, type TimelineItem, type FaultWindow } from '../../src/run/result.ts';
import type { Counts, Violation } from '../../src/oracle/judge.ts';
import type { MonitoringSnapshot } from '../../src/sut/router/monitoring.ts';
import type { BaselineComparison, BaselineDelta } from '../../src/run/baseline-comparison.ts';

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormal(rand: () => number, medianUs: number, sigma: number): number {
  const u = Math.max(1e-12, rand());
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(0, Math.round(medianUs * Math.exp(sigma * z)));
}

function hist(values: number[]): HistogramJSON {
  const h = new Histogram();
  for (const v of values) h.record(v);
  return h.toJSON();
}

function mergeJson(list: HistogramJSON[]): HistogramJSON {
  const h = new Histogram();
  for (const j of list) h.merge(Histogram.fromJSON(j));
  return h.toJSON();
}

function zeroCounts(): Counts {
  return { produced: 0, owed: 0, delivered: 0, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0, requests: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0, redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0, lateFlushes: 0, sequenceHoles: 0 };
}

function addCounts(a: Counts, b: Counts): Counts {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof Counts>) out[k] += b[k];
  return out;
}

/** Wilson score interval (what the runner reports as successRateCi95). */
export function wilson(succeeded: number, total: number): [number, number] {
  if (total === 0) return [0, 1];
  const z = 1.959964;
  const p = succeeded / total;
  const den = 1 + (z * z) / total;
  const centre = (p + (z * z) / (2 * total)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))) / den;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function summarise(runs: RunResult[], thresholds: string[]): Summary {
  const first = runs[0]!;
  const counts = runs.reduce((a, r) => addCounts(a, r.counts), zeroCounts());
  const total = runs.reduce((a, r) => a + r.interactions.total, 0);
  const succeeded = runs.reduce((a, r) => a + r.interactions.succeeded, 0);
  const latency = mergeJson(runs.map((r) => r.latencyUs));
  const lh = Histogram.fromJSON(latency);
  const ms = (q: number): number => (lh.count ? lh.quantile(q) / 1000 : NaN);
  const drops: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.monitoring.dropsByReason)) drops[k] = (drops[k] ?? 0) + v;
  const successRate = total ? succeeded / total : NaN;
  const results = thresholds.map((source) => {
    const actual = source.startsWith('lost') ? counts.lost : source.startsWith('success_rate') ? successRate : ms(0.99);
    const ok = source.startsWith('lost') ? actual === 0 : source.startsWith('success_rate') ? actual >= 0.99 : actual < 2000;
    return { source, actual, ok };
  });
  const failed = runs.some((r) => r.verdict === 'fail') || results.some((t) => !t.ok);
  return {
    scenario: first.scenario,
    router: first.router,
    runs: runs.length,
    verdict: failed ? 'fail' : 'pass',
    successRate,
    successRateCi95: wilson(succeeded, total),
    interactions: { total, succeeded },
    counts,
    latencyMs: { p50: ms(0.5), p90: ms(0.9), p99: ms(0.99), p999: ms(0.999), max: lh.count ? lh.max / 1000 : NaN },
    latencyUs: latency,
    connectToBindUs: mergeJson(runs.map((r) => r.monitoring.histograms['connectToBindUs']!)),
    queueWaitUs: mergeJson(runs.map((r) => r.monitoring.histograms['queueWaitUs']!)),
    queueDepth: mergeJson(runs.map((r) => r.monitoring.histograms['queueDepth']!)),
    sentBeforeReady: runs.reduce((a, r) => a + (r.monitoring.counters['sentBeforeReady'] ?? 0), 0),
    routingMisses: runs.reduce((a, r) => a + (r.monitoring.counters['routingMisses'] ?? 0), 0),
    eventsUnreached: runs.reduce((a, r) => a + (r.monitoring.counters['eventsEmitted'] ?? 0) - (r.monitoring.counters['eventsWritten'] ?? 0), 0),
    dropsByReason: drops,
    thresholds: results,
    failedSeeds: runs.filter((r) => r.verdict === 'fail').map((r) => r.seed),
  };
}

/** A queue's series as the router records them: the depth after each enqueue and flush, each wait at its flush. */
function queueSeries(rand: () => number, waits: number[], durationUs: number): NonNullable<MonitoringSnapshot['series']> {
  const changes: Array<[tUs: number, delta: number, waitedUs: number]> = [];
  for (const w of waits) {
    const t = Math.floor(rand() * (durationUs - w));
    changes.push([t, 1, 0], [t + w, -1, w]);
  }
  changes.sort((a, b) => a[0] - b[0] || b[1] - a[1]); // an enqueue before a flush at the same time
  let depth = 0;
  const queueDepth: Array<[number, number]> = [];
  const queueWaitUs: Array<[number, number]> = [];
  for (const [t, delta, w] of changes) {
    depth += delta;
    queueDepth.push([t, depth]);
    if (delta < 0) queueWaitUs.push([t, w]);
  }
  return { queueDepth, queueWaitUs, recorded: { queueDepth: queueDepth.length, queueWaitUs: queueWaitUs.length } };
}

interface ModeModel {
  lossRate: number;
  medianUs: number;
  sigma: number;
  bindMedianUs: number;
  queue: boolean;
  sentBeforeReadyRate: number;
}

const MODELS: Record<string, ModeModel> = {
  legacy: { lossRate: 0.165, medianUs: 4_000, sigma: 0.8, bindMedianUs: 3_000, queue: false, sentBeforeReadyRate: 0.12 },
  dynamic: { lossRate: 0.04, medianUs: 4_200, sigma: 0.8, bindMedianUs: 2_500, queue: false, sentBeforeReadyRate: 0.03 },
  shipped: { lossRate: 0.07, medianUs: 14_000, sigma: 1.1, bindMedianUs: 12_000, queue: false, sentBeforeReadyRate: 0.05 },
  guaranteed: { lossRate: 0, medianUs: 4_500, sigma: 0.7, bindMedianUs: 2_000, queue: true, sentBeforeReadyRate: 0 },
};

const EVENT_TYPES = ['run_started', 'tool_call', 'tool_result', 'message_delta', 'run_finished'];

export interface SyntheticOptions {
  routers?: string[];
  scenarios?: string[];
  seeds?: number;
  messagesPerRun?: number;
  /** Timeline items per failing run (the runner's default cap is 5,000). */
  timelineItems?: number;
  /** Timelines on this many passing runs per (scenario, router). */
  passingTimelines?: number;
  /** Text injected into explanations and labels (escaping tests). */
  hostile?: string;
}

/** One run: counts, histograms, violations and (optionally) a timeline. */
function makeRun(scenario: string, router: string, seed: number, o: Required<SyntheticOptions>, wantTimeline: boolean): RunResult {
  const rand = prng(seed * 7919 + router.length * 131 + scenario.length);
  const m = MODELS[router] ?? MODELS['dynamic']!;
  const n = o.messagesPerRun;
  const users = ['alice', 'bob', 'carol', 'dave'];
  const tabs = ['t1', 't2', 't3', 't4', 't5', 't6'];
  const tabUser = (tab: string): string => users[(Number(tab.slice(1)) - 1) % users.length]!;
  const threads = ['th-1', 'th-2', 'th-3', 'th-4', 'th-5', 'th-6', 'th-7', 'th-8'];
  const durationUs = 600_000_000; // 10 minutes of simulated time
  const latencies: number[] = [];
  const violations: Violation[] = [];
  const counts = zeroCounts();
  counts.produced = n;
  const lostEvents: Array<{ eid: string; atUs: number; conn: string; thread: string; user: string; type: string; run: string }> = [];
  const interactionsTotal = Math.max(1, Math.round(n / 10));
  // An interaction is 10 events; a failing one loses 1–3 of them.
  const failing = new Set<number>();
  for (let k = 0; k < interactionsTotal; k++) if (rand() < m.lossRate) failing.add(k);
  const lostIndex = new Set<number>();
  for (const k of failing) {
    const lose = 1 + Math.floor(rand() * 3);
    for (let j = 0; j < lose; j++) lostIndex.add(k * 10 + Math.floor(rand() * 10));
  }
  for (let i = 0; i < n; i++) {
    counts.owed++;
    const atUs = Math.floor((i / n) * durationUs + rand() * 1000);
    if (lostIndex.has(i)) {
      counts.lost++;
      const tab = tabs[Math.floor(rand() * tabs.length)]!;
      const thread = threads[Math.floor(rand() * threads.length)]!;
      const type = EVENT_TYPES[i % EVENT_TYPES.length]!;
      const run = `run-${Math.floor(i / 10)}`;
      const conn = `${tab}#${atUs > 250_000_000 ? 2 : 1}`;
      const eid = `e${seed}-${i}`;
      lostEvents.push({ eid, atUs, conn, thread, user: tabUser(tab), type, run });
      if (violations.length < 200) {
        violations.push({
          invariant: 'no-loss',
          messageId: eid,
          connectionId: conn,
          atUs,
          explanation: `${type} of ${run} (thread ${thread}) produced at ${(atUs / 1e6).toFixed(3)} s was owed to ${conn}, which had declared ${thread} at ${((atUs - 250_000) / 1e6).toFixed(3)} s by user_message; the router still had ${conn} bound to th-${1 + (i % 3)} from the handshake and found "No connections found for thread ${thread}"${o.hostile}`,
        });
      }
    } else {
      counts.delivered++;
      const l = logNormal(rand, m.medianUs, m.sigma);
      latencies.push(l);
      if (l > 30_000_000) counts.late++;
    }
  }
  if (router === 'shipped') {
    counts.duplicated = Math.floor(n * 0.004);
    counts.leaked = Math.floor(n * 0.001);
    counts.misrouted = Math.floor(n * 0.002);
  }
  if (router === 'guaranteed') counts.droppedExplicit = Math.floor(n * 0.0005);
  const succeeded = interactionsTotal - failing.size - (router === 'shipped' ? Math.floor(interactionsTotal * 0.01) : 0);
  const bind = Array.from({ length: 40 }, () => logNormal(rand, m.bindMedianUs, 0.6));
  const queueWait = m.queue ? Array.from({ length: Math.round(n * 0.05) }, () => logNormal(rand, 40_000, 1.2)) : [];
  const drops: Record<string, number> = {};
  if (!m.queue) drops['no_connection'] = counts.lost;
  if (router === 'shipped') {
    drops['send_failed'] = Math.floor(n * 0.003);
    drops['registry_evicted'] = Math.floor(n * 0.002);
  }
  if (router === 'guaranteed') drops['resume_window'] = counts.droppedExplicit;
  const faults: FaultWindow[] = [
    { kind: 'partition', startUs: 120_000_000, endUs: 135_000_000, label: 'partition (drop) t2, t3' },
    { kind: 'drop', startUs: 300_000_000, endUs: 300_000_000, label: 'drop t1' },
  ];
  const verdict = counts.lost + counts.duplicated + counts.leaked > 0 ? 'fail' : 'pass';
  const run: RunResult = {
    scenario,
    router,
    seed,
    verdict,
    traceHash: (seed * 2654435761 + router.length).toString(16).padStart(16, '0').slice(0, 16) + 'a3f9c2',
    traceRecords: n * 9,
    simulatedUs: durationUs + Math.floor(rand() * 5_000_000),
    wallMs: Math.round(n * 0.8 + rand() * 50),
    counts,
    interactions: { total: interactionsTotal, succeeded, abandoned: 0 },
    violations,
    violationCount: violations.length,
    latencyUs: hist(latencies),
    monitoring: {
      counters: {
        eventsEmitted: n,
        routingMisses: m.queue ? Math.floor(n * 0.02) : counts.lost + Math.floor(n * 0.01),
        eventsWritten: n - counts.lost,
        sentBeforeReady: Math.floor(n * m.sentBeforeReadyRate),
        eventsReportedDelivered: counts.delivered,
        queued: queueWait.length,
      },
      dropsByReason: drops,
      histograms: { connectToBindUs: hist(bind), queueWaitUs: hist(queueWait), queueDepth: hist(queueWait.map((w) => Math.floor(w / 10_000))), sendLatencyUs: hist(latencies.slice(0, 200)) },
      // Its own PRNG, so the rest of the run (and its timeline) is as before.
      series: queueSeries(prng(seed * 104_729 + router.length), queueWait, durationUs),
    },
    noConnectionWarnings: counts.lost,
    faults,
  };
  if (wantTimeline) {
    const { items, truncated } = makeTimeline(rand, lostEvents, violations, o, tabs, tabUser, threads, durationUs);
    run.timeline = items;
    run.timelineTruncated = truncated;
  }
  return run;
}

function makeTimeline(
  rand: () => number,
  lostEvents: Array<{ eid: string; atUs: number; conn: string; thread: string; user: string; type: string; run: string }>,
  violations: Violation[],
  o: Required<SyntheticOptions>,
  tabs: string[],
  tabUser: (t: string) => string,
  threads: string[],
  durationUs: number,
): { items: TimelineItem[]; truncated: boolean } {
  const must: TimelineItem[] = violations.map((v) => {
    const ev = lostEvents.find((e) => e.eid === v.messageId);
    return {
      t: v.atUs,
      lane: v.connectionId ?? 'router',
      kind: 'lost',
      label: `${v.invariant}: ${ev?.type ?? '?'} ${ev?.run ?? ''}${o.hostile}`,
      ...(ev ? { thread: ev.thread, user: ev.user, eid: ev.eid } : {}),
      explanation: v.explanation,
    };
  });
  const rest: TimelineItem[] = [];
  for (const tab of tabs) {
    const user = tabUser(tab);
    const dropAt = 100_000_000 + Math.floor(rand() * 300_000_000);
    rest.push({ t: 1_000 + Math.floor(rand() * 5_000), lane: `${tab}#1`, kind: 'connect', label: `connect ?thread_id=${threads[0]}`, user });
    rest.push({ t: 8_000 + Math.floor(rand() * 5_000), lane: `${tab}#1`, kind: 'open', label: 'open (server s1)', user });
    rest.push({ t: dropAt, lane: `${tab}#1`, kind: 'close', label: 'close 1006 (network-drop)', user });
    rest.push({ t: dropAt + 1_500_000, lane: `${tab}#2`, kind: 'connect', label: 'connect (reconnect)', user });
    rest.push({ t: dropAt + 1_510_000, lane: `${tab}#2`, kind: 'open', label: 'open (server s1)', user });
  }
  for (const e of lostEvents) rest.push({ t: e.atUs, lane: 'agent', kind: 'produced', label: `${e.type} ${e.run}`, thread: e.thread, user: e.user, eid: e.eid });
  let i = 0;
  while (rest.length + must.length < o.timelineItems + 500) {
    const tab = tabs[i % tabs.length]!;
    const user = tabUser(tab);
    const thread = threads[(i * 7) % threads.length]!;
    const t = Math.floor(rand() * durationUs);
    const conn = `${tab}#${t > 250_000_000 ? 2 : 1}`;
    const eid = `x${i}`;
    switch (i % 6) {
      case 0:
        rest.push({ t, lane: conn, kind: 'send', label: `user_message m${i}`, thread, user });
        rest.push({ t: t + 300, lane: conn, kind: 'declare', label: `send → ${thread}`, thread, user });
        break;
      case 1:
        rest.push({ t, lane: 'router', kind: 'bind', label: `bind ${conn} → ${thread} (message)`, thread });
        break;
      case 2:
        rest.push({ t, lane: 'router', kind: 'route', label: `No connections found for thread ${thread}`, thread, eid });
        break;
      default: {
        const lat = logNormal(rand, 5_000, 0.8);
        rest.push({ t, lane: 'agent', kind: 'produced', label: `message_delta run-${i}`, thread, user, eid });
        rest.push({ t: t + lat, lane: conn, kind: 'deliver', label: `message_delta run-${i}`, thread, user, eid, fromT: t });
      }
    }
    i++;
  }
  rest.sort((a, b) => a.t - b.t);
  const room = Math.max(0, o.timelineItems - must.length);
  const items = [...must, ...rest.slice(0, room)].sort((a, b) => a.t - b.t);
  return { items, truncated: rest.length > room };
}

export function syntheticDocument(options: SyntheticOptions = {}): ResultsDocument {
  const o: Required<SyntheticOptions> = {
    routers: ['legacy', 'guaranteed'],
    scenarios: ['chat-day'],
    seeds: 2,
    messagesPerRun: 400,
    timelineItems: 600,
    passingTimelines: 1,
    hostile: '',
    ...options,
  };
  const runs: RunResult[] = [];
  const summary: Summary[] = [];
  for (const scenario of o.scenarios) {
    for (const router of o.routers) {
      const group: RunResult[] = [];
      let passingWithTimeline = 0;
      for (let s = 1; s <= o.seeds; s++) {
        const probe = makeRun(scenario, router, s, o, false);
        const want = probe.verdict === 'fail' || passingWithTimeline++ < o.passingTimelines;
        const run = want ? makeRun(scenario, router, s, o, true) : probe;
        group.push(run);
      }
      runs.push(...group);
      summary.push(summarise(group, ['lost == 0', 'success_rate >= 0.99', 'latency_p99_ms < 2000']));
    }
  }
  const verdict = summary.some((s) => s.verdict === 'fail') ? 'fail' : 'pass';
  return {
    schema: RESULTS_SCHEMA,
    version: '0.1.0',
    verdict,
    command: `threadline run --scenario ${o.scenarios.join(',')} --router ${o.routers.join(',')} --seeds 1..${o.seeds}`,
    startedAt: '2025-01-01T12:00:00.000Z',
    wallMs: runs.reduce((a, r) => a + r.wallMs, 0),
    runs,
    summary,
  };
}

/** About 200,000 messages: 4 modes × 50 seeds × 1,000 messages, timelines on every failing run. */
export function largeDocument(): ResultsDocument {
  return syntheticDocument({
    routers: ['legacy', 'dynamic', 'shipped', 'guaranteed'],
    scenarios: ['chat-day'],
    seeds: 50,
    messagesPerRun: 1_000,
    timelineItems: 5_000,
    passingTimelines: 2,
  });
}

/**
 * Rows whose numbers seem to disagree, added to a synthetic document: "history-gap × legacy"
 * fails with 100% success and 6 lost events (owed to the tab that did not send), and
 * "reconnect-mid-run × guaranteed" passes with 50% success (nothing owed was lost; its
 * threshold allows it). Their runs are left out: rows can exist without runs (a merged file).
 */
export function contradictoryDocument(): ResultsDocument {
  const doc = syntheticDocument({ seeds: 1 });
  const base = doc.summary.find((s) => s.router === 'guaranteed')!;
  const row = (over: Partial<Summary>): Summary => ({ ...base, failedSeeds: [], ...over, counts: { ...base.counts, lost: 0, duplicated: 0, leaked: 0, late: 0, misrouted: 0, ...over.counts } });
  doc.summary.push(
    row({
      scenario: 'history-gap',
      router: 'legacy',
      verdict: 'fail',
      successRate: 1,
      successRateCi95: wilson(1, 1),
      interactions: { total: 1, succeeded: 1 },
      counts: { ...base.counts, lost: 6 },
      violationCount: 6,
      violationCounts: { 'no-loss': 6 },
      thresholds: [{ source: 'lost == 0', actual: 6, ok: false }],
      failedSeeds: [1],
    }),
    row({
      scenario: 'reconnect-mid-run',
      router: 'guaranteed',
      verdict: 'pass',
      successRate: 0.5,
      successRateCi95: wilson(1, 2),
      interactions: { total: 2, succeeded: 1 },
      violationCount: 0,
      violationCounts: {},
      thresholds: [{ source: 'success_rate >= 0.5', actual: 0.5, ok: true }],
    }),
  );
  doc.verdict = 'fail';
  return doc;
}

/**
 * A document compared with a baseline: chat-day × legacy lost more and succeeded less than
 * the baseline (two regressions), chat-day × guaranteed got faster (an improvement).
 */
export function baselineDocument(): ResultsDocument & { baseline: BaselineComparison } {
  const doc = syntheticDocument({ seeds: 2 });
  const legacy = doc.summary.find((s) => s.router === 'legacy')!;
  const guaranteed = doc.summary.find((s) => s.router === 'guaranteed')!;
  const regressions: BaselineDelta[] = [
    { scenario: legacy.scenario, router: 'legacy', metric: 'lost', old: Math.max(0, legacy.counts.lost - 7), new: legacy.counts.lost, tolerance: '0', unit: '' },
    { scenario: legacy.scenario, router: 'legacy', metric: 'success_rate', old: Math.min(1, legacy.successRate + 0.02), new: legacy.successRate, tolerance: '0.5 points', unit: 'rate' },
  ];
  const improvements: BaselineDelta[] = [
    { scenario: guaranteed.scenario, router: 'guaranteed', metric: 'latency_p99_ms', old: guaranteed.latencyMs.p99 * 1.5, new: guaranteed.latencyMs.p99, tolerance: '10% and 0.5 ms', unit: 'ms' },
  ];
  // Compared and within tolerance: the report shows old → new for these too.
  const unchanged: BaselineDelta[] = [
    { scenario: legacy.scenario, router: 'legacy', metric: 'latency_p99_ms', old: legacy.latencyMs.p99 + 0.2, new: legacy.latencyMs.p99, tolerance: '10% and 0.5 ms', unit: 'ms' },
  ];
  return { ...doc, verdict: 'fail', baseline: { file: 'threadline.baseline.json', regressions, improvements, unchanged, newPairs: [], runsDiffer: [] } };
}
