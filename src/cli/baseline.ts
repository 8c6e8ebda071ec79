/**
 * Baselines: a committed file of summary metrics per (scenario, router) that later runs are
 * compared with. A metric that got worse by more than its tolerance is a regression, reported
 * with the old and the new value, and fails the gate (exit 1).
 *
 * File (`--baseline <file>`, schema "threadline/baseline@1"), written by `--update-baseline`:
 *   { "schema": "threadline/baseline@1", "version", "createdAt", "command",
 *     "pairs": [ { "scenario", "router", "runs", "metrics": { "success_rate": 1, "lost": 0, ... } } ] }
 * Every metric is recorded; the ones with a tolerance are compared. Tolerances (defaults below,
 * overridden per metric by the config's `baseline.tolerances`) are an absolute allowance
 * (`0.005`), a relative one (`"10%"`), both (`{ "abs": 0.5, "pct": 10 }`: worse by more than
 * both), or null to stop comparing that metric. Counts are scaled by the ratio of runs when the
 * baseline was recorded with a different number of runs.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Histogram, type HistogramJSON } from '../stats/histogram.ts';
import type { Summary } from '../run/result.ts';
import type { BaselineComparison, BaselineDelta, BaselineUnit } from '../run/baseline-comparison.ts';
import { UsageError, describe, parseJsonFile } from './errors.ts';

export const BASELINE_SCHEMA = 'threadline/baseline@1';

type Better = 'higher' | 'lower';
interface MetricDef {
  better: Better;
  /** Counts scale with the number of runs; rates and latencies do not. */
  count: boolean;
  unit: BaselineUnit;
  get(s: Summary): number;
}

const q99ms = (h: HistogramJSON | undefined): number => {
  if (!h || h.count === 0) return NaN;
  return Math.round(Histogram.fromJSON(h).quantile(0.99)) / 1_000;
};

export const BASELINE_METRICS: Record<string, MetricDef> = {
  success_rate: { better: 'higher', count: false, unit: 'rate', get: (s) => s.successRate },
  success_rate_ci_low: { better: 'higher', count: false, unit: 'rate', get: (s) => (s.interactions.total === 0 ? NaN : s.successRateCi95[0]) },
  lost: { better: 'lower', count: true, unit: '', get: (s) => s.counts.lost },
  duplicated: { better: 'lower', count: true, unit: '', get: (s) => s.counts.duplicated },
  leaked: { better: 'lower', count: true, unit: '', get: (s) => s.counts.leaked },
  misrouted: { better: 'lower', count: true, unit: '', get: (s) => s.counts.misrouted },
  out_of_order: { better: 'lower', count: true, unit: '', get: (s) => s.counts.outOfOrder },
  late: { better: 'lower', count: true, unit: '', get: (s) => s.counts.late },
  dropped_explicit: { better: 'lower', count: true, unit: '', get: (s) => s.counts.droppedExplicit },
  requests_lost: { better: 'lower', count: true, unit: '', get: (s) => s.counts.requestsLost ?? NaN },
  runs_duplicated: { better: 'lower', count: true, unit: '', get: (s) => s.counts.runsDuplicated ?? NaN },
  routing_misses: { better: 'lower', count: true, unit: '', get: (s) => s.routingMisses ?? s.routingFailures ?? NaN },
  events_unreached: { better: 'lower', count: true, unit: '', get: (s) => s.eventsUnreached ?? NaN },
  sent_before_ready: { better: 'lower', count: true, unit: '', get: (s) => s.sentBeforeReady },
  latency_p50_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => s.latencyMs.p50 },
  latency_p90_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => s.latencyMs.p90 },
  latency_p99_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => s.latencyMs.p99 },
  latency_p999_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => s.latencyMs.p999 },
  latency_max_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => s.latencyMs.max },
  connect_to_bind_p99_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => q99ms(s.connectToBindUs) },
  queue_wait_p99_ms: { better: 'lower', count: false, unit: 'ms', get: (s) => q99ms(s.queueWaitUs) },
};

export interface Tolerance {
  /** Allowed worsening in the metric's unit. */
  abs?: number;
  /** Allowed worsening as a fraction of the old value (0.1 = 10%). */
  rel?: number;
}

