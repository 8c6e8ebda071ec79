/**
 * The user-message path (AgentMessageHandler + MessageHandlerService): the ownership look-up,
 * the binding (how depends on the mode, see router.ts), the run's start, the dedup of resent
 * messages and the acks. Refuses new messages while a graceful shutdown drains.
 */
import type { Clock } from '../../ports/clock.ts';
import type { BackendPort, BackendRun } from '../../ports/server.ts';
import type { AgentEvents } from './agent-events.ts';
import type { RunContext } from './agent-registry.ts';
import type { Binding } from './binding.ts';
import type { Carriers } from './carriers.ts';
import type { Connection } from './connection.ts';
import type { RouterLog } from './log.ts';
import type { RouterFlags } from './flags.ts';
import { carrierKey } from './keys.ts';
import type { RouterTrace } from './log.ts';
import type { AcceptedMessages } from './message-dedup.ts';
import type { Monitoring } from './monitoring.ts';
import type { Replies } from './replies.ts';
import type { ThreadService } from './thread-service.ts';

export class UserMessages {
  /** Graceful shutdown in progress: new user messages are refused with an error frame. */
  private draining = false;
  /** User messages taken in and not yet a run or refused (a graceful drain waits for them). */
  private inHand = 0;

  constructor(
    private readonly flags: RouterFlags,
    private readonly clock: Clock,
    private readonly threads: ThreadService,
    private readonly backend: BackendPort,
    private readonly monitoring: Monitoring,
    private readonly trace: RouterTrace,
    private readonly replies: Replies,
    private readonly accepted: AcceptedMessages,
    private readonly carriers: Carriers,
    private readonly binding: Binding,
    private readonly agentEvents: AgentEvents,
    private readonly log: RouterLog,
  ) {}

  get messagesInHand(): number {
    return this.inHand;
  }

  /** From now on, refuse new user messages (graceful shutdown). */
  startDraining(): void {
    this.draining = true;
  }

  async onUserMessage(conn: Connection, messageId: string, threadId: string, payloadUserId: string | undefined, resend = false, startedBy: 'user_message' | 'start_agent' = 'user_message', noThread = false): Promise<void> {
    if (this.draining) {
      this.monitoring.counters.refusedWhileDraining++;
      this.replies.error(conn, 'internal', 'server is shutting down: message not accepted; reconnect and send it again', messageId);
      return;
    }
    this.inHand++;
    let started: BackendRun | null;
    try {
      started = await this.takeUserMessage(conn, messageId, threadId, payloadUserId, resend, startedBy, noThread);
    } finally {
      this.inHand--;
    }
    if (started) await started.done;
  }

  /** Look-up, binding and the run's start; null when no run starts (refused, duplicate, closed). */
  private async takeUserMessage(conn: Connection, messageId: string, threadId: string, payloadUserId: string | undefined, resend: boolean, startedBy: 'user_message' | 'start_agent', noThread: boolean): Promise<BackendRun | null> {
    const flags = this.flags;
    this.trace('router.user_message', { conn: conn.id, thread: threadId, msg: messageId });
    const request = ++conn.bindRequests;
    if (this.answeredDuplicate(conn, messageId)) return null;
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) {
      this.replies.forbid(conn, threadId, messageId);
      return null;
    }
    // F21: the connection closed during the look-up. Without acks the message is gone here;
    // with acks the client still holds it unacknowledged and resends it after reconnecting.
    if (!conn.open) return null;
    // Another copy (a resend on a newer connection) may have been accepted during the look-up.
    if (this.answeredDuplicate(conn, messageId)) return null;

    // A resend from the outbox does not rebind: the tab may show another thread now.
    if (flags.bindOnMessage && !(resend && flags.messageAcks) && !noThread) {
      const via = startedBy === 'start_agent' ? 'start_agent' : 'message';
      // start_agent binds after its own thread look-up and before the run, awaited
      // (services/message_handlers.py:97, 152–161).
      if (flags.awaitBindBeforeRun || via === 'start_agent') {
        this.binding.bindNow(conn, threadId, via, request);
        // The public code sleeps 10 ms after its user-wide bind "to let it propagate".
        if (via === 'start_agent' && flags.propagationSleepMs > 0) await this.clock.sleep(flags.propagationSleepMs * 1_000);
      } else {
        // The association re-checks ownership on its own; the agent does not wait for it (F1).
        void this.binding.bindAfterLookup(conn, threadId, via, false, request);
        if (flags.propagationSleepMs > 0) await this.clock.sleep(flags.propagationSleepMs * 1_000);
      }
    }
    if (flags.broadcastingMissing && startedBy === 'user_message' && !noThread) {
      // The service joins the thread's room through `manager.broadcasting`, which the public code
      // never assigns (services/message_handlers.py:361–362): AttributeError, logged by the
      // handler (websocket_core/agent_handler.py:180–182); its send_error is missing too, so the
      // client hears nothing. No run starts.
      this.trace('router.handler_error', { conn: conn.id, msg: messageId });
      this.log.error(`Error handling user_message for ${conn.userId}: 'WebSocketManager' object has no attribute 'broadcasting'`, { conn: conn.id });
      return null;
    }
    const userId = flags.trustPayloadUserId && payloadUserId !== undefined ? payloadUserId : conn.userId;
    // The run starts now; its first event comes from a backend timer, after this handler's
    // synchronous steps below (the trace, the carrier, the dedup entry, the ack).
    let run: RunContext | null = null;
    const started = this.backend.startRun({ userId, threadId, messageId }, (event) => this.agentEvents.produced(event, run!));
    run = { runId: started.runId, userId, threadId, originConnectionId: conn.id, messageId, ...(startedBy === 'start_agent' ? { startedBy } : {}) };
    this.trace('router.run', { run: run.runId, conn: conn.id, thread: threadId, user: run.userId, msg: messageId });
    if (flags.runScopedDelivery) {
      run.carrier = carrierKey(conn.userId, conn.session, threadId);
      this.carriers.carry(conn, threadId, run.runId);
    }
    this.accepted.remember(conn.userId, messageId, run.runId, threadId);
    if (flags.messageAcks) this.replies.send(conn, { type: 'message_ack', ref: messageId, run_id: run.runId });
    return started;
  }

  /**
   * A user_message id this user already had accepted within the dedup window: acknowledge it
   * again with the run it started (the first ack was lost with its connection) and start
   * nothing. With run-scoped delivery, this connection now carries that run's thread.
   */
  private answeredDuplicate(conn: Connection, messageId: string): boolean {
    const prior = this.accepted.within(conn.userId, messageId);
    if (!prior) return false;
    this.trace('router.duplicate', { conn: conn.id, msg: messageId, run: prior.runId });
    if (this.flags.runScopedDelivery) this.carriers.carry(conn, prior.threadId, prior.runId);
    if (this.flags.messageAcks) this.replies.send(conn, { type: 'message_ack', ref: messageId, run_id: prior.runId, duplicate: true });
    return true;
  }
}
