/**
 * Simulated network tests. Exact-time tests use fixed distributions, so every expected
 * virtual time below follows from the profile by hand:
 * handshake 2 ms, latency 10 ms (unless stated), close delay 1 ms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponential, fixed, uniform } from '../../src/sim/distribution.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { Trace, type TraceRecord } from '../../src/sim/trace.ts';
import { CLOSED, CLOSING, CONNECTING, OPEN } from '../../src/ports/socket.ts';
import { SimNetwork, type LinkProfile, type SimServerSocket } from '../../src/sim/network.ts';
import { retimeTransmits } from '../../src/sim/frame-timing.ts';

const EXACT: Partial<LinkProfile> = {
  handshakeMs: fixed(2),
  latencyMs: fixed(10),
  jitterMs: fixed(0),
  closeDelayMs: fixed(1),
};

function setup(options: { seed?: number; defaults?: Partial<LinkProfile>; tieBreak?: boolean } = {}) {
  const seed = options.seed ?? 1;
  const trace = new Trace();
  const scheduler = new Scheduler({ seed, tieBreak: options.tieBreak ?? false });
  const net = new SimNetwork({ scheduler, rng: createRandom(seed).fork('net'), trace, defaults: options.defaults ?? EXACT });
  return { scheduler, net, trace };
}

/** Records of one kind, as "t kind {fields}" strings for readable diffs. */
function records(trace: Trace, ...kinds: string[]): string[] {
  return trace.records.filter((r: TraceRecord) => kinds.includes(r.kind)).map((r) => `${r.t} ${r.kind} ${JSON.stringify(r.fields)}`);
}

/** A server that logs what it sees with virtual times. */
function loggingServer(net: SimNetwork, log: string[], onSocket?: (socket: SimServerSocket) => void): SimServerSocket[] {
  const sockets: SimServerSocket[] = [];
  net.listen((socket, handshake) => {
    sockets.push(socket);
    log.push(`${net.scheduler.now()} server accept ${socket.linkId} ${handshake.url}`);
    socket.on('message', (data) => log.push(`${net.scheduler.now()} server got ${data}`));
    socket.on('close', (code, reason) => log.push(`${net.scheduler.now()} server close ${code} ${reason}`));
    onSocket?.(socket);
  });
  return sockets;
}

describe('connections', () => {
  it('creates links L1, L2, ... and opens both sides after the handshake latency', async () => {
    const { scheduler, net, trace } = setup();
    const log: string[] = [];
    const headersSeen: Record<string, Record<string, string | undefined>> = {};
    net.listen((socket, handshake) => {
      headersSeen[socket.linkId] = handshake.headers;
      log.push(`${scheduler.now()} accept ${socket.linkId} ${handshake.url} state=${socket.readyState}`);
    });
    const a = net.connect({ url: '/ws?thread_id=t1', headers: { authorization: 'Bearer x' }, label: 'alice' });
    const b = net.connect({ url: '/ws?thread_id=t2', profile: { handshakeMs: fixed(5) } });
    expect([a.linkId, a.label, b.linkId, b.label]).toEqual(['L1', 'alice', 'L2', 'L2']);
    expect(a.readyState).toBe(CONNECTING);
    a.on('open', () => log.push(`${scheduler.now()} open ${a.linkId}`));
    b.on('open', () => log.push(`${scheduler.now()} open ${b.linkId}`));
    expect(net.links().map((l) => l.state)).toEqual(['connecting', 'connecting']);
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 accept L1 /ws?thread_id=t1 state=1', '2000 open L1', '5000 accept L2 /ws?thread_id=t2 state=1', '5000 open L2']);
    expect(headersSeen).toEqual({ L1: { authorization: 'Bearer x' }, L2: {} });
    expect(a.readyState).toBe(OPEN);
    expect(net.link('L1').state).toBe('open');
    expect(records(trace, 'net.connect', 'net.open')).toEqual([
      '0 net.connect {"link":"L1","label":"alice","url":"/ws?thread_id=t1"}',
      '0 net.connect {"link":"L2","label":"L2","url":"/ws?thread_id=t2"}',
      '2000 net.open {"link":"L1"}',
      '5000 net.open {"link":"L2"}',
    ]);
    expect(() => net.link('L9')).toThrow(/no link "L9"/);
  });

  it('refuses the handshake when no server listens (error, then close 1006)', async () => {
    const { scheduler, net } = setup();
    const c = net.connect({ url: '/ws' });
    const log: string[] = [];
    c.on('error', (e) => log.push(`${scheduler.now()} error ${e.message}`));
    c.on('close', (code) => log.push(`${scheduler.now()} close ${code}`));
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 error WebSocket connection failed before it was established (refused) (link L1)', '2000 close 1006']);
    expect(net.link('L1').state).toBe('closed');
  });

  it('close() while connecting aborts the handshake; the server never sees it', async () => {
    const { scheduler, net } = setup();
    const log: string[] = [];
    loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('error', () => log.push(`${scheduler.now()} client error`));
    c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
    scheduler.at(1_000, () => c.close());
    await scheduler.runUntilIdle();
    expect(log).toEqual(['1000 client error', '1000 client close 1006']);
    expect(c.readyState).toBe(CLOSED);
  });

  it('invokes listeners and send callbacks from kernel events, never inside send()', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, latencyMs: fixed(0) } });
    const log: string[] = [];
    loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('open', () => {
      c.send('hi', () => log.push(`${scheduler.now()} cb`));
      log.push(`${scheduler.now()} after send`);
    });
    await scheduler.runUntilIdle();
    // The callback fires when the frame leaves the buffer, before the peer gets it (zero latency).
    expect(log).toEqual(['2000 server accept L1 /ws', '2000 after send', '2000 cb', '2000 server got hi']);
  });
});

