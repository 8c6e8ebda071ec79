/**
 * The router: the system under test, assembled from its components and driven by frames.
 *
 * Transport-agnostic: it reaches sockets only through `SocketLike` (a `ws` WebSocket or the
 * simulated network's socket) and time only through the `Clock` port, so the same code runs
 * on virtual time and on real sockets.
 *
 * Message path (user_message on thread T from connection c):
 *   1. AgentMessageHandler validates that the user owns T (a thread-service look-up: takes time).
 *   2. MessageHandlerService updates the association — how depends on the mode:
 *      - legacy: not at all (threads are bound only at the handshake);
 *      - dynamic: the association re-checks ownership asynchronously while the agent starts (F1);
 *      - shipped: as dynamic, through the shadowed user-keyed method (F2 no-op on the handler
 *        path, F4 user-wide on the service path), then `sleep(10 ms)` "to let it propagate";
 *      - guaranteed: bound before the run starts; readiness is explicit (`thread_context`).
 *   3. The backend (env.backend, the harness's side) runs the agent; the AgentRegistry emits
 *      its events through the WebSocketManager.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Random } from '../../sim/rng.ts';
import { type Distribution, fixed } from '../../sim/distribution.ts';
import type { TraceFields } from '../../sim/trace.ts';
import { type AgentEventFrame, type ClientFrame, type ErrorCode, type ServerFrame, parseClientFrame } from '../../protocol/threadline.ts';
import { holdsSeq } from '../../protocol/seq-ranges.ts';
import { CloseCode, DEFAULT_MAX_PAYLOAD_BYTES, type HandshakeInfo, type SocketLike } from '../../ports/socket.ts';
import { DEFAULT_RATE_LIMIT_PER_S, type BackendEvent, type BackendPort, type BackendRun } from '../../ports/server.ts';
export { DEFAULT_RATE_LIMIT_PER_S } from '../../ports/server.ts';
import { AgentRegistry, type RunContext } from './agent-registry.ts';
import { type Connection, newConnection } from './connection.ts';
import type { RouterConfig } from './flags.ts';
import { RouterLog, type RouterLogSink } from './log.ts';
import { Monitoring } from './monitoring.ts';
import { PendingMessageQueue } from './pending-queue.ts';
import { ReadinessGate } from './readiness.ts';
import { StreamLog } from './stream-log.ts';
import { ThreadService } from './thread-service.ts';
import { WebSocketManager } from './ws-manager.ts';

/** On binding, the guaranteed mode catches a connection up on its thread's live runs and the last few seconds. */
export const CATCH_UP_WINDOW_US = 5_000_000;
/** At most this many message ids are remembered for dedup; past it the oldest are forgotten first. */
export const MAX_DEDUP_ENTRIES = 100_000;
/** A reconnect that announced a resume binds at the latest this long after accept without it. */
export const RESUME_WAIT_US = 1_000_000;

export interface RouterOptions {
  config: RouterConfig;
  clock: Clock;
  rng: Random;
  /** user id → threads the user owns. */
  ownership: Record<string, readonly string[]>;
  /** Ownership look-up latency, ms. */
  lookupMs?: Distribution;
  /** The agent backend that runs agents (the harness's, which records what they produce). */
  backend: BackendPort;
  /** Handshake → user id, or null to refuse. */
  authenticate: (handshake: HandshakeInfo) => string | null;
  /** Log lines (the sim records them in the trace; serve writes JSON lines). */
  logSink?: RouterLogSink;
  /** Router-internal facts for timelines and explanations (never used by the oracle to judge). */
  onTrace?: (kind: string, fields: TraceFields) => void;
  maxPayloadBytes?: number;
  rateLimitPerS?: number;
  /** Wire the WebSocketManager into the AgentRegistry at construction (default true). */
  wireAtStart?: boolean;
  /** Default owner of a thread nobody was given (serve's naming rule). */
  ownerOf?: (threadId: string) => string | null;
}

