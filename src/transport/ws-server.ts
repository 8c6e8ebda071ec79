/**
 * The unchanged Router on a real `ws` WebSocketServer: `startServer(options)`.
 *
 * One HTTP server carries both the WebSocket upgrades (any path, e.g. `/ws`) and
 * `GET /metrics` (Prometheus text) and `GET /healthz`. At the upgrade the signed token is
 * checked (`verifyClient`): a missing or bad token gets HTTP 401 and never reaches the router.
 * `maxPayload` is enforced by `ws` itself (an oversize frame closes the connection with 1009);
 * the rate limit, bad frames and foreign threads are the router's (error frames). A heartbeat
 * (ws ping/pong, transport level) terminates connections that stop answering.
 *
 * `close()` is the graceful shutdown: stop accepting; refuse new user messages with an error
 * frame; let runs already accepted finish and their events reach the sockets (bounded by
 * `drainTimeoutMs`); wait for the send buffers to empty; then close every socket with 1001.
 *
 * The server adapter also applies the default ownership rule (auth.ts): before a frame reaches
 * the router, a thread it names that nobody owns yet is registered to the user its name
 * designates (`<userId>-<suffix>`), so the router's ThreadService decides as usual.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_RATE_LIMIT_PER_S, Router } from '../router/router.ts';
import type { RouterConfig } from '../router/flags.ts';
import type { AgentProfile, ProducedEvent } from '../router/agents.ts';
import type { Distribution } from '../sim/distribution.ts';
import { createRandom, type Random } from '../sim/rng.ts';
import type { TraceFields } from '../sim/trace.ts';
import { authenticateHandshake, ownerByNaming } from './auth.ts';
import { RealClock } from './real-clock.ts';
import { renderMetrics, type ServerStats } from './metrics.ts';
import { CloseCode, type HandshakeInfo, type SocketLike } from './socket.ts';

export const DEFAULT_HEARTBEAT_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

export type LogRecord = Record<string, unknown> & { level: 'info' | 'warn' | 'error'; msg: string };

/** Observation hooks on the server's sockets (the oracle's wire tap, in-flight accounting). */
export interface ServerTap {
  /** A socket was accepted by the router (`label`: `x-threadline-conn` header, else the router's id). */
  accepted?(label: string, userId: string, routerConnId: string | null): void;
  /** A frame arrived from a client (before the router sees it). */
  read?(label: string, data: string): void;
  /** The server wrote a frame to a client socket. */
  write?(label: string, userId: string, data: string): void;
  /** The server-side socket emitted 'close'. */
  closed?(label: string, code: number): void;
}

export interface ServerOptions {
  config: RouterConfig;
  /** HMAC secret for tokens. */
  secret: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The router's clock. Default: a RealClock at time scale 1, millisecond timers (no polling), not keeping the process alive. */
  clock?: RealClock;
  rng?: Random;
  /** Seed for the router's random streams when `rng` is not given (look-up and agent durations). */
  seed?: number;
  /** Explicit ownership: user id → threads. */
  ownership?: Record<string, readonly string[]>;
  /** Apply the naming rule `<userId>-<suffix>` to threads not in `ownership` (default true). */
  ownershipByNaming?: boolean;
  /** Largest accepted frame, bytes (ws `maxPayload`; bigger → close 1009). Default 64 KiB. */
  maxPayloadBytes?: number;
  rateLimitPerS?: number;
  /** Ping every this many real ms; a socket that missed the previous pong is terminated. 0 = off. */
  heartbeatMs?: number;
  lookupMs?: Distribution;
  agentProfile?: AgentProfile;
  /** Wire the WebSocketManager into the AgentRegistry this long (clock µs/1000) after start (F18). */
  injectionDelayMs?: number;
  /** Graceful shutdown: how long (real ms) to wait for accepted runs to finish. */
  drainTimeoutMs?: number;
  /** JSON-lines log sink (serve writes to stdout). */
  log?: (record: LogRecord) => void;
  onTrace?: (kind: string, fields: TraceFields) => void;
  onProduced?: (event: ProducedEvent) => void;
  tap?: ServerTap;
}

