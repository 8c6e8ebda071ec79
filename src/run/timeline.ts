/**
 * Timeline extraction for the report's swimlanes: lanes for each client connection, the router
 * and the agent; sends, productions, bindings, routing decisions, deliveries (with the time
 * the event was produced, for arrows) and losses with the oracle's explanation.
 * Bounded: at most `maxItems`, losses and violations always kept first.
 */
import type { Judgement } from '../oracle/judge.ts';
import type { GroundTruth } from '../oracle/recorder.ts';
import type { TimelineItem } from './result.ts';

export function buildTimeline(truth: GroundTruth, judgement: Judgement, maxItems: number): { items: TimelineItem[]; truncated: boolean } {
  const must: TimelineItem[] = [];
  const rest: TimelineItem[] = [];
  for (const v of judgement.violations) {
    const m = v.messageId ? truth.produced.get(v.messageId) : undefined;
    must.push({
      t: v.atUs,
      lane: v.connectionId ?? 'router',
      kind: 'lost',
      label: `${v.invariant}${m ? `: ${m.type} ${m.runId}` : ''}`,
      ...(m ? { thread: m.threadId, user: m.trueUser, eid: m.eid } : {}),
      explanation: v.explanation,
    });
  }
  for (const tab of truth.tabs.values()) {
    for (const c of tab.conns) {
      rest.push({ t: c.connectAtUs, lane: c.id, kind: 'connect', label: `connect${c.threadAtConnect ? ` ?thread_id=${c.threadAtConnect}` : ''}`, user: tab.user });
      if (c.openAtUs !== null) rest.push({ t: c.openAtUs, lane: c.id, kind: 'open', label: `open (server ${c.serverId ?? '?'})`, user: tab.user });
      if (c.closeAtUs !== null) rest.push({ t: c.closeAtUs, lane: c.id, kind: 'close', label: `close ${c.closeCode} (${c.closeCause})`, user: tab.user });
    }
    for (const d of tab.declarations) {
      const conn = tab.conns.filter((c) => c.connectAtUs <= d.atUs).at(-1);
      rest.push({ t: d.atUs, lane: conn?.id ?? `${tab.id}#?`, kind: 'declare', label: `${d.via} → ${d.thread}`, user: tab.user, thread: d.thread });
    }
  }
  for (const s of truth.sends.values()) {
    rest.push({ t: s.atUs, lane: s.conn, kind: 'send', label: `user_message ${s.messageId}`, thread: s.thread, user: truth.tabs.get(s.tab)?.user ?? '' });
  }
  for (const m of truth.produced.values()) {
    rest.push({ t: m.producedAtUs, lane: 'agent', kind: 'produced', label: `${m.type} ${m.runId}`, thread: m.threadId, user: m.trueUser, eid: m.eid });
  }
  for (const f of truth.routerFacts) {
    if (f.kind === 'router.bind') rest.push({ t: f.atUs, lane: 'router', kind: 'bind', label: `bind ${String(f.fields['conn'])} → ${String(f.fields['thread'])} (${String(f.fields['via'])})`, thread: String(f.fields['thread']) });
    else if (f.kind === 'router.route' && f.fields['missed'] === true) rest.push({ t: f.atUs, lane: 'router', kind: 'route', label: `No connections found for thread ${String(f.fields['thread'])}`, thread: String(f.fields['thread']), eid: String(f.fields['eid']) });
    else if (f.kind === 'router.queued') rest.push({ t: f.atUs, lane: 'router', kind: 'queued', label: `queued ${String(f.fields['eid'])}`, eid: String(f.fields['eid']) });
  }
  for (const d of truth.deliveries) {
    const m = truth.produced.get(d.eid);
    rest.push({ t: d.atUs, lane: d.conn, kind: 'deliver', label: `${m?.type ?? '?'} ${m?.runId ?? ''}${d.handed ? '' : ' (dup suppressed)'}`, thread: d.frameThread, user: truth.tabs.get(d.tab)?.user ?? '', eid: d.eid, ...(m ? { fromT: m.producedAtUs } : {}) });
  }
  for (const g of truth.gaps) rest.push({ t: g.atUs, lane: g.conn, kind: 'gap', label: `gap (${g.reason}) ${g.eids.length} events` });
  rest.sort((a, b) => a.t - b.t);
  const room = Math.max(0, maxItems - must.length);
  const items = [...must, ...rest.slice(0, room)].sort((a, b) => a.t - b.t);
  return { items, truncated: rest.length > room };
}
