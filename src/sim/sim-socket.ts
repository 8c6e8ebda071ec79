/**
 * The two ends of a simulated connection, shaped like `ws` WebSockets.
 *
 * They hold no state of their own beyond listeners: readyState, buffers and the close
 * handshake live in the link (`link.ts`), so the two ends cannot disagree about them.
 * Listeners are always invoked from kernel events, never synchronously inside
 * `send`/`close`/`terminate`.
 *
 * Differences from `ws` (kept deliberately):
 *  - data is a string and 'message' gets (data: string, isBinary = false); 'close' gets the
 *    reason as a string (ws 8 passes Buffers);
 *  - `send` never throws for state: sending while connecting, closing or closed passes an
 *    error to the callback (ws throws while CONNECTING) and records `net.reject`;
 *  - an 'error' event without a listener is ignored (Node would crash the process: the
 *    simulated clients are harness code, and one missing listener must not abort a run).
 */
import { CLOSED, CLOSING, CONNECTING, OPEN, type SocketLike } from '../ports/socket.ts';
import type { SendCallback, Side } from './pipe.ts';

/** What an endpoint delegates to (implemented by the link). */
export interface EndpointCore {
  readonly id: string;
  readyStateOf(side: Side): number;
  bufferedAmountOf(side: Side): number;
  send(side: Side, data: string, callback: SendCallback | undefined): void;
  ping(side: Side, data: string): void;
  close(side: Side, code: number | undefined, reason: string | undefined): void;
  terminate(side: Side): void;
}

/** Listeners are stored untyped; the typed surface is the generic methods below. */
type StoredListener = ((...args: unknown[]) => void) & { listener?: unknown };
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** A minimal, synchronous event emitter with on/once/off, safe against mutation during emit. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<PropertyKey, StoredListener[]>();

  on<E extends keyof Events>(event: E, listener: Events[E]): this {
    const stored = listener as unknown as StoredListener;
    const list = this.listeners.get(event);
    if (list === undefined) this.listeners.set(event, [stored]);
    else list.push(stored);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Events[E]): this {
    const wrapper: StoredListener = (...args: unknown[]) => {
      this.off(event, listener);
      (listener as unknown as StoredListener)(...args);
    };
    wrapper.listener = listener;
    return this.on(event, wrapper as unknown as Events[E]);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): this {
    const list = this.listeners.get(event);
    if (list === undefined) return this;
    const i = list.findIndex((l) => l === (listener as unknown) || l.listener === listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  /** Forget every listener of every event (as `EventEmitter.removeAllListeners()`). */
  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Call the listeners of `event` in registration order. Returns false when there were none. */
  emit<E extends keyof Events>(event: E, ...args: ArgsOf<Events[E]>): boolean {
    const list = this.listeners.get(event);
    if (list === undefined || list.length === 0) return false;
    if (list.length === 1) {
      list[0]!(...args);
      return true;
    }
    // Snapshot: a listener may add or remove listeners (e.g. a `once`).
    for (const l of list.slice()) l(...args);
    return true;
  }
}

export interface ServerSocketEvents {
  message: (data: string, isBinary: boolean) => void;
  pong: (data: string) => void;
  close: (code: number, reason: string) => void;
  error: (error: Error) => void;
}
export interface ClientSocketEvents extends ServerSocketEvents {
  open: () => void;
}

const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;
export function readyStateName(state: number): string {
  return STATE_NAMES[state] ?? `UNKNOWN(${state})`;
}

export abstract class SimEndpoint<Events extends ServerSocketEvents> extends Emitter<Events> {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;

  protected constructor(
    protected readonly core: EndpointCore,
    readonly side: Side,
  ) {
    super();
  }

  get linkId(): string {
    return this.core.id;
  }
  /** 0 connecting, 1 open, 2 closing, 3 closed (as in `ws`). */
  get readyState(): number {
    return this.core.readyStateOf(this.side);
  }
  /** Bytes passed to `send` whose transmission has not finished (serialisation at the link's bandwidth). */
  get bufferedAmount(): number {
    return this.core.bufferedAmountOf(this.side);
  }
  /** Queue a text frame. `callback` runs at the frame's transmit end, or with an error. Never throws for state. */
  send(data: string, callback?: SendCallback): void {
    if (typeof data !== 'string') throw new TypeError(`SimSocket.send: data must be a string, got ${typeof data}`);
    this.core.send(this.side, data, callback);
  }
  /**
   * Graceful close. The peer sees 'close' with `code` and `reason` after the frames already
   * sent. Throws like `ws` for an invalid code or a reason over 123 bytes.
   */
  close(code?: number, reason?: string): void {
    this.core.close(this.side, code, reason);
  }
  /** Abrupt close: this side sees 1006 at once, the peer when the reset reaches it. */
  terminate(): void {
    this.core.terminate(this.side);
  }
  /** A ping control frame; the peer answers with a pong ('pong' event here), if the link carries both. */
  ping(data = ''): void {
    this.core.ping(this.side, data);
  }
}

/** The server's end of a link: what the router is given. */
export class SimServerSocket extends SimEndpoint<ServerSocketEvents> implements SocketLike {
  constructor(core: EndpointCore) {
    super(core, 'server');
  }
}

/** A simulated client's end of a link. */
export class SimClientSocket extends SimEndpoint<ClientSocketEvents> {
  constructor(
    core: EndpointCore,
    readonly label: string,
    readonly url: string,
  ) {
    super(core, 'client');
  }
}
