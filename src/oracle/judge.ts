/**
 * The oracle's judgement: which connections were owed which events (DESIGN.md section 3),
 * and which invariants of FAILURE-MODES.md held.
 *
 * Owed: tab k (a browser tab; its connections are k#1, k#2, ...) of user U is owed event m of
 * (U, thread T, run R) produced at tp when
 *   - k had declared T as its thread at tp (connected with it, sent on it or switched to it,
 *     as the client did it), or k sent the message that started R; and
 *   - k had a connection open at tp — or, in a mode with resume, k was between a drop and a
 *     reconnect that came within the resume window; and
 *   - the user did not close that connection within `closeGraceUs` after tp (a tab closed while
 *     the event was in flight cannot be served by any router).
 * Without resume, the pair is (m, the connection open at tp): only that connection can deliver.
 * With resume, any later connection of the tab may.
 *
 * Invariants checked: no loss (owed and neither delivered nor announced by a gap notice), no
 * leakage (an event reaching another user), no duplicates handed to the application, order per
 * (connection, thread), timeliness (delivered within the deadline), thread labelling
 * (misrouted: the frame names another thread than the event's), honest monitoring (the
 * router's delivered count against the wire).
 */
import { Histogram } from '../stats/histogram.ts';
import { formatUs } from '../ports/clock.ts';
import type { ConnRecord, DeliveryRecord, GroundTruth, ProducedRecord, TabRecord } from './recorder.ts';
import { explainLoss } from './explain.ts';
import { judgeRequests } from './requests.ts';
import { declaredAt, openConnAt } from './tab-state.ts';
import { judgeRedelivery } from './redelivery.ts';
import { judgeReadiness } from './readiness.ts';
import { makeJudgement, ViolationLog, type Judgement } from './judgement.ts';

export { INVARIANT_NAMES, type InvariantName, type Violation } from './invariants.ts';
export type { Counts } from './counts.ts';
import type { Counts } from './counts.ts';
export type { Judgement, ViolationCounts } from './judgement.ts';

export interface JudgeOptions {
  /**
   * Resume window of the mode under test, µs; 0 when the mode has no resume. A longer window
   * the server declared on the wire (connection_ready `resume_window_ms`) takes its place: the
   * server is judged by its own promise.
   */
  resumeWindowUs: number;
  deadlineUs: number;
  closeGraceUs?: number;
  /** What the server's own monitoring reports (honest monitoring); absent when it reports nothing. */
  reported?: ReportedMonitoring;
  /** Keep at most this many violations in detail (counts are always complete). */
  maxViolations?: number;
}

export const DEFAULT_MAX_VIOLATIONS = 200;

export type { ReportedMonitoring } from '../ports/server.ts';
import type { ReportedMonitoring } from '../ports/server.ts';
import { push, setFirst, slotsOf } from './maps.ts';

const DEFAULT_CLOSE_GRACE_US = 100_000;

export function judge(truth: GroundTruth, options: JudgeOptions): Judgement {
  return finishJudgement(judgePart(truth, options), options);
}

/**
 * What the judge found in one part of a run (the whole run, or one user's facts in the
 * streaming judge): everything but honest monitoring, which compares the server's totals with
 * the whole run's wire.
 */
export interface JudgedPart {
  counts: Counts;
  interactions: { total: number; succeeded: number; abandoned: number };
  latencyUs: Histogram;
  log: ViolationLog;
  /** The wire tap's totals over the part's produced events, and its routing misses. */
  wire: WireTotals;
}

export interface WireTotals {
  produced: number;
  wiredToOwner: number;
  wiredAnywhere: number;
  routingMisses: number;
}

