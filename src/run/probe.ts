/**
 * `threadline probe`: drive a live server that speaks the protocol of DESIGN.md section 2 with
 * a scenario's tabs, and judge what came back with the same oracle.
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
 *  - *Event identity.* `eid` when the server sends it (threadline's serve does), else `msg_id`,
 *    else (run_id, type, seq or ts or the k-th such event on the connection).
 *  - *Honest monitoring* (the router's own counters) is not observable and not judged.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { Trace } from '../sim/trace.ts';
import { TabClient, type ClientSocketLike } from '../world/tab-client.ts';
import { GroundTruth } from '../oracle/recorder.ts';
import { DEFAULT_MAX_VIOLATIONS, judge, type Judgement, type Violation } from '../oracle/judge.ts';
import { withViolations } from '../oracle/judgement.ts';
import { AGENT_EVENT_TYPES, isAgentEventType, type AgentEventType } from '../protocol/threadline.ts';
import { DEFAULT_DEADLINE_MS, materialise } from './runner.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import { runTabScript, type TabFaults } from './script.ts';
import type { RunResult } from './result.ts';
import { Histogram, type HistogramJSON } from '../stats/histogram.ts';
import { formatUs } from '../ports/clock.ts';
import { RealClock } from '../real/real-clock.ts';

/** Field and type names of a server whose protocol differs from DESIGN.md section 2 only in naming. */
export interface ProtocolAdapter {
  /** threadline type → the server's type, e.g. { "user_message": "chat.send", "agent_started": "run.start" }. */
  types?: Record<string, string>;
  /** threadline field → the server's field, e.g. { "thread_id": "threadId", "run_id": "runId" }. */
  fields?: Record<string, string>;
  /** Query parameter carrying the token (default "token"). */
  tokenParam?: string;
  /** Query parameter naming the thread at connect (default "thread_id"). */
  threadParam?: string;
}

