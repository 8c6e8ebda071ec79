/**
 * A simulated browser tab: the client side of the protocol, driven by a scenario's actions.
 * It speaks whatever protocol its codec encodes (threadline's by default): what it writes and
 * what it understands of the server's frames both go through the codec, and a feature the
 * protocol cannot carry (resume, acks, dedup by message id) is simply not used.
 *
 * It is transport-agnostic (it gets a `connect` function that returns a ws-shaped client
 * socket) and it reports everything it really did to a `GroundTruthObserver` — the oracle's
 * only source of truth about intent: when a thread was declared, what was sent, what was
 * received and handed to the application.
 *
 * Client library behaviour, the same in every mode:
 *  - events that carry `msg_id` are deduplicated (an id seen before is not handed to the app);
 *    events without ids cannot be, which is the shipped system's problem (F8);
 *  - the last `seq` seen per thread is remembered, and a reconnect sends `resume` with it —
 *    for every thread the tab has shown or written to, from 0 when it has seen nothing there
 *    yet (a run it started may have emitted only into the dead connection: F14);
 *  - after an abnormal close (1006, 4008, 4009) the tab reconnects after `reconnectAfterMs`;
 *  - with `heartbeatMs`, it pings, and a missing pong marks the link dead (F10);
 *  - when the server declares `acks` (connection_ready), every user_message and switch_thread
 *    stays in an outbox until its `message_ack` (or an error naming it) arrives, and is sent
 *    again on the next connection, after the resume — also one typed while offline. A switch
 *    the user has since left is not resent (superseded). Without `acks` a message typed while
 *    offline is gone, as in a chat client with no outbox.
 */
import type { Clock, TimerHandle } from '../ports/clock.ts';
import type { ClientIntent, Codec } from '../ports/codec.ts';
import { CloseCode } from '../ports/socket.ts';
import { addSeq, MAX_RESUME_RANGES, type SeqRanges } from '../protocol/seq-ranges.ts';
import { threadlineCodec } from './codecs/threadline.ts';

