/**
 * Conformance of threadline's simulated ws (src/host/ws.ts) to the real `ws` 8, as a server's
 * code observes it: ONE set of checks, run against the real WebSocketServer on loopback and
 * against the stand-in on the simulated network, expecting the same observations — event order,
 * request URL and headers, Buffer messages, close codes and reasons, maxPayload (an error, then
 * 1009), send callbacks, and bufferedAmount growing on a slow link and draining after.
 *
 * Each driver gives: a server with given options and a connection handler, a client that
 * connects with a path and a header, and a way to let time pass. Real time on one side, the
 * kernel on the other; the observations are normalised to plain strings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as RealWebSocket, WebSocketServer as RealWebSocketServer } from 'ws';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { SimNetwork } from '../../src/sim/network.ts';
import type { ServerEnv } from '../../src/ports/server.ts';
import { OwnServerContext, setActiveContext } from '../../src/host/context.ts';
import { WebSocketServer as SimWebSocketServer } from '../../src/host/ws.ts';

interface ServerSocket {
  send(data: string, cb?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
interface Req {
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface Client {
  send(data: string): void;
  on(event: 'open' | 'message' | 'close', listener: (...args: never[]) => void): void;
  /** Stop reading (a slow consumer) / read again. */
  pause(): void;
  resume(): void;
}
interface Driver {
  name: string;
  server(options: { maxPayload?: number; path?: string; verifyClient?: never }, onConnection: (ws: ServerSocket, req: Req) => void): Promise<void>;
  client(path: string, headers: Record<string, string>): Client;
  /** Let `ms` of (real or virtual) time pass. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}

const text = (x: unknown): string => (Buffer.isBuffer(x) ? `Buffer(${x.toString('utf8')})` : `string(${String(x)})`);

function realDriver(): Driver {
  let wss: RealWebSocketServer | null = null;
  const clients: RealWebSocket[] = [];
  let port = 0;
  return {
    name: 'ws (real, loopback)',
    server(options, onConnection) {
      const server = new RealWebSocketServer({ port: 0, host: '127.0.0.1', ...options });
      wss = server;
      server.on('connection', (ws, req) => onConnection(ws as unknown as ServerSocket, req as unknown as Req));
      return new Promise((resolve) => server.once('listening', () => resolve()));
    },
    client(path, headers) {
      if (!wss) throw new Error('server first');
      port = (wss.address() as { port: number }).port;
      const ws = new RealWebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
      ws.on('error', () => undefined); // a refused upgrade: 'error', then 'close' 1006
      clients.push(ws);
      return {
        send: (d) => ws.send(d),
        on: (event, listener) => {
          if (event === 'message') ws.on('message', (data: Buffer) => (listener as (d: string) => void)(data.toString('utf8')));
          else if (event === 'close') ws.on('close', (code: number, reason: Buffer) => (listener as (c: number, r: string) => void)(code, reason.toString('utf8')));
          else ws.on('open', listener as () => void);
        },
        pause: () => (ws as unknown as { _socket: { pause(): void } })._socket.pause(),
        resume: () => (ws as unknown as { _socket: { resume(): void } })._socket.resume(),
      };
    },
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async close() {
      for (const c of clients) c.terminate();
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    },
  };
}

/** The simulated network of the last simDriver() (the half-open test reaches for it). */
let lastNetwork: SimNetwork | null = null;
const halfOpenAll = (): void => {
  for (const link of lastNetwork!.links()) lastNetwork!.halfOpen(link.id);
};

function simDriver(): Driver {
  const scheduler = new Scheduler({ seed: 1 });
  const network = new SimNetwork({ scheduler, rng: createRandom(1).fork('network') });
  lastNetwork = network;
  const context = new OwnServerContext('conformance', createRandom(1));
  const quiet = { info() {}, warn() {}, error() {}, fact() {} };
  context.attach({ clock: scheduler, listen: (h: Parameters<SimNetwork['listen']>[0]) => network.listen(h), log: quiet } as unknown as ServerEnv);
  setActiveContext(context);
  const links = new Map<Client, string>();
  return {
    name: 'threadline simulated ws',
    async server(options, onConnection) {
      const wss = new SimWebSocketServer({ port: 8080, ...options });
      wss.on('connection', (ws: ServerSocket, req: Req) => onConnection(ws, req));
    },
    client(path, headers) {
      const socket = network.connect({ url: path, headers });
      const client: Client = {
        send: (d) => socket.send(d),
        on: (event, listener) => {
          socket.on(event as 'message', listener as (d: string) => void);
        },
        // A slow link (2 MB/s): a frame already on it keeps its rate, so a full stop would
        // never drain the frame in flight; the real side stops reading (the kernel buffers fill).
        pause: () => network.setBandwidth(links.get(client)!, 'toClient', 2_000_000),
        resume: () => network.setBandwidth(links.get(client)!, 'toClient', 1_000_000_000),
      };
      links.set(client, socket.linkId);
      return client;
    },
    wait: (ms) => scheduler.runUntil(scheduler.now() + ms * 1_000),
    async close() {
      setActiveContext(null);
      context.timers.cancelAll();
    },
  };
}

const drivers = [realDriver, simDriver];
let current: Driver | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

/** Every check returns its observations; the test compares them across drivers. */
const checks: Record<string, (d: Driver) => Promise<unknown>> = {
  async 'events, request, Buffer messages, close code and reason'(d) {
    const log: string[] = [];
    await d.server({}, (ws, req) => {
      log.push(`server: connection ${req.url} x-tab=${String(req.headers['x-tab'])}`);
      ws.on('message', ((data: unknown, isBinary: boolean) => {
        log.push(`server: message ${text(data)} binary=${isBinary}`);
        ws.send('welcome', (error?: Error) => log.push(`server: send callback ${error ? 'error' : 'ok'}`));
      }) as never);
      ws.on('close', ((code: number, reason: unknown) => log.push(`server: close ${code} ${text(reason)}`)) as never);
    });
    const c = d.client('/ws?token=user%3Au1&thread_id=A', { 'x-tab': 't1' });
    c.on('open', (() => {
      log.push('client: open');
      c.send('hello');
    }) as never);
    c.on('message', ((m: string) => log.push(`client: message ${m}`)) as never);
    c.on('close', ((code: number, reason: string) => log.push(`client: close ${code} ${reason}`)) as never);
    await d.wait(100);
    return [...log];
  },

  async 'server close(4000, reason): both ends see the code and the reason; send after close calls back with an error'(d) {
    const log: string[] = [];
    await d.server({}, (ws) => {
      ws.on('close', ((code: number, reason: unknown) => log.push(`server: close ${code} ${text(reason)}`)) as never);
      ws.close(4000, 'bye');
      ws.send('late', (error?: Error) => log.push(`server: late send ${error ? 'error' : 'ok'}`));
    });
    const c = d.client('/ws', {});
    c.on('close', ((code: number, reason: string) => log.push(`client: close ${code} ${reason}`)) as never);
    await d.wait(100);
    return [...log].sort();
  },

  async 'maxPayload: a larger message is an error on the server, then a 1009 close'(d) {
    const log: string[] = [];
    await d.server({ maxPayload: 10 }, (ws) => {
      ws.on('error', ((e: Error & { code?: string }) => log.push(`server: error ${e.constructor.name} ${e.message} ${e.code}`)) as never);
      ws.on('message', ((data: unknown) => log.push(`server: message ${text(data)}`)) as never);
      ws.on('close', ((code: number) => log.push(`server: close ${code}`)) as never);
    });
    const c = d.client('/ws', {});
    c.on('open', (() => {
      c.send('short');
      c.send('much longer than ten bytes');
    }) as never);
    c.on('close', ((code: number) => log.push(`client: close ${code}`)) as never);
    await d.wait(200);
    return [...log];
  },

  // What the server's code sees, and how the refused clients end: a refused client never opens.
  async 'verifyClient refusing and a wrong path: no connection event, the client never opens and is closed abnormally (1006)'(d) {
    const log: string[] = [];
    await d.server({ path: '/ws', verifyClient: ((info: { req: Req }) => info.req.headers['x-tab'] !== 'blocked') as never } as never, () => log.push('server: connection'));
    for (const [path, tab] of [['/ws', 'blocked'], ['/other', 'ok'], ['/ws', 'ok']] as const) {
      const c = d.client(path, { 'x-tab': tab });
      c.on('open', (() => log.push(`client ${path} ${tab}: open`)) as never);
      c.on('close', ((code: number) => log.push(`client ${path} ${tab}: close ${code}`)) as never);
      await d.wait(100);
    }
    return [...log]; // a copy: closing the driver afterwards must not add to it
  },

  async 'ping: the client answers, the pong carries the payload'(d) {
    const log: string[] = [];
    await d.server({}, (ws) => {
      ws.on('pong', ((data: unknown) => log.push(`server: pong ${text(data)}`)) as never);
      (ws as unknown as { ping(data: string, mask?: boolean, cb?: (e?: Error) => void): void }).ping('beat-1', undefined, (e) => log.push(`server: ping callback ${e ? 'error' : 'ok'}`));
    });
    d.client('/ws', {});
    await d.wait(100);
    return [...log].sort();
  },

  async 'bufferedAmount grows while the client does not read, and drains when it reads again'(d) {
    let socket: ServerSocket | null = null;
    await d.server({}, (ws) => (socket = ws));
    const c = d.client('/ws', {});
    await d.wait(50);
    c.pause();
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 16; i++) socket!.send(chunk);
    await d.wait(50);
    const grown = socket!.bufferedAmount > 0;
    c.resume();
    let drained = false;
    for (let i = 0; i < 200 && !drained; i++) {
      await d.wait(50);
      drained = socket!.bufferedAmount === 0;
    }
    return { grown, drained };
  },
};

