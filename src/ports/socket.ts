/**
 * The socket port: the shape of a server-side WebSocket as the router sees it.
 *
 * It is the subset of the `ws` library's `WebSocket` that the router uses, so a real `ws`
 * socket satisfies it as it is, and the simulated network (`src/sim/network.ts`) hands the
 * router objects of the same shape.
 */

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** Close codes used across threadline (RFC 6455 and the application range). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  /** Abrupt loss: never sent on the wire, reported locally when the link dies. */
  abnormal: 1006,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  /** Application: the server's outbound queue for this connection overflowed (slow consumer). */
  slowConsumer: 4008,
  /** Application: the connection was idle past the heartbeat deadline. */
  heartbeatTimeout: 4009,
} as const;

/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** The largest frame a server accepts by default (the router and the ws host); larger closes with 1009. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * A close reason that fits MAX_CLOSE_REASON_BYTES: cut at a character boundary so a multi-byte
 * character is never split (`ws` throws on a longer one).
 */
export function fitCloseReason(reason: string | undefined): string | undefined {
  if (reason === undefined || Buffer.byteLength(reason, 'utf8') <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  for (const ch of reason) {
    if (Buffer.byteLength(out + ch, 'utf8') > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as in `ws`). */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Queue a text frame. `callback` runs once the frame has left the send buffer, or with an error. */
  send(data: string, callback?: (error?: Error) => void): void;
  /** Graceful close with a code and reason. */
  close(code?: number, reason?: string): void;
  /** Abrupt close without a closing handshake. */
  terminate(): void;
  /** Optional: a ping control frame; the peer's pong arrives as a 'pong' event (ws and the simulated link have it). */
  ping?(data?: string): void;
  on(event: 'message', listener: (data: unknown, isBinary?: boolean) => void): unknown;
  on(event: 'pong', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What the server learns at the upgrade: the request line and headers. */
export interface HandshakeInfo {
  /** Request path with query string, e.g. "/ws?token=...&thread_id=t1". */
  url: string;
  headers: Record<string, string | undefined>;
  /**
   * Decide the upgrade later, from the connection handler (a server that checks the request
   * first, as ws's verifyClient and path do, or an app's own 'upgrade' handler): the client opens
   * only on `accept()`, and `refuse(status)` fails the handshake as an HTTP error answer does (the
   * client never opens; it sees 1006). Where a transport cannot hold a handshake it is absent,
   * and the connection is open when the handler runs.
   */
  defer?(): HandshakeDecision;
}

export interface HandshakeDecision {
  accept(): void;
  refuse(status: number): void;
}

/**
 * An HTTP error answer before the upgrade: the held handshake fails and the client never opens;
 * where the transport could not hold it (`decision` null), the connection is cut instead.
 */
export function refuseUpgrade(socket: SocketLike, decision: HandshakeDecision | null | undefined, status: number): void {
  if (decision) decision.refuse(status);
  else socket.terminate();
}
