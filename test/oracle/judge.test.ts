import { describe, expect, it } from 'vitest';
import { GroundTruth } from '../../src/oracle/recorder.ts';
import { judge } from '../../src/oracle/judge.ts';
import type { EventFact } from '../../src/ports/codec.ts';
import type { AgentEventType } from '../../src/protocol/threadline.ts';
import { threadlineCodec } from '../../src/world/codecs/threadline.ts';

// Hand-built traces with known losses, duplicates, leaks and reorderings: the oracle must
// report exactly those, no more and no fewer. It is the judge, so it is tested on its own.

function world() {
  const t = new GroundTruth();
  t.addOwnership('u1', ['A', 'B']);
  t.addOwnership('u2', ['C']);
  t.addTab('k1', 'u1');
  t.addTab('k2', 'u2');
  t.connecting('k1', 'k1#1', 'A', 0);
  t.declared('k1', 'A', 'connect', 0);
  t.opened('k1', 'k1#1', 1_000);
  t.serverConnection('k1', 'k1#1', 'c1');
  t.connecting('k2', 'k2#1', 'C', 0);
  t.declared('k2', 'C', 'connect', 0);
  t.opened('k2', 'k2#1', 1_000);
  t.sent('k1', 'k1#1', 'k1-m1', 'A', 2_000);
  return t;
}

const TYPES: AgentEventType[] = ['agent_started', 'agent_thinking', 'agent_completed'];

function produce(t: GroundTruth, run: string, atUs: number[], user = 'u1', thread = 'A', messageId = 'k1-m1'): EventFact[] {
  return atUs.map((at, i) => {
    t.producedEvent({ eid: `${run}#${i}`, index: i, type: TYPES[i]!, producedAtUs: at, runId: run, request: { userId: user, threadId: thread, messageId } });
    return { kind: 'event', type: TYPES[i]!, user, thread, runId: run, eid: `${run}#${i}`, seq: null, msgId: null };
  });
}

const opts = { resumeWindowUs: 0, deadlineUs: 30_000_000 };

