/**
 * What the client already had, judged on the wire (FAILURE-MODES invariants 16 and 17):
 *
 * - **no-redundant-redelivery**: a copy of an event reaching a tab that already received it is a
 *   *redelivery*. It is *redundant* when the server knew the tab had it: the same connection had
 *   carried it before, or the tab's resume on this connection said it holds that sequence
 *   number (`have`). Redundant copies the client's `msg_id` dedup hid from the application are
 *   violations: resume and catch-up must send only what the client lacks, and a client-side
 *   dedup must not paper over a replay from the wrong position (F24). Copies handed to the
 *   application twice are `no-duplicates` violations instead. Every redelivery is counted.
 *   "Had" means handed to the application: a copy the client discarded because a gap notice
 *   had declared it skipped does not count.
 * - **honest-gaps**: a gap notice never names an event the tab already has, and its range of
 *   sequence numbers covers none the tab holds (a notice that "this will never arrive" about
 *   something that did is a lie the client would show — and a client that files the range as
 *   skipped discards what it covers).
 */
import { formatUs } from '../ports/clock.ts';
import { holdsSeq } from '../protocol/seq-ranges.ts';
import type { DeliveryRecord, GroundTruth, ResumeRecord } from './recorder.ts';
import type { Violation } from './invariants.ts';

export interface RedeliveryCounts {
  /** Copies of events reaching a tab that already had them. */
  redeliveries: number;
  /** Of those, copies the server knew the tab had (same connection, or declared in its resume). */
  redundantRedeliveries: number;
  /** Gap notices naming an event the tab already had. */
  dishonestGaps: number;
}

/** `add`'s `arrival` and `sub`: where the violating frame arrived, and its place among that frame's. */
export function judgeRedelivery(truth: GroundTruth, add: (v: Violation, arrival: number, sub: number) => void): RedeliveryCounts {
  const counts: RedeliveryCounts = { redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0 };
  // Per tab: eid → first receipt. Per connection: eids received. Both grow in arrival order.
  const firstByTab = new Map<string, Map<string, DeliveryRecord>>();
  const seenOnConn = new Map<string, Set<string>>();
  const resumeByConn = new Map<string, ResumeRecord>();
  for (const r of truth.resumes) if (!resumeByConn.has(r.conn)) resumeByConn.set(r.conn, r);
  const gaps = [...truth.gaps].sort((a, b) => a.arrival - b.arrival);
  // Per tab and thread: sequence number → the delivery that brought it first.
  const bySeq = new Map<string, Map<number, DeliveryRecord>>();
  let g = 0;
  const checkGapsBefore = (arrival: number): void => {
    for (; g < gaps.length && gaps[g]!.arrival < arrival; g++) {
      const gap = gaps[g]!;
      const had = firstByTab.get(gap.tab);
      const named = new Set<string>();
      const seqs = bySeq.get(`${gap.tab}\u0000${gap.thread}`);
      if (seqs) {
        for (const [seq, d] of seqs) if (seq >= gap.fromSeq && seq <= gap.toSeq) named.add(d.eid);
      }
      for (const eid of gap.eids) named.add(eid);
      let sub = 0;
      for (const eid of named) {
        const first = had?.get(eid);
        if (!first) continue;
        counts.dishonestGaps++;
        const m = truth.eventOf(eid);
        add({
          invariant: 'honest-gaps',
          messageId: eid,
          connectionId: gap.conn,
          atUs: gap.atUs,
          explanation: `a gap notice (${gap.reason}, seq ${gap.fromSeq}–${gap.toSeq} of thread ${gap.thread}) reached ${gap.conn} at ${formatUs(gap.atUs)} ${gap.eids.includes(eid) ? 'naming' : 'covering'} ${m ? `${m.type} of ${m.runId}` : eid}${first.seq !== null ? ` (seq ${first.seq})` : ''}, which ${gap.tab} already had since ${formatUs(first.atUs)} (on ${first.conn})`,
        }, gap.arrival, sub++);
      }
    }
  };
  for (const d of truth.deliveries) {
    checkGapsBefore(d.arrival);
    let tabFirst = firstByTab.get(d.tab);
    if (!tabFirst) firstByTab.set(d.tab, (tabFirst = new Map()));
    let onConn = seenOnConn.get(d.conn);
    if (!onConn) seenOnConn.set(d.conn, (onConn = new Set()));
    const first = tabFirst.get(d.eid);
    if (first === undefined) {
      onConn.add(d.eid);
      // A copy the client discarded because a gap notice had declared it skipped: the tab does
      // not have it (the application shows the gap), so it is neither a redelivery nor "had".
      if (!d.handed) continue;
      tabFirst.set(d.eid, d);
      if (d.seq !== null) {
        const key = `${d.tab}\u0000${d.frameThread}`;
        let seqs = bySeq.get(key);
        if (!seqs) bySeq.set(key, (seqs = new Map()));
        if (!seqs.has(d.seq)) seqs.set(d.seq, d);
      }
      continue;
    }
    counts.redeliveries++;
    const resume = resumeByConn.get(d.conn);
    const sameConn = onConn.has(d.eid);
    const declared = !sameConn && d.seq !== null && resume !== undefined && resume.atUs <= d.atUs && holdsSeq(resume.have[d.frameThread], d.seq);
    onConn.add(d.eid);
    if (!(sameConn || declared)) continue; // the server could not know: a copy after a reconnect
    counts.redundantRedeliveries++;
    if (d.handed) continue; // handed twice: no-duplicates judges it
    const m = truth.eventOf(d.eid);
    add({
      invariant: 'no-redundant-redelivery',
      messageId: d.eid,
      connectionId: d.conn,
      atUs: d.atUs,
      explanation:
        `${m ? `${m.type} of ${m.runId} (thread ${m.threadId}, seq ${d.seq ?? '?'})` : d.eid} reached ${d.conn} again at ${formatUs(d.atUs)}; ${d.tab} had it since ${formatUs(first.atUs)} (on ${first.conn}), ` +
        (sameConn ? 'on this very connection' : `and its resume at ${formatUs(resume!.atUs)} said it holds seq ${d.seq} (last_seq ${resume!.lastSeq[d.frameThread] ?? 0})`) +
        '; the client dropped the copy by msg_id, which hides a replay from the wrong position',
    }, d.arrival, 0);
  }
  checkGapsBefore(Infinity);
  return counts;
}
