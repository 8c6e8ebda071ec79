/**
 * Catch-up: what a connection gets on top of live events when it binds a thread or takes
 * over a tab's runs — the events that waited for it in the pending queue, and (ids on) the
 * thread's history from the stream log, in sequence order.
 */
import type { Clock } from '../../ports/clock.ts';
import type { AgentEvents } from './agent-events.ts';
import type { Connection } from './connection.ts';
import { carrierKey, streamKey } from './keys.ts';
import type { Monitoring } from './monitoring.ts';
import type { PendingMessageQueue } from './pending-queue.ts';
import type { Replayer } from './replay.ts';
import type { Replies } from './replies.ts';
import type { Routing, Waiting } from './routing.ts';
import type { LogEntry, StreamLog } from './stream-log.ts';

/** On binding, the guaranteed mode catches a connection up on its thread's live runs and the last few seconds. */
export const CATCH_UP_WINDOW_US = 5_000_000;

export class CatchUp {
  constructor(
    private readonly clock: Clock,
    private readonly monitoring: Monitoring,
    private readonly streams: StreamLog | null,
    private readonly pending: PendingMessageQueue<Waiting> | null,
    private readonly agentEvents: AgentEvents,
    private readonly replies: Replies,
    private readonly replayer: Replayer,
    private readonly routing: Routing,
  ) {}

  /**
   * `conn` was bound to `threadId` (ids or pending queue on): say so (`thread_context`, with
   * the stream's position), then flush what waited for the thread and catch up on its history.
   */
  onBound(conn: Connection, threadId: string): void {
    if (!this.streams && !this.pending) return;
    const key = streamKey(conn.userId, threadId);
    this.replies.send(conn, { type: 'thread_context', thread_id: threadId, ...(this.streams ? { seq: this.streams.lastSeq(key) } : {}) });
    // Flush what waited for this thread, oldest first, before any newer live event.
    const flushed = this.pending ? this.pending.flush(key) : [];
    const now = this.clock.now();
    for (const { waitedUs } of flushed) {
      this.monitoring.recordQueueWait(now, waitedUs);
      this.monitoring.counters.queueFlushed++;
    }
    if (flushed.length > 0) this.monitoring.recordQueueDepth(now, this.pending!.depth());
    if (!this.streams) {
      for (const { item } of flushed) this.routing.deliver(item.event, item.run);
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
      if (next > start) this.replayer.replay(conn, threadId, entries.slice(start, next));
    };
    for (const { item } of flushed) {
      historyBefore(item.event.seq ?? Infinity);
      this.routing.deliver(item.event, item.run);
    }
    historyBefore(Infinity);
  }

  /** Catch `conn` up on `threadId`'s recent history alone (ids on; nothing without). */
  recent(conn: Connection, threadId: string): void {
    if (this.streams) this.replayer.replay(conn, threadId, this.recentHistory(streamKey(conn.userId, threadId)));
  }

  /**
   * After a deferred carry, `conn` gets what the carried runs emitted meanwhile: what waited in
   * the pending queue for want of an open carrier (it waited for a binding of its thread that
   * never came, and expired), and what went only to other connections bound to the thread — from
   * the stream log, oldest first (both found by fuzzing).
   */
  flushCarried(conn: Connection, threadId: string, runs: ReadonlySet<string>): void {
    if (!conn.open) return;
    const key = streamKey(conn.userId, threadId);
    if (this.pending) {
      const carrier = carrierKey(conn.userId, conn.session, threadId);
      const taken = this.pending.take(key, (w) => w.run.carrier === carrier);
      const now = this.clock.now();
      for (const { item, waitedUs } of taken) {
        this.monitoring.recordQueueWait(now, waitedUs);
        this.monitoring.counters.queueFlushed++;
        this.routing.deliver(item.event, item.run);
      }
      if (taken.length > 0) this.monitoring.recordQueueDepth(now, this.pending.depth());
    }
    if (this.streams && runs.size > 0) this.replayer.replay(conn, threadId, this.streams.producedSince(key, 0, this.clock.now()).filter((e) => runs.has(e.frame.run_id)));
  }

  /** The catch-up on binding (the history load): the stream's live runs and its last few seconds. */
  private recentHistory(key: string): LogEntry[] {
    const now = this.clock.now();
    return this.streams!.producedSince(key, 0, now).filter((e) => this.agentEvents.isLive(e.frame.run_id) || now - e.producedAtUs <= CATCH_UP_WINDOW_US);
  }
}
