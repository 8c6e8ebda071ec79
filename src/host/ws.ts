/**
 * A stand-in for the `ws` package (version 8, as applications use it) over the simulated
 * network: what a team's unmodified server gets when it imports 'ws' inside a threadline run
 * (the mapping is bin/resolve-self.mjs's). Server side only.
 *
 * Supported: `new WebSocketServer({ port, path, verifyClient, handleProtocols, maxPayload,
 * clientTracking }, callback)`, 'connection' (ws, req) with req.url, req.headers and
 * req.socket.remoteAddress, 'listening', `clients`, `close()`, `address()`; on a WebSocket:
 * `send(data, [options], [cb])`, `close(code, reason)`, `terminate()`, `ping`, `pong`,
 * `readyState` and the constants, `bufferedAmount`, on/once/off for 'message' (Buffer,
 * isBinary), 'close' (code, reason Buffer), 'error', 'pong', and `addEventListener`.
 *
 * `{ server: httpServer }` too: the HTTP server's `listen()` is then simulated (no real port; it
 * says 'listening'), and the run's WebSocket upgrades arrive at the WebSocketServer. And
 * `{ noServer }`: an HTTP server's `listen()` is then the run's entry, each connection arrives as
 * its 'upgrade' event (req, socket, head), and `handleUpgrade` takes it from there.
 *
 * Not simulated (each throws an error naming it, never a silent fallback): outgoing client
 * connections (`new WebSocket(url)`), `createWebSocketStream`.
 *
 * Pings are control frames on the simulated link: queued behind data, lost on a half-open or
 * partitioned link like data, answered by the client with a pong. (A socket without ping, not
 * the simulated link's, gets a 'pong' after PONG_AFTER_MS while it is open.)
 */
import { EventEmitter } from 'node:events';
import { CLOSED, CLOSING, CONNECTING, OPEN, refuseUpgrade, type HandshakeDecision, type HandshakeInfo, type SocketLike } from '../ports/socket.ts';
import { activeContext, activeContextOrNull, type OwnServerContext } from './context.ts';
import { EscapeError } from './globals.ts';

/** What a WebSocket holds once its run is over (detach): closed, and nothing of the run. */
const DETACHED: SocketLike = {
  readyState: CLOSED,
  bufferedAmount: 0,
  send: (_data, callback) => callback?.(new Error('WebSocket is not open: readyState 3 (CLOSED)')),
  close: () => undefined,
  terminate: () => undefined,
  on: () => undefined,
};

/** ws's default maxPayload: 100 MiB. */
const WS_DEFAULT_MAX_PAYLOAD_BYTES = 100 * 1024 * 1024;
/** The pong to a ping on a socket that cannot carry one comes back after this long. */
const PONG_AFTER_MS = 2;
const INTERNAL = Symbol('threadline.ws.internal');

type Listener = (...args: unknown[]) => void;

export class WebSocket extends EventEmitter {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  binaryType = 'nodebuffer';
  readonly protocol: string;
  readonly extensions = '';
  private socket: SocketLike;
  private readonly context: OwnServerContext;
  private readonly wrapped = new Map<Listener, Listener>();
  /**
   * Closed for a too-large message: ws sends the 1009 close frame and destroys its socket at
   * once, so the server's own 'close' comes first, with 1006; the socket's later close is not
   * reported again.
   */
  private failedForPayload = false;

