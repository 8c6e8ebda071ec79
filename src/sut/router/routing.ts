/**
 * Routing of agent events: the registry hands each emitted event here. It gets its stream's
 * sequence number (ids on), then goes to the connections bound to its thread (or, run-scoped,
 * to the run's carrier), late to the bindings it was owed before the injection, or waits in the
 * pending queue until a connection binds its thread; a dropped waiting event stays in the log
 * as a gap.
 */
import type { Clock } from '../../ports/clock.ts';
import type { AgentEventFrame } from '../../protocol/threadline.ts';
import type { AgentEvents } from './agent-events.ts';
import type { RunContext } from './agent-registry.ts';
import type { Carriers } from './carriers.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import { streamKey } from './keys.ts';
import type { RouterTrace } from './log.ts';
import type { Monitoring } from './monitoring.ts';
import { PendingMessageQueue } from './pending-queue.ts';
import type { StreamLog } from './stream-log.ts';
import type { WebSocketManager } from './ws-manager.ts';

/** An event waiting in the pending queue, with its run. */
export interface Waiting {
  event: AgentEventFrame;
  run: RunContext;
}

export class Routing {
  /** Events nobody could take, until a connection of their user binds their thread (pendingQueue); null without. */
  readonly pending: PendingMessageQueue<Waiting> | null;

  constructor(
    private readonly flags: RouterFlags,
    private readonly clock: Clock,
    private readonly manager: WebSocketManager,
    private readonly monitoring: Monitoring,
    private readonly trace: RouterTrace,
    private readonly streams: StreamLog | null,
    private readonly carriers: Carriers,
    private readonly agentEvents: AgentEvents,
  ) {
    this.pending = flags.pendingQueue
      ? new PendingMessageQueue<Waiting>(
          clock,
          { maxPerKey: flags.pendingMaxPerKey, maxTotal: flags.pendingMaxTotal, ttlUs: flags.pendingTtlMs * 1_000 },
          (key, item, reason, waitedUs) => this.onQueueDrop(key, item, reason, waitedUs),
        )
      : null;
  }

  /** Called by the AgentRegistry for each emitted event. */
  route(event: AgentEventFrame, run: RunContext): void {
    this.monitoring.counters.eventsEmitted++;
    const flags = this.flags;
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
    const origin = flags.runScopedDelivery ? this.carriers.originOf(run) : undefined;
    // An event buffered before injection is routed late: it also goes to the connections that
    // were bound to its thread at some time since it was produced (they were owed it), not only
    // to those bound now.
    const earlier = this.agentEvents.takeUnwired(event.eid) ? this.boundSinceProduction(event) : [];
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

  /** Send to the thread's bound connections; run-scoped, the run's carrier is the origin. */
  deliver(event: AgentEventFrame, run: RunContext): void {
    const origin = this.flags.runScopedDelivery ? this.carriers.originOf(run) : undefined;
    const result = this.manager.sendToThread(event, this.flags.runScopedDelivery ? (origin?.id ?? null) : run.originConnectionId, run);
    this.trace('router.route', { eid: event.eid, thread: event.thread_id, to: result.sentTo, missed: result.missed });
    if (result.sentTo.length === 0) this.monitoring.drop('no_connection');
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
}
