/**
 * Client → server under the delivery contract (FAILURE-MODES invariant 14): every
 * `user_message` and `switch_thread` a tab made is, within the deadline, either acted on exactly
 * once or refused with an error frame the client saw — never silently dropped.
 *
 * - A user_message is acted on when the agent side started a run for it (ground truth: the
 *   backend's production record, not the router's word). Two runs for one message id are a
 *   `no-duplicate-run` violation (F22: a resend started the same work twice).
 * - A switch_thread is acted on when the server acknowledged it (`message_ack`). Only servers
 *   that declare acks are judged on switches: without an acknowledgement, whether a switch was
 *   applied is not visible on the wire (its effect is still judged by no-loss on the new
 *   thread's events); such switches are counted as not judged, and the judgement says so.
 * - Excused: a request the user abandoned (closed the tab within the deadline before anything
 *   acted on it, or had closed it already), a switch the user superseded (moved to another
 *   thread before its ack), and a request typed offline that the client keeps in its outbox
 *   (shown as unsent) while the tab never got a connection back within the deadline. A client
 *   with no outbox that drops a message typed offline loses it silently: that is a violation.
 *
 * Router facts (`router.user_message`, `router.close`, ...) only explain a violation in words.
 */
import { formatUs } from '../ports/clock.ts';
import type { GroundTruth, RequestRecord, RouterFact, TabRecord } from './recorder.ts';
import type { Violation } from './invariants.ts';

export interface RequestCounts {
  /** Requests the tabs made (user_message + switch_thread). */
  requests: number;
  /** Acted on or refused within the deadline. */
  requestsAnswered: number;
  /** Neither acted on nor refused, nor excused (no-lost-request). */
  requestsLost: number;
  /** Extra runs started for a message id that already had one (no-duplicate-run). */
  runsDuplicated: number;
  /** Switches of a server that acknowledges nothing: not judgeable on the wire. */
  requestsNotJudged: number;
}

export interface RequestJudgeOptions {
  deadlineUs: number;
  /** `order`: the request's place in the run's order of requests; `sub`: its violation's place among the request's. */
  add: (v: Violation, order: number, sub: number) => void;
}

export function judgeRequests(truth: GroundTruth, options: RequestJudgeOptions): RequestCounts {
  const counts: RequestCounts = { requests: 0, requestsAnswered: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0 };
  let factsByMsg: Map<string, RouterFact[]> | null = null;
  const facts = (id: string): RouterFact[] => {
    factsByMsg ??= indexFactsByMessage(truth.routerFacts);
    return factsByMsg.get(id) ?? [];
  };
  for (const r of truth.requests.values()) {
    counts.requests++;
    const tab = truth.tabs.get(r.tab)!;
    if (closedBefore(tab, r.atUs) || keptOffline(truth, tab, r, options.deadlineUs)) continue;
    if (r.kind === 'user_message') {
      const runs = truth.runsByMessage.get(r.id) ?? [];
      if (runs.length > 1) {
        counts.runsDuplicated += runs.length - 1;
        const starts = runs.map((run) => `${run} at ${formatUs(truth.producedByRun.get(run)![0]!.producedAtUs)}`);
        options.add({
          invariant: 'no-duplicate-run',
          messageId: r.id,
          connectionId: r.conn,
          atUs: truth.producedByRun.get(runs[1]!)![0]!.producedAtUs,
          explanation: `user_message ${r.id} (thread ${r.thread}) started ${runs.length} runs: ${starts.join(', ')}` + (r.resends.length > 0 ? `; the client resent it on ${r.resends.map((s) => `${s.conn} at ${formatUs(s.atUs)}`).join(', ')}, and the server ran the resend again instead of recognising its id` : ''),
        }, r.order, 0);
      }
      const firstRunUs = runs.length > 0 ? truth.producedByRun.get(runs[0]!)![0]!.producedAtUs : null;
      const refusedUs = r.refusals[0]?.atUs ?? null;
      const answeredUs = minOf(firstRunUs, refusedUs);
      if (answeredUs !== null && answeredUs <= r.atUs + options.deadlineUs) {
        counts.requestsAnswered++;
        continue;
      }
      if (abandoned(tab, r, answeredUs, options.deadlineUs)) continue;
      counts.requestsLost++;
      options.add({ invariant: 'no-lost-request', messageId: r.id, connectionId: r.conn ?? `${r.tab}#offline`, atUs: r.atUs, explanation: explainLostRequest(truth, r, answeredUs, facts(r.id), options.deadlineUs) }, r.order, 1);
      continue;
    }
    // switch_thread
    const judgeable = tab.conns.some((c) => truth.ackingConns.has(c.id));
    if (!judgeable) {
      counts.requestsNotJudged++;
      continue;
    }
    const answeredUs = minOf(r.acks[0]?.atUs ?? null, r.refusals[0]?.atUs ?? null);
    if (answeredUs !== null && answeredUs <= r.atUs + options.deadlineUs) {
      counts.requestsAnswered++;
      continue;
    }
    if (abandoned(tab, r, answeredUs, options.deadlineUs) || superseded(tab, r, answeredUs)) continue;
    counts.requestsLost++;
    options.add({ invariant: 'no-lost-request', messageId: r.id, connectionId: r.conn ?? `${r.tab}#offline`, atUs: r.atUs, explanation: explainLostRequest(truth, r, answeredUs, facts(r.id), options.deadlineUs) }, r.order, 1);
  }
  return counts;
}

