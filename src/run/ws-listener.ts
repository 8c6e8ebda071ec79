/**
 * The real-socket side of any hosted server: one HTTP server that carries the WebSocket upgrades
 * (any path, e.g. `/ws`) and `GET /metrics` (Prometheus text, from the plug-in's self-reported
 * metrics) and `GET /healthz`. `openWsListener` gives the plug-in's `env.listen`; ws-host.ts puts
 * a plug-in on it, ws-runner.ts a judged run.
 *
 * At the upgrade the token is checked (`verifyClient`, the run's TokenIssuer): a missing or bad
 * token gets HTTP 401 and never reaches the plug-in. `maxPayload` is enforced by `ws` itself (an
 * oversize frame closes the connection with 1009). Past the rate limit a socket's reads pause
 * until its window ends (transport-level flood protection). A heartbeat (ws ping/pong) terminates
 * connections that stop answering.
 *
 * `close()` is the graceful shutdown: stop accepting upgrades (503); let the plug-in drain
 * (`shutdown({ graceful: true })`: the router refuses new messages, lets accepted runs finish
 * and closes its sockets with 1001, bounded by `drainTimeoutMs`); then terminate what is left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_RATE_LIMIT_PER_S, type ServerInstance } from '../ports/server.ts';
import { CloseCode, DEFAULT_MAX_PAYLOAD_BYTES, type HandshakeInfo, type SocketLike } from '../ports/socket.ts';
import { safeClose } from '../real/proxy/frames.ts';
import { RealClock } from '../real/real-clock.ts';
import type { TokenIssuer } from '../world/auth.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../sut/router/router.ts';
import { renderMetrics, type ServerStats } from './metrics-text.ts';
import type { SendGate } from './send-gate.ts';


export const DEFAULT_HEARTBEAT_MS = 30_000;
/** After the plug-in's shutdown, sockets get this long (real ms) to finish their closing handshake. */
const CLOSE_WAIT_MS = 2_000;

export type LogRecord = Record<string, unknown> & { level: 'info' | 'warn' | 'error'; msg: string };

/** Observation hooks on the server's sockets (the oracle's wire tap, in-flight accounting). */
export interface ServerTap {
  /** A socket was accepted (`label`: `x-threadline-conn` header, else "s<n>"). */
  accepted?(label: string, userId: string): void;
  /** A frame arrived from a client (before the plug-in sees it). */
  read?(label: string, data: string): void;
  /** The server wrote a frame to a client socket. */
  write?(label: string, userId: string, data: string): void;
  /** The server-side socket emitted 'close'. */
  closed?(label: string, code: number): void;
}

/** The real-socket side of a server: what any plug-in is hosted on. */
export interface ListenerOptions {
  /** Who may connect: tokens are checked at the upgrade (HTTP 401 otherwise). */
  tokens: TokenIssuer;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clock: RealClock;
  /** Largest accepted frame, bytes (ws `maxPayload`; bigger → close 1009). Default 64 KiB. */
  maxPayloadBytes?: number;
  /** Frames per second per socket before its reads pause until the window ends (default DEFAULT_RATE_LIMIT_PER_S). */
  rateLimitPerS?: number;
  /** Ping every this many real ms; a socket that missed the previous pong is terminated. 0 = off. */
  heartbeatMs?: number;
  /** JSON-lines log sink (serve writes to stdout). */
  log?: (record: LogRecord) => void;
  tap?: ServerTap;
  /**
   * Complete the server's sends when the chaos proxy has sent the frame at the link's bandwidth,
   * not when the kernel took it (the simulated pipe's rule; see send-gate.ts). Only with a proxy
   * that reports its transmissions to the same gate.
   */
  sendGate?: SendGate;
}

export interface WsListener {
  /** `ws://host:port/ws` */
  url: string;
  host: string;
  port: number;
  stats: ServerStats;
  /** The plug-in's `env.listen`: upgraded, authenticated sockets go to `handler`. */
  listen(handler: (socket: SocketLike, handshake: HandshakeInfo) => void): void;
  /** The instance behind the listener: its metrics are served on /metrics, and close() shuts it down. */
  attach(instance: ServerInstance, name: string): void;
  /** Prometheus text, as served on /metrics. */
  metrics(): string;
  /** Graceful shutdown (see the file comment); `{ graceful: false }` terminates at once. Idempotent. */
  close(options?: { graceful?: boolean; drainTimeoutMs?: number }): Promise<void>;
  /** Server-side sockets by label (tests, fault injection). */
  sockets(): Map<string, WebSocket>;
}

