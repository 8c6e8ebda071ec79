/**
 * One simulated connection: two pipes (`pipe.ts`), the two endpoints' states, the handshake,
 * the close handshake and the fault hooks the network calls.
 *
 * Close semantics (modelled on `ws` and RFC 6455, simplified where noted):
 *  - `close(code, reason)`: the closer goes CLOSING and queues a close frame behind its data.
 *    The frame travels with `closeDelayMs`. The peer, if OPEN, queues the echo behind its own
 *    data and goes CLOSED with 'close'(code, reason) at once. It does not wait for its buffer to
 *    flush as ws does. Frames the peer sent before the echo still travel, and are lost as
 *    'closed' at the closer. When the echo arrives the closer goes CLOSED with the same code
 *    and reason. If no echo comes within `closeTimeoutMs` the closer destroys the connection
 *    (1006), as ws does.
 *  - abrupt loss (drop fault, partition kill): the connection is `down`. Frames held or on the
 *    wire are lost now; frames that reach the wire later are lost too. Each side learns of it
 *    (send callbacks of its buffered frames fail, then 'close' 1006): the initiating side at
 *    once, the other after `closeDelayMs`.
 *  - `terminate()` (or a close timeout): this side learns at once; the peer learns when a
 *    reset reaches it after `closeDelayMs`. The reset is carried by the wire, so on a half-open
 *    link the peer never learns and on a partitioned link it learns when the partition ends.
 */
import { Buffer } from 'node:buffer';
import { CLOSED, CLOSING, CONNECTING, MAX_CLOSE_REASON_BYTES, OPEN, type HandshakeDecision, type HandshakeInfo } from '../ports/socket.ts';
import type { TimerHandle } from '../ports/clock.ts';
import { sampleDurationUs } from './distribution.ts';
import type { LinkProfile } from './link-profile.ts';
import { CLOSE, DATA, Frame, PING, PONG, Pipe, type Direction, type LossReason, type PipeOwner, type SendCallback, type Side } from './pipe.ts';
import type { Random } from './rng.ts';
import type { Scheduler } from './scheduler.ts';
import type { ServerRuntime } from './server-runtime.ts';
import { readyStateName, SimClientSocket, SimServerSocket, type EndpointCore, type SimEndpoint, type ServerSocketEvents } from './sim-socket.ts';
import type { Trace, TraceFields } from './trace.ts';

export type LinkState = 'connecting' | 'open' | 'closing' | 'closed';
export type ConnectionHandler = (socket: SimServerSocket, handshake: HandshakeInfo) => void;

/** Read-only view of a link, as `SimNetwork.links()` returns it. */
export interface SimLink {
  readonly id: string;
  readonly label: string;
  readonly url: string;
  /** Derived from the two endpoints: 'open' only when both are OPEN, 'closed' when both are CLOSED. */
  readonly state: LinkState;
  /** True once the connection is gone (drop, partition kill, terminate, failed handshake). */
  readonly down: boolean;
  readonly halfOpen: boolean;
  /** True while at least one partition holds this link's traffic. */
  readonly partitioned: boolean;
  readonly profile: Readonly<LinkProfile>;
  readonly client: SimClientSocket;
  /** The server's socket, from the moment the server accepted the connection. */
  readonly server: SimServerSocket | null;
  readonly createdAtUs: number;
  /** When both ends had seen 'close' (or the handshake failed); null before. */
  readonly closedAtUs: number | null;
  /** Data frame counters of one direction. */
  frameCounts(dir: Direction): { sent: number; delivered: number; lost: number };
}

/** What a link needs from its network. */
export interface LinkContext {
  readonly scheduler: Scheduler;
  readonly trace: Trace | undefined;
  readonly serverRuntime: ServerRuntime;
  /** The accept handler, or null when no server listens (the handshake is then refused). */
  readonly connectionHandler: ConnectionHandler | null;
}

/** Error passed to send callbacks and 'error' listeners. */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly linkId: string,
    readonly reason: LossReason | 'not-open',
    message: string,
  ) {
    super(`${message} (link ${linkId})`);
  }
}

export class LinkCore implements SimLink, EndpointCore, PipeOwner {
  readonly createdAtUs: number;
  closedAtUs: number | null = null;
  readonly client: SimClientSocket;
  server: SimServerSocket | null = null;
  readonly toServer: Pipe;
  readonly toClient: Pipe;
  down = false;
  downReason: LossReason = 'drop';
  halfOpen = false;
  partitions = 0;

