/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), from a hosted server's
 * self-reported monitoring (`metrics().snapshot`, src/ports/server.ts) and the host's transport
 * counters.
 *
 *  - every counter of the snapshot → `threadline_<snake_case>_total` (counter);
 *  - `dropsByReason` → `threadline_drops_total{reason="..."}`;
 *  - each histogram → a Prometheus histogram (cumulative `le` buckets, `_sum`, `_count`) plus
 *    `<name>_quantile{quantile="0.5|0.9|0.99|0.999"}` gauges read from the full-resolution
 *    histogram (within 0.2%). Durations are exported in seconds, depths as they are.
 *  - server gauges/counters: open connections, refused upgrades, oversize closes, heartbeat
 *    terminations.
 */
import type { ServerMetrics } from '../ports/server.ts';
import { Histogram } from '../stats/histogram.ts';

export interface ServerStats {
  connectionsOpen: number;
  upgradesRefused: number;
  oversizeClosed: number;
  heartbeatTerminated: number;
  readsPaused: number;
}

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DEPTH_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 5_000, 10_000, 100_000];
const QUANTILES = [0.5, 0.9, 0.99, 0.999];

/** The router's histograms, by their snapshot names, as Prometheus metrics (name, help, unit, buckets). */
const HISTOGRAMS: ReadonlyArray<[key: string, name: string, help: string, unit: number, bounds: readonly number[]]> = [
  ['connectToBindUs', 'threadline_connect_to_bind_seconds', 'time from connection to its first thread association', 1e-6, SECONDS_BUCKETS],
  ['queueWaitUs', 'threadline_queue_wait_seconds', 'time an event waited in the pending queue before it was flushed', 1e-6, SECONDS_BUCKETS],
  ['sendLatencyUs', 'threadline_send_latency_seconds', 'emission to socket send completion', 1e-6, SECONDS_BUCKETS],
  ['queueDepth', 'threadline_queue_depth', 'pending queue depth when an event was queued', 1, DEPTH_BUCKETS],
];

export function renderMetrics(metrics: ServerMetrics, stats: ServerStats): string {
  const lines: string[] = [];
  const m = metrics.snapshot ?? { counters: {}, dropsByReason: {}, histograms: {} };
  for (const [name, value] of Object.entries(m.counters)) {
    const metric = `threadline_${snake(name)}_total`;
    lines.push(`# HELP ${metric} router counter ${name} (see docs/router.md)`);
    lines.push(`# TYPE ${metric} counter`);
    lines.push(`${metric} ${value}`);
  }
  if (metrics.reported?.unreached !== undefined) gauge(lines, 'threadline_events_unreached', 'events written to no connection so far (emitted minus written); a queued event leaves it when flushed', metrics.reported.unreached);
  lines.push('# HELP threadline_drops_total events the router dropped, by reason');
  lines.push('# TYPE threadline_drops_total counter');
  for (const [reason, value] of Object.entries(m.dropsByReason)) lines.push(`threadline_drops_total{reason="${escapeLabel(reason)}"} ${value}`);
  for (const [key, name, help, unit, bounds] of HISTOGRAMS) {
    const data = m.histograms[key];
    if (data) histogram(lines, name, help, Histogram.fromJSON(data), unit, bounds);
  }
  gauge(lines, 'threadline_connections_open', 'WebSocket connections currently open', stats.connectionsOpen);
  counter(lines, 'threadline_upgrades_refused_total', 'upgrades refused with HTTP 401 (bad or missing token) or 503 (shutting down)', stats.upgradesRefused);
  counter(lines, 'threadline_oversize_closed_total', 'connections closed 1009 for a frame above --max-payload', stats.oversizeClosed);
  counter(lines, 'threadline_heartbeat_terminated_total', 'connections terminated for missing a pong', stats.heartbeatTerminated);
  counter(lines, 'threadline_reads_paused_total', 'times a connection above the rate limit had its reads paused until the window ended', stats.readsPaused);
  return `${lines.join('\n')}\n`;
}

function histogram(lines: string[], name: string, help: string, h: Histogram, unit: number, bounds: readonly number[]): void {
  lines.push(`# HELP ${name} ${help}`);
  lines.push(`# TYPE ${name} histogram`);
  const bins = h.bins();
  for (const le of bounds) {
    // Bins are [lower, upperExclusive): a bin counts below `le` when all of it is <= le.
    const limit = le / unit;
    let cumulative = 0;
    for (const [, upper, count] of bins) if (upper - 1 <= limit) cumulative += count;
    lines.push(`${name}_bucket{le="${le}"} ${cumulative}`);
  }
  lines.push(`${name}_bucket{le="+Inf"} ${h.count}`);
  lines.push(`${name}_sum ${fmt(h.sum * unit)}`);
  lines.push(`${name}_count ${h.count}`);
  const q = `${name}_quantile`;
  lines.push(`# HELP ${q} ${help}: quantiles of the full-resolution histogram`);
  lines.push(`# TYPE ${q} gauge`);
  for (const quantile of QUANTILES) {
    const v = h.quantile(quantile);
    lines.push(`${q}{quantile="${quantile}"} ${Number.isNaN(v) ? 'NaN' : fmt(v * unit)}`);
  }
}

function counter(lines: string[], name: string, help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
}

function gauge(lines: string[], name: string, help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, '');
}