export interface ClientSocketLike {
  readonly readyState: number;
  send(data: string, callback?: (error?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'open', listener: () => void): unknown;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type ConnectFn = (tab: TabClient, url: string, headers: Record<string, string>) => ClientSocketLike;

export type { CloseCause, GroundTruthObserver, RequestKind } from '../ports/facts.ts';
import type { GroundTruthObserver, RequestKind } from '../ports/facts.ts';

interface OutboxEntry {
  kind: RequestKind;
  thread: string;
  intent: ClientIntent;
  /** The connection it was last written on (null: not yet written). */
  writtenOn: string | null;
}

export interface TabClientOptions {
  id: string;
  user: string;
  token: string;
  clock: Clock;
  observer: GroundTruthObserver;
  connect: ConnectFn;
  reconnectAfterMs: number | null;
  heartbeatMs: number;
  /** Stable id of this tab across reconnects (handshake `session`); default: the tab id. */
  session?: string;
  /** Path of the server endpoint, default "/ws". */
  path?: string;
  /** The wire protocol (default threadline's). */
  codec?: Codec;
}

export class TabClient {
  readonly id: string;
  readonly user: string;
  private readonly clock: Clock;
  private readonly observer: GroundTruthObserver;
  private readonly codec: Codec;
  private socket: ClientSocketLike | null = null;
  private connIndex = 0;
  private messageIndex = 0;
  private switchIndex = 0;
  /** The thread the user is looking at, as the client did it. */
  thread: string | null = null;
  /** Last sequence number seen per thread (guaranteed mode sends them). */
  readonly lastSeq = new Map<string, number>();
  /** Every sequence number received per thread, as ranges (a resume's `have`). */
  private readonly held = new Map<string, SeqRanges>();
  /** Sockets the user closed (their close is reported as 'client-close' even once replaced). */
  private readonly closedByUserSockets = new WeakSet<ClientSocketLike>();
  /** Threads this tab has shown or written to: a reconnect resumes each of them. */
  private readonly interest = new Set<string>();
  private readonly seenMsgIds = new Set<string>();
  /** Sequence ranges the server announced as skipped, per thread (gap notices). */
  private readonly gaps = new Map<string, Array<[number, number]>>();
  private readonly waiters: Array<{ type: string; thread?: string | undefined; resolve: () => void }> = [];
  private reconnectTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private pongDeadline: TimerHandle | null = null;
  private closedByUser = false;
  /** The tab's script has ended (see scriptEnded). */
  private scriptDone = false;
  private quiesced = false;
  /** Connections this tab believes are open, by id. */
  private currentConn: string | null = null;
  serverConnectionId: string | null = null;
  /** Abnormal closes seen (for reports). */
  abnormalCloses = 0;
  /** Did the server of the current connection declare acks? (null: not known yet) */
  private serverAcks: boolean | null = null;
  /** Requests not yet acknowledged, in the order the user made them. */
  private readonly unacked = new Map<string, OutboxEntry>();

  constructor(private readonly options: TabClientOptions) {
    this.id = options.id;
    this.user = options.user;
    this.clock = options.clock;
    this.observer = options.observer;
    this.codec = options.codec ?? threadlineCodec;
  }

  get connectionId(): string | null {
    return this.currentConn;
  }

  /** Message ids the tab's dedup holds (introspection: the tab's memory, in tests). */
  get keptMsgIds(): number {
    return this.seenMsgIds.size;
  }

  /** The tab's script has ended: only the tab's own reconnects could act on it from now on. */
  scriptEnded(): void {
    this.scriptDone = true;
    this.releaseIfGone();
  }

  /**
   * A tab whose script has ended and whose user closed it, with its socket closed, receives and
   * sends nothing more: what it kept per event (its msg_id dedup set, the sequence numbers it
   * held, the gaps it was told of) is let go, so a long run does not keep every finished tab's
   * history to its end.
   */
  private releaseIfGone(): void {
    if (!this.scriptDone || !this.closedByUser || this.socket !== null || this.reconnectTimer !== null) return;
    this.seenMsgIds.clear();
    this.held.clear();
    this.gaps.clear();
  }

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === 1;
  }

  // ---- Actions -------------------------------------------------------------------------------

  connect(thread: string | null, via: 'connect' | 'reconnect' = 'connect'): void {
    if (this.socket !== null && this.socket.readyState <= 1) return; // already connecting/open
    if (this.reconnectTimer) {
      this.clock.cancelTimer(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    this.closedByUser = false;
    if (thread !== null) this.thread = thread;
    if (this.thread !== null) this.interest.add(this.thread);
    const conn = `${this.id}#${++this.connIndex}`;
    this.currentConn = conn;
    const url = this.codec.connectUrl({
      path: this.options.path ?? '/ws',
      token: this.options.token,
      thread: this.thread,
      session: this.options.session ?? this.id,
      resuming: this.codec.carries.resume && this.connIndex > 1 && (this.lastSeq.size > 0 || this.interest.size > 0),
    });
    this.observer.connecting(this.id, conn, this.thread, this.clock.now());
    if (this.thread !== null) this.observer.declared(this.id, this.thread, via, this.clock.now());
    this.outbox.length = 0;
    const socket = this.options.connect(this, url, {});
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.observer.opened(this.id, conn, this.clock.now());
      const positions = this.codec.carries.resume ? this.resumePositions() : null;
      if (positions !== null) {
        const have: Record<string, SeqRanges> = {};
        for (const t of Object.keys(positions)) {
          const ranges = this.held.get(t);
          if (ranges && ranges.length > 0) have[t] = ranges.slice(-MAX_RESUME_RANGES).map(([a, b]) => [a, b]);
        }
        const text = this.codec.encode({ kind: 'resume', lastSeq: positions, have });
        if (text !== null) {
          socket.send(text);
          this.observer.resumed(this.id, conn, positions, have, this.clock.now());
        }
      }
      for (const data of this.outbox.splice(0)) socket.send(data);
      this.startHeartbeat(socket);
    });
    socket.on('message', (data: unknown) => this.onMessage(conn, data));
    socket.on('close', (code: number) => this.onClose(socket, conn, code));
    socket.on('error', () => {});
  }

  send(thread: string, payloadUser?: string, omitThread = false): string {
    const id = `${this.id}-m${++this.messageIndex}`;
    this.thread = thread;
    this.interest.add(thread);
    const now = this.clock.now();
    this.observer.declared(this.id, thread, 'send', now);
    const online = this.currentConn !== null && this.socket !== null && this.socket.readyState <= 1;
    if (online) this.observer.sent(this.id, this.currentConn!, id, thread, now);
    this.observer.requested(this.id, online ? this.currentConn : null, 'user_message', id, thread, now);
    this.request('user_message', id, thread, { kind: 'user_message', id, thread, content: `message ${this.messageIndex}`, ...(payloadUser ? { payloadUser } : {}), ...(omitThread ? { omitThread } : {}) });
    return id;
  }

  switchTo(thread: string): void {
    this.thread = thread;
    this.interest.add(thread);
    const now = this.clock.now();
    this.observer.declared(this.id, thread, 'switch', now);
    const id = `${this.id}-s${++this.switchIndex}`;
    const online = this.currentConn !== null && this.socket !== null && this.socket.readyState <= 1;
    this.observer.requested(this.id, online ? this.currentConn : null, 'switch_thread', id, thread, now);
    this.request('switch_thread', id, thread, { kind: 'switch_thread', id, thread });
  }

  /** Write a request, keeping it in the outbox until acknowledged (servers that declare acks). */
  private request(kind: RequestKind, id: string, thread: string, intent: ClientIntent): void {
    const written = this.write(intent);
    // Until the server says it does not acknowledge, keep it for a resend.
    if (this.serverAcks !== false && this.codec.carries.acks) this.unacked.set(id, { kind, thread, intent, writtenOn: written ? this.currentConn : null });
  }

  /** After connection_ready with acks: send what is still unacknowledged on this connection. */
  private resendUnacked(conn: string): void {
    for (const [id, entry] of this.unacked) {
      if (entry.writtenOn === conn) continue;
      if (entry.kind === 'switch_thread' && entry.thread !== this.thread) {
        // The user has moved on: the reconnect's handshake declares the current thread instead.
        this.unacked.delete(id);
        continue;
      }
      // A resent message says so: the server must not rebind this connection to its thread.
      const intent: ClientIntent = entry.intent.kind === 'user_message' ? { ...entry.intent, resend: true } : entry.intent;
      if (!this.write(intent)) return;
      entry.writtenOn = conn;
      this.observer.resent(this.id, conn, id, this.clock.now());
    }
  }

  /** The user closes the tab. */
  close(): void {
    this.closedByUser = true;
    this.stopHeartbeat();
    if (this.reconnectTimer) {
      this.clock.cancelTimer(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    if (this.socket) this.closedByUserSockets.add(this.socket);
    this.socket?.close(CloseCode.normal, 'tab closed');
  }

  /** Explicit reconnect: close the current connection (if any) and open a new one with resume. */
  reconnect(thread: string | null): void {
    if (this.socket !== null && this.socket.readyState <= 1) {
      const old = this.socket;
      const conn = this.currentConn!;
      this.socket = null;
      this.stopHeartbeat();
      old.close(CloseCode.normal, 'reconnecting');
      this.observer.closed(this.id, conn, CloseCode.normal, 'client-reconnect', this.clock.now());
    }
    this.connect(thread, 'reconnect');
  }

  /**
   * What a reconnect resumes: the last sequence number seen on each thread, and 0 (everything
   * retained) for a thread the tab showed or wrote to without receiving anything there yet.
   * Null on the first connection, or when there is nothing to resume.
   */
  private resumePositions(): Record<string, number> | null {
    if (this.connIndex <= 1) return null;
    const positions: Record<string, number> = Object.fromEntries(this.lastSeq);
    for (const t of this.interest) if (!(t in positions)) positions[t] = 0;
    return Object.keys(positions).length > 0 ? positions : null;
  }

  private isGapped(thread: string, seq: number): boolean {
    return (this.gaps.get(thread) ?? []).some(([from, to]) => seq >= from && seq <= to);
  }

  /** Send raw text (bad-input tests). */
  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  /** Resolve when this tab next receives an agent event of `type` (optionally on `thread`). */
  waitFor(type: string, thread?: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ type, thread, resolve }));
  }

