import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { SimNetwork } from '../../src/sim/network.ts';
import { Router } from '../../src/sut/router/router.ts';
import { parseRouterSpec, MODES } from '../../src/sut/router/flags.ts';
import { fixed } from '../../src/sim/distribution.ts';
import { AgentBackend } from '../../src/world/backend.ts';

// Bad input over the simulated network: every case gets an error frame (or close 1009), changes
// nothing, and the connection and the router survive — in every mode.

async function harness(mode: string) {
  const scheduler = new Scheduler({ seed: 1 });
  const network = new SimNetwork({ scheduler, rng: createRandom(1).fork('net'), defaults: { latencyMs: fixed(1), handshakeMs: fixed(1) } });
  const backend = new AgentBackend({ clock: network.serverClock, rng: createRandom(1).fork('agents'), profile: { startMs: fixed(1), thinkMs: fixed(10), toolCalls: fixed(0), toolMs: fixed(0), finishMs: fixed(5) } });
  const router = new Router({
    config: parseRouterSpec(mode),
    clock: network.serverClock,
    rng: createRandom(1).fork('router'),
    ownership: { alice: ['a1'], bob: ['b1'] },
    authenticate: (hs) => new URLSearchParams(hs.url.split('?')[1] ?? '').get('token'),
    backend,
    rateLimitPerS: 20,
    maxPayloadBytes: 1_000,
  });
  network.listen((socket, hs) => router.accept(socket, hs));
  const open = (user: string, thread?: string) => {
    const frames: any[] = [];
    const closes: number[] = [];
    const socket = network.connect({ url: `/ws?token=${user}${thread ? `&thread_id=${thread}` : ''}` });
    socket.on('message', (d: unknown) => frames.push(JSON.parse(String(d))));
    socket.on('close', (code: number) => closes.push(code));
    return { socket, frames, closes };
  };
  return { scheduler, network, router, backend, open };
}

describe.each(MODES)('bad input, %s mode', (mode) => {
  it('garbage, unknown types and missing fields get error frames; the connection survives and still works', async () => {
    const h = await harness(mode);
    const alice = h.open('alice', 'a1');
    const bad = [
      'not json',
      '{"type":"teleport"}',
      '{"type":"user_message","id":"m0"}',
      '[1,2]',
      '{"type":"resume","last_seq":5}',
      // What a resume says the client holds must be sorted, disjoint, bounded ranges.
      '{"type":"resume","last_seq":{"a1":1},"have":{"a1":[[3,1]]}}',
      '{"type":"resume","last_seq":{"a1":1},"have":[1]}',
    ];
    h.scheduler.at(10_000, () => bad.forEach((b) => alice.socket.send(b)));
    h.scheduler.at(50_000, () => alice.socket.send(JSON.stringify({ type: 'user_message', id: 'm1', thread_id: 'a1', content: 'hi' })));
    await h.scheduler.runUntilIdle();
    const errors = alice.frames.filter((f) => f.type === 'error');
    expect(errors.map((e) => e.code)).toEqual(['bad_json', 'unknown_type', 'bad_frame', 'bad_frame', 'bad_frame', 'bad_frame', 'bad_frame']);
    expect(errors[5].message).toMatch(/resume\.have\["a1"\] must be at most 64 sorted, disjoint \[from, to\] ranges/);
    expect(errors[2].ref).toBe('m0');
    expect(alice.closes).toEqual([]);
    expect(alice.frames.filter((f) => f.type === 'agent_completed')).toHaveLength(1);
    expect(h.router.monitoring.counters.badFrames).toBe(7);
  });

  it('a foreign thread is forbidden and changes nothing; no event of bob reaches alice', async () => {
    const h = await harness(mode);
    const alice = h.open('alice', 'a1');
    const bob = h.open('bob', 'b1');
    h.scheduler.at(10_000, () => alice.socket.send(JSON.stringify({ type: 'user_message', id: 'x1', thread_id: 'b1', content: 'mine now' })));
    h.scheduler.at(10_000, () => alice.socket.send(JSON.stringify({ type: 'switch_thread', id: 'x2', thread_id: 'b1' })));
    h.scheduler.at(30_000, () => bob.socket.send(JSON.stringify({ type: 'user_message', id: 'b-1', thread_id: 'b1', content: 'hello' })));
    await h.scheduler.runUntilIdle();
    const forbidden = alice.frames.filter((f) => f.type === 'error' && f.code === 'forbidden');
    expect(forbidden.map((f) => f.ref).sort()).toEqual(['x1', 'x2']);
    expect(alice.frames.filter((f) => f.user_id === 'bob' || f.thread_id === 'b1')).toEqual([]);
    expect(bob.frames.filter((f) => f.type === 'agent_completed')).toHaveLength(1);
    expect(h.backend.startRun({ userId: 'x', threadId: 'x', messageId: 'x' }, () => {}).runId).toBe('run-2'); // only bob's run was started
  });

  it('oversize frames are refused with close 1009; other clients keep being served', async () => {
    const h = await harness(mode);
    const alice = h.open('alice', 'a1');
    const bob = h.open('bob', 'b1');
    h.scheduler.at(10_000, () => alice.socket.send(JSON.stringify({ type: 'user_message', id: 'big', thread_id: 'a1', content: 'x'.repeat(5_000) })));
    h.scheduler.at(20_000, () => bob.socket.send(JSON.stringify({ type: 'user_message', id: 'b', thread_id: 'b1', content: 'hi' })));
    await h.scheduler.runUntilIdle();
    expect(alice.closes).toEqual([1009]);
    expect(bob.frames.filter((f) => f.type === 'agent_completed')).toHaveLength(1);
  });

  it('a flood is rate limited with rate_limited errors; the flooder stays connected', async () => {
    const h = await harness(mode);
    const alice = h.open('alice', 'a1');
    h.scheduler.at(10_000, () => {
      for (let i = 0; i < 30; i++) alice.socket.send('{"type":"ping"}');
    });
    await h.scheduler.runUntilIdle();
    expect(alice.frames.filter((f) => f.type === 'pong')).toHaveLength(20);
    expect(alice.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited')).toHaveLength(10);
    expect(alice.closes).toEqual([]);
  });

  it('a missing or bad token is refused at the handshake with 1008', async () => {
    const h = await harness(mode);
    const nobody = h.open('');
    await h.scheduler.runUntilIdle();
    expect(nobody.closes).toEqual([1008]);
    expect(h.router.monitoring.counters.connectionsOpened).toBe(0);
  });
});
