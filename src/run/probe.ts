/**
 * `threadline probe`: drive a live server with a scenario's tabs, speaking its protocol through
 * a codec (threadline's, the production envelope, or a renamed one via an adapter), and judge
 * what came back with the same oracle. The world (tabs, scripts, faults) is the one every
 * transport builds (world.ts); only the server is not ours.
 *
 * What the probe knows (the client side, exactly as in a simulated run): when each tab
 * connected, which thread it declared and when, what it sent, every frame it received and
 * when, every close and its code.
 *
 * What it cannot know, and how it infers it:
 *  - *What the agent side produced.* There is no production hook on a foreign server. The
 *    produced set is inferred: every distinct agent event any tab received, plus the events
 *    the lifecycle says must exist — each run is `agent_started agent_thinking
 *    (tool_executing tool_completed)* agent_completed`, so a run seen without its
 *    agent_started, agent_thinking or agent_completed, or with unpaired tool events, is missing
 *    those; a user message on an owned thread with no run seen at all is missing a whole run
 *    (counted as its three certain events: started, thinking, completed). A tool pair no tab
 *    ever saw cannot be inferred: losses are a lower bound.
 *  - *Which message started which run.* Events carry `run_id` and `thread_id`, not the user
 *    message id: runs are matched to the messages sent on their thread in order (first run seen
 *    ↔ first message sent). A message answered by an error frame naming it (`ref`) expects no run.
 *  - *When an event was produced.* Estimated as its earliest receipt by any tab (an inferred
 *    missing event: the receipt of its next observed neighbour). So "late" in the oracle's
 *    sense is the spread between recipients; the probe adds its own end-to-end check: a run
 *    whose agent_completed reached its tab more than the scenario's deadline after the message
 *    was sent is late (or never completed: lost).
 *  - *Event identity.* `eid` when the protocol carries it (threadline's serve sends it), else
 *    (run_id, type, the k-th such event on the connection), as the oracle identifies it.
 *  - *Honest monitoring* (the router's own counters) is not observable and not judged.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { Codec } from '../ports/codec.ts';
import { formatUs } from '../ports/clock.ts';
import { Trace } from '../sim/trace.ts';
import { RealClock } from '../real/real-clock.ts';
import type { ClientSocketLike, TabClient } from '../world/tab-client.ts';
import { threadlineCodec } from '../world/codecs/threadline.ts';
import { adaptedCodec, type ProtocolAdapter } from '../world/codecs/adapted.ts';
import type { TokenIssuer } from '../world/auth.ts';
import { DEFAULT_MAX_VIOLATIONS, judge, type Judgement, type Violation } from '../oracle/judge.ts';
import { withViolations } from '../oracle/judgement.ts';
import { checksNotMade } from '../oracle/checks-not-made.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import { Histogram, type HistogramJSON } from '../stats/histogram.ts';
import type { TabFaults } from './script.ts';
import type { RunResult } from './result.ts';
import { DEFAULT_DEADLINE_MS, emptySnapshot, judgedFields } from './result-of-run.ts';
import { allRunsComplete, explainInferredLosses, FrameObservations, inferProduced } from './probe-inference.ts';
import { World } from './world.ts';

export { validateAdapter, type ProtocolAdapter } from '../world/codecs/adapted.ts';

export interface ProbeOptions {
  url: string;
  spec: ScenarioSpec;
  seed?: number;
  /** Token for a user (from --token-template). */
  token: (user: string) => string;
  /** Where the token goes: `?token=` (default) or `Authorization: Bearer`. */
  tokenIn?: 'query' | 'header';
  /** The server's protocol (default threadline's). */
  codec?: Codec;
  /** Renamed types and fields, applied over `codec`. */
  adapter?: ProtocolAdapter;
  /** Resume window of the server, ms, if it supports resume (default 0: judged without resume). */
  resumeWindowMs?: number;
  /** After the scripts end: stop once every expected run completed, or after this much silence (real ms, default 1500). */
  settleMs?: number;
  wallTimeoutMs?: number;
}

export interface ProbeReport {
  url: string;
  result: RunResult;
  judgement: Judgement;
  inference: {
    messagesSent: number;
    messagesRefused: number;
    runsExpected: number;
    runsSeen: number;
    runsMissing: number;
    eventsObserved: number;
    eventsInferredMissing: number;
    lateRuns: number;
    /** Send → agent_completed at the sending tab, µs. */
    endToEndUs: HistogramJSON;
    unmatchedRuns: number;
  };
  unsupported: string[];
  /** Handshakes the server refused, by HTTP status. */
  refused: Record<string, number>;
  connectErrors: string[];
}

