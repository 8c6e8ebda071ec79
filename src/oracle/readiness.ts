/**
 * A connection's readiness for a thread, as the server declared it on the wire
 * (`thread_context {thread_id, seq}`), and what must follow it (FAILURE-MODES invariants 4, 15):
 *
 * - **flush-on-ready**: an event the tab was owed on this connection, produced while the
 *   connection was not yet ready for the event's thread (so the server had to hold it: its
 *   sequence number is at most the position thread_context announced), is flushed on ready:
 *   on that connection it arrives before any event produced after readiness (a slow link may
 *   take its time, the order may not change), and it does not wait for a later connection's
 *   resume after this one had carried newer events of the thread (F23). Judged by order only:
 *   on a slow link a flushed event may be in flight for seconds.
 *   Events never delivered at all are `no-loss`'s business; gapped ones are explicit drops.
 * - **sequence-contiguity**: after `thread_context` with seq s0, the connection receives the
 *   thread's events s0+1, s0+2, ... with no hole, unless the tab already had the missing ones or
 *   a gap notice named them first. Older sequence numbers (history, a flushed queue) may arrive
 *   in between. The check stops when the connection becomes ready for another thread.
 *
 * Only servers that send thread_context (and sequence numbers, for contiguity) are judged here.
 */
import { formatUs } from '../ports/clock.ts';
import type { DeliveryRecord, GapRecord, GroundTruth, ProducedRecord, ReadyRecord } from './recorder.ts';
import type { Violation } from './invariants.ts';
import { declaredAt, openConnAt } from './tab-state.ts';
import { push, setFirst, slotsOf } from './maps.ts';

export interface ReadinessCounts {
  /** Held events that arrived later than the bound after their connection became ready. */
  lateFlushes: number;
  /** Sequence numbers missing after readiness with no gap notice (counted per hole). */
  sequenceHoles: number;
}

/** `add`'s place: flush-on-ready by (the ready's arrival, the event's production order), contiguity by the frame's arrival. */
export type ReadinessAdd = (v: Violation, section: 'flush' | 'contiguity', position: number, sub: number) => void;

export function judgeReadiness(truth: GroundTruth, add: ReadinessAdd): ReadinessCounts {
  const counts: ReadinessCounts = { lateFlushes: 0, sequenceHoles: 0 };
  if (truth.readies.length === 0) return counts;
  flushOnReady(truth, add, counts);
  contiguity(truth, add, counts);
  return counts;
}

