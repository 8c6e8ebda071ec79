/**
 * Chrome trace-event export (`--trace-out <file.json>`), which opens in Perfetto
 * (ui.perfetto.dev) and chrome://tracing: one process per run, one thread (lane) per client
 * connection plus the agent and the router, an instant event per timeline item, and flow
 * arrows from each event's production on the agent lane to its delivery on a connection.
 * Timestamps are the runs' virtual microseconds, which is the unit the format expects.
 */
import type { RunResult, TimelineItem } from '../run/result.ts';

interface TraceEvent {
  name: string;
  ph: 'M' | 'i' | 's' | 'f' | 'X';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: 'g' | 'p' | 't';
  id?: number;
  bp?: 'e';
  cat?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

/** Runs without a timeline are skipped (run with failing runs, or ask for timelines of all). */
export function toChromeTrace(runs: readonly RunResult[], otherData: Record<string, string> = {}): ChromeTrace {
  const events: TraceEvent[] = [];
  let flowId = 1;
  runs.forEach((run, index) => {
    if (!run.timeline || run.timeline.length === 0) return;
    const pid = index + 1;
    events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `${run.scenario} × ${run.router} seed ${run.seed} (${run.verdict})` } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: index } });
    const lanes = laneOrder(run.timeline);
    lanes.forEach((lane, i) => {
      events.push({ name: 'thread_name', ph: 'M', pid, tid: i + 1, args: { name: lane } });
      events.push({ name: 'thread_sort_index', ph: 'M', pid, tid: i + 1, args: { sort_index: i } });
    });
    const tidOf = (lane: string): number => lanes.indexOf(lane) + 1;
    for (const fault of run.faults) {
      events.push({ name: fault.label, cat: 'fault', ph: 'X', pid, tid: tidOf('router'), ts: fault.startUs, dur: Math.max(1, fault.endUs - fault.startUs), args: { kind: fault.kind } });
    }
    for (const item of run.timeline) {
      const tid = tidOf(item.lane);
      const args: Record<string, unknown> = {};
      if (item.thread) args['thread'] = item.thread;
      if (item.user) args['user'] = item.user;
      if (item.eid) args['event'] = item.eid;
      if (item.explanation) args['explanation'] = item.explanation;
      events.push({ name: item.label, cat: item.kind, ph: 'i', s: 't', pid, tid, ts: item.t, args });
      if (item.kind === 'deliver' && item.fromT !== undefined) {
        const id = flowId++;
        events.push({ name: item.label, cat: 'message', ph: 's', id, pid, tid: tidOf('agent'), ts: item.fromT });
        events.push({ name: item.label, cat: 'message', ph: 'f', bp: 'e', id, pid, tid, ts: item.t });
      }
    }
  });
  return { traceEvents: events, displayTimeUnit: 'ms', otherData };
}

function laneOrder(items: readonly TimelineItem[]): string[] {
  const lanes = new Set<string>(['agent', 'router']);
  const conns = [...new Set(items.map((i) => i.lane).filter((l) => l !== 'agent' && l !== 'router'))];
  conns.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const c of conns) lanes.add(c);
  return [...lanes];
}