export interface ShutdownOptions {
  /** Drain first: refuse new user messages, let accepted ones become runs and runs finish. */
  graceful?: boolean;
  /** How long the drain may take, ms on the router's clock (default DEFAULT_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/** While draining, the router checks this often whether accepted work has finished. */
const DRAIN_POLL_US = 2_000;

interface Waiting {
  event: AgentEventFrame;
  run: RunContext;
}

export class Router {
  readonly monitoring = new Monitoring();
  readonly log: RouterLog;
  readonly manager: WebSocketManager;
  readonly threads: ThreadService;
  readonly readiness: ReadinessGate;
  readonly registry: AgentRegistry;
  private readonly backend: BackendPort;
  readonly config: RouterConfig;
  private readonly clock: Clock;
  private readonly pending: PendingMessageQueue<Waiting> | null;
  private readonly streams: StreamLog | null;
  private readonly trace: (kind: string, fields: TraceFields) => void;
  private readonly maxPayloadBytes: number;
  private readonly rateLimitPerS: number;
  private readonly authenticate: (handshake: HandshakeInfo) => string | null;
  /** Run id → the run's context, for runs still emitting (catch-up). */
  private readonly liveRuns = new Set<string>();
  /** Events produced before the WebSocket manager was injected, not yet routed (buffered, F18). */
  private readonly producedUnwired = new Set<string>();
  /** Run-scoped delivery: (user, session, thread) → the connection of that tab carrying the thread. */
  private readonly carriers = new Map<string, Connection>();
  /** Accepted user_message ids (dedup, F22): (user, id) → the run it started. Oldest first. */
  private readonly accepted = new Map<string, { runId: string; threadId: string; atUs: number }>();
  private nextConnection = 1;
  private closed = false;
  /** Graceful shutdown in progress: new user messages are refused with an error frame. */
  private draining = false;
  /** User messages taken in and not yet a run or refused (a graceful drain waits for them). */
  private messagesInHand = 0;

  constructor(options: RouterOptions) {
    this.config = options.config;
    const flags = options.config.flags;
    this.clock = options.clock;
    this.trace = options.onTrace ?? (() => {});
    this.log = new RouterLog(options.logSink);
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.rateLimitPerS = options.rateLimitPerS ?? DEFAULT_RATE_LIMIT_PER_S;
    this.authenticate = options.authenticate;
    this.threads = new ThreadService(this.clock, options.rng.fork('thread-service'), options.lookupMs ?? fixed(0), options.ownerOf ?? null);
    for (const [user, threads] of Object.entries(options.ownership)) for (const t of threads) this.threads.addThread(user, t);
    this.manager = new WebSocketManager(this.clock, flags, this.monitoring, this.log);
    this.readiness = new ReadinessGate(this.clock);
    this.streams = flags.eventIds ? new StreamLog(Math.max(flags.resumeWindowMs, 1) * 1_000, flags.bugSkipSeq ? 5 : 0) : null;
    this.pending = flags.pendingQueue
      ? new PendingMessageQueue<Waiting>(
          this.clock,
          { maxPerKey: flags.pendingMaxPerKey, maxTotal: flags.pendingMaxTotal, ttlUs: flags.pendingTtlMs * 1_000 },
          (key, item, reason, waitedUs) => this.onQueueDrop(key, item, reason, waitedUs),
        )
      : null;
    this.backend = options.backend;
    this.registry = new AgentRegistry({
      clock: this.clock,
      bufferBeforeInjection: flags.bufferBeforeInjection,
      onBlocked: (event) => {
        this.monitoring.drop('emission_blocked');
        this.trace('router.blocked', { eid: event.eid, run: event.run_id });
        this.log.warn(`EMISSION BLOCKED: no WebSocket manager for run ${event.run_id}`, { eid: event.eid });
      },
    });
    if (options.wireAtStart ?? true) this.wire();
  }

  /** Start-up wiring: `AgentRegistry.setWebSocketManager`. May be called late (F18). */
  wire(): void {
    this.trace('router.wired', {});
    this.registry.setWebSocketManager((event, run) => this.route(event, run));
    // The buffered events are routed now; binding histories served only them.
    for (const conn of this.manager.all()) conn.bindHistory.length = 0;
  }

  // ---- Connections ---------------------------------------------------------------------

  /** Accept an upgraded socket. Refuses (1008) when the handshake does not authenticate. */
  accept(socket: SocketLike, handshake: HandshakeInfo): string | null {
    if (this.closed) {
      socket.close(CloseCode.goingAway, 'server shutting down');
      return null;
    }
    const userId = this.authenticate(handshake);
    if (userId === null || userId === '') {
      this.trace('router.refused', { reason: 'unauthorized' });
      socket.close(CloseCode.policyViolation, 'unauthorized: missing or invalid token');
      return null;
    }
    const conn = newConnection(`c${this.nextConnection++}`, userId, socket, this.clock.now(), sessionFromUrl(handshake.url));
    this.manager.add(conn);
    this.monitoring.counters.connectionsOpened++;
    this.trace('router.open', { conn: conn.id, user: userId });
    // Listeners are attached before any await (F13: an async step first would lose the first frame).
    socket.on('message', (data: unknown) => this.onFrame(conn, data));
    socket.on('close', () => this.onClose(conn));
    socket.on('error', () => {});
    this.send(conn, this.config.flags.messageAcks ? { type: 'connection_ready', connection_id: conn.id, acks: true } : { type: 'connection_ready', connection_id: conn.id });
    const thread = threadFromUrl(handshake.url);
    const request = thread !== null && this.config.flags.bindAtHandshake ? ++conn.bindRequests : null;
    // A reconnecting client announces its resume in the URL. Until the resume is handled, this
    // connection takes no live events (no binding, no run carried to it): anything newer arriving
    // first would turn the whole replay into out-of-order gaps, and a catch-up would resend what
    // the client already holds (found by the oracle's no-redundant-redelivery and the search).
    const settled = this.streams && resumingFromUrl(handshake.url) ? this.resumeSettled(conn) : null;
    if (settled) conn.resuming = true;
    void (settled ?? Promise.resolve()).then(() => {
      conn.resuming = false;
      for (const [t, runs] of conn.deferredCarry) {
        this.carryNow(conn, t);
        this.flushCarried(conn, t, runs);
      }
      conn.deferredCarry.clear();
      if (thread !== null && request !== null) return this.bindAfterLookup(conn, thread, 'handshake', true, request);
    });
    return conn.id;
  }

