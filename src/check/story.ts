/**
 * The story of a run: its timeline in words, one line per thing that happened, in virtual time —
 * what each tab did, the faults, what the server did (bindings, "No connections found", queue,
 * resume), what the agent produced, what arrived where, and where the oracle saw a violation:
 *
 *        0 ms  t1#1    connect (no thread)
 *        0 ms  t1#1    send on A (t1-m1)
 *        2 ms  t1#1    open (server c1)
 *        7 ms  agent   agent_started of run-1 (A)
 *        7 ms  server  No connections found for thread A (agent_started of run-1)
 *       12 ms  server  bind c1 → A (message)
 *        7 ms  ✗       no-loss: agent_started of run-1 never reached t1#1
 *
 * Built from the oracle's ground truth (and router facts, as words only); bounded in length.
 */
import { formatUs } from '../ports/clock.ts';
import type { RunOutput } from '../run/runner.ts';

export interface StoryLine {
  atUs: number;
  lane: string;
  text: string;
}

export interface StoryOptions {
  /** At most this many lines (violations are always kept). Default 120. */
  maxLines?: number;
}

export function buildStory(run: RunOutput, options: StoryOptions = {}): StoryLine[] {
  const { truth, result, judgement } = run;
  const lines: Array<StoryLine & { order: number; keep: boolean }> = [];
  let order = 0;
  const add = (atUs: number, lane: string, text: string, keep = false): void => {
    lines.push({ atUs, lane, text, order: order++, keep });
  };

  for (const tab of truth.tabs.values()) {
    for (const c of tab.conns) {
      add(c.connectAtUs, c.id, `connect ${c.threadAtConnect ? `on ${c.threadAtConnect}` : '(no thread)'}`);
      if (c.openAtUs !== null) add(c.openAtUs, c.id, `open (server ${c.serverId ?? '?'})`);
      if (c.closeAtUs !== null) add(c.closeAtUs, c.id, `closed ${c.closeCode} (${closeCause(c.closeCause)})`);
    }
    for (const d of tab.declarations) if (d.via === 'switch') add(d.atUs, tab.id, `switch to ${d.thread}`);
  }
  for (const s of truth.sends.values()) add(s.atUs, s.conn, `send on ${s.thread} (${s.messageId})`);
  for (const f of result.faults) {
    if (f.startUs === f.endUs) add(f.startUs, 'fault', f.label);
    else {
      add(f.startUs, 'fault', `${f.label}: begins`);
      add(f.endUs, 'fault', `${f.label}: ends`);
    }
  }
  for (const m of truth.produced.values()) add(m.producedAtUs, 'agent', `${m.type} of ${m.runId} (${m.threadId})`);
  for (const f of truth.allRouterFacts()) {
    const text = routerFactText(f.kind, f.fields, truth);
    if (text !== null) add(f.atUs, 'server', text);
  }
  for (const d of truth.deliveries) {
    const m = truth.produced.get(d.eid);
    add(d.atUs, d.conn, `← ${m ? `${m.type} of ${m.runId}` : d.eid}${d.frameThread !== m?.threadId ? ` (frame says ${d.frameThread})` : ''}${d.handed ? '' : ' (duplicate, not shown)'}`);
  }
  for (const g of truth.gaps) add(g.atUs, g.conn, `← gap notice (${g.reason}) for ${g.eids.length} event(s)`);
  for (const v of judgement.violations) {
    const m = v.messageId ? truth.produced.get(v.messageId) : undefined;
    const what = m ? `${m.type} of ${m.runId} (${m.threadId})` : 'counters';
    const where = v.connectionId ?? '';
    const verb = v.invariant === 'no-loss' ? `never reached ${where}` : v.invariant === 'timeliness' ? `reached ${where} too late` : `at ${where}`;
    add(v.atUs, '✗', `${v.invariant}: ${what} ${verb}`.trimEnd(), true);
  }

  lines.sort((a, b) => a.atUs - b.atUs || a.order - b.order);
  const max = options.maxLines ?? 120;
  if (lines.length <= max) return lines.map(strip);
  const kept = lines.filter((l) => l.keep);
  const room = Math.max(0, max - kept.length - 1);
  const head = lines.filter((l) => !l.keep).slice(0, room);
  const out = [...head, ...kept].sort((a, b) => a.atUs - b.atUs || a.order - b.order).map(strip);
  out.push({ atUs: out[out.length - 1]?.atUs ?? 0, lane: '…', text: `${lines.length - head.length - kept.length} more line(s) left out` });
  return out;
}

/** Lines of text: time right-aligned, then the lane, then what happened. */
export function formatStory(lines: readonly StoryLine[], indent = '  '): string[] {
  const laneWidth = Math.max(6, ...lines.map((l) => l.lane.length));
  return lines.map((l) => `${indent}${formatUs(l.atUs).padStart(10)}  ${l.lane.padEnd(laneWidth)}  ${l.text}`);
}

function strip(l: StoryLine): StoryLine {
  return { atUs: l.atUs, lane: l.lane, text: l.text };
}

function closeCause(cause: string | null): string {
  switch (cause) {
    case 'client-close':
      return 'the user closed the tab';
    case 'client-reconnect':
      return 'the client reconnects';
    case 'heartbeat':
      return 'no pong: heartbeat timeout';
    case 'remote':
      return 'by the network or the server';
    default:
      return String(cause);
  }
}

function routerFactText(kind: string, f: Record<string, unknown>, truth: RunOutput['truth']): string | null {
  const ev = (eid: unknown): string => {
    const m = typeof eid === 'string' ? truth.produced.get(eid) : undefined;
    return m ? `${m.type} of ${m.runId}` : String(eid);
  };
  switch (kind) {
    case 'router.bind':
      return `bind ${String(f['conn'])} → ${String(f['thread'])} (${String(f['via'])})`;
    case 'router.route':
      if (f['missed'] === true) {
        const to = f['to'] as string[];
        return `No connections found for thread ${String(f['thread'])} (${ev(f['eid'])})${to.length ? `; sent to ${to.join(', ')} anyway` : ''}`;
      }
      return null;
    case 'router.queued':
      return `queue ${ev(f['eid'])} until ${String(f['thread'])} is bound`;
    case 'router.queue_drop':
      return `queue drops ${ev(f['eid'])} (${String(f['reason'])})`;
    case 'router.resume':
      return `resume ${String(f['conn'])} on ${String(f['thread'])} after seq ${String(f['after'])}: ${String(f['replay'])} replayed`;
    case 'router.blocked':
      return `EMISSION BLOCKED (${ev(f['eid'])}): no WebSocket manager yet`;
    case 'router.wired':
      return 'WebSocket manager injected';
    case 'router.forbidden':
      return `refuses ${String(f['conn'])}: thread ${String(f['thread'])} is not this user's`;
    case 'router.run':
      return `run ${String(f['run'])} for ${String(f['msg'])} on ${String(f['thread'])} (from ${String(f['conn'])})`;
    case 'router.switch':
      return `switch ${String(f['conn'])} to ${String(f['thread'])}${f['bound'] === true ? '' : ' (rooms only, not bound)'}`;
    default:
      return null;
  }
}