describe('FIFO per connection', () => {
  it('holds under random latency, jitter, bandwidth and tie-breaking (property over seeds)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        fc.constantFrom(Infinity, 20_000, 500_000),
        async (seed, tieBreak, bandwidthBytesPerS) => {
          const { scheduler, net } = setup({
            seed,
            tieBreak,
            defaults: { latencyMs: uniform(0, 20), jitterMs: exponential(3), bandwidthBytesPerS },
          });
          const work = createRandom(seed).fork('workload');
          // Per "link/direction": sequence numbers in the order sent, and in the order received.
          const sent = new Map<string, number[]>();
          const received = new Map<string, number[]>();
          const note = (map: Map<string, number[]>, key: string, seq: number): void => {
            const list = map.get(key) ?? [];
            list.push(seq);
            map.set(key, list);
          };
          const sendNext = (socket: { send(d: string): void }, key: string, fill: string): void => {
            const seq = sent.get(key)?.length ?? 0;
            note(sent, key, seq);
            socket.send(`${seq}:${fill.repeat(work.int(0, 300))}`);
          };
          const FRAMES = 25;
          net.listen((socket) => {
            const key = `${socket.linkId}/toClient`;
            socket.on('message', (data) => note(received, `${socket.linkId}/toServer`, Number(data.split(':')[0])));
            for (let i = 0; i < FRAMES; i++) net.serverClock.setTimer(work.int(0, 30_000), () => sendNext(socket, key, 's'));
          });
          for (let l = 0; l < 2; l++) {
            const c = net.connect({ url: '/ws' });
            c.on('message', (data) => note(received, `${c.linkId}/toClient`, Number(data.split(':')[0])));
            c.on('open', () => {
              for (let i = 0; i < FRAMES; i++) scheduler.setTimer(work.int(0, 30_000), () => sendNext(c, `${c.linkId}/toServer`, 'c'));
            });
          }
          await scheduler.runUntilIdle();
          expect(sent.size).toBe(4);
          for (const [key, order] of sent) {
            expect(order).toHaveLength(FRAMES);
            expect(received.get(key), key).toEqual(order);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('delivers in send order even when a later frame draws a much smaller latency', async () => {
    const base = createRandom(11);
    for (let run = 0; run < 40; run++) {
      const { scheduler, net, trace } = setup({ seed: base.int(0, 1e9), tieBreak: run % 2 === 0, defaults: { latencyMs: uniform(0, 50) } });
      const got: number[] = [];
      net.listen((socket) => socket.on('message', (d) => got.push(Number(d))));
      const c = net.connect({ url: '/ws' });
      c.on('open', () => {
        for (let i = 0; i < 200; i++) scheduler.setTimer(i * 100, () => c.send(String(i)));
      });
      await scheduler.runUntilIdle();
      expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // Delivery times never decrease, and equal times keep their order.
      const times = trace.records.filter((r) => r.kind === 'net.deliver').map((r) => r.t);
      expect(times).toEqual(times.slice().sort((a, b) => a - b));
    }
  });

  it('draws each link from its own stream: traffic on L2 does not change L1', async () => {
    const deliveryTimesOfL1 = async (busyL2: boolean): Promise<number[]> => {
      const { scheduler, net, trace } = setup({ seed: 5, defaults: { latencyMs: uniform(1, 9) } });
      net.listen(() => {});
      const l1 = net.connect({ url: '/a' });
      const l2 = net.connect({ url: '/b' });
      l1.on('open', () => {
        for (let i = 0; i < 20; i++) scheduler.setTimer(i * 1_000, () => l1.send('x'));
      });
      if (busyL2) l2.on('open', () => {
        for (let i = 0; i < 50; i++) scheduler.setTimer(i * 300, () => l2.send('y'));
      });
      await scheduler.runUntilIdle();
      return trace.records.filter((r) => r.kind === 'net.deliver' && r.fields['link'] === 'L1').map((r) => r.t);
    };
    expect(await deliveryTimesOfL1(true)).toEqual(await deliveryTimesOfL1(false));
  });
});

describe('determinism', () => {
  /** A random workload: several links, sends both ways, a drop, a partition, maybe a pause and a half-open link. */
  async function runWorkload(seed: number): Promise<{ hash: string; kinds: Set<string>; net: SimNetwork }> {
    const trace = new Trace({ keepRecords: true });
    const scheduler = new Scheduler({ seed, tieBreak: seed % 2 === 0, traceTimers: false });
    const net = new SimNetwork({
      scheduler,
      rng: createRandom(seed).fork('net'),
      trace,
      defaults: { latencyMs: uniform(1, 8), jitterMs: exponential(0.5), closeDelayMs: uniform(0.5, 2) },
    });
    const w = createRandom(seed).fork('workload');
    net.listen((socket) => {
      socket.on('message', (data) => {
        if (w.chance(0.4)) socket.send(`re:${data}`);
        if (w.chance(0.01)) socket.close(4100, 'kick');
      });
      const n = w.int(0, 6);
      for (let i = 0; i < n; i++) net.serverClock.setTimer(w.int(0, 40_000), () => socket.send(`push${i}`));
    });
    const linkCount = w.int(3, 5);
    for (let l = 0; l < linkCount; l++) {
      scheduler.at(w.int(0, 5_000), () => {
        const c = net.connect({ url: `/ws?n=${l}`, profile: w.chance(0.3) ? { bandwidthBytesPerS: 50_000 } : {} });
        c.on('open', () => {
          const n = w.int(5, 20);
          for (let i = 0; i < n; i++) scheduler.setTimer(w.int(0, 40_000), () => c.send(`m${i}-${'x'.repeat(w.int(0, 200))}`));
          if (w.chance(0.2)) scheduler.setTimer(w.int(20_000, 45_000), () => c.close(4000 + l, 'done'));
          else if (w.chance(0.1)) scheduler.setTimer(w.int(20_000, 45_000), () => c.terminate());
        });
      });
    }
    scheduler.at(w.int(10_000, 30_000), () => net.drop(`L${w.int(1, linkCount)}`));
    scheduler.at(w.int(5_000, 25_000), () => {
      const ids = net.links().map((l) => l.id).filter(() => w.chance(0.5));
      net.partition(w.chance(0.3) ? 'all' : ids, { durationMs: w.int(1, 15), then: w.chance(0.5) ? 'release' : 'kill' });
    });
    if (w.chance(0.3)) scheduler.at(w.int(5_000, 30_000), () => net.pauseServer(w.int(1, 10)));
    if (w.chance(0.3)) scheduler.at(w.int(5_000, 30_000), () => net.halfOpen(`L${w.int(1, linkCount)}`));
    await scheduler.runUntilIdle();
    return { hash: trace.hash(), kinds: new Set(trace.records.map((r) => r.kind)), net };
  }

  it('same seed gives the same trace hash, different seeds give different hashes (200 seeds)', async () => {
    const hashes = new Set<string>();
    const kindsSeen = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const first = await runWorkload(seed);
      const second = await runWorkload(seed);
      expect(second.hash, `seed ${seed}`).toBe(first.hash);
      // Conservation: once idle, every data frame sent was delivered or recorded lost, exactly once.
      for (const link of first.net.links()) {
        for (const dir of ['toServer', 'toClient'] as const) {
          const { sent, delivered, lost } = link.frameCounts(dir);
          expect(delivered + lost, `seed ${seed} ${link.id} ${dir}`).toBe(sent);
        }
      }
      hashes.add(first.hash);
      for (const k of first.kinds) kindsSeen.add(k);
    }
    expect(hashes.size).toBe(200);
    // The workload really exercised the faults.
    for (const kind of ['net.send', 'net.deliver', 'net.lost', 'net.close', 'net.closing', 'net.abort', 'net.reject', 'net.fault']) expect(kindsSeen).toContain(kind);
  });
});

describe('faults', () => {
  it('drop: frames in flight both ways are lost; the client sees 1006 at once, the server after closeDelay', async () => {
    const { scheduler, net, trace } = setup();
    const log: string[] = [];
    loggingServer(net, log, (socket) => {
      socket.send('s0');
      socket.send('s1');
    });
    const c = net.connect({ url: '/ws' });
    c.on('open', () => ['c0', 'c1', 'c2'].forEach((m) => c.send(m)));
    c.on('message', (d) => log.push(`${scheduler.now()} client got ${d}`));
    c.on('close', (code, reason) => log.push(`${scheduler.now()} client close ${code} ${reason}`));
    scheduler.at(5_000, () => net.drop('L1'));
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 server accept L1 /ws', '5000 client close 1006 ', '6000 server close 1006 ']);
    expect(records(trace, 'net.lost', 'net.close', 'net.fault')).toEqual([
      '5000 net.fault {"fault":"drop","links":["L1"]}',
      '5000 net.lost {"link":"L1","dir":"toServer","frame":0,"reason":"drop"}',
      '5000 net.lost {"link":"L1","dir":"toServer","frame":1,"reason":"drop"}',
      '5000 net.lost {"link":"L1","dir":"toServer","frame":2,"reason":"drop"}',
      '5000 net.lost {"link":"L1","dir":"toClient","frame":0,"reason":"drop"}',
      '5000 net.lost {"link":"L1","dir":"toClient","frame":1,"reason":"drop"}',
      '5000 net.close {"link":"L1","side":"client","code":1006,"reason":""}',
      '6000 net.close {"link":"L1","side":"server","code":1006,"reason":""}',
    ]);
    expect(net.link('L1').state).toBe('closed');
    expect(net.link('L1').closedAtUs).toBe(6_000);
  });

  it('drop: a server send between the drop and its notice is lost; buffered frames fail their callbacks', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, bandwidthBytesPerS: 1_000 } });
    const cbs: string[] = [];
    let server!: SimServerSocket;
    net.listen((socket) => {
      server = socket;
    });
    net.connect({ url: '/ws' });
    scheduler.at(3_000, () => server.send('x'.repeat(100), (e) => cbs.push(`${scheduler.now()} ${e ? e.message : 'ok'}`))); // transmit ends at 103 ms
    scheduler.at(5_000, () => net.drop('L1'));
    scheduler.at(5_500, () => server.send('late', (e) => cbs.push(`${scheduler.now()} late ${e ? 'error' : 'ok'}`)));
    await scheduler.runUntilIdle();
    // The server learns at 6000: both buffered frames fail then.
    expect(cbs).toEqual(['6000 the connection was lost before the frame was sent (drop) (link L1)', '6000 late error']);
    expect(records(trace, 'net.lost')).toEqual([
      '6000 net.lost {"link":"L1","dir":"toClient","frame":0,"reason":"drop"}',
      '6000 net.lost {"link":"L1","dir":"toClient","frame":1,"reason":"drop"}',
    ]);
    expect(server.bufferedAmount).toBe(0);
  });

  it('graceful close: frames sent before it arrive first, then the code and reason; the closer gets the echo', async () => {
    const { scheduler, net, trace } = setup();
    const log: string[] = [];
    loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('open', () => {
      c.send('a');
      c.send('b');
      c.close(4001, 'done');
      expect(c.readyState).toBe(CLOSING);
    });
    c.on('close', (code, reason) => log.push(`${scheduler.now()} client close ${code} ${reason}`));
    await scheduler.runUntilIdle();
    // Close frame: max(2000 + 1000, last delivery 12000) = 12000, after a and b. Echo: 13000.
    expect(log).toEqual(['2000 server accept L1 /ws', '12000 server got a', '12000 server got b', '12000 server close 4001 done', '13000 client close 4001 done']);
    expect(records(trace, 'net.closing', 'net.close')).toEqual([
      '2000 net.closing {"link":"L1","side":"client","code":4001,"reason":"done"}',
      '12000 net.close {"link":"L1","side":"server","code":4001,"reason":"done"}',
      '13000 net.close {"link":"L1","side":"client","code":4001,"reason":"done"}',
    ]);
  });

  it('lets go of both sockets\' listeners once both ends have seen close', async () => {
    const { scheduler, net } = setup();
    const log: string[] = [];
    const sockets = loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('open', () => c.close(4001, 'done'));
    c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
    c.on('message', () => log.push('client got a frame'));
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 server accept L1 /ws', '3000 server close 4001 done', '4000 client close 4001']);
    // The handlers (and what they hold of the application) are released; the link itself stays.
    for (const event of ['message', 'close', 'open'] as const) expect(c.listenerCount(event)).toBe(0);
    for (const event of ['message', 'close'] as const) expect(sockets[0]!.listenerCount(event)).toBe(0);
    expect(net.links().map((l) => [l.id, l.state])).toEqual([['L1', 'closed']]);
  });

  it('keeps the listeners while only one end has closed', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, closeTimeoutMs: Infinity } });
    const sockets = loggingServer(net, []);
    const c = net.connect({ url: '/ws' });
    c.on('open', () => net.halfOpen('L1'));
    scheduler.at(5_000, () => c.close(4001, 'bye'));
    c.on('close', () => undefined);
    await scheduler.runUntilIdle();
    expect(c.readyState).toBe(CLOSING); // the close never completes on a half-open link
    expect(c.listenerCount('close')).toBe(1);
    expect(sockets[0]!.listenerCount('message')).toBe(1);
  });

  it('sending after close is an error passed to the callback and a net.reject record, never a throw', async () => {
    const { scheduler, net, trace } = setup();
    net.listen(() => {});
    const c = net.connect({ url: '/ws' });
    const errors: string[] = [];
    c.send('too early', (e) => errors.push(`${scheduler.now()} ${e?.message}`));
    c.on('open', () => {
      c.close();
      expect(() => c.send('after', (e) => errors.push(`${scheduler.now()} ${e?.message}`))).not.toThrow();
      c.send('no callback');
    });
    await scheduler.runUntilIdle();
    expect(errors).toEqual(['0 WebSocket is not open: readyState 0 (CONNECTING) (link L1)', '2000 WebSocket is not open: readyState 2 (CLOSING) (link L1)']);
    expect(records(trace, 'net.reject')).toEqual([
      '0 net.reject {"link":"L1","dir":"toServer","readyState":0}',
      '2000 net.reject {"link":"L1","dir":"toServer","readyState":2}',
      '2000 net.reject {"link":"L1","dir":"toServer","readyState":2}',
    ]);
  });

  it('close validates code and reason like ws', async () => {
    const { scheduler, net } = setup();
    net.listen(() => {});
    const c = net.connect({ url: '/ws' });
    await scheduler.runUntil(2_000);
    expect(() => c.close(1006)).toThrow(TypeError);
    expect(() => c.close(4000, 'x'.repeat(124))).toThrow(RangeError);
    expect(c.readyState).toBe(OPEN);
  });

  it('half-open: no close on either side, frames in flight and later frames lost, sends succeed locally', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, latencyMs: fixed(3) } });
    const log: string[] = [];
    const servers = loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('close', () => log.push(`${scheduler.now()} client close`));
    scheduler.at(3_000, () => c.send('in-flight'));
    scheduler.at(4_000, () => net.halfOpen('L1'));
    scheduler.at(6_000, () => c.send('later', (e) => log.push(`${scheduler.now()} cb ${e ? 'error' : 'ok'}`)));
    scheduler.at(7_000, () => servers[0]!.send('reply'));
    await scheduler.runUntil(60_000_000);
    expect(log).toEqual(['2000 server accept L1 /ws', '6000 cb ok']);
    expect(records(trace, 'net.lost')).toEqual([
      '4000 net.lost {"link":"L1","dir":"toServer","frame":0,"reason":"half-open"}',
      '6000 net.lost {"link":"L1","dir":"toServer","frame":1,"reason":"half-open"}',
      '7000 net.lost {"link":"L1","dir":"toClient","frame":0,"reason":"half-open"}',
    ]);
    expect([c.readyState, servers[0]!.readyState]).toEqual([OPEN, OPEN]);
    expect(net.link('L1').halfOpen).toBe(true);
  });

  it('half-open: a close never completes until the close timeout (1006 locally; the peer never hears)', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, closeTimeoutMs: 30_000 } });
    const log: string[] = [];
    loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
    scheduler.at(3_000, () => net.halfOpen('L1'));
    scheduler.at(5_000, () => c.close(1000));
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 server accept L1 /ws', '30005000 client close 1006']);
    expect(net.link('L1').server!.readyState).toBe(OPEN);
  });

  it('terminate: the terminating side sees 1006 at once, the peer after closeDelay; in-flight frames lost', async () => {
    const { scheduler, net, trace } = setup();
    const log: string[] = [];
    loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
    c.on('open', () => c.send('a'));
    scheduler.at(5_000, () => {
      c.terminate();
      expect(c.readyState).toBe(CLOSING);
    });
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 server accept L1 /ws', '5000 client close 1006', '6000 server close 1006 ']);
    expect(records(trace, 'net.abort', 'net.lost')).toEqual([
      '5000 net.abort {"link":"L1","side":"client","cause":"terminate"}',
      '5000 net.lost {"link":"L1","dir":"toServer","frame":0,"reason":"terminate"}',
    ]);
  });

  it('partition release: held frames are delivered in order after the partition; frames already on the wire arrive', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, latencyMs: fixed(3) } });
    const log: string[] = [];
    const servers = loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('message', (d) => log.push(`${scheduler.now()} client got ${d}`));
    scheduler.at(2_000, () => c.send('a')); // on the wire before the cut: arrives at 5000
    scheduler.at(4_000, () => net.partition(['L1'], { durationMs: 10, then: 'release' })); // until 14000
    scheduler.at(6_000, () => ['b', 'c', 'd'].forEach((m) => c.send(m)));
    scheduler.at(7_000, () => servers[0]!.send('x'));
    scheduler.at(10_000, () => expect(net.link('L1').partitioned).toBe(true));
    await scheduler.runUntilIdle();
    expect(log).toEqual([
      '2000 server accept L1 /ws',
      '5000 server got a',
      '17000 server got b',
      '17000 server got c',
      '17000 server got d',
      '17000 client got x',
    ]);
    expect(records(trace, 'net.fault')).toEqual([
      '4000 net.fault {"fault":"partition","links":["L1"],"durationUs":10000,"then":"release","scope":"listed"}',
      '14000 net.fault {"fault":"partition-end","links":["L1"],"then":"release"}',
    ]);
  });

  it('partition release keeps FIFO with random latency', async () => {
    const { scheduler, net } = setup({ seed: 3, defaults: { latencyMs: uniform(1, 30) } });
    const got: string[] = [];
    net.listen((s) => s.on('message', (d) => got.push(d)));
    const c = net.connect({ url: '/ws' });
    c.on('open', () => {
      for (let i = 0; i < 50; i++) scheduler.setTimer(i * 500, () => c.send(String(i)));
    });
    scheduler.at(8_000, () => net.partition('all', { durationMs: 10, then: 'release' }));
    await scheduler.runUntilIdle();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('partition kill: held frames are lost and both ends see 1006', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, latencyMs: fixed(3) } });
    const log: string[] = [];
    const servers = loggingServer(net, log);
    const c = net.connect({ url: '/ws' });
    c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
    scheduler.at(4_000, () => net.partition(['L1'], { durationMs: 10, then: 'kill' }));
    scheduler.at(6_000, () => ['b', 'c'].forEach((m) => c.send(m)));
    scheduler.at(7_000, () => servers[0]!.send('x'));
    await scheduler.runUntilIdle();
    expect(log).toEqual(['2000 server accept L1 /ws', '14000 client close 1006', '15000 server close 1006 ']);
    expect(records(trace, 'net.lost')).toEqual([
      '14000 net.lost {"link":"L1","dir":"toServer","frame":0,"reason":"partition-kill"}',
      '14000 net.lost {"link":"L1","dir":"toServer","frame":1,"reason":"partition-kill"}',
      '14000 net.lost {"link":"L1","dir":"toClient","frame":0,"reason":"partition-kill"}',
    ]);
  });

  it("partition 'all' also holds links created during it: their handshake waits (release) or fails (kill)", async () => {
    for (const then of ['release', 'kill'] as const) {
      const { scheduler, net } = setup();
      const log: string[] = [];
      loggingServer(net, log);
      scheduler.at(1_000, () => net.partition('all', { durationMs: 20, then })); // until 21000
      scheduler.at(5_000, () => {
        const c = net.connect({ url: '/late' });
        c.on('open', () => log.push(`${scheduler.now()} client open`));
        c.on('error', () => log.push(`${scheduler.now()} client error`));
        c.on('close', (code) => log.push(`${scheduler.now()} client close ${code}`));
      });
      await scheduler.runUntilIdle();
      expect(log).toEqual(then === 'release' ? ['21000 server accept L1 /late', '21000 client open'] : ['21000 client error', '21000 client close 1006']);
    }
  });

  it('server pause: inbound frames and serverClock timers wait, then run in the order they were due', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, latencyMs: fixed(2) } });
    const log: string[] = [];
    const clock = net.serverClock;
    loggingServer(net, log, (socket) => {
      socket.send('hello'); // sent before the pause: still travels
      clock.setTimer(8_000, () => log.push(`${clock.now()} server timer@10000`));
      const cancelled = clock.setTimer(20_000, () => log.push('never'));
      scheduler.at(50_000, () => clock.cancelTimer(cancelled)); // deferred at 22000, cancelled before it runs
    });
    const c = net.connect({ url: '/ws' });
    c.on('message', (d) => log.push(`${scheduler.now()} client got ${d}`));
    scheduler.at(3_000, () => net.pauseServer(100)); // until 103000
    scheduler.at(5_000, () => c.send('m1')); // arrives 7000
    scheduler.at(9_000, () => c.send('m2')); // arrives 11000
    await scheduler.runUntilIdle();
    expect(log).toEqual([
      '2000 server accept L1 /ws',
      '4000 client got hello',
      '103000 server got m1',
      '103000 server timer@10000',
      '103000 server got m2',
    ]);
    expect(records(trace, 'net.deliver').filter((r) => r.includes('toServer'))).toEqual([
      '103000 net.deliver {"link":"L1","dir":"toServer","frame":0}',
      '103000 net.deliver {"link":"L1","dir":"toServer","frame":1}',
    ]);
  });

  it('server pause: handshakes, close events and send callbacks of the server wait too; pauses extend', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, latencyMs: fixed(2), bandwidthBytesPerS: 1_000 } });
    const log: string[] = [];
    loggingServer(net, log, (socket) => {
      socket.send('x'.repeat(10), () => log.push(`${scheduler.now()} server send cb`)); // transmit ends 12000
    });
    const c = net.connect({ url: '/ws' });
    c.on('open', () => log.push(`${scheduler.now()} client open`));
    scheduler.at(1_000, () => net.pauseServer(20)); // until 21000 ...
    scheduler.at(10_000, () => net.pauseServer(30)); // ... extended to 40000
    scheduler.at(10_000, () => net.pauseServer(5)); // shorter: no change
    await scheduler.runUntilIdle();
    expect(log).toEqual(['40000 server accept L1 /ws', '40000 client open', '50000 server send cb']);
  });

  it('bandwidth: bufferedAmount grows and send callbacks fire at the transmit end', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, latencyMs: fixed(5), bandwidthBytesPerS: 1_000 } });
    const log: string[] = [];
    const samples: string[] = [];
    let server!: SimServerSocket;
    net.listen((socket) => {
      server = socket;
      for (let i = 0; i < 3; i++) socket.send('x'.repeat(100), () => log.push(`${scheduler.now()} cb${i}`));
      samples.push(`${scheduler.now()}:${socket.bufferedAmount}`);
    });
    const c = net.connect({ url: '/ws' });
    c.on('message', () => log.push(`${scheduler.now()} delivered`));
    // Each 100-byte frame takes 100 ms at 1000 B/s: transmit ends 102000, 202000, 302000.
    for (const t of [102_000, 150_000, 202_000, 302_000]) scheduler.at(t, () => samples.push(`${t}:${server.bufferedAmount}`));
    await scheduler.runUntilIdle();
    expect(samples).toEqual(['2000:300', '102000:200', '150000:200', '202000:100', '302000:0']);
    expect(log).toEqual(['102000 cb0', '107000 delivered', '202000 cb1', '207000 delivered', '302000 cb2', '307000 delivered']);
  });

  it('setBandwidth makes a slow consumer: later frames queue, earlier ones keep their times', async () => {
    const { scheduler, net, trace } = setup({ defaults: { ...EXACT, latencyMs: fixed(1) } });
    const cbs: number[] = [];
    let server!: SimServerSocket;
    net.listen((socket) => {
      server = socket;
    });
    net.connect({ url: '/ws' });
    scheduler.at(3_000, () => {
      server.send('fast', () => cbs.push(scheduler.now())); // unlimited: transmit end 3000
      net.setBandwidth('L1', 'toClient', 500);
      server.send('x'.repeat(50), () => cbs.push(scheduler.now())); // 100 ms
      server.send('x'.repeat(50), () => cbs.push(scheduler.now())); // another 100 ms
      expect(server.bufferedAmount).toBe(100);
    });
    await scheduler.runUntilIdle();
    expect(cbs).toEqual([3_000, 103_000, 203_000]);
    expect(records(trace, 'net.fault')).toEqual(['3000 net.fault {"fault":"bandwidth","links":["L1"],"dir":"toClient","bytesPerS":500}']);
  });

  it('a bandwidth change re-times what is still in the sender buffer: the frame in progress sends the rest at the new rate', async () => {
    const { scheduler, net } = setup({ defaults: { ...EXACT, latencyMs: fixed(1), bandwidthBytesPerS: 1_000 } });
    const cbs: string[] = [];
    const buffered: string[] = [];
    let server!: SimServerSocket;
    net.listen((socket) => {
      server = socket;
      // Sent at 2000: 100 bytes each at 1000 B/s would end at 102000, 202000, 302000.
      for (let i = 0; i < 3; i++) socket.send('x'.repeat(100), () => cbs.push(`${scheduler.now()} cb${i}`));
    });
    net.connect({ url: '/ws' });
    // At 52000 half of the first frame is out; the other 50 bytes take 5 ms at 10,000 B/s (ends
    // 57000), then 10 ms per frame (67000, 77000). Then slow again at 60000: the second frame has
    // 70 of its 100 bytes left, 700 ms at 100 B/s (ends 760000), the third 1 s more.
    scheduler.at(52_000, () => net.setBandwidth('L1', 'toClient', 10_000));
    scheduler.at(60_000, () => {
      net.setBandwidth('L1', 'toClient', 100);
      buffered.push(`60000:${server.bufferedAmount}`);
    });
    await scheduler.runUntilIdle();
    expect(cbs).toEqual(['57000 cb0', '760000 cb1', '1760000 cb2']);
    expect(buffered).toEqual(['60000:200']);
  });

  it('retimeTransmits, the rule the pipe and the chaos proxy share: left frames stay, the rest follow at the new rate', () => {
    const q = [
      { bytes: 100, txStartUs: 0, txEndUs: 100_000 }, // left before now
      { bytes: 100, txStartUs: 100_000, txEndUs: 200_000 }, // in progress: 40 bytes left at 160000
      { bytes: 100, txStartUs: 200_000, txEndUs: 300_000 },
    ];
    expect(retimeTransmits(q, 160_000, 2_000)).toBe(230_000);
    // The one in progress: 40 bytes in 20 ms; as if all its 100 had gone at 2000 B/s from 130000.
    expect(q.map((f) => [f.txStartUs, f.txEndUs])).toEqual([[0, 100_000], [130_000, 180_000], [180_000, 230_000]]);
    // Again at 170000: it has 20 bytes left, 200 ms at 100 B/s; the last frame 1 s after.
    expect(retimeTransmits(q, 170_000, 100)).toBe(1_370_000);
    expect(q.map((f) => f.txEndUs)).toEqual([100_000, 370_000, 1_370_000]);
    // Unlimited: everything still queued leaves now.
    expect(retimeTransmits(q, 170_000, Infinity)).toBe(170_000);
    expect(q.map((f) => f.txEndUs)).toEqual([100_000, 170_000, 170_000]);
  });

  it('frames reaching a closed endpoint are lost as "closed"', async () => {
    const { scheduler, net, trace } = setup();
    net.listen((socket) => {
      socket.send('late-1');
      socket.send('late-2');
    });
    const c = net.connect({ url: '/ws' });
    c.on('open', () => c.close(1000, 'bye')); // client CLOSING from 2000; server frames arrive 12000
    await scheduler.runUntilIdle();
    expect(records(trace, 'net.lost')).toEqual([
      '12000 net.lost {"link":"L1","dir":"toClient","frame":0,"reason":"closed"}',
      '12000 net.lost {"link":"L1","dir":"toClient","frame":1,"reason":"closed"}',
    ]);
  });

  it('rejects invalid profiles and unknown links loudly', () => {
    const { net } = setup();
    expect(() => net.connect({ url: '/ws', profile: { bandwidthBytesPerS: 0 } })).toThrow(/bandwidthBytesPerS/);
    expect(() => net.connect({ url: '/ws', profile: { latencyMs: { kind: 'uniform', min: 5, max: 1 } } })).toThrow(/latencyMs/);
    expect(() => net.drop('L7')).toThrow(/no link/);
    expect(() => net.partition(['L1'], { durationMs: -1, then: 'release' })).toThrow(/durationMs/);
  });
});