  // ---- Incoming --------------------------------------------------------------------------------

  private onMessage(conn: string, data: unknown): void {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const fact = this.codec.decode(text);
    const now = this.clock.now();
    if (fact === null) return;
    this.observer.frame(this.id, conn, fact.kind === 'event' ? fact.type : fact.kind, now);
    switch (fact.kind) {
      case 'event': {
        let handed = true;
        if (fact.msgId !== null) {
          if (this.seenMsgIds.has(fact.msgId)) handed = false;
          else this.seenMsgIds.add(fact.msgId);
        }
        // A sequence number the server already declared skipped (a gap notice) stays skipped: the
        // application showed the discontinuity, so a late copy would contradict it.
        if (handed && fact.seq !== null && this.isGapped(fact.thread, fact.seq)) handed = false;
        if (fact.seq !== null) {
          const prev = this.lastSeq.get(fact.thread) ?? 0;
          if (fact.seq > prev) this.lastSeq.set(fact.thread, fact.seq);
          let ranges = this.held.get(fact.thread);
          if (!ranges) this.held.set(fact.thread, (ranges = []));
          addSeq(ranges, fact.seq);
        }
        this.observer.received(this.id, conn, fact, handed, now);
        if (handed) {
          for (let i = 0; i < this.waiters.length; i++) {
            const w = this.waiters[i]!;
            if (w.type === fact.type && (w.thread === undefined || w.thread === fact.thread)) {
              this.waiters.splice(i--, 1);
              w.resolve();
            }
          }
        }
        return;
      }
      case 'gap': {
        if (fact.toSeq > (this.lastSeq.get(fact.thread) ?? 0)) this.lastSeq.set(fact.thread, fact.toSeq);
        const ranges = this.gaps.get(fact.thread) ?? [];
        ranges.push([fact.fromSeq, fact.toSeq]);
        this.gaps.set(fact.thread, ranges);
        this.observer.gap(this.id, conn, fact, now);
        return;
      }
      case 'thread-ready':
        this.observer.threadContext(this.id, conn, fact.thread, fact.seq, now);
        return;
      case 'ready':
        if (fact.connectionId !== null) {
          this.serverConnectionId = fact.connectionId;
          this.observer.serverConnection(this.id, conn, fact.connectionId);
        }
        this.serverAcks = fact.acks;
        this.observer.capabilities(this.id, conn, { acks: this.serverAcks, resumeWindowMs: fact.resumeWindowMs });
        if (this.serverAcks) this.resendUnacked(conn);
        else this.unacked.clear();
        return;
      case 'ack':
        this.unacked.delete(fact.ref);
        this.observer.acked(this.id, conn, fact.ref, fact.runId, fact.duplicate, now);
        return;
      case 'error':
        if (fact.ref !== null) {
          this.unacked.delete(fact.ref);
          this.observer.refused(this.id, conn, fact.ref, fact.code, now);
        }
        return;
      case 'pong':
        if (this.pongDeadline) {
          this.clock.cancelTimer(this.pongDeadline);
          this.pongDeadline = null;
        }
        return;
      case 'other':
        return;
    }
  }

