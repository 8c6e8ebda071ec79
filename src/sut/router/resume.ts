/**
 * Resume after reconnect: replay what the client missed, or announce the gap. Then, with
 * run-scoped delivery, this connection carries the resumed thread for its tab's session: the
 * runs the tab started on an earlier connection continue here (see carriers.ts).
 */
import type { Clock } from '../../ports/clock.ts';
import { holdsSeq } from '../../protocol/seq-ranges.ts';
import type { Carriers } from './carriers.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import { streamKey } from './keys.ts';
import type { RouterTrace } from './log.ts';
import type { Monitoring } from './monitoring.ts';
import type { Replayer } from './replay.ts';
import type { Replies } from './replies.ts';
import type { StreamLog } from './stream-log.ts';
import type { ThreadService } from './thread-service.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class Resume {
  constructor(
    private readonly flags: RouterFlags,
    private readonly clock: Clock,
    private readonly threads: ThreadService,
    private readonly streams: StreamLog | null,
    private readonly manager: WebSocketManager,
    private readonly monitoring: Monitoring,
    private readonly trace: RouterTrace,
    private readonly replies: Replies,
    private readonly replayer: Replayer,
    private readonly carriers: Carriers,
  ) {}

  async onResume(conn: Connection, lastSeq: Record<string, number>): Promise<void> {
    if (!this.streams) {
      this.replies.error(conn, 'bad_frame', 'resume is not supported by this server (no sequence numbers)');
      return;
    }
    for (const [threadId, position] of Object.entries(lastSeq)) {
      let seq = position;
      const owned = await this.threads.owns(conn.userId, threadId);
      if (!owned) {
        this.replies.forbid(conn, threadId);
        continue;
      }
      if (!conn.open) return;
      const key = streamKey(conn.userId, threadId);
      if (this.flags.bugResumeFromZero) {
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
      this.replayer.replay(conn, threadId, [...earlier, ...entries]);
      if (this.flags.runScopedDelivery) this.carriers.carryNow(conn, threadId);
    }
  }
}