export interface RunningServer {
  /** `ws://host:port/ws` */
  url: string;
  host: string;
  port: number;
  router: Router;
  clock: RealClock;
  stats: ServerStats;
  /** Prometheus text, as served on /metrics. */
  metrics(): string;
  /** Graceful shutdown (see the file comment); `{ graceful: false }` terminates at once. Idempotent. */
  close(options?: { graceful?: boolean }): Promise<void>;
  /** Server-side sockets by label (tests, fault injection). */
  sockets(): Map<string, WebSocket>;
}

interface Pending {
  conn: string;
  msg: string;
  thread: string;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (!options.secret) throw new Error('startServer: a secret is required (tokens are HMAC-signed with it)');
  const host = options.host ?? '127.0.0.1';
  const ownsClock = options.clock === undefined;
  const clock = options.clock ?? new RealClock({ ref: false, spinUs: 0 });
  const log = options.log ?? (() => {});
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const rateLimit = options.rateLimitPerS ?? DEFAULT_RATE_LIMIT_PER_S;
  const byNaming = options.ownershipByNaming ?? true;
  const tap = options.tap ?? {};
  const stats: ServerStats = { connectionsOpen: 0, upgradesRefused: 0, oversizeClosed: 0, heartbeatTerminated: 0, refusedWhileDraining: 0, readsPaused: 0 };
  const authenticate = (hs: HandshakeInfo): string | null => authenticateHandshake(options.secret, hs);

  // User messages the router has taken in but not yet turned into a run (or refused): the
  // graceful shutdown waits for them, so an accepted message is never cut off mid-look-up.
  const pending = new Map<string, Pending>();
  const userTrace = options.onTrace;
  const onTrace = (kind: string, fields: TraceFields): void => {
    if (kind === 'router.user_message') {
      pending.set(`${String(fields['conn'])}\u0000${String(fields['msg'])}`, { conn: String(fields['conn']), msg: String(fields['msg']), thread: String(fields['thread']) });
    } else if (kind === 'router.run') {
      pending.delete(`${String(fields['conn'])}\u0000${String(fields['msg'])}`);
    } else if (kind === 'router.forbidden') {
      for (const [k, p] of pending) if (p.conn === fields['conn'] && p.thread === fields['thread']) {
        pending.delete(k);
        break;
      }
    } else if (kind === 'router.close') {
      for (const [k, p] of pending) if (p.conn === fields['conn']) pending.delete(k);
    }
    userTrace?.(kind, fields);
  };

  const injectionDelayMs = options.injectionDelayMs ?? 0;
  const router = new Router({
    config: options.config,
    clock,
    rng: options.rng ?? createRandom(options.seed ?? 1).fork('router'),
    ownership: options.ownership ?? {},
    ...(options.lookupMs ? { lookupMs: options.lookupMs } : {}),
    ...(options.agentProfile ? { agentProfile: options.agentProfile } : {}),
    authenticate,
    maxPayloadBytes: maxPayload,
    ...(options.rateLimitPerS !== undefined ? { rateLimitPerS: options.rateLimitPerS } : {}),
    wireAtStart: injectionDelayMs === 0,
    logSink: (level, message, fields) => log({ level, msg: message, ...fields }),
    onTrace,
    ...(options.onProduced ? { onProduced: options.onProduced } : {}),
  });
  if (injectionDelayMs > 0) clock.setTimer(injectionDelayMs * 1_000, () => router.wire(), 'startup:inject-manager');

  let draining = false;
  let closing: Promise<void> | null = null;
  const sockets = new Map<string, WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();
  let nextLabel = 1;

