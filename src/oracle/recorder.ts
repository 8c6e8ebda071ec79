/**
 * GroundTruth: what really happened in a run, recorded from the outside of the router.
 *
 * Sources, and why each is allowed:
 *  - the clients (TabClient): what each tab intended and when, and what it received — the
 *    truth the router cannot see;
 *  - the agent side's production hook: every event produced, with the run's true origin;
 *  - a tap on the server's sockets: which frames really went onto the wire (for honest
 *    monitoring), observed at the transport, not read from router state;
 *  - router facts (bindings, routing decisions): used ONLY to explain a violation in words,
 *    never to decide one.
 */
import type { EventFact } from '../ports/codec.ts';
import type { CloseCause, GapFact, GroundTruthObserver, ProducedEvent, RequestKind, SeqRanges } from '../ports/facts.ts';

export interface ConnRecord {
  id: string;
  tab: string;
  threadAtConnect: string | null;
  connectAtUs: number;
  openAtUs: number | null;
  /** Where its opening falls in the run's order of facts (ties in time broken truly); null before. */
  openTick: number | null;
  closeAtUs: number | null;
  closeCode: number | null;
  closeCause: CloseCause | null;
  serverId: string | null;
}

export interface TabRecord {
  id: string;
  user: string;
  conns: ConnRecord[];
  /** Thread declarations in time order. */
  declarations: Array<{ atUs: number; thread: string; via: string }>;
}

export interface SendRecord {
  messageId: string;
  tab: string;
  conn: string;
  thread: string;
  atUs: number;
}

/** A request a tab made (client → server), and what became of it as the client saw it. */
export interface RequestRecord {
  id: string;
  /** Its place in the run's order of requests. */
  order: number;
  kind: RequestKind;
  tab: string;
  thread: string;
  atUs: number;
  /** The connection it was first written on; null when the tab was offline. */
  conn: string | null;
  /** Later writes of it (outbox after a reconnect). */
  resends: ReadonlyArray<{ conn: string; atUs: number }>;
  /** message_ack frames the client received for it. */
  acks: ReadonlyArray<{ conn: string; runId: string | null; duplicate: boolean; atUs: number }>;
  /** Error frames naming it. */
  refusals: ReadonlyArray<{ conn: string; code: string; atUs: number }>;
}

export interface ProducedRecord {
  eid: string;
  /** Production order across the run (0, 1, 2, ...). */
  order: number;
  /** Where its production falls in the run's order of facts: an event produced in the same µs as a connection opened, but before it, was not owed there. */
  tick: number;
  type: string;
  runId: string;
  index: number;
  threadId: string;
  /** The user whose message started the run (truth), whatever the router believed. */
  trueUser: string;
  routerUser: string;
  originTab: string | null;
  messageId: string;
  producedAtUs: number;
  /** The wire tap saw it written to a connection of its true user (honest monitoring). */
  wiredToOwner: boolean;
  /** The wire tap saw it written to any connection at all. */
  wiredAnywhere: boolean;
  /**
   * Its first `router.route` fact, when that found connections and named the event's own
   * thread: kept here rather than in `routerFacts` (GroundTruth.routerFact). `routedTo` is null
   * when there is none, the one connection when there is one; `allRouterFacts()` gives the
   * fact back in its place.
   */
  routedAtUs: number;
  routedSeq: number;
  routedTo: string | readonly string[] | null;
}

export interface DeliveryRecord {
  tab: string;
  conn: string;
  eid: string;
  frameThread: string;
  frameUser: string;
  /** The frame's stream sequence number, when the server sends them. */
  seq: number | null;
  atUs: number;
  handed: boolean;
  /** Arrival order across deliveries, gaps and thread_context frames (ties in time broken truly). */
  arrival: number;
}

export interface GapRecord {
  tab: string;
  conn: string;
  thread: string;
  fromSeq: number;
  toSeq: number;
  eids: string[];
  reason: string;
  atUs: number;
  arrival: number;
}

/** A resume the tab sent on a connection: what it told the server it holds. */
export interface ResumeRecord {
  tab: string;
  conn: string;
  lastSeq: Record<string, number>;
  have: Record<string, SeqRanges>;
  atUs: number;
}