/** Judge one part of a run. Its violations carry their keys in the judge's order of reporting. */
export function judgePart(truth: GroundTruth, options: JudgeOptions): JudgedPart {
  const closeGraceUs = options.closeGraceUs ?? DEFAULT_CLOSE_GRACE_US;
  const log = new ViolationLog(options.maxViolations ?? DEFAULT_MAX_VIOLATIONS);
  const counts: Counts = { produced: truth.produced.size, owed: 0, delivered: 0, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0, requests: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0, redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0, lateFlushes: 0, sequenceHoles: 0 };
  const latencyUs = new Histogram();
  const resumeWindowUs = Math.max(options.resumeWindowUs, truth.declaredResumeWindowMs * 1_000);
  const resume = resumeWindowUs > 0;

  // Index deliveries and gaps. Keys are numbers, (scope index) × N + (production order): a run
  // of a million events would otherwise build several million concatenated string keys, which
  // cost more memory and garbage collection than the judging itself.
  const keys = new PairKeys(truth);
  // The first delivery handed to the application per pair: all that the checks below read (a
  // list per pair cost a million arrays in a run of a million events).
  const handedByTabEid = new Map<number, DeliveryRecord>();
  const handedByConnEid = new Map<number, DeliveryRecord>();
  for (const d of truth.deliveries) {
    if (!d.handed) continue;
    const m = truth.produced.get(d.eid);
    if (!m) continue; // looked up by produced events only
    setFirst(handedByTabEid, keys.tab(d.tab, m), d);
    setFirst(handedByConnEid, keys.conn(d.conn, m), d);
  }
  const gapByTabEid = new Set<number>();
  for (const g of truth.gaps) {
    for (const eid of g.eids) {
      const m = truth.produced.get(eid);
      if (m) gapByTabEid.add(keys.tab(g.tab, m));
    }
  }
  const tabsByUser = new Map<string, TabRecord[]>();
  for (const t of truth.tabs.values()) push(tabsByUser, t.user, t);

  const owedPairs = new Set<number>(); // (tab, event) pairs, for strays

  // ---- No loss, timeliness ------------------------------------------------------------------
  for (const m of truth.produced.values()) {
    const tabsOfUser = tabsByUser.get(m.trueUser) ?? [];
    for (let k = 0; k < tabsOfUser.length; k++) {
      const tab = tabsOfUser[k]!;
      const isOrigin = tab.id === m.originTab;
      const declared = declaredAt(tab, m.producedAtUs);
      if (!(isOrigin || declared === m.threadId)) continue;
      const conn = openConnAt(tab, m.producedAtUs, m.tick);
      let live = conn !== null;
      if (!live && resume) live = resumesWithin(tab, m.producedAtUs, resumeWindowUs);
      if (!live) continue;
      if (conn !== null && conn.closeAtUs !== null && (conn.closeCause === 'client-close' || conn.closeCause === 'client-reconnect') && conn.closeAtUs < m.producedAtUs + closeGraceUs) {
        if (!resume || conn.closeCause === 'client-close') continue;
      }
      if (resume && conn === null) {
        // Between a drop and a reconnect: excused when the user then closed the tab at once.
        const next = nextConnAfter(tab, m.producedAtUs);
        if (next && next.closeCause === 'client-close' && next.closeAtUs !== null && next.closeAtUs < (next.openAtUs ?? next.connectAtUs) + closeGraceUs) continue;
      }
      counts.owed++;
      owedPairs.add(keys.tab(tab.id, m));
      const got = resume ? handedByTabEid.get(keys.tab(tab.id, m)) : conn ? handedByConnEid.get(keys.conn(conn.id, m)) : undefined;
      if (got !== undefined) {
        counts.delivered++;
        const first = got;
        const latency = first.atUs - m.producedAtUs;
        latencyUs.record(latency);
        if (latency > options.deadlineUs) {
          counts.late++;
          log.add({
            invariant: 'timeliness',
            messageId: m.eid,
            connectionId: first.conn,
            atUs: first.atUs,
            explanation: `${m.type} of ${m.runId} (thread ${m.threadId}) produced at ${formatUs(m.producedAtUs)} reached ${first.conn} only at ${formatUs(first.atUs)}, ${formatUs(latency)} later; the deadline is ${formatUs(options.deadlineUs)}`,
          }, [SECTION.loss, m.order, k]);
        }
      } else if (gapByTabEid.has(keys.tab(tab.id, m))) {
        counts.droppedExplicit++;
      } else {
        counts.lost++;
        log.add({
          invariant: 'no-loss',
          messageId: m.eid,
          connectionId: conn?.id ?? `${tab.id}#?`,
          atUs: m.producedAtUs,
          explanation: explainLoss(truth, m, tab, conn, declared, isOrigin, resume),
        }, [SECTION.loss, m.order, k]);
      }
    }
  }

  // ---- Leakage, thread isolation, duplicates, order, strays ------------------------------------
  const leakedPairs = new Set<number>();
  const handedCount = new Map<number, number>();
  // Last event (production order) handed per (scope, run) and per (connection, thread): the
  // produced record itself (its order and eid), no object per delivery.
  const lastInRun = new Map<string, Map<string, ProducedRecord>>();
  const lastOnThread = new Map<string, Map<string, ProducedRecord>>();
  for (const d of truth.deliveries) {
    const m = truth.eventOf(d.eid);
    const tab = truth.tabs.get(d.tab)!;
    if (!m) {
      log.add({ invariant: 'thread-isolation', messageId: d.eid, connectionId: d.conn, atUs: d.atUs, explanation: `${d.conn} received event ${d.eid}, which the agent side never produced` }, [SECTION.deliveries, d.arrival, 0]);
      continue;
    }
    if (tab.user !== m.trueUser) {
      const key = keys.tab(d.tab, m);
      if (!leakedPairs.has(key)) {
        leakedPairs.add(key);
        counts.leaked++;
        log.add({
          invariant: 'no-leakage',
          messageId: d.eid,
          connectionId: d.conn,
          atUs: d.atUs,
          explanation: `${m.type} of ${m.runId} belongs to user ${m.trueUser} (thread ${m.threadId}) but reached ${d.conn} of user ${tab.user} at ${formatUs(d.atUs)}` +
            (m.routerUser !== m.trueUser ? `; the router took the user id "${m.routerUser}" from the message payload` : ''),
        }, [SECTION.deliveries, d.arrival, 0]);
      }
      continue;
    }
    if (d.frameThread !== m.threadId) {
      counts.misrouted++;
      log.add({ invariant: 'thread-isolation', messageId: d.eid, connectionId: d.conn, atUs: d.atUs, explanation: `${d.eid} belongs to thread ${m.threadId} but its frame names thread ${d.frameThread}` }, [SECTION.deliveries, d.arrival, 0]);
    }
    if (!d.handed) continue;
    const scope = resume ? d.tab : d.conn;
    const dupKey = resume ? keys.tab(d.tab, m) : keys.conn(d.conn, m);
    const n = (handedCount.get(dupKey) ?? 0) + 1;
    handedCount.set(dupKey, n);
    if (n > 1) {
      counts.duplicated++;
      log.add({
        invariant: 'no-duplicates',
        messageId: d.eid,
        connectionId: d.conn,
        atUs: d.atUs,
        explanation: `${m.type} of ${m.runId} was handed to the application of ${scope} ${n} times (again at ${formatUs(d.atUs)}); the frames carried no message id the client could deduplicate by`,
      }, [SECTION.deliveries, d.arrival, 1]);
      continue;
    }
    const owed = owedPairs.has(keys.tab(d.tab, m));
    if (!owed) counts.stray++;
    // Order. Within a run (FAILURE-MODES invariants 2 and 7), events reach the application in
    // the order they were produced, always; with resume the application sees one stream per
    // tab across its connections, so that scope is the tab. Across runs (DESIGN: per connection
    // and thread), the events a connection was owed on a thread arrive in production order.
    // History it was not owed (a catch-up after it came back to a thread) may arrive after newer
    // events of other runs: a client files it by sequence number.
    const runSlots = slotsOf(lastInRun, scope);
    const threadSlots = owed ? slotsOf(lastOnThread, d.conn) : null;
    const inRun = runSlots.get(m.runId);
    const onThread = threadSlots?.get(m.threadId);
    const prev = inRun !== undefined && inRun.order > m.order ? inRun : onThread !== undefined && onThread.order > m.order ? onThread : undefined;
    if (prev) {
      counts.outOfOrder++;
      log.add({
        invariant: 'order',
        messageId: d.eid,
        connectionId: d.conn,
        atUs: d.atUs,
        explanation: `${m.type} of ${m.runId} (produced at ${formatUs(m.producedAtUs)}) reached ${d.conn} at ${formatUs(d.atUs)}, after ${prev.eid}, which was produced later${resume && prev.eid.startsWith(`${m.runId}#`) ? ' (a run\'s order is judged per tab across its connections)' : ''}`,
      }, [SECTION.deliveries, d.arrival, 1]);
    } else {
      runSlots.set(m.runId, m);
      threadSlots?.set(m.threadId, m);
    }
  }

  // ---- Interactions (the status report's unit of success) ---------------------------------
  let total = 0;
  let succeeded = 0;
  let abandoned = 0;
  for (const send of truth.sends.values()) {
    const tab = truth.tabs.get(send.tab)!;
    if (!ownsThread(truth, tab.user, send.thread)) continue;
    const runId = truth.runByMessage.get(send.messageId);
    const events = runId ? truth.producedByRun.get(runId) ?? [] : [];
    const completed = events.find((e) => e.type === 'agent_completed');
    const endUs = completed?.producedAtUs ?? Infinity;
    const userClosed = tab.conns.some((c) => c.closeCause === 'client-close' && c.closeAtUs !== null && c.closeAtUs >= send.atUs && c.closeAtUs < endUs + closeGraceUs);
    if (userClosed) {
      abandoned++;
      continue;
    }
    total++;
    if (completed && events.every((e) => handedByTabEid.has(keys.tab(tab.id, e)))) succeeded++;
  }

  // ---- Requests (client → server) ------------------------------------------------------------
  const requests = judgeRequests(truth, { deadlineUs: options.deadlineUs, add: (v, order, sub) => log.add(v, [SECTION.requests, order, sub]) });
  counts.requests = requests.requests;
  counts.requestsLost = requests.requestsLost;
  counts.runsDuplicated = requests.runsDuplicated;
  counts.requestsNotJudged = requests.requestsNotJudged;
  // ---- What the client already had; readiness (wire facts) -----------------------------------
  Object.assign(
    counts,
    judgeRedelivery(truth, (v, arrival, sub) => log.add(v, [SECTION.redelivery, arrival, sub])),
    judgeReadiness(truth, (v, section, position, sub) => log.add(v, [section === 'flush' ? SECTION.flush : SECTION.contiguity, position, sub])),
  );
  let wiredToOwner = 0;
  let wiredAnywhere = 0;
  for (const m of truth.produced.values()) {
    if (m.wiredToOwner) wiredToOwner++;
    if (m.wiredAnywhere) wiredAnywhere++;
  }
  let routingMisses = 0;
  for (const f of truth.routerFacts) if (f.kind === 'router.route' && f.fields['missed'] === true) routingMisses++;
  return { counts, interactions: { total, succeeded, abandoned }, latencyUs, log, wire: { produced: truth.produced.size, wiredToOwner, wiredAnywhere, routingMisses } };
}