describe('the simulated ws behaves as ws does', () => {
  for (const [name, check] of Object.entries(checks)) {
    it(name, async () => {
      const seen: unknown[] = [];
      for (const make of drivers) {
        current = make();
        seen.push(await check(current));
        await current.close();
        current = null;
      }
      // Real ws observed something (a check that saw nothing would agree vacuously).
      expect(Array.isArray(seen[0]) ? (seen[0] as unknown[]).length : Object.values(seen[0] as object).filter(Boolean).length).toBeGreaterThan(1);
      expect(seen[1]).toEqual(seen[0]);
    });
  }
});

describe('pings on the simulated link are frames, not promises', () => {
  it('a half-open link loses the ping: no pong, so a heartbeat can find the dead connection', async () => {
    const d = simDriver();
    current = d;
    const pongs: number[] = [];
    let socket: { ping(data: string): void } | null = null;
    await d.server({}, (ws) => {
      socket = ws as unknown as { ping(data: string): void };
      ws.on('pong', (() => pongs.push(1)) as never);
    });
    d.client('/ws', {});
    await d.wait(50);
    socket!.ping('a');
    await d.wait(100);
    expect(pongs).toEqual([1]);
    // Half-open the (only) link: frames in either direction are silently lost from now on.
    halfOpenAll();
    socket!.ping('b');
    await d.wait(1_000);
    expect(pongs).toEqual([1]);
  });
});