  constructor(address: unknown, ...rest: unknown[]) {
    // captureRejections: an async listener that rejects reaches [Symbol.for('nodejs.rejection')].
    super({ captureRejections: true });
    const internal = rest[rest.length - 1] as { [INTERNAL]?: { socket: SocketLike; context: OwnServerContext; protocol: string; maxPayload: number } } | undefined;
    const own = internal?.[INTERNAL];
    if (!own) {
      const error = new EscapeError(`new WebSocket(${JSON.stringify(String(address))}) (a real outgoing WebSocket)`, 'an outgoing connection; threadline simulates the server\'s listening sockets only');
      activeContextOrNull()?.fail(error, error.what); // the run fails even if the server catches it
      throw error;
    }
    this.socket = own.socket;
    this.context = own.context;
    own.context.sockets.add(this);
    this.protocol = own.protocol;
    const maxPayload = own.maxPayload;
    own.socket.on('message', (data: unknown) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(String(data), 'utf8');
      if (buf.length > maxPayload) {
        const error = Object.assign(new RangeError('Max payload size exceeded'), { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
        this.guarded('error listener', () => this.emit('error', error));
        this.failedForPayload = true;
        this.socket.close(1009);
        this.guarded("'close' listener", () => this.emit('close', 1006, Buffer.alloc(0)));
        return;
      }
      this.guarded("'message' listener", () => this.emit('message', buf, false));
    });
    own.socket.on('close', (code: number, reason: unknown) => {
      if (this.failedForPayload) return; // reported already (1006)
      this.guarded("'close' listener", () => this.emit('close', code, Buffer.from(String(reason ?? ''), 'utf8')));
    });
    own.socket.on('pong', (data: unknown) => this.guarded("'pong' listener", () => this.emit('pong', Buffer.from(String(data ?? ''), 'utf8'))));
    own.socket.on('error', (error: Error) => {
      if (this.listenerCount('error') > 0) this.guarded("'error' listener", () => this.emit('error', error));
    });
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  get isPaused(): boolean {
    return false;
  }

  send(data: unknown, options?: unknown, cb?: (error?: Error) => void): void {
    const callback = typeof options === 'function' ? (options as (error?: Error) => void) : cb;
    if (this.readyState === CONNECTING) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8') : String(data);
    if (this.readyState !== OPEN) {
      // As ws: no throw once closing; the callback gets the error on the next tick.
      if (callback) this.context.timers.setImmediate(() => callback(new Error(`WebSocket is not open: readyState ${this.readyState} (${this.readyState === CLOSING ? 'CLOSING' : 'CLOSED'})`)));
      return;
    }
    this.socket.send(text, callback ? (error?: Error) => this.guarded('send callback', () => callback(error)) : undefined);
  }

  close(code?: number, reason?: string | Buffer): void {
    this.socket.close(code, reason === undefined ? undefined : String(reason));
  }

  terminate(): void {
    this.socket.terminate();
  }

  ping(data?: unknown, _mask?: unknown, cb?: (error?: Error) => void): void {
    const callback = typeof data === 'function' ? (data as (error?: Error) => void) : typeof _mask === 'function' ? (_mask as (error?: Error) => void) : cb;
    if (this.readyState === CONNECTING) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    const payload = Buffer.from(typeof data === 'function' || data === undefined ? '' : String(data));
    if (this.readyState !== OPEN) {
      if (callback) this.context.timers.setImmediate(() => callback(new Error('WebSocket is not open')));
      return;
    }
    if (callback) this.context.timers.setImmediate(() => callback());
    if (this.socket.ping) {
      this.socket.ping(payload.toString('utf8')); // the link carries it; the peer's pong comes back as 'pong'
      return;
    }
    this.context.timers.setTimeout(() => {
      if (this.readyState === OPEN) this.guarded("'pong' listener", () => this.emit('pong', payload));
    }, PONG_AFTER_MS);
  }

  pong(_data?: unknown, _mask?: unknown, cb?: (error?: Error) => void): void {
    if (typeof cb === 'function') this.context.timers.setImmediate(() => cb());
  }

  /** ws's EventTarget-style listeners: the listener gets an event object. */
  addEventListener(type: string, listener: (event: Record<string, unknown>) => void, options?: { once?: boolean }): void {
    const wrap: Listener =
      type === 'message'
        ? (data) => listener({ type, data: String(data), target: this })
        : type === 'close'
          ? (code, reason) => listener({ type, code, reason: String(reason), wasClean: code !== 1006, target: this })
          : type === 'error'
            ? (error) => listener({ type, error, message: (error as Error).message, target: this })
            : () => listener({ type, target: this });
    this.wrapped.set(listener as Listener, wrap);
    if (options?.once) this.once(type, wrap);
    else this.on(type, wrap);
  }

  removeEventListener(type: string, listener: (event: Record<string, unknown>) => void): void {
    const wrap = this.wrapped.get(listener as Listener);
    if (wrap) this.off(type, wrap);
  }

  /** An async listener of the server's code rejected (captureRejections). */
  [Symbol.for('nodejs.rejection')](error: unknown, event: string): void {
    this.context.fail(error, `'${event}' listener`);
  }

  /** The run is over: the server's code may keep this object, but not the run's world through it. */
  detach(): void {
    this.socket = DETACHED;
    this.removeAllListeners();
  }

  /** A listener of the server's own code that throws is the server's uncaught exception: the run fails and says where. */
  private guarded(where: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.context.fail(error, where);
    }
  }

  /** @internal */
  static fromSocket(socket: SocketLike, context: OwnServerContext, protocol: string, maxPayload: number): WebSocket {
    return new WebSocket(null, { [INTERNAL]: { socket, context, protocol, maxPayload } });
  }
}

interface ServerOptions {
  port?: number;
  host?: string;
  server?: unknown;
  noServer?: boolean;
  path?: string;
  verifyClient?: ((info: VerifyInfo) => boolean) | ((info: VerifyInfo, done: (ok: boolean, code?: number, message?: string) => void) => void);
  handleProtocols?: (protocols: Set<string>, req: IncomingRequest) => string | false;
  maxPayload?: number;
  clientTracking?: boolean;
}

interface IncomingRequest {
  url: string;
  method: 'GET';
  headers: Record<string, string | undefined>;
  socket: { remoteAddress: string; remotePort: number };
  connection: { remoteAddress: string; remotePort: number };
}

interface VerifyInfo {
  origin: string | undefined;
  secure: boolean;
  req: IncomingRequest;
}

export class WebSocketServer extends EventEmitter {
  readonly clients: Set<WebSocket> | undefined;
  readonly options: ServerOptions;
  private readonly context: OwnServerContext;
  private closed = false;
  private accepted = 0;