function flushOnReady(truth: GroundTruth, add: ReadinessAdd, counts: ReadinessCounts): void {
  // Per (user, thread), the produced events. Recorded as produced, each list is in time order,
  // so a ready's candidates (produced while its connection was open, before the ready) are found
  // by binary search; an inferred truth may not be, and is scanned whole.
  const byUserThread = new Map<string, Map<string, ProducedRecord[]>>();
  for (const m of truth.produced.values()) push(slotsOf(byUserThread, m.trueUser), m.threadId, m);
  const inTimeOrder = new Set<ProducedRecord[]>();
  for (const threads of byUserThread.values()) for (const list of threads.values()) if (isInTimeOrder(list, (m) => m.producedAtUs)) inTimeOrder.add(list);
  // Deliveries per connection, in arrival order: "did anything newer get there first" looks at
  // one connection's list, not at every delivery of the run.
  const byConn = new Map<string, DeliveryRecord[]>();
  for (const d of truth.deliveries) push(byConn, d.conn, d);
  // The first delivery of an event to a tab, indexed for a tab only when one of its events is judged.
  const byTab = new Map<string, DeliveryRecord[]>();
  for (const d of truth.deliveries) push(byTab, d.tab, d);
  const firstOnTab = new Map<string, Map<string, DeliveryRecord>>();
  const firstDelivery = (tab: string, eid: string): DeliveryRecord | undefined => {
    let index = firstOnTab.get(tab);
    if (!index) {
      firstOnTab.set(tab, (index = new Map()));
      for (const d of byTab.get(tab) ?? []) setFirst(index, d.eid, d);
    }
    return index.get(eid);
  };
  const gapped = new Set<string>();
  for (const gap of truth.gaps) for (const eid of gap.eids) gapped.add(`${gap.tab}\u0000${eid}`);
  const readiesByConn = new Map<string, ReadyRecord[]>();
  for (const r of truth.readies) push(readiesByConn, r.conn, r);
  const readiesInOrder = new Set<ReadyRecord[]>();
  for (const list of readiesByConn.values()) if (isInTimeOrder(list, (r) => r.atUs)) readiesInOrder.add(list);
  const judged = new Set<string>();
  for (const ready of truth.readies) {
    const tab = truth.tabs.get(ready.tab);
    const conn = truth.conns.get(ready.conn);
    if (!tab || !conn || conn.openAtUs === null) continue; // never open: no event was owed on it
    const list = byUserThread.get(tab.user)?.get(ready.thread) ?? [];
    const sorted = inTimeOrder.has(list);
    const connReadies = readiesByConn.get(conn.id)!;
    const readiesSorted = readiesInOrder.has(connReadies);
    // Before the connection opened, openConnAt cannot name it: those events are skipped.
    for (let i = sorted ? firstAtOrAfter(list, conn.openAtUs) : 0; i < list.length; i++) {
      const m = list[i]!;
      if (m.producedAtUs >= ready.atUs) {
        if (sorted) break;
        continue;
      }
      // Cheapest and most selective first (each test is pure: the order changes only the speed).
      if (readyThreadAt(connReadies, readiesSorted, m.producedAtUs) === m.threadId) continue; // it was ready: a live event
      if (openConnAt(tab, m.producedAtUs, m.tick) !== conn) continue;
      const pair = `${tab.id}\u0000${m.eid}`;
      if (judged.has(pair) || gapped.has(pair)) continue;
      if (!(m.originTab === tab.id || declaredAt(tab, m.producedAtUs) === m.threadId)) continue;
      const first = firstDelivery(tab.id, m.eid);
      if (!first) continue; // never delivered: no-loss
      // The server's own cut: thread_context carries the stream position at readiness. A later
      // sequence number was produced after the server declared readiness (a live event, perhaps
      // lost in flight), however late the notice reached the client.
      if (ready.seq !== null && first.seq !== null && first.seq > ready.seq) continue;
      judged.add(pair);
      let why: string | null = null;
      if (first.conn === conn.id) {
        // On this very connection a slow link may take its time, but the flush must come before
        // any event produced after readiness (FAILURE-MODES 9: before newer live events).
        const overtaken = ready.seq === null ? undefined : liveBefore(byConn.get(conn.id) ?? [], m.threadId, ready.seq, first.arrival);
        if (overtaken) why = `${overtaken.eid} (seq ${overtaken.seq}), produced after readiness, reached ${conn.id} first, at ${formatUs(overtaken.atUs)}`;
      } else if (ready.seq !== null) {
        // It came only on a later connection (a resume), although this one had already carried
        // newer events of the thread: the flush, written first, would have arrived before them.
        // (Without a newer event there, it may simply have been in flight on a slow link.)
        const overtaken = liveBefore(byConn.get(conn.id) ?? [], m.threadId, ready.seq, Infinity);
        if (overtaken) why = `${conn.id} carried ${overtaken.eid} (seq ${overtaken.seq}), produced after readiness, at ${formatUs(overtaken.atUs)}, but never this one; it reached ${first.conn} only at ${formatUs(first.atUs)}`;
      }
      if (why === null) continue;
      counts.lateFlushes++;
      add({
        invariant: 'flush-on-ready',
        messageId: m.eid,
        connectionId: conn.id,
        atUs: first.atUs,
        explanation:
          `${m.type} of ${m.runId} (thread ${m.threadId}) was produced at ${formatUs(m.producedAtUs)} while ${conn.id} was not yet ready for ${m.threadId}; ` +
          `${conn.id} became ready at ${formatUs(ready.atUs)} (thread_context), but ${why}: the held event was not flushed on ready, a later catch-up or resume re-delivered it`,
      }, 'flush', ready.arrival, m.order);
    }
  }
}

