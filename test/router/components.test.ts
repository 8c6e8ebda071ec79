import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { ReadinessGate } from '../../src/sut/router/readiness.ts';
import { PendingMessageQueue } from '../../src/sut/router/pending-queue.ts';
import { StreamLog } from '../../src/sut/router/stream-log.ts';
import { AcceptedMessages, MAX_DEDUP_ENTRIES } from '../../src/sut/router/message-dedup.ts';
import { MODE_PRESETS, parseRouterSpec, RouterSpecError } from '../../src/sut/router/flags.ts';
import { parseClientFrame } from '../../src/protocol/threadline.ts';
import { Histogram } from '../../src/stats/histogram.ts';
import type { AgentEventFrame } from '../../src/protocol/threadline.ts';

describe('ReadinessGate: awaitThreadContext(connectionId, timeoutMs)', () => {
  it('resolves true as soon as the connection is bound, before the deadline', async () => {
    const s = new Scheduler({ seed: 1 });
    const gate = new ReadinessGate(s);
    let result: { ready: boolean; atUs: number } | null = null;
    s.at(0, () => void gate.awaitThreadContext('c1', 5).then((ready) => (result = { ready, atUs: s.now() })));
    s.at(3_000, () => gate.markReady('c1'));
    await s.runUntilIdle();
    expect(result).toEqual({ ready: true, atUs: 3_000 });
  });

  it('resolves false exactly at the deadline when never bound', async () => {
    const s = new Scheduler({ seed: 1 });
    const gate = new ReadinessGate(s);
    let result: { ready: boolean; atUs: number } | null = null;
    s.at(1_000, () => void gate.awaitThreadContext('c1').then((ready) => (result = { ready, atUs: s.now() })));
    await s.runUntilIdle();
    expect(result).toEqual({ ready: false, atUs: 1_000 + 5_000_000 });
  });

  it('resolves false when the connection closes first, and true at once when already bound', async () => {
    const s = new Scheduler({ seed: 1 });
    const gate = new ReadinessGate(s);
    const out: Array<[string, boolean, number]> = [];
    s.at(0, () => void gate.awaitThreadContext('c1', 100).then((r) => out.push(['c1', r, s.now()])));
    s.at(10_000, () => gate.markClosed('c1'));
    s.at(20_000, () => gate.markReady('c2'));
    s.at(30_000, () => void gate.awaitThreadContext('c2', 100).then((r) => out.push(['c2', r, s.now()])));
    await s.runUntilIdle();
    expect(out).toEqual([
      ['c1', false, 10_000],
      ['c2', true, 30_000],
    ]);
  });
});

describe('PendingMessageQueue', () => {
  it('take() removes only the matching items, oldest first; the rest keep waiting and still expire', async () => {
    const s = new Scheduler({ seed: 1 });
    const drops: string[] = [];
    const q = new PendingMessageQueue<string>(s, { maxPerKey: 10, maxTotal: 100, ttlUs: 1_000 }, (_k, item, reason) => drops.push(`${item}:${reason}`));
    s.at(0, () => ['a1', 'b1', 'a2'].forEach((x) => q.queueUntilReady('k', x)));
    let taken: unknown = null;
    s.at(100, () => (taken = q.take('k', (x) => x.startsWith('a'))));
    await s.runUntilIdle();
    expect(taken).toEqual([
      { item: 'a1', waitedUs: 100 },
      { item: 'a2', waitedUs: 100 },
    ]);
    expect(drops).toEqual(['b1:queue_expired']); // the taken ones no longer expire
    expect(q.depth()).toBe(0);
  });

  it('flushes FIFO with the wait of each item', async () => {
    const s = new Scheduler({ seed: 1 });
    const q = new PendingMessageQueue<string>(s, { maxPerKey: 10, maxTotal: 100, ttlUs: 1_000_000 }, () => {});
    s.at(0, () => q.queueUntilReady('k', 'a'));
    s.at(10, () => q.queueUntilReady('k', 'b'));
    s.at(20, () => q.queueUntilReady('other', 'x'));
    let flushed: unknown = null;
    s.at(100, () => (flushed = q.flush('k')));
    await s.runUntilIdle();
    expect(flushed).toEqual([
      { item: 'a', waitedUs: 100 },
      { item: 'b', waitedUs: 90 },
    ]);
    expect(q.depth('k')).toBe(0);
  });

  it('overflow per key and in total is explicit and counted, never above its limits', async () => {
    const s = new Scheduler({ seed: 1 });
    const dropped: string[] = [];
    const q = new PendingMessageQueue<string>(s, { maxPerKey: 2, maxTotal: 3, ttlUs: 1_000_000 }, (key, item, reason) => dropped.push(`${key}:${item}:${reason}`));
    expect([q.queueUntilReady('a', '1'), q.queueUntilReady('a', '2'), q.queueUntilReady('a', '3')]).toEqual([true, true, false]);
    expect([q.queueUntilReady('b', '4'), q.queueUntilReady('c', '5')]).toEqual([true, false]);
    expect(dropped).toEqual(['a:3:queue_overflow', 'c:5:queue_overflow']);
    expect(q.overflowed).toBe(2);
    expect(q.maxDepthSeen).toBe(3);
    await s.runUntilIdle();
  });

  it('items older than the TTL expire explicitly at exactly the TTL; flushed items never expire', async () => {
    const s = new Scheduler({ seed: 1 });
    const dropped: Array<[string, number, number]> = [];
    const q = new PendingMessageQueue<string>(s, { maxPerKey: 10, maxTotal: 10, ttlUs: 500 }, (_k, item, reason, waited) => dropped.push([item, waited, s.now()]));
    s.at(0, () => q.queueUntilReady('k', 'old'));
    s.at(400, () => q.queueUntilReady('j', 'flushed'));
    s.at(450, () => q.flush('j'));
    await s.runUntilIdle();
    expect(dropped).toEqual([['old', 500, 500]]);
    expect(q.expired).toBe(1);
  });
});