  const ensureOwnership = (threads: Iterable<string>): void => {
    if (!byNaming) return;
    for (const t of threads) {
      if (typeof t !== 'string') continue;
      const owner = ownerByNaming(t);
      if (owner !== null && !router.threads.isOwner(owner, t)) router.threads.addThread(owner, t);
    }
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    clientTracking: false,
    perMessageDeflate: false,
    verifyClient: (info: { req: IncomingMessage }) => {
      const ok = authenticate(handshakeOf(info.req)) !== null;
      if (!ok) {
        stats.upgradesRefused++;
        log({ level: 'warn', msg: 'upgrade refused: missing or invalid token', status: 401, remote: info.req.socket.remoteAddress ?? null, path: pathOf(info.req.url) });
      }
      return ok;
    },
  });

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = pathOf(req.url);
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderMetrics(router, stats));
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(draining ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(draining ? 'draining\n' : 'ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('threadline serve: WebSocket upgrades on any path (e.g. /ws?token=...); GET /metrics; GET /healthz\n');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    if (draining) {
      stats.upgradesRefused++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    const handshake = handshakeOf(req);
    const userId = authenticate(handshake);
    const headerLabel = handshake.headers['x-threadline-conn'];
    let label = typeof headerLabel === 'string' && headerLabel.length > 0 && headerLabel.length <= 128 ? headerLabel : `s${nextLabel++}`;
    if (sockets.has(label)) label = `${label}~${nextLabel++}`;
    sockets.set(label, ws);
    alive.set(ws, true);
    stats.connectionsOpen++;
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // ws closes with 1009 itself; the router never saw the frame, so count it here.
        stats.oversizeClosed++;
        router.monitoring.counters.badFrames++;
        log({ level: 'warn', msg: 'frame above max payload: closed 1009', conn: label, maxPayload });
      } else {
        log({ level: 'warn', msg: `socket error: ${error.message}`, conn: label });
      }
    });
    ws.on('close', (code: number) => {
      stats.connectionsOpen--;
      sockets.delete(label);
      log({ level: 'info', msg: 'connection closed', conn: label, code });
      tap.closed?.(label, code);
    });
    const thread = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('thread_id');
    if (thread) ensureOwnership([thread]);
    const user = userId ?? '?';
    // Transport-level flood protection: past the rate limit, stop reading this socket until the
    // window ends. The router still answers the frame that crossed the limit (rate_limited);
    // the rest wait in the kernel, so TCP flow control slows the flooder, not everyone else.
    let windowStartUs = clock.now();
    let windowCount = 0;
    const socket = wrapServerSocket(ws, {
      onRead: (text) => {
        tap.read?.(label, text);
        const now = clock.now();
        if (now - windowStartUs >= 1_000_000) {
          windowStartUs = now;
          windowCount = 0;
        }
        if (++windowCount > rateLimit && !ws.isPaused) {
          stats.readsPaused++;
          ws.pause();
          log({ level: 'warn', msg: 'rate limit exceeded: reading paused until the window ends', conn: label, rateLimitPerS: rateLimit });
          clock.setTimer(Math.max(0, windowStartUs + 1_000_000 - now), () => {
            if (ws.readyState === 1) ws.resume();
          }, `rate-limit:resume:${label}`);
        }
        const frame = peek(text, maxPayload);
        if (frame) ensureOwnership(frame.threads);
        if (draining && frame?.type === 'user_message') {
          stats.refusedWhileDraining++;
          const refusal = { type: 'error', code: 'internal', message: 'server is shutting down: message not accepted; reconnect and send it again', ...(frame.id ? { ref: frame.id } : {}) };
          socket.send(JSON.stringify(refusal));
          return false;
        }
        return true;
      },
      onWrite: (data) => tap.write?.(label, user, data),
    });
    const routerId = router.accept(socket, handshake);
    tap.accepted?.(label, user, routerId);
    log({ level: 'info', msg: 'connection accepted', conn: label, router_conn: routerId, user, path: pathOf(req.url) });
  };

  let heartbeat: NodeJS.Timeout | null = null;
  if (heartbeatMs > 0) {
    heartbeat = setInterval(() => {
      for (const [label, ws] of sockets) {
        if (alive.get(ws) === false) {
          stats.heartbeatTerminated++;
          log({ level: 'warn', msg: 'no pong within the heartbeat interval: terminated', conn: label, heartbeatMs });
          ws.terminate();
          continue;
        }
        alive.set(ws, false);
        try {
          ws.ping();
        } catch {
          /* closing */
        }
      }
    }, heartbeatMs);
    heartbeat.unref();
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.removeListener('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `ws://${urlHost}:${port}/ws`;
  log({ level: 'info', msg: 'listening', url, router: options.config.name, maxPayload, heartbeatMs, rateLimitPerS: options.rateLimitPerS ?? null });

  let forced = false;
  const close = (closeOptions: { graceful?: boolean } = {}): Promise<void> => {
    // A second, non-graceful close cuts a graceful one short (a second Ctrl-C).
    if (closeOptions.graceful === false) forced = true;
    closing ??= (async () => {
      const graceful = !forced;
      draining = true;
      if (heartbeat) clearInterval(heartbeat);
      const started = Date.now();
      const budget = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      log({ level: 'info', msg: 'shutting down', graceful, pendingMessages: pending.size, activeRuns: router.engine.active.size });
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      if (graceful) {
        // 1. Accepted messages become runs, and runs finish, so their events reach the sockets.
        await waitUntil(() => forced || (pending.size === 0 && router.engine.active.size === 0), budget);
        // 2. What was written leaves the send buffers.
        await waitUntil(() => forced || [...sockets.values()].every((ws) => ws.bufferedAmount === 0), Math.max(0, budget - (Date.now() - started)));
        const unfinished = router.engine.active.size;
        if (unfinished > 0) log({ level: 'warn', msg: 'drain timeout: runs still active at shutdown', activeRuns: unfinished, drainTimeoutMs: budget });
        // 3. Close every socket with 1001 (the close frame follows the queued data).
        router.shutdown();
        for (const ws of sockets.values()) if (ws.readyState === 1 || ws.readyState === 0) safeClose(ws, CloseCode.goingAway, 'server shutting down');
        await waitUntil(() => forced || sockets.size === 0, 2_000);
      }
      for (const ws of sockets.values()) ws.terminate();
      sockets.clear();
      http.closeAllConnections?.();
      await httpClosed;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (ownsClock) clock.dispose();
      log({ level: 'info', msg: 'stopped', wallMs: Date.now() - started });
    })();
    return closing;
  };

  return {
    url,
    host,
    port,
    router,
    clock,
    stats,
    metrics: () => renderMetrics(router, stats),
    close,
    sockets: () => sockets,
  };
}

/** The SocketLike the router gets: the ws socket, with the adapter's hooks on reads and writes. */
function wrapServerSocket(ws: WebSocket, hooks: { onRead: (text: string) => boolean; onWrite: (data: string) => void }): SocketLike {
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(data: string, callback?: (error?: Error) => void): void {
      hooks.onWrite(data);
      ws.send(data, callback);
    },
    close: (code?: number, reason?: string) => safeClose(ws, code, reason),
    terminate: () => ws.terminate(),
    on: ((event: string, listener: (...args: unknown[]) => void) => {
      if (event === 'message') {
        return ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
          const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
          if (hooks.onRead(text)) listener(text, isBinary);
        });
      }
      return ws.on(event as 'close', listener as (code: number, reason: Buffer) => void);
    }) as SocketLike['on'],
  };
}

