/**
 * WebSocketManager: connections by id, by user and by thread; thread association; and
 * `sendToThread`, which logs the warning the status report fights —
 * `No connections found for thread <id>` — when nothing is bound.
 *
 * Modelled defects live behind flags (see flags.ts): the user-keyed method that shadowed the
 * per-connection one (F2), user-wide rebinding (F4), fallback fan-out trusting the payload's
 * user id (F11), registry entries that expire after connect (F9), send timeouts retried without
 * ids (F8), success masking (F12).
 */
import { holdsSeq } from '../../protocol/seq-ranges.ts';
import type { Clock } from '../../ports/clock.ts';
import type { AgentEventFrame, GapFrame, ServerFrame } from '../../protocol/threadline.ts';
import { CloseCode, OPEN } from '../../ports/socket.ts';
import type { RunContext } from './agent-registry.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import type { Monitoring } from './monitoring.ts';
import type { RouterLog } from './log.ts';
import { THREADLINE_WIRE, type RouterWire } from './wire.ts';
import { MARK_REPORTED, MARK_WRITTEN, markOnce } from './event-marks.ts';

export interface RouteResult {
  /** Connections a frame was written to. */
  sentTo: string[];
  /** True when no connection was bound to the thread (before any fallback). */
  missed: boolean;
}