function contiguity(truth: GroundTruth, add: ReadinessAdd, counts: ReadinessCounts): void {
  type Item = { kind: 'ready'; r: ReadyRecord } | { kind: 'gap'; g: GapRecord } | { kind: 'event'; d: DeliveryRecord };
  const items: Item[] = [
    ...truth.readies.map((r): Item => ({ kind: 'ready', r })),
    ...truth.gaps.map((g): Item => ({ kind: 'gap', g })),
    ...truth.deliveries.filter((d) => d.seq !== null).map((d): Item => ({ kind: 'event', d })),
  ];
  const arrival = (i: Item): number => (i.kind === 'ready' ? i.r.arrival : i.kind === 'gap' ? i.g.arrival : i.d.arrival);
  items.sort((a, b) => arrival(a) - arrival(b));
  // Per tab and thread: sequence numbers the tab has, or was told it will never get.
  const accounted = new Map<string, Set<number>>();
  const note = (tab: string, thread: string, seq: number): void => {
    const k = `${tab}\u0000${thread}`;
    let s = accounted.get(k);
    if (!s) accounted.set(k, (s = new Set()));
    s.add(seq);
  };
  // Per connection: the thread it is ready for and the next sequence number it must get.
  const expect = new Map<string, { thread: string; next: number }>();
  for (const it of items) {
    if (it.kind === 'ready') {
      if (it.r.seq !== null) expect.set(it.r.conn, { thread: it.r.thread, next: it.r.seq + 1 });
      else expect.delete(it.r.conn);
      continue;
    }
    if (it.kind === 'gap') {
      for (let s = it.g.fromSeq; s <= it.g.toSeq && s - it.g.fromSeq < 100_000; s++) note(it.g.tab, it.g.thread, s);
      continue;
    }
    const d = it.d;
    const seq = d.seq!;
    const e = expect.get(d.conn);
    if (e && e.thread === d.frameThread && seq >= e.next) {
      const have = accounted.get(`${d.tab}\u0000${d.frameThread}`);
      const missing: number[] = [];
      for (let s = e.next; s < seq && missing.length < 10; s++) if (!have?.has(s)) missing.push(s);
      if (missing.length > 0) {
        counts.sequenceHoles++;
        add({
          invariant: 'sequence-contiguity',
          messageId: d.eid,
          connectionId: d.conn,
          atUs: d.atUs,
          explanation: `${d.conn} received seq ${seq} of thread ${d.frameThread} at ${formatUs(d.atUs)} after seq ${e.next - 1}; seq ${missing.join(', ')}${missing.length === 10 ? ' …' : ''} never reached ${d.tab} and no gap notice named ${missing.length === 1 ? 'it' : 'them'}`,
        }, 'contiguity', d.arrival, 0);
      }
      e.next = seq + 1;
    }
    note(d.tab, d.frameThread, seq);
  }
}

/** In one connection's deliveries: an event of `thread` newer than `position` that arrived before `before`. */
function liveBefore(onConn: readonly DeliveryRecord[], thread: string, position: number, before: number): DeliveryRecord | undefined {
  for (const d of onConn) {
    if (d.arrival >= before) return undefined;
    if (d.frameThread === thread && d.seq !== null && d.seq > position) return d;
  }
  return undefined;
}

/** The index of the first record produced at or after `atUs` in a list in time order. */
function firstAtOrAfter(list: readonly ProducedRecord[], atUs: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.producedAtUs < atUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The thread a connection was last declared ready for at `atUs` (null: none yet): the last of its
 * readies at or before `atUs`. Recorded as they arrive, they are in time order (binary search);
 * otherwise (never seen, but not assumed) the list is scanned.
 */
function readyThreadAt(readies: readonly ReadyRecord[], sorted: boolean, atUs: number): string | null {
  if (!sorted) {
    let thread: string | null = null;
    for (const r of readies) {
      if (r.atUs > atUs) break;
      thread = r.thread;
    }
    return thread;
  }
  let lo = 0;
  let hi = readies.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readies[mid]!.atUs <= atUs) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : readies[lo - 1]!.thread;
}

function isInTimeOrder<T>(list: readonly T[], atUs: (x: T) => number): boolean {
  for (let i = 1; i < list.length; i++) if (atUs(list[i - 1]!) > atUs(list[i]!)) return false;
  return true;
}

