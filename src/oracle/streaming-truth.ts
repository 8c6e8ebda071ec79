/**
 * The streaming judge: the ground truth recorded one user at a time, each user's part judged as
 * soon as nothing more can happen to it, then let go. Memory is bounded by the users still
 * active (their tabs, connections, runs and what reached them), not by the length of the run.
 *
 * Why per user: every invariant of the judge is judged within one user's facts — owed events
 * are a user's events at a user's tabs; duplicates, order, readiness and redelivery are per tab
 * or connection; requests are a tab's. The only facts that cross users are leaks (another
 * user's event reaching a tab), and they carry what they need along (`foreign`).
 *
 * Exact: the parts share the run's orders of facts (FactOrder), and their violations are keyed
 * by those orders, so the merged judgement is the one the whole-run judge gives — counts,
 * latencies, the detailed violations and their order (test/oracle/streaming-judge.test.ts runs
 * both over every shipped scenario).
 *
 * When a user's part is judged (settled): every tab of the user has finished its script and
 * was closed by the user (or never connected), none of the user's runs is still producing, and
 * no fact about the user arrived for `quietUs` of run time (default: the judge's deadline). A
 * server that writes or produces for a settled user after that (long after the user left) has
 * its facts counted as late and named in the judgement's notes, never silently dropped.
 *
 * One difference from the whole-run judge, by construction: a part is judged with the longest
 * resume window the server had declared by then (the whole-run judge takes the run's longest);
 * servers declare one window for every connection, so the two agree.
 *
 * Used when the protocol carries event ids (facts are routed to users by them) and the run
 * keeps no full timeline; the timeline of a failing streamed run is built from the first
 * `MAX_KEPT_PARTS` users judged with violations.
 */
import type { EventFact } from '../ports/codec.ts';
import type { CloseCause, GapFact, GroundTruthObserver, ProducedEvent, RequestKind, SeqRanges } from '../ports/facts.ts';
import { FactOrder, GroundTruth, type ProducedRecord, type RouterFact } from './recorder.ts';
import { addPart, finishJudgement, judgePart, DEFAULT_MAX_VIOLATIONS, type JudgedPart, type JudgeOptions } from './judge.ts';
import type { Judgement } from './judgement.ts';
import type { ReportedMonitoring } from '../ports/server.ts';

/** Parts of users with violations kept whole for the timeline of a failing run. */
export const MAX_KEPT_PARTS = 20;
/** Settled users are looked for at most this often (run time). */
const SETTLE_CHECK_EVERY_US = 1_000_000;

interface UserPart {
  readonly user: string;
  truth: GroundTruth;
  /** Tabs whose script has not finished. */
  tabsRunning: number;
  /** Tabs whose last connection is open, or closed by anything but the user. */
  readonly tabsLive: Set<string>;
  /** Runs that produced their first event and not yet agent_completed. */
  runsOpen: number;
  lastFactUs: number;
  settled: boolean;
}

/** What stays of a settled user's runs: enough to judge a late copy of one of its events elsewhere (a leak). */
interface RunSummary {
  readonly user: string;
  readonly first: ProducedRecord;
  /** By event index: production order and type (copied at their size when the run completes). */
  orders: number[];
  types: string[];
}

export class StreamingTruth implements GroundTruthObserver {
  private readonly order = new FactOrder();
  private readonly parts = new Map<string, UserPart>();
  private readonly userOfTab = new Map<string, string>();
  /** A message's user when a tab wrote it on a socket: the run it starts is that user's (GroundTruth.producedEvent's rule). */
  private readonly userOfSend = new Map<string, string>();
  /** Every request's user (router facts name requests by id). */
  private readonly userOfRequest = new Map<string, string>();
  private readonly userOfServerConn = new Map<string, string>();
  private readonly runs = new Map<string, RunSummary>();
  /** Wire writes of events not produced yet: folded in when they are. */
  private readonly wiresEarly = new Map<string, string[]>();
  /** Router facts of a server connection no user is known for yet, kept in order until one is. */
  private readonly factsOfUnknownConn = new Map<string, RouterFact[]>();
  private acc: JudgedPart | null = null;
  private readonly kept: GroundTruth[] = [];
  private declaredResumeWindowMs = 0;
  private nowUs = 0;
  private nextCheckUs = 0;
  private lateFacts = 0;
  private readonly lateUsers = new Set<string>();
  private finished = false;
  private keptMerged: GroundTruth | null = null;
  /** Users whose part was judged while the run went on (the rest are judged by `finish`). */
  settledDuringRun = 0;
  /** Users whose part had violations (the timeline keeps the first MAX_KEPT_PARTS of them). */
  usersWithViolations = 0;

  constructor(
    private readonly options: JudgeOptions,
    private readonly quietUs = options.deadlineUs,
  ) {}