describe('StreamLog', () => {
  const frame = (i: number): AgentEventFrame => ({ type: 'agent_thinking', user_id: 'u', thread_id: 'A', run_id: 'run-1', ts: 0, eid: `run-1#${i}` });
  it('numbers events per stream and replays what came after a position', () => {
    const log = new StreamLog(1_000);
    for (let i = 0; i < 3; i++) log.append('k', frame(i), i * 100);
    log.append('other', frame(9), 0);
    expect(log.lastSeq('k')).toBe(3);
    const { entries, missing } = log.since('k', 1, 250);
    expect(entries.map((e) => e.seq)).toEqual([2, 3]);
    expect(missing).toBeNull();
  });
  it('announces what fell out of the window as missing, with the event ids', () => {
    const log = new StreamLog(1_000);
    for (let i = 0; i < 3; i++) log.append('k', frame(i), i * 1_000);
    const { entries, missing, missingEids } = log.since('k', 0, 2_500);
    expect(missing).toEqual([1, 2]);
    expect(missingEids).toEqual(['run-1#0', 'run-1#1']);
    expect(entries.map((e) => e.seq)).toEqual([3]);
  });
  it('prunes a stream nobody reads any more as other streams grow, and readers see what they saw before', () => {
    const log = new StreamLog(1_000);
    for (let i = 0; i < 3; i++) log.append('idle', frame(i), i * 100);
    expect(log.heldEntries).toBe(3);
    // An append elsewhere, past the idle stream's window: the sweep (two streams per append, in
    // turn) reaches the idle stream and prunes it.
    log.append('busy', frame(10), 5_000);
    expect(log.heldEntries).toBe(1); // the busy entry; the idle stream's three are gone
    // What a reconnecting reader of the idle stream gets is what it got without the sweep.
    const { entries, missing, missingEids } = log.since('idle', 0, 5_000);
    expect(entries).toEqual([]);
    expect(missing).toEqual([1, 3]);
    expect(missingEids).toEqual(['run-1#0', 'run-1#1', 'run-1#2']);
    expect(log.lastSeq('idle')).toBe(3);
  });
});