describe('oracle', () => {
  it('passes a clean run and counts the interaction as a success', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    ev.forEach((e, i) => t.received('k1', 'k1#1', e, true, 6_000 + i));
    const j = judge(t, opts);
    expect(j.verdict).toBe('pass');
    expect(j.counts).toMatchObject({ produced: 3, owed: 3, delivered: 3, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0 });
    expect(j.interactions).toEqual({ total: 1, succeeded: 1, abandoned: 0 });
    expect(j.latencyUs.count).toBe(3);
  });

  it('reports exactly the lost event, with a causal explanation', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.routerFact(3_000, 'router.route', { eid: 'run-1#0', thread: 'A', to: [], missed: true });
    t.routerFact(3_500, 'router.bind', { conn: 'c1', thread: 'A', via: 'message' });
    t.received('k1', 'k1#1', ev[1]!, true, 6_000);
    t.received('k1', 'k1#1', ev[2]!, true, 7_000);
    const j = judge(t, opts);
    expect(j.verdict).toBe('fail');
    expect(j.counts.lost).toBe(1);
    expect(j.violations).toHaveLength(1);
    const v = j.violations[0]!;
    expect(v).toMatchObject({ invariant: 'no-loss', messageId: 'run-1#0', connectionId: 'k1#1' });
    expect(v.explanation).toContain('agent_started of run-1 (thread A) produced at 3 ms');
    expect(v.explanation).toContain('No connections found for thread A');
    expect(v.explanation).toContain('bound c1 to A only at 3.5 ms');
    expect(j.interactions.succeeded).toBe(0);
  });

  it('reports duplicates handed to the application, not ones the client suppressed', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    ev.forEach((e, i) => t.received('k1', 'k1#1', e, true, 6_000 + i));
    t.received('k1', 'k1#1', ev[1]!, true, 9_000);
    t.received('k1', 'k1#1', ev[2]!, false, 9_500); // deduplicated by msg_id: not a duplicate...
    const j = judge(t, opts);
    expect(j.counts.duplicated).toBe(1);
    // ...but judged on the wire it is a redundant copy on the very socket that had it already.
    expect(j.violations.map((v) => v.invariant)).toEqual(['no-duplicates', 'no-redundant-redelivery']);
    expect(j.counts).toMatchObject({ redeliveries: 2, redundantRedeliveries: 2 });
  });

  it('reports a leak to another user, whatever the payload says', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000], 'u2');
    ev.forEach((e, i) => t.received('k1', 'k1#1', e, true, 6_000 + i));
    t.received('k2', 'k2#1', ev[0]!, true, 6_500);
    const j = judge(t, opts);
    expect(j.counts.leaked).toBe(1);
    const leak = j.violations.find((v) => v.invariant === 'no-leakage')!;
    expect(leak.connectionId).toBe('k2#1');
    expect(leak.explanation).toContain('belongs to user u1');
    expect(leak.explanation).toContain('payload');
  });

  it('reports reordering per connection and thread', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 6_000);
    t.received('k1', 'k1#1', ev[2]!, true, 7_000);
    t.received('k1', 'k1#1', ev[1]!, true, 8_000);
    const j = judge(t, opts);
    expect(j.counts.outOfOrder).toBe(1);
    expect(j.violations.map((v) => [v.invariant, v.messageId])).toEqual([['order', 'run-1#1']]);
  });

  it('reports late deliveries past the deadline', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    ev.forEach((e, i) => t.received('k1', 'k1#1', e, true, i === 2 ? 40_000_000 : 6_000 + i));
    const j = judge(t, opts);
    expect(j.counts.late).toBe(1);
    expect(j.violations[0]!.invariant).toBe('timeliness');
  });

  it('an event announced by a gap notice is an explicit drop, not a loss', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 6_000);
    t.gap('k1', 'k1#1', { kind: 'gap', thread: 'A', fromSeq: 2, toSeq: 3, reason: 'resume_window', eids: ['run-1#1', 'run-1#2'] }, 7_000);
    const j = judge(t, opts);
    expect(j.counts).toMatchObject({ lost: 0, droppedExplicit: 2 });
    expect(j.verdict).toBe('pass');
  });

  it('an empty run is unknown, never a pass', () => {
    const t = world();
    expect(judge(t, opts).verdict).toBe('unknown');
  });

  it('a tab on another thread is not owed the event; the run origin is, even after switching', () => {
    const t = world();
    t.addTab('k3', 'u1');
    t.connecting('k3', 'k3#1', 'B', 0);
    t.declared('k3', 'B', 'connect', 0);
    t.opened('k3', 'k3#1', 1_000);
    t.declared('k1', 'B', 'switch', 3_500); // the origin switches away mid-run
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    const j1 = judge(t, opts);
    expect(j1.counts.owed).toBe(3); // k1 only, as the run's origin
    ev.forEach((e, i) => t.received('k1', 'k1#1', e, true, 6_000 + i));
    expect(judge(t, opts).verdict).toBe('pass');
  });

  it('honest monitoring: the router claiming more deliveries than the wire carried is a violation', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    ev.forEach((e, i) => {
      t.wireWrite('u1', e.eid!);
      t.received('k1', 'k1#1', e, true, 6_000 + i);
    });
    expect(judge(t, { ...opts, reported: { delivered: 3 } }).verdict).toBe('pass');
    const j = judge(t, { ...opts, reported: { delivered: 5 } });
    expect(j.violations.map((v) => v.invariant)).toEqual(['honest-monitoring']);
    expect(j.violations[0]!.explanation).toContain('reports 5 events delivered, but only 3');
  });

  it('honest monitoring: routing misses against the routing log, unreached events against the wire', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    // The first event found no bound connection; run-scoped delivery still wrote it. The third
    // was written nowhere.
    t.routerFact(3_000, 'router.route', { eid: 'run-1#0', thread: 'A', to: ['c1'], missed: true });
    t.wireWrite('u1', ev[0]!.eid!);
    t.wireWrite('u1', ev[1]!.eid!);
    t.received('k1', 'k1#1', ev[0]!, true, 6_000);
    t.received('k1', 'k1#1', ev[1]!, true, 6_001);
    const honest = judge(t, { ...opts, reported: { delivered: 2, routingMisses: 1, unreached: 1 } });
    expect(honest.violations.filter((v) => v.invariant === 'honest-monitoring')).toEqual([]);
    const masked = judge(t, { ...opts, reported: { delivered: 2, routingMisses: 0, unreached: 0 } });
    const honesty = masked.violations.filter((v) => v.invariant === 'honest-monitoring').map((v) => v.explanation);
    expect(honesty).toHaveLength(2);
    expect(honesty[0]).toContain('reports 0 events that reached no connection, but 1 of 3 produced events were written to no connection at all');
    expect(honesty[1]).toContain('counts 0 routing misses, but its own routing log shows 1');
    expect(masked.violationCounts['honest-monitoring']).toBe(2);
  });

  it('with resume, a tab that reconnects inside the window is owed what it missed', () => {
    const t = world();
    t.closed('k1', 'k1#1', 1006, 'remote', 3_500);
    t.connecting('k1', 'k1#2', 'A', 4_000);
    t.opened('k1', 'k1#2', 4_500);
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_100);
    const resume = { resumeWindowUs: 120_000_000, deadlineUs: 30_000_000 };
    expect(judge(t, resume).counts).toMatchObject({ owed: 3, lost: 2 });
    expect(judge(t, opts).counts).toMatchObject({ owed: 2, lost: 1 }); // without resume only what was open
    t.received('k1', 'k1#2', ev[1]!, true, 4_600);
    t.received('k1', 'k1#2', ev[2]!, true, 5_100);
    expect(judge(t, resume).verdict).toBe('pass');
  });

  it('with resume, order is judged per tab across its connections; within a run always', () => {
    const t = world();
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[2]!, true, 6_000);
    t.closed('k1', 'k1#1', 1006, 'remote', 6_500);
    t.connecting('k1', 'k1#2', 'A', 7_000);
    t.opened('k1', 'k1#2', 7_500);
    t.received('k1', 'k1#2', ev[0]!, true, 8_000);
    t.received('k1', 'k1#2', ev[1]!, true, 8_100);
    const resume = { resumeWindowUs: 120_000_000, deadlineUs: 30_000_000 };
    const j = judge(t, resume);
    expect(j.counts.outOfOrder).toBe(2);
    expect(j.violations.every((v) => v.invariant === 'order' && v.explanation.includes('per tab'))).toBe(true);
    // Without resume, each connection is its own stream: the new connection's order is its own.
    expect(judge(t, opts).counts.outOfOrder).toBe(0);
  });

  it('history the tab was not owed may arrive after newer events of another run, but never out of its own run\'s order', () => {
    const t = world();
    const mine = produce(t, 'run-1', [3_000, 5_000, 7_000]);
    t.addTab('k9', 'u1');
    t.sent('k9', 'k9#1', 'k9-m1', 'A', 2_500);
    const other = ['agent_started', 'agent_thinking', 'agent_completed'].map((type, i) => {
      t.producedEvent({ eid: `run-2#${i}`, index: i, type: type as never, producedAtUs: 4_000 + i * 2_000, runId: 'run-2', request: { userId: 'u1', threadId: 'A', messageId: 'k9-m1' } });
      return { kind: 'event' as const, type: type as never, user: 'u1', thread: 'A', runId: 'run-2', eid: `run-2#${i}`, seq: null, msgId: null };
    });
    t.declared('k1', 'B', 'switch', 3_500); // k1 is not owed run-2: it left A before run-2 began
    mine.forEach((e, i) => t.received('k1', 'k1#1', e, true, 8_000 + i));
    other.forEach((e, i) => t.received('k1', 'k1#1', e, true, 9_000 + i)); // history, after newer run-1 events
    expect(judge(t, opts).counts.outOfOrder).toBe(0);
    // The same history out of its own run's order is a violation, owed or not.
    t.addTab('k3', 'u1');
    t.connecting('k3', 'k3#1', 'B', 0);
    t.declared('k3', 'B', 'connect', 0);
    t.opened('k3', 'k3#1', 1_000);
    t.received('k3', 'k3#1', other[2]!, true, 9_000);
    t.received('k3', 'k3#1', other[0]!, true, 9_100);
    const j = judge(t, opts);
    expect(j.counts.outOfOrder).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'order')!).toMatchObject({ messageId: 'run-2#0', connectionId: 'k3#1' });
  });

  it('counts every violation per invariant; only the explanations are capped', () => {
    const t = world();
    // 300 runs of three events, none delivered: 900 losses, 2 of them listed in detail.
    for (let r = 0; r < 300; r++) produce(t, `run-${r}`, [3_000 + r * 10, 4_000 + r * 10, 5_000 + r * 10]);
    const j = judge(t, { ...opts, maxViolations: 2 });
    expect(j.verdict).toBe('fail');
    if (j.verdict !== 'fail') return;
    expect(j.counts.lost).toBe(900);
    expect(j.violationCounts).toEqual({ 'no-loss': 900 });
    expect(j.violationTotal).toBe(900);
    expect(j.violations).toHaveLength(2);
    expect(j.violationsOmitted).toBe(898);
    expect(j.failed).toEqual(['no-loss']);
    expect(j.notes.join(' ')).toContain('900 violations; the first 2 are listed');
  });

  it('a judgement is discriminated by its verdict: unknown says why nothing was judged', () => {
    const t = new GroundTruth();
    t.addOwnership('u1', ['A']);
    t.addTab('k1', 'u1');
    const j = judge(t, opts);
    expect(j.verdict).toBe('unknown');
    if (j.verdict !== 'unknown') return;
    expect(j.reason).toMatch(/nothing was owed/);
    expect(j.violationTotal).toBe(0);
  });
});