/** The judge's sections, in its order of reporting (ViolationKey). */
const SECTION = { loss: 0, deliveries: 1, honesty: 2, requests: 3, redelivery: 4, flush: 5, contiguity: 6 } as const;

/**
 * The judgement of a run from what its parts found (one part: the whole run; the streaming
 * judge adds its parts up with addPart): honest monitoring against the whole run's wire, then
 * the discriminated result.
 */
export function finishJudgement(merged: JudgedPart, options: JudgeOptions): Judgement {
  const maxViolations = options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
  const { counts, wire } = merged;
  const honesty = new ViolationLog(maxViolations);
  let i = 0;
  const dishonest = (explanation: string): void => honesty.add({ invariant: 'honest-monitoring', messageId: null, connectionId: null, atUs: 0, explanation }, [SECTION.honesty, i++, 0]);
  const reported = options.reported ?? {};
  if (reported.delivered !== undefined && reported.delivered !== wire.wiredToOwner) {
    dishonest(
      `the router reports ${reported.delivered} events delivered, but only ${wire.wiredToOwner} of ${wire.produced} produced events were written to a connection of their user` +
        (reported.delivered > wire.wiredToOwner ? ' (more counted delivered than reached their user: failures counted as success)' : ''),
    );
  }
  const unreached = wire.produced - wire.wiredAnywhere;
  if (reported.unreached !== undefined && reported.unreached !== unreached) {
    dishonest(`the router reports ${reported.unreached} events that reached no connection, but ${unreached} of ${wire.produced} produced events were written to no connection at all${reported.unreached < unreached ? ' (events dropped before the router counted them)' : ''}`);
  }
  if (reported.routingMisses !== undefined && reported.routingMisses !== wire.routingMisses) {
    dishonest(
      `the router's monitoring counts ${reported.routingMisses} routing misses, but its own routing log shows ${wire.routingMisses} events that found no connection bound to their thread` +
        (reported.routingMisses < wire.routingMisses ? ' (misses hidden behind a fallback or a test prefix: success masking)' : ''),
    );
  }
  const log = honesty.total === 0 ? merged.log : ViolationLog.merge([merged.log, honesty], maxViolations);
  const notes: string[] = [];
  if (counts.requestsNotJudged > 0) {
    notes.push(`${counts.requestsNotJudged} switch_thread request(s) not judged by no-lost-request: the server sends no acknowledgement, so whether a switch was applied is not visible on the wire (no-loss still judges the new thread's events)`);
  }
  return makeJudgement({ counts, interactions: merged.interactions, latencyUs: merged.latencyUs }, log, notes);
}