export class ProbeConnectError extends Error {
  override readonly name = 'ProbeConnectError';
}

export async function probeServer(options: ProbeOptions): Promise<ProbeReport> {
  const wallStart = performance.now();
  const spec = options.spec;
  const seed = options.seed ?? spec.seeds?.[0] ?? 1;
  const target = new URL(options.url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new ProbeConnectError(`the probe needs a ws:// or wss:// URL, got "${options.url}"`);
  const codec = options.adapter ? adaptedCodec(options.codec ?? threadlineCodec, options.adapter) : (options.codec ?? threadlineCodec);
  let timerFailure: Error | null = null;
  const clock = new RealClock({
    timeScale: 1,
    onError: (error, label) => {
      timerFailure ??= new Error(`probe of ${options.url}: timer "${label}" threw: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const trace = new Trace({ keepRecords: false });
  const tokenIn = options.tokenIn ?? 'query';
  // The tokens are the caller's (a live server has its own auth); the probe cannot verify them.
  const tokens: TokenIssuer = { issue: (user) => (tokenIn === 'query' ? options.token(user) : ''), verify: () => null };
  const world = new World({ spec, seed, trace, clock, tokens });
  world.codec = codec;
  const truth = world.truth;
  const seen = new FrameObservations();
  const { observed, refusedRefs } = seen;
  const refused: Record<string, number> = {};
  const connectErrors: string[] = [];
  const unsupported = world.unsupported;
  const sockets = new Map<string, WebSocket>();
  let lastFrameAt = performance.now();

  world.addTabs((client, url, headers) => {
    const conn = client.connectionId ?? `${client.id}#?`;
    const extra: Record<string, string> = { ...headers, 'x-threadline-conn': conn };
    if (tokenIn === 'header') extra['authorization'] = `Bearer ${options.token(client.user)}`;
    const ws = new WebSocket(serverUrl(target, url, tokenIn), { headers: extra, perMessageDeflate: false });
    ws.on('unexpected-response', (_req, res) => {
      refused[String(res.statusCode)] = (refused[String(res.statusCode)] ?? 0) + 1;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (error: Error) => {
      if (connectErrors.length < 20) connectErrors.push(`${conn}: ${error.message}`);
    });
    sockets.set(client.id, ws);
    const record = seen.connection();
    return observingClient(ws, (text) => {
      lastFrameAt = performance.now();
      const fact = codec.decode(text);
      const key = record(fact, clock.now());
      if (key !== null && fact?.kind === 'event') trace.record(clock.now(), 'probe.received', { tab: client.id, eid: key, type: fact.type });
    });
  });
  const network = 'not supported by the probe (put `threadline proxy` in front of the server for network faults)';
  world.scheduleFaults({ cannotPause: network, cannotPartition: network, pause: () => {}, partition: () => {}, ...probeFaults(sockets, unsupported) });
  world.startScripts(probeFaults(sockets, unsupported), { defaultWhenTimeoutMs: 30_000 });

  const settleMs = options.settleMs ?? 1_500;
  let scriptsDoneAt: number | undefined;
  const wallTimeoutMs = options.wallTimeoutMs ?? 120_000;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      if (performance.now() - wallStart > wallTimeoutMs) break;
      // A tab's script (or a timer) that failed is the probe's failure, not a verdict on the server.
      if (timerFailure) throw timerFailure;
      if (world.failure) throw new Error(`probe of ${options.url}: ${world.failure.message}`);
      // Scripts end by themselves: every `when` wait has a timeout here (default 30 s).
      if (!world.scriptsDone) continue;
      // Silence counts from the last frame or the scripts' end, whichever is later: a last
      // message sent after a quiet spell must get its run's time (its first frame may take a while).
      scriptsDoneAt ??= performance.now();
      world.quiesce();
      const quietMs = performance.now() - Math.max(lastFrameAt, scriptsDoneAt);
      if (allRunsComplete(truth, observed, refusedRefs) && quietMs > 100) break;
      if (quietMs > settleMs) break;
    }
  } finally {
    clock.dispose();
    for (const ws of sockets.values()) ws.terminate();
  }
  if (truth.conns.size > 0 && [...truth.conns.values()].every((c) => c.openAtUs === null)) {
    const statuses = Object.entries(refused).map(([s, n]) => `HTTP ${s} ×${n}`).join(', ');
    throw new ProbeConnectError(
      statuses
        ? `the server refused every handshake (${statuses}); check --token-template / --secret (or THREADLINE_SECRET)`
        : `could not connect to ${options.url}: ${connectErrors[0] ?? 'no connection opened'}`,
    );
  }

  // ---- Infer the produced set -----------------------------------------------------------------
  const inference = inferProduced(truth, observed, refusedRefs);
  const deadlineUs = (spec.deadlineMs ?? DEFAULT_DEADLINE_MS) * 1_000;
  const judged = judge(truth, { resumeWindowUs: (options.resumeWindowMs ?? 0) * 1_000, deadlineUs });
  const notMade = checksNotMade({ carries: codec.carries, identifiedByOccurrence: truth.identifiedByOccurrence, reportsMonitoring: false, inferredTruth: true });

  explainInferredLosses(judged.violations, observed);

  // End-to-end: message sent → agent_completed handed to the sending tab.
  const e2e = new Histogram();
  let lateRuns = 0;
  const extra: Violation[] = [];
  for (const [messageId, runId] of inference.runOfMessage) {
    const send = truth.sends.get(messageId)!;
    const completed = truth.producedByRun.get(runId)?.find((e) => e.type === 'agent_completed');
    const got = completed ? truth.deliveries.find((d) => d.tab === send.tab && d.eid === completed.eid && d.handed) : undefined;
    if (!got) continue;
    const us = got.atUs - send.atUs;
    e2e.record(us);
    if (us > deadlineUs) {
      lateRuns++;
      extra.push({ invariant: 'timeliness', messageId: completed!.eid, connectionId: got.conn, atUs: got.atUs, explanation: `${runId}, started by ${messageId} at ${formatUs(send.atUs)}, completed at ${send.tab} only ${formatUs(us)} later; the deadline is ${formatUs(deadlineUs)}` });
    }
  }
  judged.counts.late += extra.length;
  const judgement = withViolations(judged, extra, DEFAULT_MAX_VIOLATIONS);
  const verdict = unsupported.length > 0 && judgement.verdict !== 'fail' ? 'unknown' : judgement.verdict;
  const result: RunResult = {
    scenario: spec.name,
    router: `probe:${target.host}`,
    seed,
    ...judgedFields(judgement),
    verdict,
    traceHash: trace.hash(),
    traceRecords: trace.size,
    simulatedUs: clock.now(),
    wallMs: Math.round((performance.now() - wallStart) * 100) / 100,
    monitoring: emptySnapshot(),
    noConnectionWarnings: 0,
    faults: unsupported.map((u) => ({ kind: 'unsupported', startUs: 0, endUs: 0, label: u })),
    checksNotMade: notMade,
  };
  return {
    url: options.url,
    result,
    judgement,
    inference: {
      messagesSent: inference.messagesSent,
      messagesRefused: inference.messagesRefused,
      runsExpected: inference.runsExpected,
      runsSeen: inference.runsSeen,
      runsMissing: inference.runsMissing,
      eventsObserved: observed.size,
      eventsInferredMissing: inference.eventsInferred,
      lateRuns,
      endToEndUs: e2e.toJSON(),
      unmatchedRuns: inference.unmatchedRuns,
    },
    unsupported,
    refused,
    connectErrors,
  };
}

/** The probe can drop its own sockets; slowing or half-opening a link needs the chaos proxy. */
function probeFaults(sockets: Map<string, WebSocket>, unsupported: string[]): TabFaults {
  const needsProxy = (kind: string, tab: TabClient): void => {
    unsupported.push(`${kind} on ${tab.id}: not supported by the probe (use \`threadline proxy\` between the probe and the server)`);
  };
  return {
    drop(tab) {
      if (tab.isOpen) sockets.get(tab.id)?.terminate();
    },
    slow: (tab) => needsProxy('slow', tab),
    halfOpen: (tab) => needsProxy('half-open', tab),
  };
}

/** The server URL for a tab's path and query: the target's path, the codec's parameters; the token only in the query if asked. */
function serverUrl(target: URL, pathAndQuery: string, tokenIn: 'query' | 'header'): string {
  const q = pathAndQuery.indexOf('?');
  const out = new URL(target.href);
  for (const [k, v] of new URLSearchParams(q >= 0 ? pathAndQuery.slice(q + 1) : '')) {
    // With the token in a header the tab's token is empty: leave the parameter out.
    if (tokenIn === 'header' && v === '') continue;
    out.searchParams.set(k, v);
  }
  return out.href;
}

/** The tab's socket on a live server, with every inbound text frame shown to the probe first. */
function observingClient(ws: WebSocket, onText: (text: string) => void): ClientSocketLike {
  return {
    get readyState() {
      return ws.readyState;
    },
    send: (data: string, callback?: (error?: Error) => void) => ws.send(data, callback),
    close: (code?: number, reason?: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    on: ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'message') return ws.on(event as 'open', listener as () => void);
      return ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        onText(text);
        listener(text);
      });
    }) as ClientSocketLike['on'],
  };
}