  /** Resolves when this connection's resume was handled, or after RESUME_WAIT_US without one. */
  private resumeSettled(conn: Connection): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(RESUME_WAIT_US, () => {
        conn.onResumed = null;
        resolve();
      }, 'router:resume-wait');
      conn.onResumed = () => {
        this.clock.cancelTimer(timer);
        conn.onResumed = null;
        resolve();
      };
    });
  }

  /**
   * Shut down: close every socket with 1001. Graceful: first refuse new user messages (an error
   * frame naming them, so the client knows to resend), and wait until the messages already taken
   * in became runs and every run completed, at most `drainTimeoutMs`.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    if (options.graceful === true && !this.closed) {
      this.draining = true;
      this.log.info('shutting down', { graceful: true, pendingMessages: this.messagesInHand, activeRuns: this.backend.activeRuns });
      const budgetUs = (options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) * 1_000;
      const deadline = this.clock.now() + budgetUs;
      // A non-graceful shutdown meanwhile (a second Ctrl-C) ends the drain.
      while (!this.closed && (this.messagesInHand > 0 || this.backend.activeRuns > 0) && this.clock.now() < deadline) await this.clock.sleep(DRAIN_POLL_US);
      if (!this.closed && this.backend.activeRuns > 0) this.log.warn('drain timeout: runs still active at shutdown', { activeRuns: this.backend.activeRuns, drainTimeoutMs: budgetUs / 1_000 });
    }
    this.closed = true;
    for (const conn of this.manager.all()) conn.socket.close(CloseCode.goingAway, 'server shutting down');
  }

  private onClose(conn: Connection): void {
    if (!this.manager.get(conn.id)) return;
    this.manager.remove(conn.id);
    this.readiness.markClosed(conn.id);
    for (const key of conn.carrying) if (this.carriers.get(key) === conn) this.carriers.delete(key);
    this.monitoring.counters.connectionsClosed++;
    this.trace('router.close', { conn: conn.id });
  }

  // ---- Frames ----------------------------------------------------------------------------

  private onFrame(conn: Connection, data: unknown): void {
    if (!conn.open) return;
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    if (Buffer.byteLength(text, 'utf8') > this.maxPayloadBytes) {
      this.monitoring.counters.badFrames++;
      this.trace('router.oversize', { conn: conn.id, bytes: text.length });
      conn.open = false;
      conn.socket.close(CloseCode.messageTooBig, `frame larger than ${this.maxPayloadBytes} bytes`);
      return;
    }
    const now = this.clock.now();
    if (now - conn.rateWindowStartUs >= 1_000_000) {
      conn.rateWindowStartUs = now;
      conn.rateCount = 0;
    }
    if (++conn.rateCount > this.rateLimitPerS) {
      this.monitoring.counters.rateLimited++;
      this.sendError(conn, 'rate_limited', `more than ${this.rateLimitPerS} frames per second; slow down`);
      return;
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.monitoring.counters.badFrames++;
      this.sendError(conn, parsed.code, parsed.message, parsed.ref);
      return;
    }
    this.dispatch(conn, parsed.frame).catch((error: unknown) => {
      // A handler bug must not take the router down; report it to the client and the log.
      this.log.error(`handler failed: ${error instanceof Error ? error.message : String(error)}`, { conn: conn.id });
      this.sendError(conn, 'internal', 'internal error while handling the frame');
    });
  }

  private async dispatch(conn: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'user_message':
        return this.onUserMessage(conn, frame.id, frame.thread_id, frame.user_id, frame.resend === true);
      case 'switch_thread':
        return this.onSwitchThread(conn, frame.id, frame.thread_id);
      case 'resume':
        if (frame.have) for (const [thread, ranges] of Object.entries(frame.have)) conn.held.set(thread, ranges);
        try {
          return await this.onResume(conn, frame.last_seq);
        } finally {
          conn.onResumed?.();
        }
      case 'ack':
        return;
      case 'ping':
        this.send(conn, { type: 'pong' });
        return;
    }
  }

  /** AgentMessageHandler + MessageHandlerService. */
  private async onUserMessage(conn: Connection, messageId: string, threadId: string, payloadUserId: string | undefined, resend = false): Promise<void> {
    if (this.draining) {
      this.monitoring.counters.refusedWhileDraining++;
      this.sendError(conn, 'internal', 'server is shutting down: message not accepted; reconnect and send it again', messageId);
      return;
    }
    this.messagesInHand++;
    let started: BackendRun | null;
    try {
      started = await this.takeUserMessage(conn, messageId, threadId, payloadUserId, resend);
    } finally {
      this.messagesInHand--;
    }
    if (started) await started.done;
  }

  /** Look-up, binding and the run's start; null when no run starts (refused, duplicate, closed). */
  private async takeUserMessage(conn: Connection, messageId: string, threadId: string, payloadUserId: string | undefined, resend: boolean): Promise<BackendRun | null> {
    const flags = this.config.flags;
    this.trace('router.user_message', { conn: conn.id, thread: threadId, msg: messageId });
    const request = ++conn.bindRequests;
    if (this.answeredDuplicate(conn, messageId)) return null;
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) {
      this.forbid(conn, threadId, messageId);
      return null;
    }
    // F21: the connection closed during the look-up. Without acks the message is gone here;
    // with acks the client still holds it unacknowledged and resends it after reconnecting.
    if (!conn.open) return null;
    // Another copy (a resend on a newer connection) may have been accepted during the look-up.
    if (this.answeredDuplicate(conn, messageId)) return null;

    // A resend from the outbox does not rebind: the tab may show another thread now.
    if (flags.bindOnMessage && !(resend && flags.messageAcks)) {
      if (flags.awaitBindBeforeRun) {
        this.bindNow(conn, threadId, 'message', request);
      } else {
        // The association re-checks ownership on its own; the agent does not wait for it (F1).
        void this.bindAfterLookup(conn, threadId, 'message', false, request);
        if (flags.propagationSleepMs > 0) await this.clock.sleep(flags.propagationSleepMs * 1_000);
      }
    }
    const userId = flags.trustPayloadUserId && payloadUserId !== undefined ? payloadUserId : conn.userId;
    // The run starts now; its first event comes from a backend timer, after this handler's
    // synchronous steps below (the trace, the carrier, the dedup entry, the ack).
    let run: RunContext | null = null;
    const started = this.backend.startRun({ userId, threadId, messageId }, (event) => this.onAgentEvent(event, run!));
    run = { runId: started.runId, userId, threadId, originConnectionId: conn.id, messageId };
    this.trace('router.run', { run: run.runId, conn: conn.id, thread: threadId, user: run.userId, msg: messageId });
    if (flags.runScopedDelivery) {
      run.carrier = carrierKey(conn.userId, conn.session, threadId);
      this.carry(conn, threadId, run.runId);
    }
    if (flags.messageDedupWindowMs > 0) this.rememberAccepted(conn.userId, messageId, run.runId, threadId);
    if (flags.messageAcks) this.send(conn, { type: 'message_ack', ref: messageId, run_id: run.runId });
    return started;
  }

  /** The backend produced an event of `run`: hand it to the registry as the agent side's frame. */
  private onAgentEvent(produced: BackendEvent, run: RunContext): void {
    if (this.config.flags.bufferBeforeInjection && !this.registry.isWired) this.producedUnwired.add(produced.eid);
    if (produced.type === 'agent_started') this.liveRuns.add(run.runId);
    if (produced.type === 'agent_completed') this.liveRuns.delete(run.runId);
    const event: AgentEventFrame = { type: produced.type, user_id: run.userId, thread_id: run.threadId, run_id: run.runId, ts: produced.producedAtUs, eid: produced.eid };
    this.registry.emit(event, run);
  }

  /** Agent runs started and not completed (the backend's count: the graceful drain waits for them). */
  get activeRuns(): number {
    return this.backend.activeRuns;
  }

  /**
   * A user_message id this user already had accepted within the dedup window: acknowledge it
   * again with the run it started (the first ack was lost with its connection) and start
   * nothing. With run-scoped delivery, this connection now carries that run's thread.
   */
  private answeredDuplicate(conn: Connection, messageId: string): boolean {
    const flags = this.config.flags;
    if (flags.messageDedupWindowMs <= 0) return false;
    const prior = this.accepted.get(dedupKey(conn.userId, messageId));
    if (!prior || this.clock.now() - prior.atUs > flags.messageDedupWindowMs * 1_000) return false;
    this.trace('router.duplicate', { conn: conn.id, msg: messageId, run: prior.runId });
    if (flags.runScopedDelivery) this.carry(conn, prior.threadId, prior.runId);
    if (flags.messageAcks) this.send(conn, { type: 'message_ack', ref: messageId, run_id: prior.runId, duplicate: true });
    return true;
  }

  /** Remember an accepted message; entries past the window, or past the bound, are forgotten oldest first. */
  private rememberAccepted(userId: string, messageId: string, runId: string, threadId: string): void {
    const now = this.clock.now();
    const windowUs = this.config.flags.messageDedupWindowMs * 1_000;
    for (const [key, entry] of this.accepted) {
      if (now - entry.atUs <= windowUs && this.accepted.size < MAX_DEDUP_ENTRIES) break;
      this.accepted.delete(key);
    }
    this.accepted.set(dedupKey(userId, messageId), { runId, threadId, atUs: now });
  }

  /** The thread-switch handler: rooms always; the association only with bindOnSwitch. */
  private async onSwitchThread(conn: Connection, switchId: string, threadId: string): Promise<void> {
    const request = ++conn.bindRequests;
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) return this.forbid(conn, threadId, switchId);
    if (!conn.open) return;
    for (const room of [...conn.rooms]) this.manager.leaveRoom(conn.id, room);
    this.manager.joinRoom(conn.id, `thread:${threadId}`);
    this.trace('router.switch', { conn: conn.id, thread: threadId, bound: this.config.flags.bindOnSwitch });
    if (this.config.flags.bindOnSwitch) this.bindNow(conn, threadId, 'switch', request);
    if (this.config.flags.messageAcks) this.send(conn, { type: 'message_ack', ref: switchId });
  }

  /**
   * Resume after reconnect: replay what the client missed, or announce the gap. Then, with
   * run-scoped delivery, this connection carries the resumed thread for its tab's session: the
   * runs the tab started on an earlier connection continue here (see `carry`).
   */
  private async onResume(conn: Connection, lastSeq: Record<string, number>): Promise<void> {
    if (!this.streams) {
      this.sendError(conn, 'bad_frame', 'resume is not supported by this server (no sequence numbers)');
      return;
    }
    for (const [threadId, position] of Object.entries(lastSeq)) {
      let seq = position;
      const owned = await this.threads.owns(conn.userId, threadId);
      if (!owned) {
        this.forbid(conn, threadId);
        continue;
      }
      if (!conn.open) return;
      const key = streamKey(conn.userId, threadId);
      if (this.config.flags.bugResumeFromZero) {
        // TEST-ONLY planted bug: replay everything, whatever the client holds.
        seq = 0;
        conn.held.clear();
      }
      const { entries, missing, missingEids } = this.streams.since(key, seq, this.clock.now());
      this.trace('router.resume', { conn: conn.id, thread: threadId, after: seq, replay: entries.length, missingFrom: missing?.[0] ?? null });
      if (missing) {
        this.monitoring.drop('resume_window', missing[1] - missing[0] + 1);
        this.manager.sendGap(conn, { type: 'gap', thread_id: threadId, from_seq: missing[0], to_seq: missing[1], reason: 'resume_window', eids: missingEids });
      }
      // Out-of-order notices for this tab below its position: announce them again (idempotent).
      // Not those the client says it holds: it got them later, on another path (found by fuzzing).
      const regap = this.streams.producedSince(key, 0, this.clock.now()).filter((e) => e.seq <= seq && this.manager.wasGappedTo(e.frame, conn) && !holdsSeq(conn.held.get(threadId), e.seq));
      // One notice per event: a range would also cover sequence numbers the tab may still get.
      for (const e of regap) {
        this.manager.sendGap(conn, { type: 'gap', thread_id: threadId, from_seq: e.seq, to_seq: e.seq, reason: 'out_of_order', eids: [e.frame.eid] });
      }
      // Replay whole runs: a run with events after the client's position also gets its earlier
      // retained events, first. Otherwise the tab could show a run's later events and get the
      // earlier ones only from a later catch-up, out of the run's order (found by fuzzing). The
      // client drops the ones it already has by msg_id.
      const touched = new Set(entries.map((e) => e.frame.run_id));
      const earlier = touched.size === 0 ? [] : this.streams.since(key, 0, this.clock.now()).entries.filter((e) => e.seq <= seq && touched.has(e.frame.run_id));
      this.replay(conn, threadId, [...earlier, ...entries]);
      if (this.config.flags.runScopedDelivery) this.carryNow(conn, threadId);
    }
  }

  // ---- Binding -----------------------------------------------------------------------------

  /** Bind after an ownership look-up (handshake binding, and dynamic's concurrent association). */
  private async bindAfterLookup(conn: Connection, threadId: string, via: string, reportForbidden: boolean, request: number): Promise<void> {
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) {
      if (reportForbidden) this.forbid(conn, threadId);
      return;
    }
    if (!conn.open) return;
    this.bindNow(conn, threadId, via, request);
  }

  /** `request`: the number of the frame that asked for this binding (see orderedBinding). */
  private bindNow(conn: Connection, threadId: string, via: string, request: number): void {
    const flags = this.config.flags;
    if (flags.orderedBinding) {
      if (request < conn.bindApplied) {
        // A newer frame of this client already set the binding: this late look-up must not undo
        // it. The client did show this thread in between, though: catch it up on what it missed.
        this.trace('router.bind_stale', { conn: conn.id, thread: threadId, via });
        if (this.streams) this.replay(conn, threadId, this.recentHistory(streamKey(conn.userId, threadId)));
        return;
      }
      conn.bindApplied = request;
    }
    if (via === 'message' && flags.handlerBindNoop) {
      // AgentMessageHandler passes a connection id to the user-keyed method: silently nothing (F2).
      this.manager.updateConnectionThreadByUser(conn.id, threadId);
    }
    if (via === 'message' && flags.serviceBindUserWide) {
      // MessageHandlerService passes the user id: every tab of the user moves (F4).
      this.manager.updateConnectionThreadByUser(conn.userId, threadId);
      for (const c of this.manager.connectionsOfUser(conn.userId)) this.afterBind(c, threadId, via);
      return;
    }
    if (via === 'message' && flags.handlerBindNoop) return;
    this.manager.associateThread(conn.id, threadId);
    this.afterBind(conn, threadId, via);
  }

  private afterBind(conn: Connection, threadId: string, via: string): void {
    this.trace('router.bind', { conn: conn.id, thread: threadId, via });
    if (this.config.flags.bufferBeforeInjection && !this.registry.isWired) conn.bindHistory.push({ thread: threadId, atUs: this.clock.now() });
    this.readiness.markReady(conn.id);
    if (!this.streams && !this.pending) return;
    const key = streamKey(conn.userId, threadId);
    this.send(conn, { type: 'thread_context', thread_id: threadId, ...(this.streams ? { seq: this.streams.lastSeq(key) } : {}) });
    // Flush what waited for this thread, oldest first, before any newer live event.
    const flushed = this.pending ? this.pending.flush(key) : [];
    const now = this.clock.now();
    for (const { waitedUs } of flushed) {
      this.monitoring.recordQueueWait(now, waitedUs);
      this.monitoring.counters.queueFlushed++;
    }
    if (flushed.length > 0) this.monitoring.recordQueueDepth(now, this.pending!.depth());
    if (!this.streams) {
      for (const { item } of flushed) this.deliver(item.event, item.run);
      return;
    }
    // Catch up on the thread's live runs and the last few seconds (the history load), merged
    // with the flushed queue by sequence number: flushing the queue first let a newer queued
    // event overtake older history on this connection (an order violation).
    const entries = this.recentHistory(key);
    let next = 0;
    const historyBefore = (seq: number): void => {
      const start = next;
      while (next < entries.length && entries[next]!.seq < seq) next++;
      if (next > start) this.replay(conn, threadId, entries.slice(start, next));
    };
    for (const { item } of flushed) {
      historyBefore(item.event.seq ?? Infinity);
      this.deliver(item.event, item.run);
    }
    historyBefore(Infinity);
  }

  /** The catch-up on binding (the history load): the stream's live runs and its last few seconds. */
  private recentHistory(key: string): ReturnType<StreamLog['since']>['entries'] {
    const now = this.clock.now();
    return this.streams!.producedSince(key, 0, now).filter((e) => this.liveRuns.has(e.frame.run_id) || now - e.producedAtUs <= CATCH_UP_WINDOW_US);
  }

  private replay(conn: Connection, threadId: string, entries: ReturnType<StreamLog['since']>['entries']): void {
    const dropped = entries.filter((e) => e.droppedReason !== null && !conn.sentEids.has(e.frame.eid));
    for (const e of dropped) conn.sentEids.add(e.frame.eid);
    // One notice per run of consecutive dropped sequence numbers (and reason): a single range
    // from the first to the last dropped one also covered retained events in between, which the
    // client then discarded as skipped (found by fuzzing with long runs and resume at 120 s).
    for (let i = 0; i < dropped.length; ) {
      let j = i;
      while (j + 1 < dropped.length && dropped[j + 1]!.seq === dropped[j]!.seq + 1 && dropped[j + 1]!.droppedReason === dropped[i]!.droppedReason) j++;
      this.manager.sendGap(conn, {
        type: 'gap',
        thread_id: threadId,
        from_seq: dropped[i]!.seq,
        to_seq: dropped[j]!.seq,
        reason: dropped[i]!.droppedReason!,
        eids: dropped.slice(i, j + 1).map((e) => e.frame.eid),
      });
      i = j + 1;
    }
    for (const e of entries) {
      if (e.droppedReason !== null || conn.sentEids.has(e.frame.eid)) continue;
      this.monitoring.counters.replayed++;
      if (this.manager.sendEvent(conn, e.frame)) this.manager.reportDelivered(e.frame);
    }
  }

  // ---- Routing -------------------------------------------------------------------------------

  /** Called by the AgentRegistry for each emitted event. */
  private route(event: AgentEventFrame, run: RunContext): void {
    this.monitoring.counters.eventsEmitted++;
    const flags = this.config.flags;
    if (flags.resolveThreadFromRunId) {
      // F20: the thread is looked up from the run id at emission time. "run-<n>" names no
      // thread, so the bridge takes the starting connection's current binding (wrong after a
      // switch) or, with none, passes the run id itself as the thread id.
      const origin = this.manager.get(run.originConnectionId);
      event.thread_id = origin?.threadId ?? event.run_id;
    }
    if (this.streams) {
      const entry = this.streams.append(streamKey(event.user_id, event.thread_id), event, this.clock.now());
      event.msg_id = `${event.user_id}:${event.thread_id}:${entry.seq}`;
    }
    const bound = this.manager.connectionsForThread(event.user_id, event.thread_id);
    if (bound.length === 0) this.monitoring.counters.sentBeforeReady++;
    const origin = flags.runScopedDelivery ? this.originOf(run) : undefined;
    // An event buffered before injection is routed late: it also goes to the connections that
    // were bound to its thread at some time since it was produced (they were owed it), not only
    // to those bound now.
    const earlier = this.producedUnwired.delete(event.eid) ? this.boundSinceProduction(event) : [];
    if (bound.length === 0 && !(origin && origin.open) && earlier.length > 0) {
      const to = earlier.filter((c) => this.manager.sendEvent(c, event)).map((c) => c.id);
      if (to.length > 0) this.manager.reportDelivered(event);
      this.monitoring.counters.routingMisses++; // nothing bound now: a miss, even if an earlier binding takes it
      this.trace('router.route', { eid: event.eid, thread: event.thread_id, to, missed: true });
      return;
    }
    if (bound.length === 0 && !(origin && origin.open) && this.pending) {
      // Nobody can take it now: hold it until a connection of this user binds the thread.
      this.monitoring.counters.queued++;
      const key = streamKey(event.user_id, event.thread_id);
      if (this.pending.queueUntilReady(key, { event, run })) {
        this.monitoring.queueDepth.record(this.pending.depth());
        this.monitoring.recordQueueDepth(this.clock.now(), this.pending.depth());
      }
      this.trace('router.queued', { eid: event.eid, thread: event.thread_id, depth: this.pending.depth(key) });
      return;
    }
    this.deliver(event, run);
    for (const c of earlier) if (this.manager.sendEvent(c, event)) this.manager.reportDelivered(event);
  }

  /** Open connections of the event's user that were bound to its thread at some time since it was produced. */
  private boundSinceProduction(event: AgentEventFrame): Connection[] {
    return this.manager.connectionsOfUser(event.user_id).filter((c) => {
      let inEffect: string | null = null;
      for (const h of c.bindHistory) {
        if (h.atUs <= event.ts) inEffect = h.thread;
        else if (h.thread === event.thread_id) return true;
      }
      return inEffect === event.thread_id;
    });
  }

  private deliver(event: AgentEventFrame, run: RunContext): void {
    const origin = this.config.flags.runScopedDelivery ? this.originOf(run) : undefined;
    const result = this.manager.sendToThread(event, this.config.flags.runScopedDelivery ? (origin?.id ?? null) : run.originConnectionId);
    this.trace('router.route', { eid: event.eid, thread: event.thread_id, to: result.sentTo, missed: result.missed });
    if (result.sentTo.length === 0) this.monitoring.drop('no_connection');
  }

  /**
   * Run-scoped delivery: the connection that now carries the run's thread for the tab (the
   * session) that started the run — the connection that started it, or a newer connection of
   * the same tab that resumed the thread after a reconnect. Undefined when none is open.
   */
  private originOf(run: RunContext): Connection | undefined {
    const carrier = run.carrier !== undefined ? this.carriers.get(run.carrier) : this.manager.get(run.originConnectionId);
    return carrier !== undefined && carrier.open && this.manager.get(carrier.id) === carrier ? carrier : undefined;
  }

  /** `conn` carries `threadId` for its session, unless a newer open connection of the session already does. */
  /**
   * After a deferred carry, `conn` gets what the carried runs emitted meanwhile: what waited in
   * the pending queue for want of an open carrier (it waited for a binding of its thread that
   * never came, and expired), and what went only to other connections bound to the thread — from
   * the stream log, oldest first (both found by fuzzing).
   */
  private flushCarried(conn: Connection, threadId: string, runs: ReadonlySet<string>): void {
    if (!conn.open) return;
    const key = streamKey(conn.userId, threadId);
    if (this.pending) {
      const carrier = carrierKey(conn.userId, conn.session, threadId);
      const taken = this.pending.take(key, (w) => w.run.carrier === carrier);
      const now = this.clock.now();
      for (const { item, waitedUs } of taken) {
        this.monitoring.recordQueueWait(now, waitedUs);
        this.monitoring.counters.queueFlushed++;
        this.deliver(item.event, item.run);
      }
      if (taken.length > 0) this.monitoring.recordQueueDepth(now, this.pending.depth());
    }
    if (this.streams && runs.size > 0) this.replay(conn, threadId, this.streams.producedSince(key, 0, this.clock.now()).filter((e) => runs.has(e.frame.run_id)));
  }

  /** Make `conn` carry the tab's runs on `threadId`; deferred while its resume is pending. */
  private carry(conn: Connection, threadId: string, runId?: string): void {
    if (conn.resuming) {
      let runs = conn.deferredCarry.get(threadId);
      if (!runs) conn.deferredCarry.set(threadId, (runs = new Set()));
      if (runId !== undefined) runs.add(runId);
      return;
    }
    this.carryNow(conn, threadId);
  }

  private carryNow(conn: Connection, threadId: string): void {
    const key = carrierKey(conn.userId, conn.session, threadId);
    const current = this.carriers.get(key);
    if (current !== undefined && current !== conn && current.open && current.serial > conn.serial) return;
    this.carriers.set(key, conn);
    conn.carrying.add(key);
  }

  private onQueueDrop(key: string, item: Waiting, reason: 'queue_overflow' | 'queue_expired', waitedUs: number): void {
    this.monitoring.drop(reason);
    // An overflow leaves the depth as it was (the item was refused); an expiry lowers it.
    if (reason === 'queue_expired') {
      this.monitoring.counters.queueExpired++;
      this.monitoring.recordQueueDepth(this.clock.now(), this.pending!.depth());
    } else {
      this.monitoring.counters.queueOverflowed++;
    }
    this.trace('router.queue_drop', { eid: item.event.eid, reason, waitedUs });
    if (this.streams) {
      // The log keeps the event as a gap so any later binding announces it explicitly.
      for (const e of this.streams.producedSince(key, 0, this.clock.now())) if (e.frame.eid === item.event.eid) e.droppedReason = reason;
    }
  }

  // ---- Helpers -------------------------------------------------------------------------------

  private forbid(conn: Connection, threadId: string, ref?: string): void {
    this.monitoring.counters.forbidden++;
    this.trace('router.forbidden', { conn: conn.id, thread: threadId });
    this.sendError(conn, 'forbidden', `thread "${threadId.slice(0, 64)}" does not belong to this user`, ref);
  }

  private sendError(conn: Connection, code: ErrorCode, message: string, ref?: string): void {
    this.send(conn, ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  }

  private send(conn: Connection, frame: ServerFrame): void {
    this.manager.write(conn, frame);
  }
}

export function streamKey(userId: string, threadId: string): string {
  return `${userId}\u0000${threadId}`;
}

function carrierKey(userId: string, session: string, threadId: string): string {
  return `${userId}\u0000${session}\u0000${threadId}`;
}

/**
 * The `session` query parameter of a handshake URL: a stable id of the client (a browser tab)
 * across its reconnects, or null. Scoped by the authenticated user, so it grants nothing.
 */
export function sessionFromUrl(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const value = new URLSearchParams(url.slice(q + 1)).get('session');
  return value === null || value === '' || value.length > 128 ? null : value;
}

/** Did the handshake URL announce a resume frame (`resume=1`, sent by reconnecting clients)? */
export function resumingFromUrl(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).get('resume') === '1';
}

/** The `thread_id` query parameter of a handshake URL, or null. */
export function threadFromUrl(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const value = new URLSearchParams(url.slice(q + 1)).get('thread_id');
  return value === null || value === '' ? null : value;
}

function dedupKey(userId: string, messageId: string): string {
  return `${userId}\u0000${messageId}`;
}