  // ---- The world's side ------------------------------------------------------------------------

  addOwnership(user: string, threads: readonly string[]): void {
    this.part(user).truth.addOwnership(user, threads);
  }

  addTab(id: string, user: string): void {
    const p = this.part(user);
    this.userOfTab.set(id, user);
    p.truth.addTab(id, user);
    p.tabsRunning++;
  }

  /** The tab's script has finished (its user does nothing more). */
  tabFinished(id: string): void {
    const p = this.partOfTab(id);
    if (p) p.tabsRunning--;
  }

  producedEvent(event: ProducedEvent): void {
    // As GroundTruth decides the event's true user: the sender's, else what the request says
    // (a message typed offline and resent from the outbox has no send record).
    const user = this.userOfSend.get(event.request.messageId) ?? event.request.userId;
    const p = this.live(user, event.producedAtUs);
    if (!p) return;
    p.truth.producedEvent(event);
    const rec = p.truth.produced.get(event.eid)!;
    let run = this.runs.get(event.runId);
    if (!run) this.runs.set(event.runId, (run = { user, first: rec, orders: [], types: [] }));
    run.orders[event.index] = rec.order;
    run.types[event.index] = rec.type;
    if (event.index === 0) p.runsOpen++;
    if (event.type === 'agent_completed') {
      p.runsOpen--;
      // Kept for the rest of the run: at their size (they grew by index, 16 slots at a time).
      run.orders = run.orders.slice();
      run.types = run.types.slice();
    }
    const early = this.wiresEarly.get(event.eid);
    if (early) {
      this.wiresEarly.delete(event.eid);
      for (const u of early) p.truth.wireWrite(u, event.eid);
    }
    this.maybeSettle();
  }

  wireWrite(serverUser: string, eid: string): void {
    const run = this.runs.get(runOf(eid));
    if (!run) {
      const list = this.wiresEarly.get(eid);
      if (list) list.push(serverUser);
      else this.wiresEarly.set(eid, [serverUser]);
      return;
    }
    this.live(run.user, this.nowUs)?.truth.wireWrite(serverUser, eid);
  }

  wireEvent(): void {
    throw new Error('StreamingTruth: the streaming judge needs a protocol that carries event ids (judge the whole run instead)');
  }

  routerFact(atUs: number, kind: string, fields: Record<string, unknown>): void {
    const conn = typeof fields['conn'] === 'string' ? fields['conn'] : undefined;
    if (kind === 'router.open' && conn !== undefined && typeof fields['user'] === 'string' && this.parts.has(fields['user'])) this.mapServerConn(conn, fields['user']);
    const user = this.userOfFact(fields, conn);
    if (user === undefined) {
      if (conn === undefined) return; // about no user: the timeline of a streamed run leaves it out
      // Its place in the run's order is taken now, so that it joins its user's facts where it belongs.
      const held: RouterFact = { atUs, kind, fields, seq: this.order.facts++ };
      const list = this.factsOfUnknownConn.get(conn);
      if (list) list.push(held);
      else this.factsOfUnknownConn.set(conn, [held]);
      return;
    }
    this.live(user, atUs)?.truth.routerFact(atUs, kind, fields);
  }

  // ---- GroundTruthObserver (clients) ---------------------------------------------------------