/** Compared by default; latencies must be worse by more than 10% and by more than 0.5 ms. */
export const DEFAULT_TOLERANCES: Record<string, Tolerance | null> = {
  success_rate: { abs: 0.005 },
  lost: { abs: 0 },
  duplicated: { abs: 0 },
  leaked: { abs: 0 },
  misrouted: { abs: 0 },
  out_of_order: { abs: 0 },
  late: { abs: 0 },
  requests_lost: { abs: 0 },
  runs_duplicated: { abs: 0 },
  latency_p50_ms: { rel: 0.1, abs: 0.5 },
  latency_p90_ms: { rel: 0.1, abs: 0.5 },
  latency_p99_ms: { rel: 0.1, abs: 0.5 },
  connect_to_bind_p99_ms: { rel: 0.1, abs: 0.5 },
};

/** Parse one configured tolerance; `where` names the config field for errors. */
export function parseTolerance(value: unknown, where: string): Tolerance | null {
  if (value === null || value === false) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { abs: value };
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    if (m) return { rel: Number(m[1]) / 100 };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    const bad = keys.find((k) => k !== 'abs' && k !== 'pct');
    const ok = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    if (!bad && keys.length > 0 && ok(o['abs']) && ok(o['pct'])) {
      return { ...(o['abs'] !== undefined ? { abs: o['abs'] as number } : {}), ...(o['pct'] !== undefined ? { rel: (o['pct'] as number) / 100 } : {}) };
    }
  }
  throw new UsageError(`${where}: expected a number (absolute), "N%" (relative), { "abs": A, "pct": P } or null, got ${describe(value)}`);
}

export function toleranceText(t: Tolerance, unit: MetricDef['unit']): string {
  const parts: string[] = [];
  if (t.rel !== undefined) parts.push(`${+(t.rel * 100).toFixed(3)}%`);
  if (t.abs !== undefined) parts.push(unit === 'rate' ? `${+(t.abs * 100).toFixed(3)} points` : `${t.abs}${unit === 'ms' ? ' ms' : ''}`);
  return parts.join(' and ') || '0';
}

export interface BaselinePair {
  scenario: string;
  router: string;
  runs: number;
  metrics: Record<string, number | null>;
}

export interface BaselineFile {
  schema: typeof BASELINE_SCHEMA;
  version: string;
  createdAt: string;
  command: string;
  pairs: BaselinePair[];
}

// The comparison's data types live with the results document (the report reads them too).
export type { BaselineComparison, BaselineDelta, BaselineUnit };

export function pairKey(scenario: string, router: string): string {
  return `${scenario} × ${router}`;
}