describe('a resume window the server declares on the wire (connection_ready resume_window_ms)', () => {
  // k1#1 carries run-1#0; run-1#1 is written into it but the link drops at 4.5 ms; k1#2 comes
  // back at 600 ms and gets the missed event there (a resume's replay).
  function dropAndReplay(declaredMs: number | null): GroundTruth {
    const t = world();
    t.capabilities('k1', 'k1#1', { acks: false, resumeWindowMs: declaredMs });
    const ev = produce(t, 'run-1', [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_500);
    t.closed('k1', 'k1#1', 1006, 'remote', 4_500);
    t.connecting('k1', 'k1#2', 'A', 500_000);
    t.opened('k1', 'k1#2', 501_000);
    t.capabilities('k1', 'k1#2', { acks: false, resumeWindowMs: declaredMs });
    t.received('k1', 'k1#2', ev[1]!, true, 502_000);
    t.received('k1', 'k1#2', ev[2]!, true, 502_001);
    return t;
  }

  it('without one, an event in flight on a dropped connection is lost there, whatever a later connection brings', () => {
    const j = judge(dropAndReplay(null), opts);
    expect(j.counts.lost).toBe(1);
    expect(j.violations[0]).toMatchObject({ invariant: 'no-loss', messageId: 'run-1#1', connectionId: 'k1#1' });
  });

  it('with one, the server is judged by its promise: the later connection delivered it, and what was produced while the tab was away is owed', () => {
    const j = judge(dropAndReplay(120_000), opts);
    expect(j.verdict).toBe('pass');
    expect(j.counts).toMatchObject({ owed: 3, delivered: 3, lost: 0 });
  });

  it('holds the server to it: an event produced while the tab was away and never replayed is lost', () => {
    const t = world();
    t.capabilities('k1', 'k1#1', { acks: false, resumeWindowMs: 120_000 });
    const ev = produce(t, 'run-1', [3_000, 100_000, 110_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_500);
    t.closed('k1', 'k1#1', 1006, 'remote', 4_500);
    t.connecting('k1', 'k1#2', 'A', 500_000);
    t.opened('k1', 'k1#2', 501_000);
    t.received('k1', 'k1#2', ev[2]!, true, 502_000);
    const j = judge(t, opts);
    expect(j.counts.lost).toBe(1);
    expect(j.violations[0]).toMatchObject({ invariant: 'no-loss', messageId: 'run-1#1' });
    // The same without the promise: nothing was open at 100 ms, so nothing was owed then.
    const u = world();
    const ev2 = produce(u, 'run-1', [3_000, 100_000, 110_000]);
    u.received('k1', 'k1#1', ev2[0]!, true, 3_500);
    u.closed('k1', 'k1#1', 1006, 'remote', 4_500);
    expect(judge(u, opts).counts).toMatchObject({ owed: 1, lost: 0 });
  });

  it('ignores a window that is no positive number (no promise made)', () => {
    const ready = (w: unknown) => threadlineCodec.decode(JSON.stringify({ type: 'connection_ready', connection_id: 'c1', resume_window_ms: w }));
    expect(ready(120_000)).toMatchObject({ kind: 'ready', resumeWindowMs: 120_000 });
    for (const garbage of ['2m', -5, 0, null, {}]) expect(ready(garbage)).toMatchObject({ kind: 'ready', resumeWindowMs: null });
    const t = dropAndReplay(null);
    expect(t.declaredResumeWindowMs).toBe(0);
    expect(judge(t, opts).counts.lost).toBe(1);
  });
});

describe('an event produced in the very µs a connection opened', () => {
  function tie(eventFirst: boolean): GroundTruth {
    const t = new GroundTruth();
    t.addOwnership('u1', ['A']);
    t.addTab('k1', 'u1');
    t.connecting('k1', 'k1#1', 'A', 0);
    t.declared('k1', 'A', 'connect', 0);
    const emit = (): void => void produce(t, 'run-1', [5_000], 'u1', 'A', 'k0-m1');
    if (eventFirst) emit();
    t.opened('k1', 'k1#1', 5_000);
    if (!eventFirst) emit();
    return t;
  }

  it('is not owed there when it came first: the server could not have known the connection yet', () => {
    const j = judge(tie(true), opts);
    expect(j.counts).toMatchObject({ owed: 0, lost: 0 });
  });

  it('is owed when the connection opened first, as at any later instant', () => {
    const j = judge(tie(false), opts);
    expect(j.counts).toMatchObject({ owed: 1, lost: 1 });
  });
});

describe('router facts kept on their events', () => {
  // One route fact per event cost more than the event's record; a route that found its
  // connections is kept on the record and given back in its place by allRouterFacts().
  it('keeps a found route on its event and gives every fact back in the run\'s order', () => {
    const t = world();
    produce(t, 'run-1', [3_000, 4_000]);
    t.routerFact(3_000, 'router.route', { eid: 'run-1#0', thread: 'A', to: ['c1'], missed: false });
    t.routerFact(3_500, 'router.bind', { conn: 'c1', thread: 'A', via: 'message' });
    t.routerFact(4_000, 'router.route', { eid: 'run-1#1', thread: 'A', to: [], missed: true });
    t.routerFact(4_000, 'router.route', { eid: 'run-1#0', thread: 'A', to: ['c1', 'c2'], missed: false }); // a second route of #0
    t.routerFact(4_100, 'router.route', { eid: 'run-9#0', thread: 'A', to: ['c1'], missed: false }); // not produced (yet)
    t.routerFact(4_200, 'router.route', { eid: 'run-1#1', thread: 'B', to: ['c1'], missed: false }); // names another thread
    expect(t.compactRoutes).toBe(1);
    expect(t.produced.get('run-1#0')).toMatchObject({ routedAtUs: 3_000, routedTo: 'c1' });
    expect(t.routerFacts.map((f) => f.atUs)).toEqual([3_500, 4_000, 4_000, 4_100, 4_200]);
    expect(t.hasRouterFacts).toBe(true);
    const all = t.allRouterFacts();
    expect(all.map((f) => `${f.kind}@${f.atUs}`)).toEqual(['router.route@3000', 'router.bind@3500', 'router.route@4000', 'router.route@4000', 'router.route@4100', 'router.route@4200']);
    expect(all[0]).toEqual({ atUs: 3_000, kind: 'router.route', fields: { eid: 'run-1#0', thread: 'A', to: ['c1'], missed: false }, seq: 0 });
    expect(all.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('explains a loss in flight from a route kept on the event', () => {
    const t = world();
    produce(t, 'run-1', [3_000, 4_000, 5_000]).slice(1).forEach((e, i) => t.received('k1', 'k1#1', e, true, 6_000 + i));
    t.routerFact(3_000, 'router.route', { eid: 'run-1#0', thread: 'A', to: ['c1'], missed: false });
    expect(t.routerFacts).toHaveLength(0);
    const j = judge(t, opts);
    expect(j.counts.lost).toBe(1);
    expect(j.violations[0]!.explanation).toContain('the server wrote it to c1 at 3 ms, but it never arrived (lost in flight)');
  });
});