  connecting(tab: string, conn: string, thread: string | null, atUs: number): void {
    const p = this.tabPart(tab, atUs);
    if (!p) return;
    p.tabsLive.add(tab);
    p.truth.connecting(tab, conn, thread, atUs);
  }
  opened(tab: string, conn: string, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.opened(tab, conn, atUs);
  }
  closed(tab: string, conn: string, code: number, cause: CloseCause, atUs: number): void {
    const p = this.tabPart(tab, atUs);
    if (!p) return;
    p.truth.closed(tab, conn, code, cause, atUs);
    // Closed by the user: the tab will not come back. A drop may still be followed by a reconnect.
    if (cause === 'client-close') p.tabsLive.delete(tab);
  }
  declared(tab: string, thread: string, via: 'connect' | 'send' | 'switch' | 'reconnect', atUs: number): void {
    this.tabPart(tab, atUs)?.truth.declared(tab, thread, via, atUs);
  }
  sent(tab: string, conn: string, messageId: string, thread: string, atUs: number): void {
    const p = this.tabPart(tab, atUs);
    if (!p) return;
    this.userOfSend.set(messageId, p.user);
    p.truth.sent(tab, conn, messageId, thread, atUs);
  }
  received(tab: string, conn: string, event: EventFact, handed: boolean, atUs: number): void {
    const p = this.tabPart(tab, atUs);
    if (!p) return;
    if (event.eid === null) throw new Error('StreamingTruth: a frame without an event id (the streaming judge needs a protocol that carries them)');
    if (!p.truth.produced.has(event.eid) && !p.truth.foreign.has(event.eid)) {
      const foreign = this.foreignRecord(event.eid);
      if (foreign) p.truth.foreign.set(event.eid, foreign);
    }
    p.truth.received(tab, conn, event, handed, atUs);
  }
  gap(tab: string, conn: string, gap: GapFact, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.gap(tab, conn, gap, atUs);
  }
  serverConnection(tab: string, conn: string, serverConnectionId: string): void {
    const p = this.tabPart(tab, this.nowUs);
    if (!p) return;
    p.truth.serverConnection(tab, conn, serverConnectionId);
    this.mapServerConn(serverConnectionId, p.user);
  }
  frame(): void {}
  requested(tab: string, conn: string | null, kind: RequestKind, id: string, thread: string, atUs: number): void {
    const p = this.tabPart(tab, atUs);
    if (!p) return;
    this.userOfRequest.set(id, p.user);
    p.truth.requested(tab, conn, kind, id, thread, atUs);
  }
  resent(tab: string, conn: string, id: string, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.resent(tab, conn, id, atUs);
  }
  acked(tab: string, conn: string, ref: string, runId: string | null, duplicate: boolean, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.acked(tab, conn, ref, runId, duplicate, atUs);
  }
  refused(tab: string, conn: string, ref: string, code: string, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.refused(tab, conn, ref, code, atUs);
  }
  capabilities(tab: string, conn: string, caps: { acks: boolean; resumeWindowMs: number | null }): void {
    if (caps.resumeWindowMs !== null && caps.resumeWindowMs > this.declaredResumeWindowMs) this.declaredResumeWindowMs = caps.resumeWindowMs;
    this.tabPart(tab, this.nowUs)?.truth.capabilities(tab, conn, caps);
  }
  resumed(tab: string, conn: string, lastSeq: Record<string, number>, have: Record<string, SeqRanges>, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.resumed(tab, conn, lastSeq, have, atUs);
  }
  threadContext(tab: string, conn: string, thread: string, seq: number | null, atUs: number): void {
    this.tabPart(tab, atUs)?.truth.threadContext(tab, conn, thread, seq, atUs);
  }

  // ---- The end -------------------------------------------------------------------------------

  /** Judge every part not judged yet, and the run as a whole. Call once, after the run. */
  finish(reported?: ReportedMonitoring): Judgement {
    if (this.finished) throw new Error('StreamingTruth.finish: called twice');
    this.finished = true;
    // Facts of server connections whose user never became known (no router.open naming it, no
    // tab told its id, no request arriving on it: refused at once) stay out: no judged fact
    // leads to them.
    for (const p of this.parts.values()) if (!p.settled) this.settle(p);
    const maxViolations = this.options.maxViolations ?? DEFAULT_MAX_VIOLATIONS;
    const judgement = finishJudgement(this.acc ?? judgePart(new GroundTruth(this.order), this.options), { ...this.options, maxViolations, ...(reported ? { reported } : {}) });
    if (this.lateFacts > 0) {
      judgement.notes.push(`${this.lateFacts} fact(s) about ${this.lateUsers.size} user(s) arrived after their part of the run had been judged (every tab closed by the user, no run producing, nothing for ${this.quietUs / 1_000_000} s): counted here, not judged`);
    }
    return judgement;
  }

  /** Which users the kept parts are, in words, when they are not all the users with violations. */
  get keptScope(): string | null {
    return this.usersWithViolations > this.kept.length ? `the first ${this.kept.length} of ${this.usersWithViolations} users judged with violations (streaming judge)` : null;
  }

  /** The kept parts (users with violations, at most MAX_KEPT_PARTS) as one truth, for timelines. */
  keptTruth(): GroundTruth {
    if (this.keptMerged) return this.keptMerged;
    // Before finish() the parts are still filling: a truth built then would be kept, empty.
    if (!this.finished) throw new Error('StreamingTruth.keptTruth: the run is not judged yet (finish() first)');
    const out = (this.keptMerged = new GroundTruth(this.order));
    for (const t of this.kept) {
      for (const [k, v] of t.tabs) out.tabs.set(k, v);
      for (const [k, v] of t.conns) out.conns.set(k, v);
      for (const [k, v] of t.sends) out.sends.set(k, v);
      for (const [k, v] of t.produced) out.produced.set(k, v);
      out.deliveries.push(...t.deliveries);
      out.gaps.push(...t.gaps);
      out.routerFacts.push(...t.routerFacts);
      out.compactRoutes += t.compactRoutes;
    }
    out.deliveries.sort((a, b) => a.arrival - b.arrival);
    out.gaps.sort((a, b) => a.arrival - b.arrival);
    out.routerFacts.sort(bySeq);
    return out;
  }

  // ---- Inside --------------------------------------------------------------------------------

