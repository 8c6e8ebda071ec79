/**
 * Causal explanations of losses, in words a person understands, e.g.
 * "agent_started of run-1 (thread A) produced at 3.2 ms; connection t1#1 had declared A at
 *  0.4 ms, but the server bound it to A only at 12.1 ms; no queue held it".
 *
 * Router facts (bindings, routing decisions, queue drops) are read here to tell the story;
 * they never decide whether something is a violation. A server that reports none is explained
 * from the wire tap alone.
 */
import { formatUs } from '../ports/clock.ts';
import type { ConnRecord, GroundTruth, ProducedRecord, RouterFact, TabRecord } from './recorder.ts';

export function explainLoss(
  truth: GroundTruth,
  m: ProducedRecord,
  tab: TabRecord,
  conn: ConnRecord | null,
  declared: string | null,
  isOrigin: boolean,
  resume: boolean,
): string {
  const head = `${m.type} of ${m.runId} (thread ${m.threadId}) produced at ${formatUs(m.producedAtUs)}`;
  const connName = conn?.id ?? `tab ${tab.id}`;
  const why = isOrigin && declared !== m.threadId
    ? `${connName} started ${m.runId} and was owed its events (it had since moved to ${declared ?? 'no thread'})`
    : `${connName} had declared ${m.threadId} at ${formatUs(lastDeclaration(tab, m.threadId, m.producedAtUs))}`;
  const facts = factsFor(truth, m.eid);
  const parts: string[] = [head, why];

  if (facts.some((f) => f.kind === 'router.blocked')) {
    parts.push('but the agent emitted before the WebSocket manager was injected (EMISSION BLOCKED)');
    return parts.join('; ');
  }
  const serverId = conn?.serverId ?? null;
  const route = facts.find((f) => f.kind === 'router.route');
  const queued = facts.find((f) => f.kind === 'router.queued');
  const qdrop = facts.find((f) => f.kind === 'router.queue_drop');
  if (qdrop) {
    parts.push(`it waited in the pending queue and was dropped (${String(qdrop.fields['reason'])}) at ${formatUs(qdrop.atUs)} without a gap notice reaching ${connName}`);
    return parts.join('; ');
  }
  if (serverId === null) {
    parts.push(conn ? 'but the server never confirmed the connection (no connection_ready)' : 'but the tab had no open connection and did not get it after reconnecting');
    return parts.join('; ');
  }
  if (!truth.hasRouterFacts) {
    // A server that reports no facts of its own (env.log.fact): tell what the wire shows.
    // tab is one of the event's true user's tabs, so "to a connection of tab.user" is wiredToOwner.
    parts.push(
      m.wiredToOwner
        ? `the server wrote it to a connection of ${tab.user}, but it never reached ${connName} (the server reports no routing facts)`
        : `the server wrote it to no connection of ${tab.user} (the server reports no routing facts, so the wire is all there is to tell)`,
    );
    return parts.join('; ');
  }
  const sentTo = route ? (route.fields['to'] as string[]) : [];
  if (route && sentTo.includes(serverId)) {
    const closed = conn?.closeAtUs ?? null;
    parts.push(
      closed !== null
        ? `the server wrote it to ${serverId} at ${formatUs(route.atUs)}, but the connection closed (${conn?.closeCode}) at ${formatUs(closed)} before it arrived${resume ? ' and the resume did not recover it' : ''}`
        : `the server wrote it to ${serverId} at ${formatUs(route.atUs)}, but it never arrived (lost in flight)`,
    );
    return parts.join('; ');
  }
  const bindings = truth.routerFacts.filter((f) => f.kind === 'router.bind' && f.fields['conn'] === serverId);
  const boundBefore = [...bindings].reverse().find((b) => b.atUs <= m.producedAtUs);
  const boundAfter = bindings.find((b) => b.atUs > m.producedAtUs && b.fields['thread'] === m.threadId);
  const state = boundBefore ? `bound to ${String(boundBefore.fields['thread'])}` : 'not bound to any thread';
  if (route && route.fields['missed'] === true) {
    parts.push(`but when it was routed the server had ${serverId} ${state}: "No connections found for thread ${m.threadId}"`);
  } else if (route) {
    parts.push(`but the server routed it to ${sentTo.length ? sentTo.join(', ') : 'nobody'} while ${serverId} was ${state}`);
  } else if (queued) {
    parts.push(`it was queued at ${formatUs(queued.atUs)} but never flushed to ${serverId}`);
  } else {
    parts.push(`but the server never routed it to ${serverId}`);
  }
  if (boundAfter) parts.push(`the server bound ${serverId} to ${m.threadId} only at ${formatUs(boundAfter.atUs)}`);
  else if (!bindings.some((b) => b.fields['thread'] === m.threadId)) parts.push(`the server never bound ${serverId} to ${m.threadId}`);
  if (!queued) parts.push('no queue held it');
  return parts.join('; ');
}

function lastDeclaration(tab: TabRecord, thread: string, beforeUs: number): number {
  let at = 0;
  for (const d of tab.declarations) {
    if (d.atUs > beforeUs) break;
    if (d.thread === thread) at = d.atUs;
  }
  return at;
}

function factsFor(truth: GroundTruth, eid: string): RouterFact[] {
  let index = truth.factsByEid;
  if (index === null) {
    index = new Map();
    for (const f of truth.allRouterFacts()) {
      const e = f.fields['eid'];
      if (typeof e === 'string') {
        const list = index.get(e) ?? [];
        list.push(f);
        index.set(e, list);
      }
    }
    truth.factsByEid = index;
  }
  return index.get(eid) ?? [];
}