describe('AcceptedMessages (the dedup window)', () => {
  const at = (us: number) => ({ now: () => us }) as unknown as Scheduler;
  const windowOf = (ms: number, clock: { now(): number }) => new AcceptedMessages(clock as Scheduler, { ...MODE_PRESETS.guaranteed, messageDedupWindowMs: ms });

  it('answers a resend within the window with its run, and forgets it past the window', () => {
    let nowUs = 0;
    const w = windowOf(10, { now: () => nowUs });
    w.remember('u1', 'm1', 'r1', 't1');
    nowUs = 10_000;
    expect(w.within('u1', 'm1')).toEqual({ runId: 'r1', threadId: 't1', atUs: 0 });
    expect(w.within('u2', 'm1')).toBeNull(); // per user
    nowUs = 10_001;
    expect(w.within('u1', 'm1')).toBeNull();
  });

  it('expires oldest first and stops at the first entry inside the window; a key set again keeps its place', () => {
    let nowUs = 0;
    const w = windowOf(10, { now: () => nowUs });
    w.remember('u', 'a', 'ra', 't'); // at 0
    nowUs = 5_000;
    w.remember('u', 'b', 'rb', 't'); // at 5 ms
    nowUs = 6_000;
    w.remember('u', 'a', 'ra2', 't'); // a again: first in order, with the time 6 ms
    nowUs = 15_500; // b (5 ms) is past the window, a (6 ms) is not, but a comes first: nothing expires
    w.remember('u', 'c', 'rc', 't');
    expect(w.within('u', 'a')?.runId).toBe('ra2');
    nowUs = 16_500; // a is past now: a and b go, c stays
    w.remember('u', 'd', 'rd', 't');
    nowUs = 16_500;
    expect(['a', 'b', 'c', 'd'].map((m) => w.within('u', m)?.runId ?? null)).toEqual([null, null, 'rc', 'rd']);
  });

  it('keeps at most MAX_DEDUP_ENTRIES, forgetting the oldest first, across many expiries', () => {
    const w = windowOf(600_000, at(0));
    for (let i = 0; i < MAX_DEDUP_ENTRIES + 3_000; i++) w.remember('u', `m${i}`, `r${i}`, 't');
    expect(w.within('u', 'm0')).toBeNull();
    expect(w.within('u', 'm2999')).toBeNull();
    expect(w.within('u', 'm3000')?.runId).toBe('r3000');
    expect(w.within('u', `m${MAX_DEDUP_ENTRIES + 2_999}`)?.runId).toBe(`r${MAX_DEDUP_ENTRIES + 2_999}`);
  });
});

describe('router spec parsing', () => {
  it('gives the presets and flag overrides', () => {
    expect(parseRouterSpec('dynamic').flags).toEqual(MODE_PRESETS.dynamic);
    expect(parseRouterSpec('dynamic+bindOnSwitch').flags.bindOnSwitch).toBe(true);
    expect(parseRouterSpec('guaranteed-pendingQueue').flags.pendingQueue).toBe(false);
    expect(parseRouterSpec('shipped+registryTtlMs=60000').flags.registryTtlMs).toBe(60_000);
  });
  it('refuses unknown modes and flags with the list of valid ones', () => {
    expect(() => parseRouterSpec('fast')).toThrow(/unknown router mode "fast": use one of legacy, dynamic, shipped, guaranteed/);
    expect(() => parseRouterSpec('dynamic+teleport')).toThrow(/unknown router flag "teleport"/);
    expect(() => parseRouterSpec('dynamic+registryTtlMs')).toThrow(RouterSpecError);
  });
});

describe('protocol parsing never throws and names the problem', () => {
  it.each([
    ['not json', 'bad_json'],
    ['[]', 'bad_frame'],
    ['{"id":"x"}', 'bad_frame'],
    ['{"type":"teleport"}', 'unknown_type'],
    ['{"type":"user_message","id":"m1","content":"hi"}', 'bad_frame'],
    ['{"type":"user_message","id":"m1","thread_id":"A"}', 'bad_frame'],
    ['{"type":"resume","last_seq":{"A":-1}}', 'bad_frame'],
    ['{"type":"ack","seq":"x"}', 'bad_frame'],
  ])('%s → %s', (text, code) => {
    const r = parseClientFrame(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });
  it('accepts the valid frames', () => {
    expect(parseClientFrame('{"type":"user_message","id":"m1","thread_id":"A","content":"hi"}').ok).toBe(true);
    expect(parseClientFrame('{"type":"switch_thread","id":"s1","thread_id":"B"}').ok).toBe(true);
    expect(parseClientFrame('{"type":"resume","last_seq":{"A":3}}').ok).toBe(true);
    expect(parseClientFrame('{"type":"ping"}').ok).toBe(true);
  });
});

describe('Histogram', () => {
  it('quantiles are within 0.2% and merging equals recording everything in one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 100_000; i++) {
      const v = i * 37;
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.toJSON()).toEqual(all.toJSON());
    const p99 = all.quantile(0.99);
    expect(Math.abs(p99 - 99_000 * 37) / (99_000 * 37)).toBeLessThan(0.002);
    expect(Histogram.fromJSON(JSON.parse(JSON.stringify(all.toJSON()))).quantile(0.5)).toBe(all.quantile(0.5));
  });
});
