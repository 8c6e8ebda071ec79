/**
 * Binding a connection to a thread (the association agent events are routed by): after an
 * ownership look-up or at once, in request order (orderedBinding), with the modelled defects
 * of the message path (F2, F4); then readiness and the catch-up.
 */
import type { Clock } from '../../ports/clock.ts';
import type { AgentRegistry } from './agent-registry.ts';
import type { CatchUp } from './catch-up.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import type { RouterTrace } from './log.ts';
import type { ReadinessGate } from './readiness.ts';
import type { Replies } from './replies.ts';
import type { ThreadService } from './thread-service.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class Binding {
  constructor(
    private readonly flags: RouterFlags,
    private readonly clock: Clock,
    private readonly threads: ThreadService,
    private readonly manager: WebSocketManager,
    private readonly readiness: ReadinessGate,
    private readonly registry: AgentRegistry,
    private readonly trace: RouterTrace,
    private readonly replies: Replies,
    private readonly catchUp: CatchUp,
  ) {}

  /** Bind after an ownership look-up (handshake binding, and dynamic's concurrent association). */
  async bindAfterLookup(conn: Connection, threadId: string, via: string, reportForbidden: boolean, request: number): Promise<void> {
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) {
      if (reportForbidden) this.replies.forbid(conn, threadId);
      return;
    }
    if (!conn.open) return;
    this.bindNow(conn, threadId, via, request);
  }

  /** `request`: the number of the frame that asked for this binding (see orderedBinding). */
  bindNow(conn: Connection, threadId: string, via: string, request: number): void {
    const flags = this.flags;
    if (flags.orderedBinding) {
      if (request < conn.bindApplied) {
        // A newer frame of this client already set the binding: this late look-up must not undo
        // it. The client did show this thread in between, though: catch it up on what it missed.
        this.trace('router.bind_stale', { conn: conn.id, thread: threadId, via });
        this.catchUp.recent(conn, threadId);
        return;
      }
      conn.bindApplied = request;
    }
    const handlerPath = via === 'message' || via === 'start_agent';
    if (handlerPath && flags.handlerBindNoop) {
      // AgentMessageHandler passes a connection id to the user-keyed method: silently nothing (F2).
      this.manager.updateConnectionThreadByUser(conn.id, threadId);
    }
    // In the public code the user-wide bind is on the start_agent path only
    // (services/message_handlers.py:152–161); over threadline's wire user_message is the only
    // frame that starts a run, so it takes that path.
    if (flags.serviceBindUserWide && (via === 'start_agent' || (via === 'message' && !flags.envelopeWire))) {
      // MessageHandlerService passes the user id: every tab of the user moves (F4).
      this.manager.updateConnectionThreadByUser(conn.userId, threadId);
      for (const c of this.manager.connectionsOfUser(conn.userId)) this.afterBind(c, threadId, via);
      return;
    }
    if (handlerPath && flags.handlerBindNoop) return;
    this.manager.associateThread(conn.id, threadId);
    this.afterBind(conn, threadId, via);
  }

  private afterBind(conn: Connection, threadId: string, via: string): void {
    this.trace('router.bind', { conn: conn.id, thread: threadId, via });
    if (this.flags.bufferBeforeInjection && !this.registry.isWired) conn.bindHistory.push({ thread: threadId, atUs: this.clock.now() });
    this.readiness.markReady(conn.id);
    this.catchUp.onBound(conn, threadId);
  }
}