  private clientState: number = CONNECTING;
  private serverState: number = CONNECTING;
  private handshakeTimer: TimerHandle | null = null;
  /** The handshake reached the server during a partition and waits for its end. */
  private handshakeHeld = false;
  /** A handshake the server deferred (HandshakeInfo.defer): 'pending' until it decides. */
  private decision: 'pending' | 'accepted' | 'refused' = 'pending';
  private clientCloseTimer: TimerHandle | null = null;
  private serverCloseTimer: TimerHandle | null = null;
  private readonly scheduler: Scheduler;
  private readonly trace: Trace | undefined;
  /** Handshake and loss-notice delays; separate from the per-direction streams. */
  private readonly controlRng: Random;

  constructor(
    private readonly ctx: LinkContext,
    readonly id: string,
    readonly label: string,
    readonly url: string,
    private readonly headers: Readonly<Record<string, string>>,
    readonly profile: Readonly<LinkProfile>,
    /** The link's stream; directions fork `toServer`/`toClient`, control forks `control`. */
    rng: Random,
  ) {
    this.scheduler = ctx.scheduler;
    this.trace = ctx.trace;
    this.createdAtUs = ctx.scheduler.now();
    this.controlRng = rng.fork('control');
    this.toServer = new Pipe(this, 'toServer', rng.fork('toServer'), ctx.scheduler, ctx.trace, profile, profile.bandwidthBytesPerS);
    this.toClient = new Pipe(this, 'toClient', rng.fork('toClient'), ctx.scheduler, ctx.trace, profile, profile.bandwidthBytesPerS);
    this.client = new SimClientSocket(this, label, url);
  }

  // ---- SimLink view -------------------------------------------------------------------------

  get state(): LinkState {
    const c = this.clientState;
    if (this.server === null) return c === CONNECTING ? 'connecting' : c === CLOSED ? 'closed' : 'closing';
    const s = this.serverState;
    if (c === OPEN && s === OPEN) return 'open';
    if (c === CLOSED && s === CLOSED) return 'closed';
    return 'closing';
  }

  get partitioned(): boolean {
    return this.partitions > 0;
  }

  frameCounts(dir: Direction): { sent: number; delivered: number; lost: number } {
    const p = this.pipe(dir);
    return { sent: p.nextFrameIndex, delivered: p.delivered, lost: p.lost };
  }

  pipe(dir: Direction): Pipe {
    return dir === 'toServer' ? this.toServer : this.toClient;
  }

  // ---- Handshake ---------------------------------------------------------------------------

  startHandshake(): void {
    const delayUs = sampleDurationUs(this.profile.handshakeMs, this.controlRng);
    this.handshakeTimer = this.scheduler.setTimer(delayUs, () => this.handshakeArrived(), `net/${this.id}/handshake`);
  }

  private handshakeArrived(): void {
    this.handshakeTimer = null;
    if (this.down || this.halfOpen) return; // a half-open link never completes its handshake
    if (this.partitions > 0) {
      this.handshakeHeld = true;
      return;
    }
    this.ctx.serverRuntime.run(() => this.accept());
  }

  /** Server side of the handshake (runs as server code, so after a pause if there is one). */
  private accept(): void {
    if (this.down || this.clientState !== CONNECTING) return; // lost while the server was paused
    const handler = this.ctx.connectionHandler;
    if (handler === null) {
      this.record('net.connect-failed', { link: this.id, reason: 'refused' });
      this.clientState = CLOSING;
      this.kill('refused', 'client');
      return;
    }
    this.server = new SimServerSocket(this);
    this.serverState = OPEN;
    this.clientState = OPEN;
    this.record('net.open', { link: this.id });
    let deferred = false;
    const decision: HandshakeDecision = {
      accept: () => this.decide(true, 0),
      refuse: (status) => this.decide(false, status),
    };
    handler(this.server, {
      url: this.url,
      headers: { ...this.headers },
      defer: () => {
        deferred = true;
        return decision;
      },
    });
    if (deferred && this.decision === 'pending') {
      // The server decides later: until then the client is still connecting, as in ws, whose
      // 101 answer goes out only once verifyClient (or the app's 'upgrade' handler) said yes.
      if (this.clientState === OPEN) this.clientState = CONNECTING;
      this.record('net.upgrade-held', { link: this.id });
      return;
    }
    if (this.decision === 'refused') return;
    if (this.clientState === OPEN) this.client.emit('open');
  }