  constructor(options: ServerOptions = {}, callback?: () => void) {
    super({ captureRejections: true });
    this.context = activeContext('new WebSocketServer()');
    const ways = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
    if (ways !== 1) throw new TypeError('One and only one of the "port", "server", or "noServer" options must be specified');
    // { server }: the HTTP server's listen() becomes the simulated one (no real port); the
    // WebSocket upgrades of the run arrive here. Plain HTTP requests never come in a simulation.
    if (options.server !== undefined) this.context.simulatedHttpServers.add(options.server as object);
    this.options = { maxPayload: WS_DEFAULT_MAX_PAYLOAD_BYTES, clientTracking: true, ...options };
    this.clients = this.options.clientTracking ? new Set() : undefined;
    if (options.noServer) {
      // The run's connections arrive as 'upgrade' events of the HTTP server the code listens on;
      // the code hands them to handleUpgrade.
      this.context.noServerCount++;
      return;
    }
    this.context.listen((socket, handshake) => this.accept(socket, handshake));
    if (options.server === undefined) {
      this.context.timers.setImmediate(() => {
        this.emit('listening');
        callback?.();
      });
    } else {
      // As ws: 'listening' follows the HTTP server's.
      (options.server as { on(event: string, l: () => void): void }).on('listening', () => this.emit('listening'));
    }
  }

  /** An async 'connection' listener of the server's code rejected (captureRejections). */
  [Symbol.for('nodejs.rejection')](error: unknown, event: string): void {
    this.context.fail(error, `'${event}' listener`);
  }

  address(): { port: number; family: string; address: string } {
    const http = this.options.server as { address(): { port: number; family: string; address: string } | null } | undefined;
    if (http !== undefined) return http.address() ?? { port: 0, family: 'IPv4', address: '0.0.0.0' }; // a simulated listen has no real address
    return { port: this.options.port ?? 0, family: 'IPv4', address: this.options.host ?? '0.0.0.0' };
  }

  close(callback?: (error?: Error) => void): void {
    const already = this.closed;
    this.closed = true;
    this.context.timers.setImmediate(() => {
      if (!already) this.emit('close');
      callback?.(already ? new Error('The server is not running') : undefined);
    });
  }

  /**
   * ws's handleUpgrade(req, socket, head, callback): `socket` must be one the run handed to the
   * HTTP server's 'upgrade' listener (it carries the simulated connection). verifyClient, path
   * and handleProtocols apply as with { port }; the callback gets the WebSocket and the request.
   */
  handleUpgrade(req: IncomingRequest, socket: unknown, _head: unknown, callback: (ws: WebSocket, req: IncomingRequest) => void): void {
    const carried = (socket as { [UPGRADE]?: SocketLike } | null)?.[UPGRADE];
    if (!carried) throw new Error('WebSocketServer.handleUpgrade: this socket is not a connection of the threadline run (only the sockets of the HTTP server\'s \'upgrade\' events are)');
    this.admit(carried, (socket as { [DECISION]?: HandshakeDecision | null })[DECISION] ?? null, req, (ws) => callback(ws, req));
  }

  shouldHandle(req: { url?: string }): boolean {
    if (this.options.path === undefined) return true;
    const path = (req.url ?? '/').split('?')[0];
    return path === this.options.path;
  }

  private accept(socket: SocketLike, handshake: HandshakeInfo): void {
    // Held until admit decides, so a refused client never opens (ws answers before the upgrade).
    const decision = handshake.defer?.() ?? null;
    if (this.closed) return refuseUpgrade(socket, decision, 503);
    this.admit(socket, decision, requestOf(handshake, ++this.accepted), (ws, req) => {
      try {
        this.emit('connection', ws, req);
      } catch (error) {
        this.context.fail(error, "'connection' listener");
      }
    });
  }