export async function openWsListener(options: ListenerOptions): Promise<WsListener> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock;
  const log = options.log ?? (() => {});
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const rateLimit = options.rateLimitPerS ?? DEFAULT_RATE_LIMIT_PER_S;
  const tap = options.tap ?? {};
  const stats: ServerStats = { connectionsOpen: 0, upgradesRefused: 0, oversizeClosed: 0, heartbeatTerminated: 0, readsPaused: 0 };
  const authenticate = (hs: HandshakeInfo): string | null => options.tokens.verify(hs);

  let draining = false;
  let closing: Promise<void> | null = null;
  const sockets = new Map<string, WebSocket>();
  const alive = new WeakMap<WebSocket, boolean>();
  let nextLabel = 1;
  let handler: ((socket: SocketLike, handshake: HandshakeInfo) => void) | null = null;
  let instance: ServerInstance | null = null;
  let name = 'server';
  const metricsOf = () => instance?.metrics?.() ?? {};
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
      res.end(renderMetrics(metricsOf(), stats));
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
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req));
  });

  const accept = (ws: WebSocket, req: IncomingMessage): void => {
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
        // ws closes with 1009 itself; the plug-in never saw the frame, so count it here.
        stats.oversizeClosed++;
        log({ level: 'warn', msg: 'frame above max payload: closed 1009', conn: label, maxPayload });
      } else {
        log({ level: 'warn', msg: `socket error: ${error.message}`, conn: label });
      }
    });
    ws.on('close', (code: number) => {
      stats.connectionsOpen--;
      sockets.delete(label);
      options.sendGate?.closed(label);
      log({ level: 'info', msg: 'connection closed', conn: label, code });
      tap.closed?.(label, code);
    });
    const user = userId ?? '?';
    // Transport-level flood protection: past the rate limit, stop reading this socket until the
    // window ends. The plug-in still gets the frame that crossed the limit (the router answers it
    // rate_limited); the rest wait in the kernel, so TCP flow control slows the flooder, not
    // everyone else.
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
        return true;
      },
      onWrite: (data) => tap.write?.(label, user, data),
      gate: options.sendGate ? { sends: options.sendGate, label } : null,
    });
    if (handler === null) {
      // Nothing behind the listener yet (a plug-in that never called env.listen).
      safeClose(ws, CloseCode.internalError, 'no server behind this endpoint');
      return;
    }
    handler(socket, handshake);
    tap.accepted?.(label, user);
    log({ level: 'info', msg: 'connection accepted', conn: label, user, path: pathOf(req.url) });
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.removeListener('error', reject);
      resolve();
    });
  });
  // The heartbeat starts once the server listens (a failed listen leaves no interval behind).
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
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `ws://${urlHost}:${port}/ws`;
  log({ level: 'info', msg: 'listening', url, maxPayload, heartbeatMs, rateLimitPerS: options.rateLimitPerS ?? null });

  let forced = false;
  const close = (closeOptions: { graceful?: boolean; drainTimeoutMs?: number } = {}): Promise<void> => {
    // A second, non-graceful close cuts a graceful one short (a second Ctrl-C).
    if (closeOptions.graceful === false) {
      if (closing !== null && !forced) void Promise.resolve(instance?.shutdown({ graceful: false })).catch(() => {});
      forced = true;
    }
    closing ??= (async () => {
      const graceful = !forced;
      draining = true;
      if (heartbeat) clearInterval(heartbeat);
      const started = Date.now();
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      const drainMs = closeOptions.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      try {
        // A plug-in whose shutdown never settles must not hang the host: it gets its drain
        // budget (real time) plus the close wait, then its sockets are terminated anyway.
        const budgetMs = (graceful ? drainMs : 0) + CLOSE_WAIT_MS;
        let timer: NodeJS.Timeout | undefined;
        const settled = await Promise.race([
          Promise.resolve(instance?.shutdown({ graceful, drainTimeoutMs: drainMs })).then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), budgetMs))),
        ]);
        clearTimeout(timer);
        if (!settled) log({ level: 'warn', msg: `server plug-in "${name}" did not finish shutting down within ${budgetMs} ms: its sockets are terminated`, budgetMs });
      } catch (error) {
        log({ level: 'error', msg: `server plug-in "${name}" threw in shutdown: ${error instanceof Error ? error.message : String(error)}` });
      }
      if (graceful) await waitUntil(() => forced || sockets.size === 0, CLOSE_WAIT_MS);
      for (const ws of sockets.values()) ws.terminate();
      sockets.clear();
      http.closeAllConnections?.();
      await httpClosed;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      log({ level: 'info', msg: 'stopped', wallMs: Date.now() - started });
    })();
    return closing;
  };

  return {
    url,
    host,
    port,
    stats,
    listen: (h) => {
      handler = h;
    },
    attach: (i, n) => {
      instance = i;
      name = n;
    },
    metrics: () => renderMetrics(metricsOf(), stats),
    close,
    sockets: () => sockets,
  };
}

/** The SocketLike the plug-in gets: the ws socket, with the host's hooks on reads and writes. */
function wrapServerSocket(ws: WebSocket, hooks: { onRead: (text: string) => boolean; onWrite: (data: string) => void; gate: { sends: SendGate; label: string } | null }): SocketLike {
  const gate = hooks.gate;
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount + (gate ? gate.sends.pendingBytes(gate.label) : 0);
    },
    send(data: string, callback?: (error?: Error) => void): void {
      hooks.onWrite(data);
      if (!gate) return ws.send(data, callback);
      const entry = gate.sends.enqueue(gate.label, Buffer.byteLength(data), callback);
      ws.send(data, (error) => {
        if (error) gate.sends.failed(gate.label, entry, error);
      });
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