  /** A deferred handshake (HandshakeInfo.defer) decided: open the client, or fail the handshake. */
  private decide(accepted: boolean, status: number): void {
    if (this.decision !== 'pending') return;
    this.decision = accepted ? 'accepted' : 'refused';
    if (this.down) return;
    if (!accepted) {
      this.record('net.connect-failed', { link: this.id, reason: 'refused', status });
      this.clientState = CLOSING;
      this.serverState = CLOSED;
      this.server = null; // the server's side never upgraded: it learns of no close
      this.kill('refused', 'client');
      return;
    }
    if (this.clientState === CONNECTING) {
      this.clientState = OPEN;
      this.record('net.upgraded', { link: this.id });
      this.client.emit('open');
    }
  }

  private abortHandshake(): void {
    this.record('net.connect-failed', { link: this.id, reason: 'aborted' });
    this.clientState = CLOSING;
    this.kill('aborted', 'client');
  }

  // ---- Endpoint operations (EndpointCore) -------------------------------------------------------

  readyStateOf(side: Side): number {
    return side === 'client' ? this.clientState : this.serverState;
  }

  bufferedAmountOf(side: Side): number {
    return (side === 'client' ? this.toServer : this.toClient).bufferedAmount();
  }

  send(side: Side, data: string, callback: SendCallback | undefined): void {
    const pipe = side === 'client' ? this.toServer : this.toClient;
    const state = side === 'client' ? this.clientState : this.serverState;
    if (state !== OPEN) {
      this.rejectSend(side, pipe, state, callback);
      return;
    }
    const bytes = Buffer.byteLength(data, 'utf8');
    const index = pipe.nextFrameIndex++;
    if (this.trace !== undefined) this.trace.record(this.scheduler.now(), 'net.send', { link: this.id, dir: pipe.dir, bytes, frame: index });
    pipe.enqueue(new Frame(DATA, index, data, bytes, callback, 0, ''));
  }

  /**
   * A ping (a control frame, 2 bytes of header plus the payload): queued behind this side's data;
   * the other end, if open when it arrives, answers with a pong carrying the same payload, as
   * every WebSocket client does. Nothing happens on a closed side, as with ws.
   */
  ping(side: Side, data: string): void {
    if (this.readyStateOf(side) !== OPEN) return;
    this.outbound(side).enqueue(new Frame(PING, -1, data, 2 + Buffer.byteLength(data, 'utf8'), undefined, 0, ''));
  }

  private rejectSend(side: Side, pipe: Pipe, state: number, callback: SendCallback | undefined): void {
    this.record('net.reject', { link: this.id, dir: pipe.dir, readyState: state });
    if (callback === undefined) return;
    const error = new LinkError(this.id, 'not-open', `WebSocket is not open: readyState ${state} (${readyStateName(state)})`);
    this.scheduler.setTimer(0, () => this.runAs(side, () => callback(error)), `net/${this.id}/send-rejected`);
  }

  close(side: Side, code: number | undefined, reason: string | undefined): void {
    const state = this.readyStateOf(side);
    if (state === CLOSED || state === CLOSING) return;
    if (state === CONNECTING) {
      // Only the client can be connecting; ws aborts the handshake ('error' + 'close' 1006).
      this.abortHandshake();
      return;
    }
    const closeCode = code ?? 1000;
    const closeReason = reason ?? '';
    // Same checks, same errors as ws: these are programming errors in the caller.
    if (!isValidCloseCode(closeCode)) throw new TypeError(`First argument must be a valid error code number (got ${closeCode})`);
    if (Buffer.byteLength(closeReason, 'utf8') > MAX_CLOSE_REASON_BYTES) throw new RangeError(`The message must not be greater than ${MAX_CLOSE_REASON_BYTES} bytes`);
    this.setState(side, CLOSING);
    this.record('net.closing', { link: this.id, side, code: closeCode, reason: closeReason });
    this.outbound(side).enqueue(new Frame(CLOSE, -1, '', 0, undefined, closeCode, closeReason));
    this.startCloseTimer(side);
  }