/** Add what a disjoint part of the same run found to `into` (in place: counts, latencies, wire totals, violations by key). */
export function addPart(into: JudgedPart, part: JudgedPart, maxViolations: number): void {
  for (const k of Object.keys(into.counts) as Array<keyof Counts>) into.counts[k] += part.counts[k];
  into.interactions.total += part.interactions.total;
  into.interactions.succeeded += part.interactions.succeeded;
  into.interactions.abandoned += part.interactions.abandoned;
  into.latencyUs.merge(part.latencyUs);
  for (const k of Object.keys(into.wire) as Array<keyof WireTotals>) into.wire[k] += part.wire[k];
  if (part.log.total > 0) into.log = ViolationLog.merge([into.log, part.log], maxViolations);
}

function ownsThread(truth: GroundTruth, user: string, thread: string): boolean {
  // The oracle's own knowledge of ownership comes from the scenario, recorded on the tabs' users.
  return truth.ownership.has(`${user}\u0000${thread}`);
}

export { declaredAt, openConnAt } from './tab-state.ts';

function nextConnAfter(tab: TabRecord, atUs: number): ConnRecord | null {
  for (const c of tab.conns) if (c.connectAtUs >= atUs && c.openAtUs !== null) return c;
  return null;
}

/** With resume: a tab between an abnormal close and a reconnect inside the window is still live. */
function resumesWithin(tab: TabRecord, atUs: number, windowUs: number): boolean {
  let lastClose: ConnRecord | null = null;
  for (const c of tab.conns) if (c.closeAtUs !== null && c.closeAtUs <= atUs) lastClose = c;
  if (!lastClose || lastClose.closeCause === 'client-close') return false;
  const next = nextConnAfter(tab, lastClose.closeAtUs!);
  return next !== null && next.openAtUs! - lastClose.closeAtUs! <= windowUs && next.openAtUs! > atUs;
}

