/**
 * What a probe infers about a live server it cannot see into: the produced set (the events the
 * tabs received plus those the run lifecycle says must exist), and which user message started
 * which run (matched per thread, in order). src/run/probe.ts says what this can and cannot know.
 */
import type { AgentEventType } from '../ports/server.ts';
import type { GroundTruth } from '../oracle/recorder.ts';
import type { Violation } from '../oracle/invariants.ts';
import type { ServerFact } from '../ports/codec.ts';

/** An agent event the probe's tabs received: its identity, and when it was first seen. */
export interface Observed {
  key: string;
  type: AgentEventType;
  runId: string;
  threadId: string;
  userId: string;
  firstUs: number;
  index: number;
}

/**
 * What the tabs received, as the inference needs it: each agent event under the identity the
 * oracle gives its delivery (recorder.ts identify: the event id, else the k-th (run, type) on the
 * connection), with when it was first seen; and the requests a server refused by an error frame.
 */
export class FrameObservations {
  readonly observed = new Map<string, Observed>();
  readonly refusedRefs = new Set<string>();

  /** A recorder for one connection's decoded frames; returns an event's key, null for anything else. */
  connection(): (fact: ServerFact | null, atUs: number) => string | null {
    const occurrences = new Map<string, number>();
    return (fact, atUs) => {
      if (fact === null) return null;
      if (fact.kind === 'error' && fact.ref !== null) this.refusedRefs.add(fact.ref);
      if (fact.kind !== 'event') return null;
      let key = fact.eid;
      if (key === null) {
        const k = `${fact.runId}\u0000${fact.type}`;
        const n = (occurrences.get(k) ?? 0) + 1;
        occurrences.set(k, n);
        key = `${fact.runId}|${fact.type}|${n}`;
      }
      if (!this.observed.has(key)) this.observed.set(key, { key, type: fact.type, runId: fact.runId, threadId: fact.thread, userId: fact.user ?? '', firstUs: atUs, index: this.observed.size });
      return key;
    };
  }
}

/** Every message sent on an owned thread (and not refused) has a run whose agent_completed was seen. */
export function allRunsComplete(truth: GroundTruth, observed: Map<string, Observed>, refusedRefs: Set<string>): boolean {
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

export function inferProduced(truth: GroundTruth, observed: Map<string, Observed>, refusedRefs: Set<string>) {
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
  // `seen`: when a tab first saw it, in observation order (an inferred event takes its neighbour's).
  type P = { eid: string; type: AgentEventType; runId: string; threadId: string; userId: string; atUs: number; rank: number; index: number; seen: number };
  const produced: P[] = [];
  let eventsInferred = 0;
  for (const [runId, list] of runs) {
    const thread = list[0]!.threadId;
    const user = messageOfRun.get(runId)?.user ?? list[0]!.userId;
    const count = (t: AgentEventType): number => list.filter((o) => o.type === t).length;
    const firstOf = (t: AgentEventType): Observed | undefined => list.find((o) => o.type === t);
    const all: P[] = list.map((o, i) => ({ eid: o.key, type: o.type, runId, threadId: thread, userId: user, atUs: o.firstUs, rank: LIFECYCLE_RANK[o.type] * 1_000 + i, index: 0, seen: o.index }));
    const add = (type: AgentEventType, n: number, near: number): void => {
      const neighbour = list.find((o) => o.firstUs >= near) ?? list[list.length - 1]!;
      for (let i = 0; i < n; i++) {
        eventsInferred++;
        all.push({ eid: `${runId}#inferred-${type}-${i + 1}`, type, runId, threadId: thread, userId: user, atUs: near, rank: LIFECYCLE_RANK[type] * 1_000 - 1, index: 0, seen: neighbour.index - 0.5 });
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
      produced.push({ eid: `${runId}#${type}`, type, runId, threadId: thread, userId: message.user, atUs: message.atUs + 1 + i, rank: i, index: i, seen: -1 });
    });
  }
  // Within a run, the lifecycle orders events at one instant; across runs, the order they were
  // seen in (two runs' events at one instant were produced in the order they went out).
  produced.sort((a, b) => a.atUs - b.atUs || (a.runId === b.runId ? a.rank - b.rank : a.seen - b.seen));
  const messageOfRunId = new Map([...runOfMessage.entries()].map(([m, r]) => [r, m]));
  for (const p of produced) {
    const message = messageOfRunId.get(p.runId) ?? '';
    truth.producedEvent({ eid: p.eid, index: p.index, type: p.type, runId: p.runId, request: { userId: p.userId, threadId: p.threadId, messageId: message }, producedAtUs: p.atUs });
  }
  return { messagesSent, messagesRefused, runsExpected, runsSeen: runs.size, runsMissing, eventsInferred, unmatchedRuns, runOfMessage };
}

/**
 * The oracle's loss explanations read the server's routing facts, which an inferred run does not
 * have: say what is known instead (another tab had it; or no tab did, and why it is owed).
 */
export function explainInferredLosses(violations: Violation[], observed: ReadonlyMap<string, Observed>): void {
  for (const v of violations) {
    if (v.invariant !== 'no-loss' || v.messageId === null) continue;
    const head = v.explanation.split('; but ')[0]!;
    v.explanation = observed.has(v.messageId)
      ? `${head}; other tabs received it, this one did not`
      : `${head}; no tab received it (inferred from the run's lifecycle: ${v.messageId.includes('missing-run') ? 'no event of this run arrived at all' : 'its neighbours arrived'})`;
  }
}