  terminate(side: Side): void {
    this.abortFrom(side, 'terminate');
  }

  // ---- Arrivals (PipeOwner) ------------------------------------------------------------------

  arrive(pipe: Pipe, frame: Frame): void {
    if (pipe.dir === 'toServer' && this.ctx.serverRuntime.paused) {
      this.ctx.serverRuntime.run(() => this.receive(pipe, frame));
      return;
    }
    this.receive(pipe, frame);
  }

  runSendCallback(side: Side, callback: SendCallback, error: Error | undefined): void {
    if (side === 'server' && this.ctx.serverRuntime.paused) this.ctx.serverRuntime.run(() => callback(error));
    else callback(error);
  }

  private receive(pipe: Pipe, frame: Frame): void {
    const side = pipe.dir === 'toServer' ? 'server' : 'client';
    const state = side === 'client' ? this.clientState : this.serverState;
    if (state === CONNECTING) throw new Error(`impossible: a ${pipe.dir} frame reached link ${this.id} before its handshake completed`);
    if (frame.kind === DATA) {
      if (state !== OPEN) {
        pipe.lose(frame, 'closed');
        return;
      }
      pipe.delivered++;
      if (this.trace !== undefined) this.trace.record(this.scheduler.now(), 'net.deliver', { link: this.id, dir: pipe.dir, frame: frame.index });
      this.endpoint(side).emit('message', frame.data, false);
      return;
    }
    if (frame.kind === PING || frame.kind === PONG) {
      if (state !== OPEN) return;
      if (frame.kind === PING) this.outbound(side).enqueue(new Frame(PONG, -1, frame.data, frame.bytes, undefined, 0, ''));
      else this.endpoint(side).emit('pong', frame.data);
      return;
    }
    if (state === CLOSED) return;
    if (frame.kind === CLOSE) {
      if (state === OPEN) {
        // Echo the close behind this side's own data, then report it.
        this.setState(side, CLOSING);
        this.outbound(side).enqueue(new Frame(CLOSE, -1, '', 0, undefined, frame.code, frame.reason));
      }
      this.finish(side, frame.code, frame.reason);
      return;
    }
    this.lostConnection(side); // RESET
  }

  // ---- Abrupt loss ---------------------------------------------------------------------------

  /**
   * The connection is gone (drop fault, partition kill, refused or aborted handshake). The
   * initiating side learns at once, the other after `closeDelayMs`. Idempotent: a second kill
   * keeps the first reason but purges and notifies again (duplicate notices are no-ops).
   */
  kill(reason: LossReason, initiator: Side): void {
    if (!this.down) {
      this.down = true;
      this.downReason = reason;
    }
    if (this.handshakeTimer !== null) {
      this.scheduler.cancelTimer(this.handshakeTimer);
      this.handshakeTimer = null;
    }
    this.handshakeHeld = false;
    this.toServer.purgeInFlight(this.downReason);
    this.toClient.purgeInFlight(this.downReason);
    const otherDelayUs = sampleDurationUs(this.profile.closeDelayMs, this.controlRng);
    this.scheduleLoss('client', initiator === 'client' ? 0 : otherDelayUs);
    if (this.server !== null) this.scheduleLoss('server', initiator === 'server' ? 0 : otherDelayUs);
  }

  /** `terminate()` or a close timeout on `side`: that side learns at once, the peer by a reset. */
  private abortFrom(side: Side, cause: 'terminate' | 'close-timeout'): void {
    const state = this.readyStateOf(side);
    if (state === CLOSED) return;
    if (state === CONNECTING) {
      this.abortHandshake();
      return;
    }
    this.record('net.abort', { link: this.id, side, cause });
    this.setState(side, CLOSING);
    if (!this.down) {
      this.down = true;
      this.downReason = cause;
      this.toServer.purgeInFlight(cause);
      this.toClient.purgeInFlight(cause);
      this.outbound(side).sendReset();
    }
    this.scheduleLoss(side, 0);
  }

  private scheduleLoss(side: Side, delayUs: number): void {
    if (this.readyStateOf(side) === CLOSED) return;
    this.scheduler.setTimer(delayUs, () => this.runAs(side, () => this.lostConnection(side)), `net/${this.id}/lost`);
  }

