import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { fixed } from '../../src/sim/distribution.ts';
import { signToken } from '../../src/world/auth.ts';
import { startProxy, validateSchedule, ProxyScheduleError, type ProxyRecord, type ProxySchedule } from '../../src/real/proxy.ts';
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