export class WebSocketManager {
  private readonly byId = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<string>>();
  /**
   * Connections in registration order, for the shipped registry's capacity (F9). Kept only when
   * that capacity is on: a close finds its entry by a linear search, which cost a few percent of
   * a run with thousands of open connections that never reads it.
   */
  private readonly registrationOrder: string[] = [];
  /** Sessions an event was announced to as out of order (weak: forgotten with the event). */
  private readonly gappedTo = new WeakMap<AgentEventFrame, Set<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly flags: RouterFlags,
    private readonly monitoring: Monitoring,
    private readonly log: RouterLog,
    private readonly wire: RouterWire = THREADLINE_WIRE,
  ) {}

  add(conn: Connection): void {
    this.byId.set(conn.id, conn);
    let set = this.byUser.get(conn.userId);
    if (!set) this.byUser.set(conn.userId, (set = new Set()));
    set.add(conn.id);
    if (this.flags.registryMaxEntries > 0) this.registrationOrder.push(conn.id);
  }

  remove(connectionId: string): void {
    const conn = this.byId.get(connectionId);
    if (!conn) return;
    conn.open = false;
    this.byId.delete(connectionId);
    this.byUser.get(conn.userId)?.delete(connectionId);
    if (this.flags.registryMaxEntries > 0) {
      const i = this.registrationOrder.indexOf(connectionId);
      if (i >= 0) this.registrationOrder.splice(i, 1);
    }
  }

  get(connectionId: string): Connection | undefined {
    return this.byId.get(connectionId);
  }

  connectionsOfUser(userId: string): Connection[] {
    return [...(this.byUser.get(userId) ?? [])].map((id) => this.byId.get(id)!).filter((c) => this.isRoutable(c));
  }

  /** Per-connection binding (the method the handlers meant to call). */
  associateThread(connectionId: string, threadId: string): boolean {
    const conn = this.byId.get(connectionId);
    if (!conn || !conn.open) return false;
    this.bind(conn, threadId);
    return true;
  }

  /**
   * The shipped code's `update_connection_thread`, which shadowed the per-connection method:
   * keyed by *user*. Called with a connection id it finds no user and silently does nothing
   * (F2); called with a user id it moves every connection of the user (F4).
   */
  updateConnectionThreadByUser(userKey: string, threadId: string): boolean {
    const ids = this.byUser.get(userKey);
    if (!ids || ids.size === 0) {
      // The no-op: returns false, and nobody checks. The public code logs it (manager.py:1191).
      this.log.warn(`No connections found for user ${userKey} when updating thread`, { user: userKey, thread: threadId });
      return false;
    }
    for (const id of ids) this.bind(this.byId.get(id)!, threadId);
    return true;
  }

  joinRoom(connectionId: string, room: string): void {
    this.byId.get(connectionId)?.rooms.add(room);
  }

  leaveRoom(connectionId: string, room: string): void {
    this.byId.get(connectionId)?.rooms.delete(room);
  }

  /** Connections currently bound to `threadId` for `userId` and visible in the registry. */
  connectionsForThread(userId: string, threadId: string): Connection[] {
    const out: Connection[] = [];
    if (this.flags.bugThreadKeyedRouting) {
      // TEST-ONLY planted bug: a map keyed by thread id alone mixes users who share an id (F25).
      for (const c of this.byId.values()) if (c.open && c.threadId === threadId && this.isRoutable(c)) out.push(c);
      return out;
    }
    for (const id of this.byUser.get(userId) ?? []) {
      const c = this.byId.get(id)!;
      if (c.open && c.threadId === threadId && this.isRoutable(c)) out.push(c);
    }
    return out;
  }

  /**
   * Route an agent event to the connections of its thread. `originId` is the connection that
   * started the run (run-scoped delivery). Returns where frames were written.
   */
  sendToThread(event: AgentEventFrame, originId: string | null, run?: RunContext): RouteResult {
    this.monitoring.counters.routingAttempts++;
    const targets = this.connectionsForThread(event.user_id, event.thread_id);
    const missed = targets.length === 0;
    if (this.flags.runScopedDelivery && originId !== null) {
      const origin = this.byId.get(originId);
      if (origin && origin.open && origin.userId === event.user_id && !targets.includes(origin)) targets.push(origin);
    }
    if (missed) {
      this.log.warn(`No connections found for thread ${event.thread_id}`, { thread: event.thread_id, run: event.run_id, eid: event.eid });
      const fallbackUser = this.fallbackUserOf(event, run);
      if (this.flags.fallbackFanout && fallbackUser !== null) {
        // F11: fall back to every connection of the user named *in the payload*.
        for (const c of this.connectionsOfUser(fallbackUser)) if (!targets.includes(c)) targets.push(c);
      }
    }
    const sentTo: string[] = [];
    for (let i = 0; i < targets.length; i++) {
      const c = targets[i]!;
      if (this.sendEvent(c, event)) sentTo.push(c.id);
      // F16: teardown inside the loop unbinds the connection from the very list being walked;
      // without stepping back, the next connection is skipped for this event.
      if (this.flags.fanoutSkipsAfterTeardown && !c.open) targets.splice(i, 1);
    }
    const masked = this.flags.successMasking && (sentTo.length > 0 || isTestThread(event.thread_id));
    if (missed && !(this.flags.successMasking && masked)) this.monitoring.counters.routingMisses++;
    if (sentTo.length > 0 || masked) this.reportDelivered(event);
    return { sentTo, missed };
  }

  /**
   * The user the fallback fan-out sends to, or null for none. In the public code only a frame
   * that carries a user id has a fallback, and the bridge's agent events carry none
   * (fallbackOnlyWithUserId); where one does, on the user_message path it is the message text
   * (swappedExecuteArgs), a user with no connections.
   */
  private fallbackUserOf(event: AgentEventFrame, run: RunContext | undefined): string | null {
    if (this.flags.fallbackOnlyWithUserId) return null;
    if (this.flags.swappedExecuteArgs && run !== undefined && run.startedBy !== 'start_agent') {
      // The real log names the message text as the user: "No connections found for user <text>".
      this.log.warn(`No connections found for user text-of-${run.messageId}`, { run: run.runId });
      return null;
    }
    return event.user_id;
  }

  /**
   * Count `event` as delivered, once per event, when a frame of it has been written to a
   * connection of its user — by routing, a queue flush, a catch-up or a resume replay alike.
   * (Counting only `sendToThread` left events that reached the client by replay uncounted.)
   */
  reportDelivered(event: AgentEventFrame): void {
    if (!markOnce(event, MARK_REPORTED)) return;
    this.monitoring.counters.eventsReportedDelivered++;
  }

  /**
   * Write one agent event to one connection. With ids on: never twice on the same socket, and
   * never after a newer event of the same thread (per-stream order on each connection): an
   * event that could only arrive out of order (a catch-up or replay older than what the
   * connection already has) is announced in a gap notice instead, explicitly and counted.
   */
  sendEvent(conn: Connection, event: AgentEventFrame): boolean {
    if (this.flags.eventIds) {
      // Already handled on this socket: written (true), or announced in a gap notice (false —
      // counting it as sent made the monitoring report gapped events as delivered).
      if (conn.sentEids.has(event.eid)) return !conn.gappedEids.has(event.eid);
      // The client told us in its resume that it holds this one: sending it again is redundant.
      if (event.seq !== undefined && holdsSeq(conn.held.get(event.thread_id), event.seq)) return true;
      conn.sentEids.add(event.eid);
      if (event.seq !== undefined) {
        const newest = conn.newestSeq.get(event.thread_id) ?? 0;
        if (event.seq < newest) {
          conn.gappedEids.add(event.eid);
          this.monitoring.drop('out_of_order');
          const sessions = this.gappedTo.get(event) ?? new Set<string>();
          sessions.add(sessionKey(conn));
          this.gappedTo.set(event, sessions);
          this.sendGap(conn, { type: 'gap', thread_id: event.thread_id, from_seq: event.seq, to_seq: event.seq, reason: 'out_of_order', eids: [event.eid] });
          return false;
        }
        conn.newestSeq.set(event.thread_id, event.seq);
      }
    }
    const emittedAtUs = this.clock.now();
    const ok = this.write(conn, event, () => this.monitoring.sendLatencyUs.record(this.clock.now() - emittedAtUs));
    if (ok && this.flags.bugGapOverclaims) conn.lastEventByThread.set(event.thread_id, event.eid);
    if (ok && markOnce(event, MARK_WRITTEN)) {
      this.monitoring.counters.eventsWritten++;
    }
    return ok;
  }

  /**
   * Was `event` announced to `conn`'s session (its tab, across reconnects) as out of order? The
   * notice sits below the client's resume position, so if it was lost in flight with the old
   * connection, only the router can announce it again.
   */
  wasGappedTo(event: AgentEventFrame, conn: Connection): boolean {
    return this.gappedTo.get(event)?.has(sessionKey(conn)) ?? false;
  }

  sendGap(conn: Connection, gap: GapFrame): void {
    this.monitoring.counters.gapsSent++;
    if (this.flags.bugGapOverclaims) {
      // TEST-ONLY planted bug: the notice also names the newest event this connection already got.
      const newest = conn.lastEventByThread.get(gap.thread_id);
      if (newest !== undefined && !(gap.eids ?? []).includes(newest)) gap = { ...gap, eids: [...(gap.eids ?? []), newest] };
    }
    this.write(conn, gap);
  }

  /** Write any server frame, applying the outbound limit and the send-timeout/retry policy. */
  write(conn: Connection, frame: ServerFrame, onSent?: () => void): boolean {
    if (!conn.open || conn.socket.readyState !== OPEN) return false;
    const data = this.wire.encode(frame);
    if (data === null) return false;
    if (this.flags.outboundLimitBytes > 0 && conn.socket.bufferedAmount + data.length > this.flags.outboundLimitBytes) {
      // A consumer that stays slow is cut loose with a code and relies on resume (F19),
      // instead of growing memory or stalling the others.
      this.log.warn(`closing slow consumer ${conn.id}`, { connection: conn.id, bufferedBytes: conn.socket.bufferedAmount });
      this.monitoring.drop('slow_consumer');
      conn.open = false;
      conn.socket.close(CloseCode.slowConsumer, 'slow consumer: outbound limit exceeded, resume to continue');
      return false;
    }
    this.monitoring.counters.framesSent++;
    if (this.flags.sendTimeoutMs > 0) {
      this.sendWithRetry(conn, data, 0, onSent);
    } else {
      conn.socket.send(data, (err) => {
        if (err) this.monitoring.drop('send_failed');
        else onSent?.();
      });
    }
    return true;
  }

  /** F8: a send not confirmed within the timeout is sent again, the same bytes, no id. */
  private sendWithRetry(conn: Connection, data: string, attempt: number, onSent?: () => void): void {
    let done = false;
    const timer = this.clock.setTimer(this.flags.sendTimeoutMs * 1_000, () => {
      if (done) return;
      done = true;
      this.monitoring.counters.sendTimeouts++;
      if (attempt >= this.flags.sendRetries) {
        this.monitoring.drop('send_failed');
        return;
      }
      const backoffUs = this.flags.sendBackoffMs * 1_000 * 2 ** attempt;
      this.clock.setTimer(backoffUs, () => {
        if (!conn.open || conn.socket.readyState !== OPEN) return;
        this.monitoring.counters.sendRetries++;
        this.monitoring.counters.framesSent++;
        this.sendWithRetry(conn, data, attempt + 1, onSent);
      }, 'send:backoff');
    }, 'send:timeout');
    conn.socket.send(data, (err) => {
      if (done) return;
      done = true;
      this.clock.cancelTimer(timer);
      if (err) this.monitoring.drop('send_failed');
      else onSent?.();
    });
  }

  all(): Connection[] {
    return [...this.byId.values()];
  }

  private bind(conn: Connection, threadId: string): void {
    conn.threadId = threadId;
    this.monitoring.counters.bindings++;
    if (conn.firstBoundAtUs === null) {
      conn.firstBoundAtUs = this.clock.now();
      this.monitoring.connectToBindUs.record(conn.firstBoundAtUs - conn.openedAtUs);
    }
  }

  /** F9: the shipped registry is a TTL cache written once at connect, with a capacity. */
  private isRoutable(conn: Connection): boolean {
    if (this.flags.registryTtlMs > 0 && this.clock.now() - conn.registeredAtUs >= this.flags.registryTtlMs * 1_000) return false;
    if (this.flags.registryMaxEntries > 0) {
      const index = this.registrationOrder.indexOf(conn.id);
      if (index >= 0 && this.registrationOrder.length - index > this.flags.registryMaxEntries) return false;
    }
    return true;
  }
}

function sessionKey(conn: Connection): string {
  return `${conn.userId}\u0000${conn.session}`;
}

/** F12: the shipped code treated test-prefixed thread ids as delivered. */
export function isTestThread(threadId: string): boolean {
  return threadId.startsWith('test_') || threadId.startsWith('test-');
}