/** thread_context received: the server declared the connection ready for the thread. */
export interface ReadyRecord {
  tab: string;
  conn: string;
  thread: string;
  seq: number | null;
  atUs: number;
  arrival: number;
}

export interface RouterFact {
  atUs: number;
  kind: string;
  fields: Record<string, unknown>;
  /** Its place in the run's order of router facts (FactOrder.facts). */
  seq: number;
}

/**
 * The run's orders of facts: production order, the order of facts for ties in time, arrival
 * order at the clients, the order of requests. One per run: the partitions of a streaming truth
 * (one GroundTruth per user) share it, so their records carry the run's global orders.
 */
export class FactOrder {
  ticks = 0;
  produced = 0;
  arrivals = 0;
  requests = 0;
  facts = 0;
}

export class GroundTruth implements GroundTruthObserver {
  readonly tabs = new Map<string, TabRecord>();
  readonly conns = new Map<string, ConnRecord>();
  readonly sends = new Map<string, SendRecord>();
  readonly produced = new Map<string, ProducedRecord>();
  readonly producedByRun = new Map<string, ProducedRecord[]>();
  readonly runByMessage = new Map<string, string>();
  /** message id → every run the agent side started for it, in start order (no-duplicate-run). */
  readonly runsByMessage = new Map<string, string[]>();
  /** Requests (user_message, switch_thread) in the order the tabs made them. */
  readonly requests = new Map<string, RequestRecord>();
  /** Client connections whose server declared acks in connection_ready. */
  readonly ackingConns = new Set<string>();
  /** The longest resume window a server declared in connection_ready (0: none declared). */
  declaredResumeWindowMs = 0;
  readonly deliveries: DeliveryRecord[] = [];
  readonly gaps: GapRecord[] = [];
  readonly resumes: ResumeRecord[] = [];
  readonly readies: ReadyRecord[] = [];
  /**
   * Wire writes of an event id not produced (yet): kept until it is, then folded into its
   * record's wiredToOwner / wiredAnywhere. Two flags per event instead of a set of users.
   */
  private readonly wiresBeforeProduction = new Map<string, Set<string>>();
  /** Router facts in the run's order, but for the routes kept on their events (see `routerFact`). */
  readonly routerFacts: RouterFact[] = [];
  /** How many router.route facts are kept on their events' records instead of in `routerFacts`. */
  compactRoutes = 0;
  /** "<user>\0<thread>" for every thread a user owns, from the scenario (the harness's own
   *  knowledge, not the router's). Thread ids are scoped per user (F25). */
  readonly ownership = new Set<string>();
  /** Index of router facts by event id, built lazily by the explainer. */
  factsByEid: Map<string, RouterFact[]> | null = null;
  /**
   * True once a delivery had to be identified by its (run, type) on its connection (identify)
   * because the protocol carries no event ids: duplicates and order are then judged on that.
   */
  identifiedByOccurrence = false;
  /** Per connection (or server socket), the produced events its id-less frames were identified as. */
  private readonly seenByScope = new Map<string, Set<string>>();
  /** Per (connection, run): the production order of the last event identified there. */
  private readonly positions = new Map<string, number>();
  /** Per connection, (run, type) frames of runs with no recorded production (a probe's). */
  private readonly occurrences = new Map<string, number>();
  private readonly serverToClientConn = new Map<string, string>();
  /**
   * Events of other users that reached this truth's tabs (a leak), when this truth is one
   * user's part of a run: looked up by `eventOf`, never judged as produced here.
   */
  readonly foreign = new Map<string, ProducedRecord>();

  constructor(readonly order: FactOrder = new FactOrder()) {}

  /** The produced event `eid`, here or (a leak into this part of the run) elsewhere. */
  eventOf(eid: string): ProducedRecord | undefined {
    return this.produced.get(eid) ?? this.foreign.get(eid);
  }

  addOwnership(user: string, threads: readonly string[]): void {
    for (const t of threads) this.ownership.add(`${user}\u0000${t}`);
  }

  addTab(id: string, user: string): void {
    this.tabs.set(id, { id, user, conns: [], declarations: [] });
  }