  /** `side` learns that the connection is gone: its buffered frames fail, then 'close' 1006. */
  private lostConnection(side: Side): void {
    if (this.readyStateOf(side) === CLOSED) return;
    const reason = this.downReason;
    const callbacks = this.outbound(side).purgeTransmit(reason);
    if (callbacks.length > 0) {
      const error = new LinkError(this.id, reason, `the connection was lost before the frame was sent (${reason})`);
      for (const callback of callbacks) callback(error);
    }
    // A client that never opened also gets 'error', as with ws.
    if (side === 'client' && this.server === null) {
      this.client.emit('error', new LinkError(this.id, reason, `WebSocket connection failed before it was established (${reason})`));
    }
    this.finish(side, 1006, '');
  }

  // ---- Faults (called by the network) ---------------------------------------------------------

  makeHalfOpen(): void {
    this.halfOpen = true;
    this.toServer.purgeInFlight('half-open');
    this.toClient.purgeInFlight('half-open');
  }

  enterPartition(): void {
    this.partitions++;
  }

  /** One partition containing this link ended with 'release'. */
  leavePartition(): void {
    if (this.partitions <= 0) throw new Error(`impossible: link ${this.id} left a partition it was not in`);
    if (--this.partitions > 0) return; // still held by another partition
    this.toServer.releaseHeld();
    this.toClient.releaseHeld();
    if (this.handshakeHeld) {
      this.handshakeHeld = false;
      if (!this.down && !this.halfOpen) this.ctx.serverRuntime.run(() => this.accept());
    }
  }

  /** One partition containing this link ended with 'kill'. */
  killByPartition(): void {
    if (this.partitions <= 0) throw new Error(`impossible: link ${this.id} was killed by a partition it was not in`);
    this.partitions--;
    // Even a link that is already down or closed may still hold a reset; kill purges it.
    this.kill('partition-kill', 'client');
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private finish(side: Side, code: number, reason: string): void {
    this.setState(side, CLOSED);
    const timer = side === 'client' ? this.clientCloseTimer : this.serverCloseTimer;
    if (timer !== null) this.scheduler.cancelTimer(timer);
    this.setCloseTimer(side, null);
    this.record('net.close', { link: this.id, side, code, reason });
    if (this.state === 'closed') this.closedAtUs = this.scheduler.now();
    this.endpoint(side).emit('close', code, reason);
    // Both ends have seen 'close': neither socket emits again (as with ws), so let go of the
    // listeners. They are the server's and the tab's handlers, and hold what those kept per
    // connection; a run keeps every link it made (links(), faults by id), and without this each
    // closed one would keep that state to the end of the run.
    if (this.state === 'closed') {
      this.client.removeAllListeners();
      this.server?.removeAllListeners();
    }
  }

  private startCloseTimer(side: Side): void {
    const timeoutMs = this.profile.closeTimeoutMs;
    if (!Number.isFinite(timeoutMs)) return;
    const timer = this.scheduler.setTimer(
      timeoutMs * 1_000,
      () =>
        this.runAs(side, () => {
          this.setCloseTimer(side, null);
          if (this.readyStateOf(side) === CLOSING) this.abortFrom(side, 'close-timeout');
        }),
      `net/${this.id}/close-timeout`,
    );
    this.setCloseTimer(side, timer);
  }

  private setCloseTimer(side: Side, timer: TimerHandle | null): void {
    if (side === 'client') this.clientCloseTimer = timer;
    else this.serverCloseTimer = timer;
  }

  private setState(side: Side, state: number): void {
    if (side === 'client') this.clientState = state;
    else this.serverState = state;
  }

  private outbound(side: Side): Pipe {
    return side === 'client' ? this.toServer : this.toClient;
  }

  private endpoint(side: Side): SimEndpoint<ServerSocketEvents> {
    if (side === 'client') return this.client;
    if (this.server === null) throw new Error(`impossible: link ${this.id} has no server socket yet`);
    return this.server;
  }

  /** Run as code of `side`: server work waits out a server pause. */
  private runAs(side: Side, work: () => unknown): void {
    if (side === 'server') this.ctx.serverRuntime.run(work);
    else work();
  }

  private record(kind: string, fields: TraceFields): void {
    if (this.trace !== undefined) this.trace.record(this.scheduler.now(), kind, fields);
  }
}

/** Close codes an application may send (ws's `isValidStatusCode`). */
function isValidCloseCode(code: number): boolean {
  return (Number.isInteger(code) && code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}