/**
 * Numeric keys for (tab, event) and (connection, event) pairs: scope index × N + the event's
 * production order, N one past the largest order. Exact (below 2^53 for any run that fits in
 * memory) and without a string per pair.
 */
class PairKeys {
  private readonly tabIndex = new Map<string, number>();
  private readonly connIndex = new Map<string, number>();
  private readonly n: number;

  constructor(truth: GroundTruth) {
    // One past the largest production order (orders are unique; an event id produced twice
    // keeps one record, so the size alone could be smaller than the largest order).
    let maxOrder = -1;
    for (const m of truth.produced.values()) if (m.order > maxOrder) maxOrder = m.order;
    this.n = maxOrder + 1;
    for (const id of truth.tabs.keys()) this.tabIndex.set(id, this.tabIndex.size);
    for (const id of truth.conns.keys()) this.connIndex.set(id, this.connIndex.size);
  }

  tab(id: string, m: ProducedRecord): number {
    return indexOf(this.tabIndex, id) * this.n + m.order;
  }

  conn(id: string, m: ProducedRecord): number {
    return indexOf(this.connIndex, id) * this.n + m.order;
  }
}

function indexOf(index: Map<string, number>, id: string): number {
  let i = index.get(id);
  if (i === undefined) index.set(id, (i = index.size)); // a scope the truth did not list (defensive)
  return i;
}

export type { ProducedRecord };
