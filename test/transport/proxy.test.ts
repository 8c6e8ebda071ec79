import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { fixed, uniform } from '../../src/sim/distribution.ts';
import { wireDelayUs } from '../../src/sim/frame-timing.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { signToken } from '../../src/world/auth.ts';
import { RealClock } from '../../src/real/real-clock.ts';
import { linkSchedule, startProxy, validateSchedule, ProxyScheduleError, type ProxyRecord, type ProxySchedule } from '../../src/real/proxy.ts';
import { startServer } from '../../src/run/ws-host.ts';
import { client, closeAll, ofType, track, withTimeout } from './helpers.ts';

const SECRET = 'proxy-secret';
afterEach(closeAll);

async function setup(schedule: ProxySchedule = {}, seed = 1) {
  const server = track(await startServer({ config: parseRouterSpec('guaranteed'), secret: SECRET, heartbeatMs: 0, agentProfile: { startMs: fixed(1), thinkMs: fixed(10), toolCalls: fixed(1), toolMs: fixed(10), finishMs: fixed(5) } }));
  const proxy = track(await startProxy({ target: `ws://127.0.0.1:${server.port}`, seed, schedule }));
  const connect = (user: string, label?: string) => client(`${proxy.url}/ws?token=${signToken(SECRET, user)}`, label ? { headers: { 'x-threadline-conn': label } } : {});
  return { server, proxy, connect };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pingPong(c: ReturnType<typeof client>, ms = 3_000): Promise<number> {
  const t0 = performance.now();
  c.send({ type: 'ping' });
  await c.next(ofType('pong'), ms);
  return performance.now() - t0;
}

describe('chaos proxy', () => {
  it('relays frames both ways and adds seeded latency per direction, recorded in the trace', async () => {
    const { proxy, connect } = await setup({ toClient: { latencyMs: 30 }, toServer: { latencyMs: { kind: 'uniform', min: 5, max: 10 } } });
    const c = connect('u1', 't1#1');
    await c.opened;
    await c.next(ofType('connection_ready'));
    const rtt = await pingPong(c);
    expect(rtt).toBeGreaterThanOrEqual(35);
    const frames = proxy.records.filter((r) => r.event === 'frame');
    const toClient = frames.filter((r) => r.dir === 'toClient');
    const toServer = frames.filter((r) => r.dir === 'toServer');
    expect(toClient.length).toBeGreaterThanOrEqual(2);
    for (const r of toClient) expect(r.delayMs!).toBeGreaterThanOrEqual(30);
    for (const r of toServer) expect(r.delayMs!).toBeGreaterThanOrEqual(5);
    expect(toServer[0]).toMatchObject({ conn: 't1#1', n: 1, fault: 'latency', frame: '{"type":"ping"}', bytes: 15 });
    expect(proxy.records[0]).toMatchObject({ event: 'open', conn: 't1#1' });
  });

  it('applies a link profile on a scaled clock: frames wait the configured virtual time, i.e. a quarter of it in real time at scale 0.25', { timeout: 15_000 }, async () => {
    const server = track(await startServer({ config: parseRouterSpec('guaranteed'), secret: SECRET, heartbeatMs: 0 }));
    const clock = new RealClock({ timeScale: 0.25 });
    try {
      // 200 ms of virtual latency per frame toward the client, 200 ms of handshake: 50 ms real each.
      const schedule = linkSchedule({ handshakeMs: fixed(200), latencyMs: fixed(0), closeDelayMs: fixed(0) });
      const proxy = track(await startProxy({ target: `ws://127.0.0.1:${server.port}`, seed: 1, clock, schedule: { ...schedule, toClient: { latencyMs: 200 } } }));
      const t0 = performance.now();
      const c = client(`${proxy.url}/ws?token=${signToken(SECRET, 'u1')}`, { headers: { 'x-threadline-conn': 'scaled#1' } });
      await withTimeout(c.opened, 5_000, 'open');
      const handshakeRealMs = performance.now() - t0;
      await c.next(ofType('connection_ready'), 5_000);
      const rtts: number[] = [];
      for (let i = 0; i < 3; i++) rtts.push(await pingPong(c));
      const toClient = proxy.records.filter((r) => r.event === 'frame' && r.dir === 'toClient');
      const toServer = proxy.records.filter((r) => r.event === 'frame' && r.dir === 'toServer');
      // On the proxy's (virtual) clock every frame toward the client waited at least 200 ms …
      for (const r of toClient) expect(r).toMatchObject({ fault: 'latency' });
      for (const r of toClient) expect(r.delayMs!).toBeGreaterThanOrEqual(200);
      for (const r of toServer) expect(r.delayMs!).toBeLessThan(100);
      // … which is 50 ms of real time: more than 50, far less than the unscaled 200.
      for (const rtt of rtts) {
        expect(rtt).toBeGreaterThanOrEqual(49);
        expect(rtt).toBeLessThan(190);
      }
      expect(Math.min(...rtts)).toBeLessThan(120);
      expect(handshakeRealMs).toBeGreaterThanOrEqual(49);
      expect(handshakeRealMs).toBeLessThan(190);
    } finally {
      await closeAll();
      clock.dispose();
    }
  });

  it('times frames by the simulated pipe\'s rule: the seeded latency + jitter draws of src/sim/frame-timing.ts, FIFO', { timeout: 15_000 }, async () => {
    const profile = { latencyMs: uniform(5, 25), jitterMs: uniform(0, 5) };
    const { proxy, connect } = await setup({ toClient: profile }, 11);
    const c = connect('u1', 'rule#1');
    await c.opened;
    await c.next(ofType('connection_ready'));
    for (let i = 0; i < 8; i++) c.send({ type: 'ping' });
    await withTimeout((async () => { while (c.frames.filter((f) => f['type'] === 'pong').length < 8) await sleep(5); })(), 5_000, 'pongs');
    // The proxy's stream for connection 1 toward the client, drawn as the pipe draws: latency, then jitter.
    const rng = createRandom(11).fork('proxy').fork('conn/1').fork('toClient');
    const frames = proxy.records.filter((r) => r.event === 'frame' && r.dir === 'toClient');
    expect(frames.length).toBe(9);
    let prevArrival = -Infinity;
    const excessMs: number[] = [];
    for (const r of frames) {
      const drawnMs = wireDelayUs(profile, rng) / 1_000;
      const arrival = r.t;
      // Never earlier than the drawn delay; never before the previous frame (FIFO).
      expect(r.delayMs!).toBeGreaterThanOrEqual(drawnMs - 0.001);
      expect(arrival).toBeGreaterThanOrEqual(prevArrival);
      prevArrival = arrival;
      excessMs.push(r.delayMs! - drawnMs);
    }
    // Most frames leave within a few ms of their drawn delay (FIFO waits and timer lateness only).
    excessMs.sort((a, b) => a - b);
    expect(excessMs[Math.floor(excessMs.length / 2)]!).toBeLessThan(10);
  });

  it('a scheduled partition holds frames, then releases them in order; the trace shows where', async () => {
    const { proxy, connect } = await setup({ faults: [{ kind: 'partition', at: 150, durationMs: 200, then: 'release' }] });
    const c = connect('u1');
    await c.opened;
    const sentAt: number[] = [];
    // Pings every 25 ms from ~0 to ~450 ms of proxy time.
    for (let i = 0; i < 18; i++) {
      c.send({ type: 'ping' });
      sentAt.push(performance.now());
      await sleep(25);
    }
    await withTimeout((async () => { while (c.frames.filter((f) => f['type'] === 'pong').length < 18) await sleep(5); })(), 3_000, 'all pongs');
    const faults = proxy.records.filter((r) => r.event === 'fault');
    expect(faults.map((f) => f.fault)).toEqual(['partition', 'partition-end']);
    const start = faults[0]!.t;
    const end = faults[1]!.t;
    expect(start).toBeGreaterThanOrEqual(150);
    expect(end - start).toBeGreaterThanOrEqual(200);
    const held = proxy.records.filter((r) => r.event === 'frame' && r.fault === 'held');
    expect(held.length).toBeGreaterThanOrEqual(5);
    for (const r of held) expect(r.t).toBeGreaterThanOrEqual(end);
    // Nothing crossed during the partition.
    expect(proxy.records.filter((r) => r.event === 'frame' && r.t > start && r.t < end)).toEqual([]);
    // The connection survived, in order: pongs are answers to pings in order.
    expect(c.frames.filter((f) => f['type'] === 'pong')).toHaveLength(18);
  });

  it('drops a connection abruptly after its n-th frame (only that connection), and half-opens another', async () => {
    const { server, proxy, connect } = await setup({ faults: [{ kind: 'drop', afterFrames: 3, direction: 'toClient', connections: ['victim'] }] });
    const victim = connect('u1', 'victim');
    const bystander = connect('u2', 'bystander');
    await Promise.all([victim.opened, bystander.opened]);
    victim.send({ type: 'ping' });
    victim.send({ type: 'ping' });
    victim.send({ type: 'ping' });
    expect((await withTimeout(victim.closed, 3_000, 'drop')).code).toBe(1006);
    await pingPong(bystander);
    const drop = proxy.records.find((r) => r.fault === 'drop')!;
    expect(drop).toMatchObject({ conn: 'victim', event: 'fault' });
    // The server saw the victim go, abruptly.
    await withTimeout((async () => { while (server.stats.connectionsOpen > 1) await sleep(5); })(), 3_000, 'server side closed');

    // Half-open: frames vanish, nobody is told.
    proxy.halfOpen(['bystander']);
    bystander.send({ type: 'ping' });
    await expect(bystander.next(ofType('pong'), 200)).rejects.toThrow(/no matching frame/);
    expect(bystander.ws.readyState).toBe(1);
    expect(server.stats.connectionsOpen).toBe(1);
    expect(proxy.records.some((r) => r.conn === 'bystander' && r.fault === 'discarded')).toBe(true);
    expect(proxy.connections().find((x) => x.label === 'bystander')!.state).toBe('half-open');
  });

  it('passes a refused handshake on with its HTTP status, and slows closes when told', async () => {
    const { server, proxy } = await setup({ slowCloseMs: 150 });
    const bad = client(`${proxy.url}/ws?token=forged`);
    expect(await withTimeout(bad.refused, 3_000, 'refused')).toBe(401);
    expect(proxy.records.some((r) => r.event === 'refused' && r.code === 401)).toBe(true);
    const c = client(`${proxy.url}/ws?token=${signToken(SECRET, 'u')}`);
    await c.opened;
    await withTimeout((async () => { while (server.stats.connectionsOpen < 1) await sleep(2); })(), 2_000, 'server open');
    const t0 = performance.now();
    c.ws.close(1000, 'bye');
    await withTimeout((async () => { while (server.stats.connectionsOpen > 0) await sleep(2); })(), 3_000, 'server sees close');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(proxy.records.some((r) => r.event === 'close' && r.fault === 'slow-close')).toBe(true);
  });

  it('random faults are reproducible from the seed', { timeout: 15_000 }, async () => {
    const schedule: ProxySchedule = { random: { drop: 0.5, afterFrames: [2, 5] } };
    const trial = async (seed: number): Promise<string[]> => {
      const { proxy, connect } = await setup(schedule, seed);
      for (let i = 1; i <= 6; i++) {
        const c = connect('u', `c${i}`);
        await c.opened;
        await c.next(ofType('connection_ready'));
        for (let k = 0; k < 4; k++) {
          if (c.ws.readyState !== 1) break;
          c.send({ type: 'ping' });
          await Promise.race([c.next(ofType('pong'), 1_000).catch(() => {}), c.closed]);
        }
        c.ws.terminate();
      }
      // Which connections were dropped, and at which frame: both drawn from the seed.
      const dropped = new Set(proxy.records.filter((r: ProxyRecord) => r.fault === 'drop').map((r) => r.conn));
      return proxy.connections().filter((x) => dropped.has(x.label)).map((x) => `${x.label}@${x.frames.toServer + x.frames.toClient}`);
    };
    const a = await trial(7);
    const b = await trial(7);
    const other = await trial(8);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(0);
    expect(other).not.toEqual(a);
  });

  it('validates schedules with the defect named', () => {
    expect(() => validateSchedule({ faults: [{ kind: 'explode', at: 1 }] }, 's.json')).toThrow(ProxyScheduleError);
    expect(() => validateSchedule({ faults: [{ kind: 'partition', at: 1, durationMs: 5 }] }, 's.json')).toThrow(/faults\[0\]\.then must be "release" or "kill"/);
    expect(() => validateSchedule({ faults: [{ kind: 'drop' }] }, 's.json')).toThrow(/needs "at" .* or "afterFrames"/);
    expect(() => validateSchedule({ latencyMs: { kind: 'uniform', min: 5 } }, 's.json')).toThrow(/latencyMs/);
    expect(() => validateSchedule({ lag: 5 }, 's.json')).toThrow(/unknown field "lag"/);
    expect(validateSchedule({ latencyMs: 3, random: { drop: 0.1 } }, 's.json')).toBeDefined();
    expect(() => validateSchedule({ handshakeMs: { kind: 'fixed' } }, 's.json')).toThrow(/handshakeMs/);
    expect(() => validateSchedule({ closeDelayMs: -1 }, 's.json')).toThrow(/closeDelayMs/);
    expect(validateSchedule({ handshakeMs: 2, closeDelayMs: { kind: 'fixed', value: 1 } }, 's.json')).toBeDefined();
    // A simulated link profile as a schedule: the defaults (uniform 1–5 ms, 2 ms handshake, 1 ms close) under the overrides.
    expect(linkSchedule()).toEqual({ handshakeMs: fixed(2), latencyMs: uniform(1, 5), jitterMs: fixed(0), closeDelayMs: fixed(1) });
    expect(linkSchedule({ latencyMs: fixed(30), bandwidthBytesPerS: 5_000 })).toMatchObject({ latencyMs: fixed(30), bandwidthBytesPerS: 5_000 });
    expect(validateSchedule(linkSchedule({ jitterMs: uniform(0, 2) }), 'link')).toBeDefined();
  });

  it('the command relays and writes its JSON-lines trace', { timeout: 20_000 }, async () => {
    const server = track(await startServer({ config: parseRouterSpec('guaranteed'), secret: SECRET, heartbeatMs: 0 }));
    const dir = mkdtempSync(join(tmpdir(), 'threadline-proxy-'));
    const schedule = join(dir, 'schedule.json');
    const traceFile = join(dir, 'trace.jsonl');
    writeFileSync(schedule, JSON.stringify({ toClient: { latencyMs: 20 } }));
    const child = spawn(process.execPath, ['bin/threadline', 'proxy', '--listen', '0', '--target', `ws://127.0.0.1:${server.port}`, '--seed', '3', '--schedule', schedule, '--trace', traceFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await withTimeout(
        new Promise<string>((resolve) => {
          let err = '';
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
            const m = /threadline proxy: (ws:\/\/\S+)/.exec(err);
            if (m) resolve(m[1]!);
          });
        }),
        15_000,
        'proxy start',
      );
      const c = client(`${url}/ws?token=${signToken(SECRET, 'u')}`, { headers: { 'x-threadline-conn': 'cli#1' } });
      await c.opened;
      expect(await pingPong(c)).toBeGreaterThanOrEqual(20);
      child.kill('SIGINT');
      expect(await withTimeout(exited, 5_000, 'proxy exit')).toBe(0);
      const lines = readFileSync(traceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProxyRecord);
      expect(lines.some((l) => l.event === 'open' && l.conn === 'cli#1')).toBe(true);
      expect(lines.some((l) => l.event === 'frame' && l.dir === 'toClient' && (l.delayMs ?? 0) >= 20 && l.fault === 'latency')).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
