/**
 * The router: the system under test, assembled from its components and driven by frames.
 *
 * Transport-agnostic: it reaches sockets only through `SocketLike` (a `ws` WebSocket or the
 * simulated network's socket) and time only through the `Clock` port, so the same code runs
 * on virtual time and on real sockets.
 *
 * Message path (user_message on thread T from connection c, user-messages.ts):
 *   1. AgentMessageHandler validates that the user owns T (a thread-service look-up: takes time).
 *   2. MessageHandlerService updates the association (binding.ts) — how depends on the mode:
 *      - legacy: not at all (threads are bound only at the handshake);
 *      - dynamic: the association re-checks ownership asynchronously while the agent starts (F1);
 *      - shipped: as dynamic, through the shadowed user-keyed method (F2 no-op on the handler
 *        path, F4 user-wide on the service path), then `sleep(10 ms)` "to let it propagate";
 *      - guaranteed: bound before the run starts; readiness is explicit (`thread_context`).
 *   3. The backend (env.backend, the harness's side) runs the agent; the AgentRegistry emits
 *      its events through the WebSocketManager (routing.ts).
 *
 * The other parts: the handshake binding and the resume wait (resume-wait.ts), thread switches
 * (thread-switch.ts), resume and replay (resume.ts, replay.ts), the catch-up on binding
 * (catch-up.ts), run-scoped delivery (carriers.ts), graceful shutdown (shutdown.ts).
 */
import type { Clock } from '../../ports/clock.ts';
import type { Random } from '../../sim/rng.ts';
import { type Distribution, fixed } from '../../sim/distribution.ts';
import type { ClientFrame } from '../../protocol/threadline.ts';
import { ENVELOPE_WIRE, THREADLINE_WIRE, type RouterWire } from './wire.ts';
import { CloseCode, DEFAULT_MAX_PAYLOAD_BYTES, type HandshakeInfo, type SocketLike } from '../../ports/socket.ts';
import { DEFAULT_RATE_LIMIT_PER_S, type BackendPort } from '../../ports/server.ts';
import { AgentEvents } from './agent-events.ts';
import { AgentRegistry } from './agent-registry.ts';
import { Binding } from './binding.ts';
import { Carriers } from './carriers.ts';
import { CatchUp } from './catch-up.ts';
import { type Connection, newConnection } from './connection.ts';
import type { RouterConfig } from './flags.ts';
import { sessionFromUrl } from './handshake-params.ts';
import { RouterLog, type RouterLogSink, type RouterTrace } from './log.ts';
import { AcceptedMessages } from './message-dedup.ts';
import { Monitoring } from './monitoring.ts';
import { ReadinessGate } from './readiness.ts';
import { Replayer } from './replay.ts';
import { Replies } from './replies.ts';
import { Resume } from './resume.ts';
import { ResumeWait } from './resume-wait.ts';
import { Routing } from './routing.ts';
import { Shutdown, type ShutdownOptions } from './shutdown.ts';
import { StreamLog } from './stream-log.ts';
import { ThreadService } from './thread-service.ts';
import { ThreadSwitch } from './thread-switch.ts';
import { UserMessages } from './user-messages.ts';
import { WebSocketManager } from './ws-manager.ts';