  /**
   * Path, verifyClient and protocols, then the WebSocket (tracked in `clients`) to `done`, and
   * the handshake completes (`decision`: the simulated network holds the client until then).
   */
  private admit(socket: SocketLike, decision: HandshakeDecision | null, req: IncomingRequest, done: (ws: WebSocket, req: IncomingRequest) => void): void {
    const headers = req.headers;
    if (!this.shouldHandle(req)) return refuseUpgrade(socket, decision, 400); // ws answers 400 before the upgrade
    const proceed = (ok: boolean): void => {
      if (!ok) return refuseUpgrade(socket, decision, 401); // ws answers 401 before the upgrade
      let protocol = '';
      const offered = headers['sec-websocket-protocol'];
      if (offered && this.options.handleProtocols) {
        const chosen = this.options.handleProtocols(new Set(offered.split(',').map((p) => p.trim())), req);
        if (chosen === false) return refuseUpgrade(socket, decision, 400);
        protocol = chosen;
      }
      const ws = WebSocket.fromSocket(socket, this.context, protocol, this.options.maxPayload!);
      if (this.clients) {
        this.clients.add(ws);
        ws.on('close', () => this.clients!.delete(ws));
      }
      try {
        done(ws, req);
      } catch (error) {
        this.context.fail(error, 'the handleUpgrade callback');
      }
      decision?.accept();
    };
    const verify = this.options.verifyClient;
    if (!verify) return proceed(true);
    const info: VerifyInfo = { origin: headers['origin'], secure: false, req };
    if (verify.length >= 2) (verify as (i: VerifyInfo, done: (ok: boolean) => void) => void)(info, (ok) => proceed(ok));
    else proceed((verify as (i: VerifyInfo) => boolean)(info));
  }
}

/** The simulated connection a fake upgrade socket carries (see upgradeOf), and its held handshake. */
const UPGRADE = Symbol('threadline.ws.upgrade');
const DECISION = Symbol('threadline.ws.decision');


/** The request a handler sees: the handshake's URL and headers, a made-up stable peer address. */
function requestOf(handshake: HandshakeInfo, n: number): IncomingRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(handshake.headers)) headers[k.toLowerCase()] = v;
  // A stable, made-up peer address per connection (the simulation has no IP addresses).
  const peer = { remoteAddress: `10.0.${(n >> 8) & 255}.${n & 255}`, remotePort: 40_000 + (n % 20_000) };
  return { url: handshake.url, method: 'GET', headers, socket: peer, connection: peer };
}

let upgrades = 0;

/**
 * A simulated connection as an HTTP server's 'upgrade' event gives it: (req, socket, head). The
 * socket is a stand-in for the TCP socket: `write` of an HTTP refusal and `destroy` end the
 * simulated connection; handleUpgrade finds the connection in it.
 */
export function upgradeOf(socket: SocketLike, handshake: HandshakeInfo): [IncomingRequest, object, Buffer] {
  const req = requestOf(handshake, ++upgrades);
  const decision = handshake.defer?.() ?? null;
  // The status of an HTTP answer the app writes before ending the socket (400 when none).
  let status = 400;
  const end = (): void => refuseUpgrade(socket, decision, status);
  const tcp = {
    [UPGRADE]: socket,
    [DECISION]: decision,
    remoteAddress: req.socket.remoteAddress,
    remotePort: req.socket.remotePort,
    writable: true,
    write: (chunk: unknown) => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(String(chunk));
      if (m) status = Number(m[1]);
      return true;
    },
    end,
    destroy: end,
    on: () => tcp,
    once: () => tcp,
    removeListener: () => tcp,
    setTimeout: () => tcp,
    setNoDelay: () => tcp,
  };
  (req as unknown as { socket: object }).socket = tcp;
  return [req, tcp, Buffer.alloc(0)];
}

export function createWebSocketStream(): never {
  throw new Error('createWebSocketStream: not simulated yet under threadline');
}

/** `import WebSocket from 'ws'` / `require('ws')`: the class, with the server on it, as in ws. */
const ws = Object.assign(WebSocket, { WebSocket, WebSocketServer, Server: WebSocketServer, createWebSocketStream });
export default ws;
export { WebSocketServer as Server };

// For require('ws') from CommonJS (src/host/ws-require.cjs).
(globalThis as Record<symbol, unknown>)[Symbol.for('threadline.simulated-ws')] = ws;