/** The user closed the tab within the deadline, before anything answered the request. */
function abandoned(tab: TabRecord, r: RequestRecord, answeredUs: number | null, deadlineUs: number): boolean {
  const until = Math.min(answeredUs ?? Infinity, r.atUs + deadlineUs);
  return tab.conns.some((c) => c.closeCause === 'client-close' && c.closeAtUs !== null && c.closeAtUs >= r.atUs && c.closeAtUs <= until);
}

/** The user had closed the tab (its last connection) before making the request. */
function closedBefore(tab: TabRecord, atUs: number): boolean {
  let last: TabRecord['conns'][number] | null = null;
  for (const c of tab.conns) if (c.connectAtUs <= atUs) last = c;
  return last !== null && last.closeCause === 'client-close' && last.closeAtUs !== null && last.closeAtUs <= atUs;
}

/**
 * Typed offline into a client outbox (its server declared acks), and no connection of the tab
 * opened again within the deadline: the client still shows it as unsent; nothing could carry it.
 */
function keptOffline(truth: GroundTruth, tab: TabRecord, r: RequestRecord, deadlineUs: number): boolean {
  if (r.conn !== null || r.resends.length > 0) return false;
  if (!tab.conns.some((c) => truth.ackingConns.has(c.id))) return false;
  return !tab.conns.some((c) => c.openAtUs !== null && c.openAtUs > r.atUs && c.openAtUs <= r.atUs + deadlineUs);
}

/** The tab declared another thread before the switch was answered: the switch no longer matters. */
function superseded(tab: TabRecord, r: RequestRecord, answeredUs: number | null): boolean {
  return tab.declarations.some((d) => d.atUs > r.atUs && d.atUs < (answeredUs ?? Infinity) && d.thread !== r.thread);
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function indexFactsByMessage(all: readonly RouterFact[]): Map<string, RouterFact[]> {
  const out = new Map<string, RouterFact[]>();
  const closeByConn = new Map<string, RouterFact>();
  for (const f of all) if (f.kind === 'router.close') closeByConn.set(String(f.fields['conn']), f);
  for (const f of all) {
    const msg = f.fields['msg'];
    if (typeof msg !== 'string') continue;
    const list = out.get(msg) ?? [];
    list.push(f);
    // The close of the connection it arrived on explains a message dropped in its look-up.
    const close = closeByConn.get(String(f.fields['conn']));
    if (f.kind === 'router.user_message' && close && close.atUs >= f.atUs) list.push(close);
    out.set(msg, list);
  }
  return out;
}

/** "user_message t1-m2 reached the server on c2 at 71.7 ms; c2 closed at 78.9 ms before ..." */
function explainLostRequest(truth: GroundTruth, r: RequestRecord, answeredUs: number | null, facts: readonly RouterFact[], deadlineUs: number): string {
  const parts: string[] = [];
  const head = `${r.kind} ${r.id} (thread ${r.thread}) made by ${r.tab} at ${formatUs(r.atUs)}`;
  if (answeredUs !== null) {
    return `${head} was answered only at ${formatUs(answeredUs)}, ${formatUs(answeredUs - r.atUs)} later; the deadline is ${formatUs(deadlineUs)}`;
  }
  const arrivals = facts.filter((f) => f.kind === 'router.user_message' || f.kind === 'router.switch_request');
  if (r.conn === null && r.resends.length === 0) {
    parts.push(
      truth.tabs.get(r.tab)!.conns.some((c) => truth.ackingConns.has(c.id))
        ? `${head}: the tab was offline; the client kept it in its outbox but never wrote it on a later connection`
        : `${head}: the tab was offline and the client dropped it (the server declared no acks, so the client keeps no outbox)`,
    );
  } else if (arrivals.length === 0) {
    const conn = r.conn !== null ? truth.conns.get(r.conn) : undefined;
    parts.push(`${head}: it never reached the server` + (conn?.closeAtUs != null ? `; ${conn.id} closed (${conn.closeCode}) at ${formatUs(conn.closeAtUs)}` : ''));
  } else {
    const a = arrivals[0]!;
    const serverConn = String(a.fields['conn']);
    parts.push(`${r.kind} ${r.id} (thread ${r.thread}) reached the server on ${serverConn} at ${formatUs(a.atUs)}`);
    const close = facts.find((f) => f.kind === 'router.close' && String(f.fields['conn']) === serverConn);
    if (close) parts.push(`${serverConn} closed at ${formatUs(close.atUs)} before the look-up finished`);
  }
  parts.push(r.kind === 'user_message' ? 'no run, no error' : 'no acknowledgement, no error');
  parts.push(r.resends.length === 0 ? 'the client did not resend' : `the client resent it on ${r.resends.map((s) => `${s.conn} at ${formatUs(s.atUs)}`).join(', ')}, and that was not acted on either`);
  return parts.join('; ');
}