export interface ProbeOptions {
  url: string;
  spec: ScenarioSpec;
  seed?: number;
  /** Token for a user (from --token-template). */
  token: (user: string) => string;
  /** Where the token goes: `?token=` (default) or `Authorization: Bearer`. */
  tokenIn?: 'query' | 'header';
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

interface Observed {
  key: string;
  type: AgentEventType;
  runId: string;
  threadId: string;
  userId: string;
  firstUs: number;
  index: number;
}

export async function probeServer(options: ProbeOptions): Promise<ProbeReport> {
  const wallStart = performance.now();
  const spec = options.spec;
  const seed = options.seed ?? spec.seeds?.[0] ?? 1;
  const target = new URL(options.url);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new ProbeConnectError(`the probe needs a ws:// or wss:// URL, got "${options.url}"`);
  const adapter = options.adapter ?? {};
  const clock = new RealClock({ timeScale: 1 });
  const trace = new Trace({ keepRecords: false });
  const truth = new GroundTruth();
  const { users, tabs: tabSpecs } = materialise(spec, seed);
  for (const u of users) truth.addOwnership(u.id, u.threads);
  const observed = new Map<string, Observed>();
  const refusedRefs = new Set<string>();
  const refused: Record<string, number> = {};
  const connectErrors: string[] = [];
  const unsupported: string[] = [];
  const sockets = new Map<string, WebSocket>();
  let lastFrameAt = performance.now();
  const tabs = new Map<string, TabClient>();

  const onInbound = (tabId: string, frame: Record<string, unknown>): void => {
    lastFrameAt = performance.now();
    const type = frame['type'];
    if (type === 'error' && typeof frame['ref'] === 'string') refusedRefs.add(frame['ref'] as string);
    if (!isAgentEventType(type)) return;
    const key = frame['eid'] as string;
    if (!observed.has(key)) {
      observed.set(key, {
        key,
        type,
        runId: String(frame['run_id'] ?? '?'),
        threadId: String(frame['thread_id'] ?? '?'),
        userId: String(frame['user_id'] ?? ''),
        firstUs: clock.now(),
        index: observed.size,
      });
    }
    trace.record(clock.now(), 'probe.received', { tab: tabId, eid: key, type });
  };

  for (const t of tabSpecs) {
    truth.addTab(t.id, t.user);
    const tab = new TabClient({
      id: t.id,
      user: t.user,
      token: options.token(t.user),
      clock,
      observer: truth,
      path: target.pathname,
      connect: (client, url, headers) => {
        const conn = client.connectionId ?? `${client.id}#?`;
        const wsUrl = buildUrl(target, url, adapter, options.tokenIn ?? 'query');
        const extra: Record<string, string> = { ...headers, 'x-threadline-conn': conn };
        if ((options.tokenIn ?? 'query') === 'header') extra['authorization'] = `Bearer ${options.token(t.user)}`;
        const ws = new WebSocket(wsUrl, { headers: extra, perMessageDeflate: false });
        ws.on('unexpected-response', (_req, res) => {
          refused[String(res.statusCode)] = (refused[String(res.statusCode)] ?? 0) + 1;
          res.resume();
          ws.terminate();
        });
        ws.on('error', (error: Error) => {
          if (connectErrors.length < 20) connectErrors.push(`${conn}: ${error.message}`);
        });
        sockets.set(client.id, ws);
        return adaptedClient(ws, adapter, (frame) => onInbound(client.id, frame));
      },
      reconnectAfterMs: t.reconnectAfterMs !== undefined ? t.reconnectAfterMs : spec.client?.reconnectAfterMs === undefined ? 500 : spec.client.reconnectAfterMs,
      heartbeatMs: spec.client?.heartbeatMs ?? 0,
    });
    tabs.set(t.id, tab);
  }
  for (const f of spec.faults ?? []) unsupported.push(`${f.kind} at ${f.at} ms: not supported by the probe (put \`threadline proxy\` in front of the server for network faults)`);

  let scriptsRunning = tabSpecs.length;
  for (const t of tabSpecs) {
    const tab = tabs.get(t.id)!;
    clock.setTimer(0, () =>
      runTabScript(t.actions, tab, clock, probeFaults(sockets, unsupported), { defaultWhenTimeoutMs: 30_000 }).finally(() => {
        scriptsRunning--;
      }), `tab:${t.id}:script`);
  }

  const settleMs = options.settleMs ?? 1_500;
  const wallTimeoutMs = options.wallTimeoutMs ?? 120_000;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      if (performance.now() - wallStart > wallTimeoutMs) break;
      // Scripts end by themselves: every `when` wait has a timeout here (default 30 s).
      if (scriptsRunning > 0) continue;
      for (const tab of tabs.values()) tab.quiesce();
      if (allRunsComplete(truth, observed, refusedRefs) && performance.now() - lastFrameAt > 100) break;
      if (performance.now() - lastFrameAt > settleMs) break;
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

  // The oracle's loss explanations read router facts, which a probe does not have: say what it knows.
  for (const v of judged.violations) {
    if (v.invariant !== 'no-loss' || v.messageId === null) continue;
    const head = v.explanation.split('; but ')[0]!;
    v.explanation = observed.has(v.messageId)
      ? `${head}; other tabs received it, this one did not`
      : `${head}; no tab received it (inferred from the run's lifecycle: ${v.messageId.includes('missing-run') ? 'no event of this run arrived at all' : 'its neighbours arrived'})`;
  }

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
  const empty = { count: 0, sum: 0, min: 0, max: 0, buckets: [] as Array<[number, number]> };
  const result: RunResult = {
    scenario: spec.name,
    router: `probe:${target.host}`,
    seed,
    verdict,
    traceHash: trace.hash(),
    traceRecords: trace.size,
    simulatedUs: clock.now(),
    wallMs: Math.round((performance.now() - wallStart) * 100) / 100,
    counts: judgement.counts,
    interactions: judgement.interactions,
    violations: judgement.violations,
    violationCount: judgement.violationTotal,
    violationCounts: judgement.violationCounts,
    latencyUs: judgement.latencyUs.toJSON(),
    monitoring: { counters: {}, dropsByReason: {}, histograms: { connectToBindUs: empty, queueWaitUs: empty, queueDepth: empty, sendLatencyUs: empty } },
    noConnectionWarnings: 0,
    faults: unsupported.map((u) => ({ kind: 'unsupported', startUs: 0, endUs: 0, label: u })),
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

/** Every message sent on an owned thread (and not refused) has a run whose agent_completed was seen. */
function allRunsComplete(truth: GroundTruth, observed: Map<string, Observed>, refusedRefs: Set<string>): boolean {
  const expected = new Map<string, number>();
  for (const s of truth.sends.values()) {
    if (refusedRefs.has(s.messageId)) continue;
    const user = truth.tabs.get(s.tab)?.user;
    if (user === undefined || !truth.ownership.has(`${user}\u0000${s.thread}`)) continue;
    expected.set(s.thread, (expected.get(s.thread) ?? 0) + 1);
  }
  const completed = new Map<string, number>();
  for (const o of observed.values()) if (o.type === 'agent_completed') completed.set(o.threadId, (completed.get(o.threadId) ?? 0) + 1);
  for (const [thread, n] of expected) if ((completed.get(thread) ?? 0) < n) return false;
  return true;
}

const LIFECYCLE_RANK: Record<AgentEventType, number> = { agent_started: 0, agent_thinking: 1, tool_executing: 2, tool_completed: 3, agent_completed: 4 };

function inferProduced(truth: GroundTruth, observed: Map<string, Observed>, refusedRefs: Set<string>) {
  // Runs seen, with their events in lifecycle order.
  const runs = new Map<string, Observed[]>();
  for (const o of observed.values()) {
    const list = runs.get(o.runId) ?? [];
    list.push(o);
    runs.set(o.runId, list);
  }
  for (const list of runs.values()) list.sort((a, b) => a.firstUs - b.firstUs || LIFECYCLE_RANK[a.type] - LIFECYCLE_RANK[b.type]);
  // Messages per thread, in send order (owned, not refused).
  const messagesByThread = new Map<string, Array<{ id: string; atUs: number; user: string }>>();
  let messagesSent = 0;
  let messagesRefused = 0;
  for (const s of [...truth.sends.values()].sort((a, b) => a.atUs - b.atUs)) {
    messagesSent++;
    if (refusedRefs.has(s.messageId)) {
      messagesRefused++;
      continue;
    }
    const user = truth.tabs.get(s.tab)!.user;
    if (!truth.ownership.has(`${user}\u0000${s.thread}`)) continue;
    const list = messagesByThread.get(s.thread) ?? [];
    list.push({ id: s.messageId, atUs: s.atUs, user });
    messagesByThread.set(s.thread, list);
  }
  // Match runs to messages by thread, in order of first sight.
  const runsByThread = new Map<string, string[]>();
  for (const [runId, list] of [...runs.entries()].sort((a, b) => a[1][0]!.firstUs - b[1][0]!.firstUs)) {
    const thread = list[0]!.threadId;
    const l = runsByThread.get(thread) ?? [];
    l.push(runId);
    runsByThread.set(thread, l);
  }
  const runOfMessage = new Map<string, string>();
  const messageOfRun = new Map<string, { id: string; atUs: number; user: string }>();
  let runsMissing = 0;
  let unmatchedRuns = 0;
  let runsExpected = 0;
  const missingRuns: Array<{ message: { id: string; atUs: number; user: string }; thread: string }> = [];
  for (const [thread, messages] of messagesByThread) {
    const seen = runsByThread.get(thread) ?? [];
    runsExpected += messages.length;
    messages.forEach((m, i) => {
      const runId = seen[i];
      if (runId === undefined) {
        runsMissing++;
        missingRuns.push({ message: m, thread });
      } else {
        runOfMessage.set(m.id, runId);
        messageOfRun.set(runId, m);
      }
    });
  }
  for (const [thread, seen] of runsByThread) unmatchedRuns += Math.max(0, seen.length - (messagesByThread.get(thread)?.length ?? 0));

  // The produced set: observed events plus what the lifecycle says is missing.
  type P = { eid: string; type: AgentEventType; runId: string; threadId: string; userId: string; atUs: number; rank: number; index: number };
  const produced: P[] = [];
  let eventsInferred = 0;
  for (const [runId, list] of runs) {
    const thread = list[0]!.threadId;
    const user = messageOfRun.get(runId)?.user ?? list[0]!.userId;
    const count = (t: AgentEventType): number => list.filter((o) => o.type === t).length;
    const firstOf = (t: AgentEventType): Observed | undefined => list.find((o) => o.type === t);
    const all: P[] = list.map((o, i) => ({ eid: o.key, type: o.type, runId, threadId: thread, userId: user, atUs: o.firstUs, rank: LIFECYCLE_RANK[o.type] * 1_000 + i, index: 0 }));
    const add = (type: AgentEventType, n: number, near: number): void => {
      for (let i = 0; i < n; i++) {
        eventsInferred++;
        all.push({ eid: `${runId}#inferred-${type}-${i + 1}`, type, runId, threadId: thread, userId: user, atUs: near, rank: LIFECYCLE_RANK[type] * 1_000 - 1, index: 0 });
      }
    };
    const earliest = list[0]!.firstUs;
    const latest = list[list.length - 1]!.firstUs;
    if (!firstOf('agent_started')) add('agent_started', 1, earliest);
    if (!firstOf('agent_thinking')) add('agent_thinking', 1, firstOf('tool_executing')?.firstUs ?? firstOf('agent_completed')?.firstUs ?? earliest);
    const pairs = Math.max(count('tool_executing'), count('tool_completed'));
    add('tool_executing', pairs - count('tool_executing'), firstOf('tool_completed')?.firstUs ?? latest);
    add('tool_completed', pairs - count('tool_completed'), firstOf('agent_completed')?.firstUs ?? latest);
    if (!firstOf('agent_completed')) add('agent_completed', 1, latest);
    all.sort((a, b) => a.atUs - b.atUs || a.rank - b.rank);
    all.forEach((p, i) => (p.index = i));
    produced.push(...all);
  }
  for (const { message, thread } of missingRuns) {
    const runId = `missing-run-of-${message.id}`;
    runOfMessage.set(message.id, runId);
    (['agent_started', 'agent_thinking', 'agent_completed'] as const).forEach((type, i) => {
      eventsInferred++;
      produced.push({ eid: `${runId}#${type}`, type, runId, threadId: thread, userId: message.user, atUs: message.atUs + 1 + i, rank: i, index: i });
    });
  }
  produced.sort((a, b) => a.atUs - b.atUs || a.rank - b.rank);
  const messageOfRunId = new Map([...runOfMessage.entries()].map(([m, r]) => [r, m]));
  for (const p of produced) {
    const message = messageOfRunId.get(p.runId) ?? '';
    truth.producedEvent({ eid: p.eid, index: p.index, type: p.type, runId: p.runId, request: { userId: p.userId, threadId: p.threadId, messageId: message }, producedAtUs: p.atUs });
  }
  return { messagesSent, messagesRefused, runsExpected, runsSeen: runs.size, runsMissing, eventsInferred, unmatchedRuns, runOfMessage };
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

/** The server URL for a TabClient path+query, with the adapter's parameter names and the token placement. */
function buildUrl(target: URL, pathAndQuery: string, adapter: ProtocolAdapter, tokenIn: 'query' | 'header'): string {
  const q = pathAndQuery.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? pathAndQuery.slice(q + 1) : '');
  const out = new URL(target.href);
  for (const [k, v] of params) {
    if (k === 'token') {
      if (tokenIn === 'query') out.searchParams.set(adapter.tokenParam ?? 'token', v);
    } else if (k === 'thread_id') {
      out.searchParams.set(adapter.threadParam ?? 'thread_id', v);
    } else {
      out.searchParams.set(k, v);
    }
  }
  return out.href;
}

/**
 * The TabClient's socket on a foreign server: outbound frames renamed to the server's names,
 * inbound frames renamed back and given an identity (`eid`) the oracle can recognise.
 */
function adaptedClient(ws: WebSocket, adapter: ProtocolAdapter, onFrame: (frame: Record<string, unknown>) => void): ClientSocketLike {
  const typeOut = adapter.types ?? {};
  const typeIn = invert(typeOut);
  const fieldOut = adapter.fields ?? {};
  const fieldIn = invert(fieldOut);
  const occurrences = new Map<string, number>();
  const rename = (o: Record<string, unknown>, names: Record<string, string>, types: Record<string, string>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[names[k] ?? k] = v;
    const typeKey = names['type'] ?? 'type';
    if (typeof out[typeKey] === 'string' && types[out[typeKey] as string] !== undefined) out[typeKey] = types[out[typeKey] as string];
    return out;
  };
  return {
    get readyState() {
      return ws.readyState;
    },
    send(data: string, callback?: (error?: Error) => void): void {
      let text = data;
      if (adapter.types || adapter.fields) {
        try {
          text = JSON.stringify(rename(JSON.parse(data) as Record<string, unknown>, fieldOut, typeOut));
        } catch {
          /* raw text (bad-input tests) goes as it is */
        }
      }
      ws.send(text, callback);
    },
    close: (code?: number, reason?: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    on: ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'message') return ws.on(event as 'open', listener as () => void);
      return ws.on('message', (data: Buffer) => {
        let frame: Record<string, unknown>;
        try {
          const v = JSON.parse(data.toString('utf8')) as unknown;
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
          frame = adapter.types || adapter.fields ? rename(v as Record<string, unknown>, fieldIn, typeIn) : (v as Record<string, unknown>);
        } catch {
          return;
        }
        if (isAgentEventType(frame['type']) && typeof frame['eid'] !== 'string') {
          const run = String(frame['run_id'] ?? '?');
          if (typeof frame['msg_id'] === 'string') frame['eid'] = frame['msg_id'];
          else if (typeof frame['seq'] === 'number') frame['eid'] = `${run}|${String(frame['type'])}|seq${frame['seq']}`;
          else if (frame['ts'] !== undefined) frame['eid'] = `${run}|${String(frame['type'])}|ts${String(frame['ts'])}`;
          else {
            const k = `${run}|${String(frame['type'])}`;
            const n = (occurrences.get(k) ?? 0) + 1;
            occurrences.set(k, n);
            frame['eid'] = `${k}|${n}`;
          }
        }
        if (isAgentEventType(frame['type']) && typeof frame['thread_id'] !== 'string') frame['thread_id'] = '?';
        onFrame(frame);
        listener(JSON.stringify(frame));
      });
    }) as ClientSocketLike['on'],
  };
}

function invert(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[v] = k;
  return out;
}

/** Validate an adapter document. */
export function validateAdapter(value: unknown, source: string): ProtocolAdapter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: the adapter must be a JSON object with "types" and/or "fields" maps`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['types', 'fields', 'tokenParam', 'threadParam'].includes(k)) throw new Error(`${source}: unknown field "${k}" (allowed: types, fields, tokenParam, threadParam)`);
  for (const k of ['types', 'fields']) {
    const m = o[k];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m) || !Object.values(m).every((v) => typeof v === 'string' && v.length > 0)) {
      throw new Error(`${source}: "${k}" must map threadline names to the server's names (strings)`);
    }
  }
  const known = new Set<string>([...AGENT_EVENT_TYPES, 'user_message', 'switch_thread', 'resume', 'ack', 'ping', 'pong', 'error', 'connection_ready', 'thread_context', 'gap']);
  for (const t of Object.keys((o['types'] as Record<string, string> | undefined) ?? {})) if (!known.has(t)) throw new Error(`${source}: types: "${t}" is not a threadline frame type (${[...known].join(', ')})`);
  return o as ProtocolAdapter;
}