export function readBaseline(file: string): BaselineFile {
  if (!existsSync(file)) throw new UsageError(`baseline ${file} does not exist; create it with --update-baseline, or fix the path`);
  const value = parseJsonFile(readFileSync(file, 'utf8'), file, 'the baseline');
  const fail = (field: string, expected: string): never => {
    throw new UsageError(`${file}: ${field}: ${expected} (a malformed baseline: fix it, or rewrite it with --update-baseline)`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(top level)', 'expected a JSON object');
  const o = value as Record<string, unknown>;
  if (o['schema'] !== BASELINE_SCHEMA) fail('schema', `expected "${BASELINE_SCHEMA}", got ${describe(o['schema'])}`);
  if (!Array.isArray(o['pairs'])) fail('pairs', 'expected an array of { scenario, router, runs, metrics }');
  (o['pairs'] as unknown[]).forEach((p, i) => {
    const where = `pairs[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(where, 'expected { scenario, router, runs, metrics }');
    const po = p as Record<string, unknown>;
    if (typeof po['scenario'] !== 'string') fail(`${where}.scenario`, `expected a string, got ${describe(po['scenario'])}`);
    if (typeof po['router'] !== 'string') fail(`${where}.router`, `expected a string, got ${describe(po['router'])}`);
    if (typeof po['runs'] !== 'number' || !(po['runs'] >= 1)) fail(`${where}.runs`, `expected a number of runs >= 1, got ${describe(po['runs'])}`);
    const m = po['metrics'];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(`${where}.metrics`, 'expected an object of metric values');
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'number') fail(`${where}.metrics.${k}`, `expected a number or null, got ${describe(v)}`);
    }
  });
  return value as BaselineFile;
}

export function metricsOf(s: Summary): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, def] of Object.entries(BASELINE_METRICS)) {
    const v = def.get(s);
    out[name] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return out;
}

export function compareWithBaseline(file: string, baseline: BaselineFile, summaries: readonly Summary[], tolerances: Record<string, Tolerance | null>): BaselineComparison {
  const byKey = new Map(baseline.pairs.map((p) => [pairKey(p.scenario, p.router), p]));
  const result: BaselineComparison = { file, regressions: [], improvements: [], unchanged: [], newPairs: [], runsDiffer: [] };
  for (const s of summaries) {
    const key = pairKey(s.scenario, s.router);
    const old = byKey.get(key);
    if (!old) {
      result.newPairs.push(key);
      continue;
    }
    const scale = old.runs === s.runs ? 1 : s.runs / old.runs;
    if (scale !== 1) result.runsDiffer.push(`${key} (baseline ${old.runs} runs, now ${s.runs})`);
    const now = metricsOf(s);
    for (const [metric, tol] of Object.entries(tolerances)) {
      const def = BASELINE_METRICS[metric];
      if (!tol || !def) continue;
      const o = old.metrics[metric];
      const n = now[metric];
      if (o === null || o === undefined || n === null || n === undefined) continue;
      const oldCmp = def.count ? o * scale : o;
      const worse = def.better === 'lower' ? n - oldCmp : oldCmp - n;
      const delta: BaselineDelta = {
        scenario: s.scenario,
        router: s.router,
        metric,
        old: o,
        new: n,
        ...(def.count && scale !== 1 ? { oldScaled: oldCmp } : {}),
        tolerance: toleranceText(tol, def.unit),
        unit: def.unit,
      };
      const eps = 1e-9;
      const beyondAbs = tol.abs === undefined || worse > tol.abs + eps;
      const beyondRel = tol.rel === undefined || worse > tol.rel * Math.abs(oldCmp) + eps;
      if (worse > eps && beyondAbs && beyondRel) result.regressions.push(delta);
      else if (worse < -eps && (tol.abs === undefined || -worse > tol.abs) && (tol.rel === undefined || -worse > tol.rel * Math.abs(oldCmp))) result.improvements.push(delta);
      else result.unchanged!.push(delta);
    }
  }
  return result;
}

/** Baseline from summaries; pairs of `previous` that this run did not measure are kept. */
export function buildBaseline(summaries: readonly Summary[], meta: { version: string; command: string }, previous: BaselineFile | null): BaselineFile {
  const pairs = new Map<string, BaselinePair>();
  for (const p of previous?.pairs ?? []) pairs.set(pairKey(p.scenario, p.router), p);
  for (const s of summaries) pairs.set(pairKey(s.scenario, s.router), { scenario: s.scenario, router: s.router, runs: s.runs, metrics: metricsOf(s) });
  const sorted = [...pairs.values()].sort((a, b) => (a.scenario === b.scenario ? (a.router < b.router ? -1 : a.router > b.router ? 1 : 0) : a.scenario < b.scenario ? -1 : 1));
  return { schema: BASELINE_SCHEMA, version: meta.version, createdAt: new Date().toISOString(), command: meta.command, pairs: sorted };
}

export function writeBaseline(file: string, baseline: BaselineFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(baseline, null, 2)}\n`);
  renameSync(tmp, file);
}

export function formatMetricValue(v: number, unit: MetricDef['unit']): string {
  if (unit === 'rate') return `${+(v * 100).toFixed(2)}%`;
  if (unit === 'ms') return `${+v.toFixed(3)} ms`;
  return String(+v.toFixed(3));
}

/** "rapid-send × guaranteed latency_p99_ms: 3 ms → 4.972 ms (+1.972 ms, +65.7%; tolerance 10% and 0.5 ms)" */
export function describeDelta(d: BaselineDelta): string {
  const f = (v: number): string => formatMetricValue(v, d.unit);
  const ref = d.oldScaled ?? d.old;
  const diff = d.new - ref;
  const sign = diff >= 0 ? '+' : '-';
  const abs = Math.abs(diff);
  const change = d.unit === 'rate' ? `${sign}${+(abs * 100).toFixed(2)} points` : d.unit === 'ms' ? `${sign}${+abs.toFixed(3)} ms` : `${sign}${+abs.toFixed(3)}`;
  const pct = ref !== 0 && d.unit !== 'rate' ? `, ${sign}${+((abs / Math.abs(ref)) * 100).toFixed(1)}%` : '';
  const scaled = d.oldScaled !== undefined ? ` (${f(d.oldScaled)} scaled to this run's number of runs)` : '';
  return `${pairKey(d.scenario, d.router)} ${d.metric}: ${f(d.old)}${scaled} → ${f(d.new)} (${change}${pct}; tolerance ${d.tolerance})`;
}
