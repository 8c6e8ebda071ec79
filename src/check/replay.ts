/**
 * Replaying saved cases, and checking determinism.
 *
 * `loadCase` reads a scenario file (a counterexample or any scenario) with its optional
 * `meta` export; `replayCase` runs it once and judges it; `checkDeterminism` runs it twice
 * with the trace kept and reports where the traces first differ: the virtual time, and the
 * record on each side. Two runs of the same (scenario, router, seed) must be byte-identical;
 * a divergence means something the simulation reaches read real time, real randomness, or
 * state that outlived a run.
 *
 * Test hook: `onWorld` is handed to every run (runScenario's `options.onWorld`), so a test can
 * inject nondeterminism and check that it is reported at the right time.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatUs } from '../ports/clock.ts';
import { firstDivergence, type TraceRecord } from '../sim/trace.ts';
import type { RouterConfig } from '../sut/router/flags.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import type { RunOptions, RunOutput } from '../run/runner.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import type { CounterexampleMeta } from './counterexample.ts';
import { evaluateCase, type CaseOutcome } from './property.ts';

export interface LoadedCase {
  file: string;
  spec: ScenarioSpec;
  /** The file's `meta` export, when it has one (fields checked, unknown ones ignored). */
  meta: Partial<CounterexampleMeta>;
}

export async function loadCase(file: string): Promise<LoadedCase> {
  const loaded = await loadScenarioFile(file);
  const meta = file.endsWith('.json') ? {} : readMeta(await importMeta(resolve(file)));
  return { file: loaded.file, spec: loaded.spec, meta };
}

/**
 * The `meta` export of an already loaded script (the module cache answers). Like the scenario
 * loader, falls back to tsx's tsImport for a folder that is not an ES-module package; a script
 * without `meta` (or one that cannot be imported twice) simply has none.
 */
async function importMeta(abs: string): Promise<unknown> {
  const pick = (mod: { meta?: unknown; default?: { meta?: unknown } }): unknown => mod.meta ?? mod.default?.meta;
  try {
    return pick((await import(pathToFileURL(abs).href)) as { meta?: unknown });
  } catch {
    try {
      const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parent: string) => Promise<{ meta?: unknown }> };
      return pick(await tsImport(pathToFileURL(abs).href, import.meta.url));
    } catch {
      return undefined;
    }
  }
}

function readMeta(value: unknown): Partial<CounterexampleMeta> {
  if (typeof value !== 'object' || value === null) return {};
  const m = value as Record<string, unknown>;
  const out: Partial<CounterexampleMeta> = {};
  if (typeof m['router'] === 'string') out.router = m['router'];
  if (typeof m['seed'] === 'number' && Number.isInteger(m['seed']) && m['seed'] >= 0) out.seed = m['seed'];
  if (typeof m['traceHash'] === 'string') out.traceHash = m['traceHash'];
  if (typeof m['invariant'] === 'string') out.invariant = m['invariant'] as CounterexampleMeta['invariant'];
  return out;
}

export interface ReplayOptions {
  onWorld?: RunOptions['onWorld'];
}

export interface ReplayResult {
  outcome: CaseOutcome;
  run: RunOutput | null;
}

export async function replayCase(spec: ScenarioSpec, router: RouterConfig, seed: number, options: ReplayOptions = {}): Promise<ReplayResult> {
  return evaluateCase({ spec, seed }, router, options.onWorld ? { onWorld: options.onWorld } : {});
}

export interface TraceSide {
  t: number;
  kind: string;
  fields: TraceRecord['fields'];
}

export interface Divergence {
  /** Index of the first differing record. */
  index: number;
  /** Virtual time of the first difference, µs: the earlier of the two records (everything before is identical). */
  atUs: number;
  /** The record of run 1 and of run 2 at that index; null where a trace ended. */
  first: TraceSide | null;
  second: TraceSide | null;
}

export interface DeterminismReport {
  deterministic: boolean;
  hashes: [string | null, string | null];
  records: [number, number];
  divergence: Divergence | null;
  /** Outcome of the first run. */
  outcome: CaseOutcome;
  run: RunOutput | null;
  /** A run that did not complete (the traces cannot be compared). */
  error: string | null;
}

/** Run twice with the trace kept; report whether the traces are identical and where they first differ. */
export async function checkDeterminism(spec: ScenarioSpec, router: RouterConfig, seed: number, options: ReplayOptions = {}): Promise<DeterminismReport> {
  const opts = { keepTrace: true, ...(options.onWorld ? { onWorld: options.onWorld } : {}) };
  const a = await evaluateCase({ spec, seed }, router, opts);
  const b = await evaluateCase({ spec, seed }, router, opts);
  const hashes: [string | null, string | null] = [a.outcome.traceHash, b.outcome.traceHash];
  if (a.run === null || b.run === null) {
    const error = a.outcome.error ?? b.outcome.error ?? 'a run did not complete';
    const same = a.outcome.error === b.outcome.error;
    return { deterministic: same, hashes, records: [0, 0], divergence: null, outcome: a.outcome, run: a.run, error };
  }
  const ra = a.run.trace.records;
  const rb = b.run.trace.records;
  const records: [number, number] = [a.run.trace.size, b.run.trace.size];
  if (hashes[0] === hashes[1]) return { deterministic: true, hashes, records, divergence: null, outcome: a.outcome, run: a.run, error: null };
  const index = firstDivergence(ra, rb);
  const first = index >= 0 && index < ra.length ? side(ra[index]!) : null;
  const second = index >= 0 && index < rb.length ? side(rb[index]!) : null;
  const atUs = Math.min(first?.t ?? Infinity, second?.t ?? Infinity);
  return {
    deterministic: false,
    hashes,
    records,
    divergence: { index: Math.max(index, 0), atUs: Number.isFinite(atUs) ? atUs : 0, first, second },
    outcome: a.outcome,
    run: a.run,
    error: null,
  };
}

/** "net.deliver {"link":"L1","dir":"toClient","frame":3}" */
export function describeRecord(r: TraceSide | null): string {
  return r === null ? '(the trace ends here)' : `${r.kind} ${JSON.stringify(r.fields)} at ${formatUs(r.t)}`;
}

function side(r: TraceRecord): TraceSide {
  return { t: r.t, kind: r.kind, fields: r.fields };
}