  // ---- GroundTruthObserver (clients) ---------------------------------------------------------

  connecting(tab: string, conn: string, thread: string | null, atUs: number): void {
    const rec: ConnRecord = { id: conn, tab, threadAtConnect: thread, connectAtUs: atUs, openAtUs: null, openTick: null, closeAtUs: null, closeCode: null, closeCause: null, serverId: null };
    this.conns.set(conn, rec);
    this.tab(tab).conns.push(rec);
  }
  opened(_tab: string, conn: string, atUs: number): void {
    const c = this.conns.get(conn);
    if (c) {
      c.openAtUs = atUs;
      c.openTick = this.order.ticks++;
    }
  }
  closed(_tab: string, conn: string, code: number, cause: CloseCause, atUs: number): void {
    const c = this.conns.get(conn);
    if (c && c.closeAtUs === null) {
      c.closeAtUs = atUs;
      c.closeCode = code;
      c.closeCause = cause;
    }
  }
  declared(tab: string, thread: string, via: 'connect' | 'send' | 'switch' | 'reconnect', atUs: number): void {
    this.tab(tab).declarations.push({ atUs, thread, via });
  }
  sent(tab: string, conn: string, messageId: string, thread: string, atUs: number): void {
    this.sends.set(messageId, { messageId, tab, conn, thread, atUs });
  }
  received(tab: string, conn: string, event: EventFact, handed: boolean, atUs: number): void {
    const named = this.identify(conn, event, atUs);
    // A frame parsed at the tab brings fresh copies of its strings; the produced event's own
    // copies are kept instead where they are equal, so a delivery holds no strings of its own
    // (about 80 bytes a delivery on chat-million).
    const p = this.produced.get(named);
    const eid = p?.eid ?? named;
    const frameThread = p?.threadId === event.thread ? p.threadId : event.thread;
    const user = event.user ?? '';
    const frameUser = p?.routerUser === user ? p.routerUser : p?.trueUser === user ? p.trueUser : user;
    this.deliveries.push({ tab, conn, eid, frameThread, frameUser, seq: event.seq, atUs, handed, arrival: this.order.arrivals++ });
  }
  gap(tab: string, conn: string, gap: GapFact, atUs: number): void {
    this.gaps.push({ tab, conn, thread: gap.thread, fromSeq: gap.fromSeq, toSeq: gap.toSeq, eids: gap.eids, reason: gap.reason, atUs, arrival: this.order.arrivals++ });
  }
  resumed(tab: string, conn: string, lastSeq: Record<string, number>, have: Record<string, SeqRanges>, atUs: number): void {
    this.resumes.push({ tab, conn, lastSeq, have, atUs });
  }
  threadContext(tab: string, conn: string, thread: string, seq: number | null, atUs: number): void {
    this.readies.push({ tab, conn, thread, seq, atUs, arrival: this.order.arrivals++ });
  }
  serverConnection(_tab: string, conn: string, serverConnectionId: string): void {
    const c = this.conns.get(conn);
    if (c) c.serverId = serverConnectionId;
    this.serverToClientConn.set(serverConnectionId, conn);
  }
  frame(): void {}
  requested(tab: string, conn: string | null, kind: RequestKind, id: string, thread: string, atUs: number): void {
    this.requests.set(id, { id, order: this.order.requests++, kind, tab, thread, atUs, conn, resends: NONE, acks: NONE, refusals: NONE });
  }
  resent(_tab: string, conn: string, id: string, atUs: number): void {
    const r = this.requests.get(id);
    if (r) r.resends = appended(r.resends, { conn, atUs });
  }
  acked(_tab: string, conn: string, ref: string, runId: string | null, duplicate: boolean, atUs: number): void {
    const r = this.requests.get(ref);
    if (r) r.acks = appended(r.acks, { conn, runId, duplicate, atUs });
  }
  refused(_tab: string, conn: string, ref: string, code: string, atUs: number): void {
    const r = this.requests.get(ref);
    if (r) r.refusals = appended(r.refusals, { conn, code, atUs });
  }
  capabilities(_tab: string, conn: string, caps: { acks: boolean; resumeWindowMs: number | null }): void {
    if (caps.acks) this.ackingConns.add(conn);
    if (caps.resumeWindowMs !== null && caps.resumeWindowMs > this.declaredResumeWindowMs) this.declaredResumeWindowMs = caps.resumeWindowMs;
  }

