/**
 * Replay: writing retained events of a thread to one connection again (catch-up, resume),
 * never one it already got, and announcing the ones given up (dropped from the pending queue)
 * with gap notices instead.
 */
import type { Connection } from './connection.ts';
import type { Monitoring } from './monitoring.ts';
import type { LogEntry } from './stream-log.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class Replayer {
  constructor(
    private readonly manager: WebSocketManager,
    private readonly monitoring: Monitoring,
  ) {}

  replay(conn: Connection, threadId: string, entries: readonly LogEntry[]): void {
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
}