  private onClose(socket: ClientSocketLike, conn: string, code: number): void {
    if (this.socket !== socket) {
      // An old socket we already replaced: a reconnect while it was still closing. Its close
      // still has to reach the ground truth (a no-op when the reconnect already reported it).
      this.observer.closed(this.id, conn, code, this.closedByUserSockets.has(socket) ? 'client-close' : 'remote', this.clock.now());
      return;
    }
    this.socket = null;
    this.stopHeartbeat();
    this.observer.closed(this.id, conn, code, this.closedByUser ? 'client-close' : 'remote', this.clock.now());
    this.releaseIfGone();
    const abnormal = code === CloseCode.abnormal || code === CloseCode.slowConsumer || code === CloseCode.heartbeatTimeout || code === CloseCode.goingAway;
    if (abnormal) this.abnormalCloses++;
    if (!this.closedByUser && abnormal && this.options.reconnectAfterMs !== null) {
      this.reconnectTimer = this.clock.setTimer(this.options.reconnectAfterMs * 1_000, () => {
        this.reconnectTimer = null;
        this.connect(null, 'reconnect');
      }, `tab:${this.id}:reconnect`);
    }
  }

  // ---- Heartbeat -----------------------------------------------------------------------------

  private startHeartbeat(socket: ClientSocketLike): void {
    if (this.options.heartbeatMs <= 0 || this.quiesced) return;
    const periodUs = this.options.heartbeatMs * 1_000;
    const beat = (): void => {
      if (this.socket !== socket || socket.readyState !== 1 || this.quiesced) return;
      this.write({ kind: 'ping' });
      if (!this.pongDeadline) {
        this.pongDeadline = this.clock.setTimer(periodUs, () => {
          this.pongDeadline = null;
          if (this.socket !== socket) return;
          // No pong within a period: the link is dead (half-open). Drop it and reconnect.
          const conn = this.currentConn!;
          this.socket = null;
          this.stopHeartbeat();
          socket.terminate();
          this.observer.closed(this.id, conn, CloseCode.heartbeatTimeout, 'heartbeat', this.clock.now());
          this.abnormalCloses++;
          if (this.options.reconnectAfterMs !== null) {
            this.reconnectTimer = this.clock.setTimer(this.options.reconnectAfterMs * 1_000, () => {
              this.reconnectTimer = null;
              this.connect(null, 'reconnect');
            }, `tab:${this.id}:reconnect`);
          }
        }, `tab:${this.id}:pong-deadline`);
      }
      this.heartbeatTimer = this.clock.setTimer(periodUs, beat, `tab:${this.id}:heartbeat`);
    };
    this.heartbeatTimer = this.clock.setTimer(periodUs, beat, `tab:${this.id}:heartbeat`);
  }

  /** End of the active phase: stop the heartbeat for good so the run can go idle. */
  quiesce(): void {
    this.quiesced = true;
    this.stopHeartbeat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) this.clock.cancelTimer(this.heartbeatTimer);
    if (this.pongDeadline) this.clock.cancelTimer(this.pongDeadline);
    this.heartbeatTimer = null;
    this.pongDeadline = null;
  }

  /** Frames written while the socket is still connecting wait here (as chat clients do). */
  private readonly outbox: string[] = [];

  /**
   * Write an intent through the codec; false when there is no socket to take it (or the
   * protocol has no frame for it: then nothing was written).
   */
  private write(intent: ClientIntent): boolean {
    if (this.socket === null || this.socket.readyState > 1) return false;
    const text = this.codec.encode(intent);
    if (text === null) return false;
    if (this.socket.readyState === 0) {
      this.outbox.push(text);
      return true;
    }
    this.socket.send(text);
    return true;
  }
}