  // ---- Agent side ------------------------------------------------------------------------------

  producedEvent(event: ProducedEvent): void {
    const send = this.sends.get(event.request.messageId);
    const originTab = send?.tab ?? null;
    const trueUser = originTab !== null ? this.tab(originTab).user : event.request.userId;
    const rec: ProducedRecord = {
      eid: event.eid,
      order: this.order.produced++,
      tick: this.order.ticks++,
      type: event.type,
      runId: event.runId,
      index: event.index,
      threadId: event.request.threadId,
      trueUser,
      routerUser: event.request.userId,
      originTab,
      messageId: event.request.messageId,
      producedAtUs: event.producedAtUs,
      wiredToOwner: false,
      wiredAnywhere: false,
      routedAtUs: 0,
      routedSeq: 0,
      routedTo: null,
    };
    const early = this.wiresBeforeProduction.get(rec.eid);
    if (early) {
      this.wiresBeforeProduction.delete(rec.eid);
      rec.wiredAnywhere = early.size > 0;
      rec.wiredToOwner = early.has(rec.trueUser);
    }
    this.produced.set(rec.eid, rec);
    const list = this.producedByRun.get(rec.runId);
    if (!list) this.producedByRun.set(rec.runId, [rec]);
    else {
      list.push(rec);
      // A run's list grew by push, which reserves 16 slots: at its end it is kept at its size.
      if (rec.type === 'agent_completed') this.producedByRun.set(rec.runId, list.slice());
    }
    this.runByMessage.set(rec.messageId, rec.runId);
    if (rec.index === 0) {
      const runs = this.runsByMessage.get(rec.messageId);
      if (runs) runs.push(rec.runId);
      else this.runsByMessage.set(rec.messageId, [rec.runId]);
    }
  }

  // ---- Transport tap ---------------------------------------------------------------------------

  /** The server wrote agent event `eid` to a connection of `serverUser` (the wire tap). */
  wireWrite(serverUser: string, eid: string): void {
    const m = this.produced.get(eid);
    if (m) {
      m.wiredAnywhere = true;
      if (serverUser === m.trueUser) m.wiredToOwner = true;
      return;
    }
    let set = this.wiresBeforeProduction.get(eid);
    if (!set) this.wiresBeforeProduction.set(eid, (set = new Set()));
    set.add(serverUser);
  }

  /** The wire tap's event on server socket `scope` at `atUs`, identified as a delivery is. */
  wireEvent(serverUser: string, scope: string, event: EventFact, atUs: number): void {
    this.wireWrite(serverUser, this.identify(`wire\u0000${scope}`, event, atUs));
  }

  /**
   * The produced event a frame is: its `eid` when the protocol carries one. Otherwise, from the
   * events of its (run, type) produced by `atUs` that this connection (`scope`) has not had yet:
   *  - the earliest after the connection's position in the run (the last event identified there):
   *    frames of a run arrive in order, also in a burst after a stall;
   *  - for a connection's first frame of a run, or when nothing follows its position, the
   *    latest: a connection that joins a run midway (a reconnect, a second tab, a late binding)
   *    gets the run's current events, not its first ones again;
   *  - a frame whose events the connection has all had is a copy of the last one had (a duplicate).
   */
  private identify(scope: string, event: EventFact, atUs: number): string {
    if (event.eid !== null) return event.eid;
    this.identifiedByOccurrence = true;
    let seen = this.seenByScope.get(scope);
    if (!seen) this.seenByScope.set(scope, (seen = new Set()));
    const posKey = `${scope}\u0000${event.runId}`;
    const position = this.positions.get(posKey);
    let next: ProducedRecord | null = null;
    let latest: ProducedRecord | null = null;
    let lastSeen: ProducedRecord | null = null;
    for (const p of this.producedByRun.get(event.runId) ?? []) {
      if (p.type !== event.type || p.producedAtUs > atUs) continue;
      if (seen.has(p.eid)) {
        lastSeen = p;
        continue;
      }
      latest = p;
      if (next === null && position !== undefined && p.order > position) next = p;
    }
    const chosen = next ?? latest ?? lastSeen;
    if (chosen === null) {
      // A run nothing is known of (yet): a probe infers what was produced only after the run,
      // from these very keys — the k-th such frame on this connection.
      const key = `${scope}\u0000${event.runId}\u0000${event.type}`;
      const k = (this.occurrences.get(key) ?? 0) + 1;
      this.occurrences.set(key, k);
      return `${event.runId}|${event.type}|${k}`;
    }
    seen.add(chosen.eid);
    if (position === undefined || chosen.order > position) this.positions.set(posKey, chosen.order);
    return chosen.eid;
  }