function safeClose(ws: WebSocket, code?: number, reason?: string): void {
  try {
    // ws accepts reasons up to 123 bytes.
    const r = reason === undefined ? undefined : Buffer.from(reason).length > 123 ? reason.slice(0, 100) : reason;
    ws.close(code, r);
  } catch {
    ws.terminate();
  }
}

/** The fields of a client frame the adapter needs (type, id, threads named), or null. */
function peek(text: string, maxPayload: number): { type: string | null; id: string | null; threads: string[] } | null {
  if (text.length > maxPayload || text.indexOf('{') < 0) return null;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const threads: string[] = [];
    if (typeof v['thread_id'] === 'string') threads.push(v['thread_id'] as string);
    if (typeof v['last_seq'] === 'object' && v['last_seq'] !== null) threads.push(...Object.keys(v['last_seq'] as object));
    return { type: typeof v['type'] === 'string' ? (v['type'] as string) : null, id: typeof v['id'] === 'string' ? (v['id'] as string).slice(0, 128) : null, threads };
  } catch {
    return null;
  }
}

export function handshakeOf(req: IncomingMessage): HandshakeInfo {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { url: req.url ?? '/', headers };
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!;
}

/** Poll (real time) until `done()` or `budgetMs` passes. */
export async function waitUntil(done: () => boolean, budgetMs: number, stepMs = 2): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}