  private part(user: string): UserPart {
    let p = this.parts.get(user);
    if (!p) this.parts.set(user, (p = { user, truth: new GroundTruth(this.order), tabsRunning: 0, tabsLive: new Set(), runsOpen: 0, lastFactUs: 0, settled: false }));
    return p;
  }

  private partOfTab(tab: string): UserPart | undefined {
    const user = this.userOfTab.get(tab);
    return user === undefined ? undefined : this.parts.get(user);
  }

  /** The part of `tab`'s user, for a fact at `atUs`; undefined when it was judged already (the fact is late). */
  private tabPart(tab: string, atUs: number): UserPart | undefined {
    const user = this.userOfTab.get(tab);
    if (user === undefined) throw new Error(`StreamingTruth: unknown tab "${tab}" (addTab first)`);
    return this.live(user, atUs);
  }

  private live(user: string, atUs: number): UserPart | undefined {
    if (this.finished) throw new Error('StreamingTruth: a fact after finish()');
    if (atUs > this.nowUs) this.nowUs = atUs;
    const p = this.part(user);
    if (p.settled) {
      this.lateFacts++;
      this.lateUsers.add(user);
      return undefined;
    }
    p.lastFactUs = this.nowUs;
    return p;
  }

  private mapServerConn(serverId: string, user: string): void {
    if (this.userOfServerConn.has(serverId)) return;
    this.userOfServerConn.set(serverId, user);
    const waiting = this.factsOfUnknownConn.get(serverId);
    if (!waiting) return;
    this.factsOfUnknownConn.delete(serverId);
    const p = this.parts.get(user);
    if (!p || p.settled) return;
    // Back in the run's order: they happened before facts the part may have had since.
    for (const f of waiting) p.truth.routerFact(f.atUs, f.kind, f.fields, f.seq);
    p.truth.routerFacts.sort(bySeq);
  }

  private userOfFact(fields: Record<string, unknown>, conn: string | undefined): string | undefined {
    const msg = fields['msg'];
    if (typeof msg === 'string') {
      const u = this.userOfRequest.get(msg);
      if (u !== undefined) {
        // The request arrived on this connection: it is that tab's, whether or not the tab was told its id.
        if (conn !== undefined) this.mapServerConn(conn, u);
        return u;
      }
    }
    const eid = fields['eid'];
    if (typeof eid === 'string') {
      const run = this.runs.get(runOf(eid));
      if (run) return run.user;
    }
    const run = fields['run'];
    if (typeof run === 'string') {
      const r = this.runs.get(run);
      if (r) return r.user;
    }
    return conn !== undefined ? this.userOfServerConn.get(conn) : undefined;
  }

  /** Another user's event reaching a tab (a leak): its record, or one rebuilt from its run's summary. */
  private foreignRecord(eid: string): ProducedRecord | undefined {
    const run = this.runs.get(runOf(eid));
    if (!run) return undefined;
    const live = this.parts.get(run.user);
    const rec = live && !live.settled ? live.truth.produced.get(eid) : undefined;
    if (rec) return rec;
    const index = Number(eid.slice(eid.lastIndexOf('#') + 1));
    const order = run.orders[index];
    if (order === undefined) return undefined;
    return { ...run.first, eid, index, order, type: run.types[index]!, routedAtUs: 0, routedSeq: 0, routedTo: null };
  }

  private maybeSettle(): void {
    if (this.nowUs < this.nextCheckUs) return;
    this.nextCheckUs = this.nowUs + SETTLE_CHECK_EVERY_US;
    for (const p of this.parts.values()) {
      if (p.settled || p.tabsRunning > 0 || p.tabsLive.size > 0 || p.runsOpen > 0) continue;
      if (this.nowUs - p.lastFactUs < this.quietUs) continue;
      this.settle(p);
      this.settledDuringRun++;
    }
  }

  private settle(p: UserPart): void {
    p.settled = true;
    const truth = p.truth;
    if (this.declaredResumeWindowMs > truth.declaredResumeWindowMs) truth.declaredResumeWindowMs = this.declaredResumeWindowMs;
    const part = judgePart(truth, this.options);
    if (this.acc === null) this.acc = part;
    else addPart(this.acc, part, this.options.maxViolations ?? DEFAULT_MAX_VIOLATIONS);
    if (part.log.total > 0) {
      this.usersWithViolations++;
      if (this.kept.length < MAX_KEPT_PARTS) this.kept.push(truth);
    }
    // Let the part go: only its runs' summaries stay (for a late leak of one of its events).
    p.truth = EMPTY;
  }
}

const EMPTY = new GroundTruth();

const bySeq = (a: RouterFact, b: RouterFact): number => a.seq - b.seq;

/** The run of a harness event id ("<run_id>#<index>"). */
function runOf(eid: string): string {
  const i = eid.lastIndexOf('#');
  return i < 0 ? eid : eid.slice(0, i);
}