  // ---- Router facts (explanations only) --------------------------------------------------------

  /**
   * `seq`: its place in the run's order of router facts, when it was taken on arrival (a fact the
   * streaming judge held back).
   *
   * A router that routes every event says so once per event (`router.route`), and a fact with
   * its fields and list of connections cost about 200 bytes a event, more than the event's own
   * record: the first route of an event that found connections, on the event's own thread, is
   * kept on the event's record (three fields) instead. Routes that missed stay facts (the judge
   * counts them, timelines show them), as does anything of another shape.
   */
  routerFact(atUs: number, kind: string, fields: Record<string, unknown>, seq = this.order.facts++): void {
    if (kind === 'router.route' && this.keepOnEvent(atUs, fields, seq)) return;
    this.routerFacts.push({ atUs, kind, fields, seq });
  }

  /** Are there router facts at all (a server may report none)? */
  get hasRouterFacts(): boolean {
    return this.routerFacts.length > 0 || this.compactRoutes > 0;
  }

  /** Every router fact in the run's order, the routes kept on their events put back in place. */
  allRouterFacts(): RouterFact[] {
    if (this.compactRoutes === 0) return this.routerFacts;
    const routes: RouterFact[] = [];
    for (const m of this.produced.values()) {
      const to = m.routedTo;
      if (to !== null) routes.push({ atUs: m.routedAtUs, kind: 'router.route', fields: { eid: m.eid, thread: m.threadId, to: typeof to === 'string' ? [to] : to, missed: false }, seq: m.routedSeq });
    }
    routes.sort((a, b) => a.seq - b.seq);
    const out: RouterFact[] = [];
    let i = 0;
    for (const f of this.routerFacts) {
      while (i < routes.length && routes[i]!.seq < f.seq) out.push(routes[i++]!);
      out.push(f);
    }
    while (i < routes.length) out.push(routes[i++]!);
    return out;
  }

  private keepOnEvent(atUs: number, fields: Record<string, unknown>, seq: number): boolean {
    const { eid, thread, to, missed } = fields;
    if (missed !== false || typeof eid !== 'string' || !Array.isArray(to) || Object.keys(fields).length !== 4) return false;
    const m = this.produced.get(eid);
    if (m === undefined || m.routedTo !== null || thread !== m.threadId) return false;
    m.routedAtUs = atUs;
    m.routedSeq = seq;
    // A copy at its size: the router's list grew by push, which reserves 16 slots (~170 bytes).
    m.routedTo = to.length === 1 && typeof to[0] === 'string' ? to[0] : (to as string[]).slice();
    this.compactRoutes++;
    return true;
  }

  clientConnOfServer(serverId: string): string | undefined {
    return this.serverToClientConn.get(serverId);
  }

  private tab(id: string): TabRecord {
    const t = this.tabs.get(id);
    if (!t) throw new Error(`GroundTruth: unknown tab "${id}" (addTab first)`);
    return t;
  }
}

/** The empty list every request starts with (most are never resent, acked twice or refused). */
const NONE: readonly never[] = Object.freeze([]);

/**
 * `list` with `item` added, as a new array at its size. These lists are short (one ack, rarely
 * a resend), and a push onto an empty array reserves 16 slots: ~170 bytes for one entry.
 */
function appended<T>(list: readonly T[], item: T): readonly T[] {
  return list.length === 0 ? [item] : [...list, item];
}