export { DEFAULT_RATE_LIMIT_PER_S } from '../../ports/server.ts';
export { CATCH_UP_WINDOW_US } from './catch-up.ts';
export { resumingFromUrl, sessionFromUrl, threadFromUrl } from './handshake-params.ts';
export { streamKey } from './keys.ts';
export { MAX_DEDUP_ENTRIES } from './message-dedup.ts';
export { RESUME_WAIT_US } from './resume-wait.ts';
export { DEFAULT_DRAIN_TIMEOUT_MS, type ShutdownOptions } from './shutdown.ts';

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
  onTrace?: RouterTrace;
  maxPayloadBytes?: number;
  rateLimitPerS?: number;
  /** Wire the WebSocketManager into the AgentRegistry at construction (default true). */
  wireAtStart?: boolean;
  /** Default owner of a thread nobody was given (serve's naming rule). */
  ownerOf?: (threadId: string) => string | null;
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
  private readonly trace: RouterTrace;
  private readonly maxPayloadBytes: number;
  private readonly rateLimitPerS: number;
  private readonly authenticate: (handshake: HandshakeInfo) => string | null;
  private readonly replies: Replies;
  private readonly carriers: Carriers;
  private readonly routing: Routing;
  private readonly resumeWait: ResumeWait;
  private readonly userMessages: UserMessages;
  private readonly threadSwitch: ThreadSwitch;
  private readonly resume: Resume;
  private readonly teardown: Shutdown;
  private nextConnection = 1;
  /** The wire format: threadline's protocol, or the production envelope (envelopeWire). */
  private readonly format: RouterWire;

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
    this.format = flags.envelopeWire ? ENVELOPE_WIRE : THREADLINE_WIRE;
    this.manager = new WebSocketManager(this.clock, flags, this.monitoring, this.log, this.format);
    this.readiness = new ReadinessGate(this.clock);
    const streams = flags.eventIds ? new StreamLog(Math.max(flags.resumeWindowMs, 1) * 1_000, flags.bugSkipSeq ? 5 : 0) : null;
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
    const { clock, threads, manager, monitoring, trace } = this;
    const agentEvents = new AgentEvents(flags, this.registry);
    this.replies = new Replies(manager, monitoring, trace);
    this.carriers = new Carriers(manager);
    this.routing = new Routing(flags, clock, manager, monitoring, trace, streams, this.carriers, agentEvents);
    const replayer = new Replayer(manager, monitoring);
    const catchUp = new CatchUp(clock, monitoring, streams, this.routing.pending, agentEvents, this.replies, replayer, this.routing);
    const binding = new Binding(flags, clock, threads, manager, this.readiness, this.registry, trace, this.replies, catchUp);
    this.resumeWait = new ResumeWait(flags, clock, streams, this.carriers, catchUp, binding);
    const accepted = new AcceptedMessages(clock, flags);
    this.userMessages = new UserMessages(flags, clock, threads, this.backend, monitoring, trace, this.replies, accepted, this.carriers, binding, agentEvents, this.log);
    this.threadSwitch = new ThreadSwitch(flags, threads, manager, trace, this.replies, binding);
    this.resume = new Resume(flags, clock, threads, streams, manager, monitoring, trace, this.replies, replayer, this.carriers);
    this.teardown = new Shutdown(clock, this.log, this.backend, manager, this.userMessages);
    if (options.wireAtStart ?? true) this.wire();
  }

  /** Start-up wiring: `AgentRegistry.setWebSocketManager`. May be called late (F18). */
  wire(): void {
    this.trace('router.wired', {});
    this.registry.setWebSocketManager((event, run) => this.routing.route(event, run));
    // The buffered events are routed now; binding histories served only them.
    for (const conn of this.manager.all()) conn.bindHistory.length = 0;
  }

  /** Agent runs started and not completed (the backend's count: the graceful drain waits for them). */
  get activeRuns(): number {
    return this.backend.activeRuns;
  }

  // ---- Connections ---------------------------------------------------------------------

  /** Accept an upgraded socket. Refuses (1008) when the handshake does not authenticate. */
  accept(socket: SocketLike, handshake: HandshakeInfo): string | null {
    if (this.teardown.closed) {
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
    this.replies.send(conn, this.config.flags.messageAcks ? { type: 'connection_ready', connection_id: conn.id, acks: true } : { type: 'connection_ready', connection_id: conn.id });
    this.resumeWait.start(conn, handshake.url);
    return conn.id;
  }

  /** Shut down: close every socket with 1001; graceful: drain first (see shutdown.ts). */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    return this.teardown.run(options);
  }

  private onClose(conn: Connection): void {
    if (!this.manager.get(conn.id)) return;
    this.manager.remove(conn.id);
    this.readiness.markClosed(conn.id);
    this.carriers.release(conn);
    this.monitoring.counters.connectionsClosed++;
    this.trace('router.close', { conn: conn.id });
    if (this.config.flags.closeAllOnDisconnect) {
      // The endpoint's cleanup calls disconnect_user: every connection of the user goes, 1000.
      for (const other of this.manager.connectionsOfUser(conn.userId)) {
        if (!other.open) continue;
        this.trace('router.disconnect_user', { conn: other.id, because: conn.id });
        other.open = false;
        other.socket.close(CloseCode.normal, 'disconnect_user');
      }
    }
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
      this.replies.error(conn, 'rate_limited', `more than ${this.rateLimitPerS} frames per second; slow down`);
      return;
    }
    const parsed = this.format.parse(text);
    if (!parsed.ok) {
      this.monitoring.counters.badFrames++;
      this.replies.error(conn, parsed.code, parsed.message, parsed.ref);
      return;
    }
    this.dispatch(conn, parsed.frame).catch((error: unknown) => {
      // A handler bug must not take the router down; report it to the client and the log.
      this.log.error(`handler failed: ${error instanceof Error ? error.message : String(error)}`, { conn: conn.id });
      this.replies.error(conn, 'internal', 'internal error while handling the frame');
    });
  }

  private async dispatch(conn: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'user_message':
        if (this.config.flags.userMessageAckOnly) {
          // The endpoint's built-in UserMessageHandler claims user_message first: an ack, no run.
          this.trace('router.ack_only', { conn: conn.id, msg: frame.id });
          this.replies.send(conn, { type: 'received', ref: frame.id });
          return;
        }
        if (frame.no_thread === true) {
          // No thread named: the connection's thread, else (as the real service does) the user's
          // latest; with no thread_id it neither binds nor joins a room
          // (services/message_handlers.py:346, 361, 401–405).
          const latest = conn.threadId ?? this.threads.latestThreadOf(conn.userId);
          if (latest === null) return this.replies.error(conn, 'bad_frame', 'user_message without a thread, and the user has none', frame.id);
          return this.userMessages.onUserMessage(conn, frame.id, latest, frame.user_id, false, 'user_message', true);
        }
        return this.userMessages.onUserMessage(conn, frame.id, frame.thread_id, frame.user_id, frame.resend === true);
      case 'start_agent': {
        // Without a thread the real code takes the user's latest thread (get_or_create_thread,
        // database/thread_repository.py:50–89); here: the connection's, else the user's latest.
        const thread = frame.thread_id ?? conn.threadId ?? this.threads.latestThreadOf(conn.userId);
        if (thread === null) return this.replies.error(conn, 'bad_frame', 'start_agent without a thread, and the user has none', frame.id);
        return this.userMessages.onUserMessage(conn, frame.id, thread, frame.user_id, false, 'start_agent');
      }
      case 'switch_thread':
        if (this.config.flags.switchUnhandled) {
          // A type the endpoint's router does not know: acknowledged, nothing changes.
          this.trace('router.switch_unhandled', { conn: conn.id, thread: frame.thread_id });
          this.replies.send(conn, { type: 'unhandled', received_type: 'switch_thread' });
          return;
        }
        return this.threadSwitch.onSwitchThread(conn, frame.id, frame.thread_id);
      case 'resume':
        if (frame.have) for (const [thread, ranges] of Object.entries(frame.have)) conn.held.set(thread, ranges);
        try {
          return await this.resume.onResume(conn, frame.last_seq);
        } finally {
          conn.onResumed?.();
        }
      case 'ack':
        return;
      case 'unknown_type':
        this.replies.send(conn, { type: 'unhandled', received_type: frame.received_type });
        return;
      case 'ping':
        this.replies.send(conn, { type: 'pong' });
        return;
    }
  }
}
