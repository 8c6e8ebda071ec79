import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { SimNetwork } from '../../src/sim/network.ts';
import { Router } from '../../src/sut/router/router.ts';
import { parseRouterSpec, MODES } from '../../src/sut/router/flags.ts';
import { fixed } from '../../src/sim/distribution.ts';
import { AgentBackend } from '../../src/world/backend.ts';

// Bad input over the simulated network: every case gets an error frame (or close 1009), changes
// nothing, and the connection and the router survive — in every mode. The shipped mode speaks
// the production envelope (its own suite below); its routing defects are also run here over
// threadline's wire, with the endpoint's ack-only user_message, unknown switch and missing
// `broadcasting` turned off so the frames reach the handlers, and the URL's thread bound.
const THREADLINE_CONFIGS = [...MODES.filter((m) => m !== 'shipped'), 'shipped-envelopeWire-userMessageAckOnly-switchUnhandled-broadcastingMissing+bindAtHandshake'];

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

describe.each(THREADLINE_CONFIGS)('bad input, %s', (mode) => {
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

describe('bad input, shipped mode (the production envelope)', () => {
  const send = (socket: { send(d: string): void }, frame: object) => socket.send(JSON.stringify(frame));

  it('garbage and unknown frames change nothing; start_agent runs; user_message is only acknowledged', async () => {
    const h = await harness('shipped');
    const alice = h.open('alice');
    h.scheduler.at(10_000, () => ['not json', '[1,2]', '{"type":"teleport"}', '{"type":"start_agent","message_id":"s0","payload":{}}'].forEach((b) => alice.socket.send(b)));
    h.scheduler.at(20_000, () => send(alice.socket, { type: 'user_message', payload: { thread_id: 'a1', content: 'hi' }, message_id: 'm1' }));
    h.scheduler.at(30_000, () => send(alice.socket, { type: 'start_agent', payload: { user_request: 'hi', thread_id: 'a1' }, message_id: 'm2' }));
    await h.scheduler.runUntilIdle();
    expect(alice.frames[0]).toMatchObject({ type: 'system_message', data: { event: 'connection_established' } });
    expect(alice.frames.filter((f) => f.type === 'error_message').map((f) => f.error_code)).toEqual(['FORMAT_ERROR', 'bad_frame', 'bad_frame']);
    // A type the endpoint does not know is acknowledged (handlers.py:918–927).
    expect(alice.frames.find((f) => f.type === 'ack')).toMatchObject({ received_type: 'teleport' });
    // user_message: the endpoint's UserMessageHandler's ack, and no run (handlers.py:546–565).
    expect(alice.frames.find((f) => f.type === 'system_message' && f.data.content === 'Message received')).toMatchObject({ data: { original_message_id: 'm1' } });
    // start_agent: one run, its events in the real shape (no user id, no event id, ISO timestamp).
    const events = alice.frames.filter((f) => typeof f.run_id === 'string');
    expect(events.map((f) => f.type)).toEqual(['agent_started', 'agent_thinking', 'agent_completed']);
    expect(Object.keys(events[0]).sort()).toEqual(['agent_name', 'payload', 'run_id', 'thread_id', 'timestamp', 'type']);
    expect(events[0].timestamp).toMatch(/^1970-01-01T00:00:00\.0\d\dZ$/);
    expect(alice.closes).toEqual([]);
  });

  it('a foreign thread is forbidden; switch_thread is unknown to the endpoint and rebinds nothing', async () => {
    const h = await harness('shipped');
    const alice = h.open('alice');
    const bob = h.open('bob');
    h.scheduler.at(10_000, () => send(alice.socket, { type: 'start_agent', payload: { user_request: 'mine now', thread_id: 'b1' }, message_id: 'x1' }));
    h.scheduler.at(10_000, () => send(alice.socket, { type: 'switch_thread', payload: { thread_id: 'a1' }, message_id: 'x2' }));
    h.scheduler.at(20_000, () => send(bob.socket, { type: 'start_agent', payload: { user_request: 'hi', thread_id: 'b1' }, message_id: 'y1' }));
    await h.scheduler.runUntilIdle();
    expect(alice.frames.filter((f) => f.type === 'error_message').map((f) => [f.error_code, f.details.message_id])).toEqual([['forbidden', 'x1']]);
    expect(alice.frames.find((f) => f.type === 'ack')).toMatchObject({ received_type: 'switch_thread' });
    expect(h.router.manager.get('c1')!.threadId).toBeNull();
    expect(alice.frames.filter((f) => f.thread_id === 'b1')).toEqual([]);
    expect(bob.frames.filter((f) => f.type === 'agent_completed')).toHaveLength(1);
  });

  it('one tab closing closes every tab of its user (disconnect_user), with 1000', async () => {
    const h = await harness('shipped');
    const tab1 = h.open('alice');
    const tab2 = h.open('alice');
    const bob = h.open('bob');
    h.scheduler.at(10_000, () => tab1.socket.close(1000, 'tab closed'));
    await h.scheduler.runUntilIdle();
    expect(tab2.closes).toEqual([1000]);
    expect(bob.closes).toEqual([]);
  });
});
