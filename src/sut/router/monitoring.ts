/**
 * Monitoring: the router's own view of itself, as the status report asked for it —
 * time from connection to thread association, messages sent before context was ready,
 * failed routing attempts — plus queue depth and wait, expiries, overflows, delivery latency
 * and drops by reason, and the queue's depth and waits over time (bounded series).
 *
 * The oracle compares some of these with what really happened (invariant 12, honest
 * monitoring), so they must mean exactly what their names say. See docs/router.md.
 */
import { Histogram, type HistogramJSON } from '../../stats/histogram.ts';
import { BoundedSeries, type SeriesPoint } from '../../stats/series.ts';

export type DropReason =
  | 'no_connection' // "No connections found for thread" with no queue to hold it
  | 'emission_blocked' // emitted before setWebSocketManager (F18)
  | 'queue_overflow'
  | 'queue_expired'
  | 'send_failed' // the socket refused or the send ultimately timed out
  | 'slow_consumer' // outbound limit exceeded, connection closed 4008
  | 'resume_window' // asked for after the resume window: gap notice sent
  | 'out_of_order' // a catch-up or replay older than what the connection already had: gap notice sent
  | 'registry_evicted';

export type { MonitoringSnapshot } from '../../ports/server.ts';
import type { MonitoringSnapshot } from '../../ports/server.ts';

export class Monitoring {
  readonly counters = {
    connectionsOpened: 0,
    connectionsClosed: 0,
    /** Agent events handed to the WebSocketManager for routing. */
    eventsEmitted: 0,
    /** Routing attempts for an event (one per event, retries excluded). */
    routingAttempts: 0,
    /**
     * First routing attempts that found no connection bound to the event's thread ("No
     * connections found for thread"). Not a loss by itself: run-scoped delivery, the pending
     * queue or a catch-up may still deliver the event. Compare `eventsWritten`.
     */
    routingMisses: 0,
    /**
     * Distinct events written to at least one connection, by any path (routing, queue flush,
     * catch-up, resume). `eventsEmitted - eventsWritten` reached no connection in the end.
     */
    eventsWritten: 0,
    /** Events emitted while no connection of the user had the thread's context. */
    sentBeforeReady: 0,
    /** Events the router counts as delivered (reached at least one socket's send). */
    eventsReportedDelivered: 0,
    /** (event, connection) frames written to sockets, retries included. */
    framesSent: 0,
    sendRetries: 0,
    sendTimeouts: 0,
    queued: 0,
    queueFlushed: 0,
    queueExpired: 0,
    queueOverflowed: 0,
    replayed: 0,
    gapsSent: 0,
    badFrames: 0,
    forbidden: 0,
    rateLimited: 0,
    bindings: 0,
    /** User messages refused with an error frame during a graceful shutdown. */
    refusedWhileDraining: 0,
  };
  readonly dropsByReason: Record<string, number> = {};
  readonly connectToBindUs = new Histogram();
  readonly queueWaitUs = new Histogram();
  readonly queueDepth = new Histogram();
  /** Emission to the socket's send completion, as the router sees it. */
  readonly sendLatencyUs = new Histogram();
  /**
   * Over time, for the report's charts. The caller passes the time from the router's clock
   * (Monitoring reads no clock, so a run stays deterministic); the series are not traced.
   */
  readonly queueDepthSeries = new BoundedSeries();
  readonly queueWaitSeries = new BoundedSeries();

  /** The queue's total depth changed (enqueue, flush, expiry) at `nowUs`. */
  recordQueueDepth(nowUs: number, depth: number): void {
    this.queueDepthSeries.record(nowUs, depth);
  }

  /** An item flushed at `nowUs` had waited `waitedUs` in the queue. */
  recordQueueWait(nowUs: number, waitedUs: number): void {
    this.queueWaitUs.record(waitedUs);
    this.queueWaitSeries.record(nowUs, waitedUs);
  }

  drop(reason: DropReason, count = 1): void {
    this.dropsByReason[reason] = (this.dropsByReason[reason] ?? 0) + count;
  }

  /** Events that reached no connection (so far; at the end of a run, in the end). */
  eventsUnreached(): number {
    return this.counters.eventsEmitted - this.counters.eventsWritten;
  }

  snapshot(): MonitoringSnapshot {
    return {
      counters: { ...this.counters },
      dropsByReason: { ...this.dropsByReason },
      histograms: {
        connectToBindUs: this.connectToBindUs.toJSON(),
        queueWaitUs: this.queueWaitUs.toJSON(),
        queueDepth: this.queueDepth.toJSON(),
        sendLatencyUs: this.sendLatencyUs.toJSON(),
      },
      series: {
        queueDepth: this.queueDepthSeries.toJSON(),
        queueWaitUs: this.queueWaitSeries.toJSON(),
        recorded: { queueDepth: this.queueDepthSeries.recorded, queueWaitUs: this.queueWaitSeries.recorded },
      },
    };
  }
}
