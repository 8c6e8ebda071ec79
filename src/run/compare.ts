/**
 * Fidelity as a measured figure: the same scenario, router and seeds on the simulated
 * transport and on real `ws` sockets, side by side — verdict per seed, success rate with its
 * 95% interval, delivery-latency percentiles, lost/duplicated/leaked, wall time.
 *
 * Both transports carry the scenario's link: the simulated pipe draws each frame's latency +
 * jitter from the link profile, and the ws run puts the same profile on its loopback sockets
 * through the chaos proxy, timed by the same rule (src/sim/frame-timing.ts) on the run's scaled
 * clock. What the real side adds on top is the loopback hops themselves (two through the
 * proxy) and event-loop delays, in real time, divided by the time scale in virtual time.
 *
 * The comparison is judged (`judgeFidelity`): it fails when some seed reached a different
 * verdict, or when the p50 or p99 delivery latency on ws differs from the simulated figure by
 * more than `latencyTolerance` (default 0.2 = 20%) of the simulated figure.
 */
import { performance } from 'node:perf_hooks';
import { runScenario } from './runner.ts';
import { summariseGroup } from './aggregate.ts';
import type { RunResult, Summary } from './result.ts';
import type { Verdict } from '../oracle/verdict.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import type { RouterConfig } from '../sut/router/flags.ts';
import { runScenarioWs, type WsRunOptions } from './ws-runner.ts';

/**
 * compare runs its ws side with time stretched four-fold (virtual µs = real µs / 4). One event
 * loop runs the server, the chaos proxy and every tab; a millisecond it spends on one of them
 * holds up a frame of another, which the simulation (no CPU time) never sees. Stretched, such a
 * stall counts a quarter as much in scenario time, while every modelled delay (link latency,
 * jitter, bandwidth, look-up times) is still reproduced on the scaled clock. Measured over every
 * shipped short scenario × 4 modes × 3 seeds: 63 of 72 pairs within ±20% at 1 (the misses:
 * p99 +23% to +104%, single frames behind a stall), 72 of 72 at 4 (docs/real-sockets.md).
 * At 0.25 the same stall would be multiplied by 4 instead. Idle time is still skipped, so only
 * busy time costs wall time; `--time-scale 1` trades the margin for speed.
 */
export const COMPARE_TIME_SCALE = 4;
/** At real time a long day needs more wall time than one `run --transport ws` allows. */
const COMPARE_WALL_TIMEOUT_MS = 600_000;

export interface SideFigures {
  transport: 'sim' | 'ws';
  verdict: Summary['verdict'];
  verdicts: Record<Verdict, number>;
  successRate: number;
  successRateCi95: [number, number];
  interactions: { total: number; succeeded: number };
  latencyMs: Summary['latencyMs'];
  lost: number;
  duplicated: number;
  leaked: number;
  owed: number;
  delivered: number;
  wallMs: number;
}

/** Relative tolerance of the latency check when none is given: 20% of the simulated figure. */
export const DEFAULT_LATENCY_TOLERANCE = 0.2;

/** One latency figure on both sides, judged against the tolerance. */
export interface LatencyCheck {
  figure: 'p50' | 'p99';
  simMs: number;
  wsMs: number;
  /** (ws − sim) / sim; NaN when a side has no figure (nothing delivered). */
  relative: number;
  ok: boolean;
}

export interface Fidelity {
  /** The relative latency tolerance applied. */
  latencyTolerance: number;
  verdictsAgree: boolean;
  latency: LatencyCheck[];
  ok: boolean;
  /** One line per disagreement, naming scenario, mode and the figure. */
  problems: string[];
}

export interface Comparison {
  scenario: string;
  router: string;
  seeds: number[];
  timeScale: number;
  skipIdle: NonNullable<WsRunOptions['skipIdle']>;
  sim: SideFigures;
  ws: SideFigures;
  perSeed: Array<{ seed: number; sim: string; ws: string; simLost: number; wsLost: number; agree: boolean }>;
  agreement: { seeds: number; agreeing: number; rate: number };
  delta: { successRatePp: number; p50Ms: number; p90Ms: number; p99Ms: number };
  fidelity: Fidelity;
  unsupported: string[];
  simRuns: RunResult[];
  wsRuns: RunResult[];
}

export async function compareSimAndReal(
  spec: ScenarioSpec,
  config: RouterConfig,
  seeds: readonly number[],
  options: WsRunOptions & { latencyTolerance?: number; onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<Comparison> {
  const simRuns: RunResult[] = [];
  const wsRuns: RunResult[] = [];
  const unsupported = new Set<string>();
  // real-time: compare measures the wall time of each transport, outside the simulation.
  let simWall = 0;
  let wsWall = 0;
  const { latencyTolerance: _tolerance, onProgress: _progress, ...wsOptions } = options;
  let i = 0;
  for (const seed of seeds) {
    options.onProgress?.(i++, seeds.length * 2, `${spec.name} × ${config.name} seed ${seed} (sim)`);
    let t = performance.now();
    simRuns.push((await runScenario(spec, config, seed)).result);
    simWall += performance.now() - t;
    options.onProgress?.(i++, seeds.length * 2, `${spec.name} × ${config.name} seed ${seed} (ws)`);
    t = performance.now();
    const ws = await runScenarioWs(spec, config, seed, { timeScale: COMPARE_TIME_SCALE, wallTimeoutMs: COMPARE_WALL_TIMEOUT_MS, ...wsOptions });
    wsWall += performance.now() - t;
    wsRuns.push(ws.result);
    for (const u of ws.unsupported) unsupported.add(u);
  }
  const thresholds = spec.thresholds ?? [];
  const sim = figures('sim', summariseGroup(simRuns, thresholds), simRuns, simWall);
  const ws = figures('ws', summariseGroup(wsRuns, thresholds), wsRuns, wsWall);
  const perSeed = seeds.map((seed, k) => ({
    seed,
    sim: simRuns[k]!.verdict,
    ws: wsRuns[k]!.verdict,
    simLost: simRuns[k]!.counts.lost,
    wsLost: wsRuns[k]!.counts.lost,
    agree: simRuns[k]!.verdict === wsRuns[k]!.verdict,
  }));
  const agreeing = perSeed.filter((p) => p.agree).length;
  const d = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.round((b - a) * 1_000) / 1_000);
  return {
    scenario: spec.name,
    router: config.name,
    seeds: [...seeds],
    timeScale: options.timeScale ?? COMPARE_TIME_SCALE,
    skipIdle: options.skipIdle ?? 'always',
    sim,
    ws,
    perSeed,
    agreement: { seeds: seeds.length, agreeing, rate: seeds.length === 0 ? NaN : agreeing / seeds.length },
    delta: {
      successRatePp: d(sim.successRate * 100, ws.successRate * 100),
      p50Ms: d(sim.latencyMs.p50, ws.latencyMs.p50),
      p90Ms: d(sim.latencyMs.p90, ws.latencyMs.p90),
      p99Ms: d(sim.latencyMs.p99, ws.latencyMs.p99),
    },
    fidelity: judgeFidelity({ scenario: spec.name, router: config.name, sim, ws, perSeed, latencyTolerance: options.latencyTolerance ?? DEFAULT_LATENCY_TOLERANCE }),
    unsupported: [...unsupported],
    simRuns,
    wsRuns,
  };
}

/**
 * The fidelity rule: every seed reaches the same verdict on both transports, and the p50 and
 * p99 delivery latency on ws are each within `latencyTolerance` × the simulated figure of it
 * (|ws − sim| <= tolerance × sim). A figure missing on both sides (nothing delivered) passes; a
 * figure missing on one side fails; a simulated figure of 0 passes only an exact 0.
 */
export function judgeFidelity(input: {
  scenario: string;
  router: string;
  sim: Pick<SideFigures, 'latencyMs'>;
  ws: Pick<SideFigures, 'latencyMs'>;
  perSeed: ReadonlyArray<Pick<Comparison['perSeed'][number], 'seed' | 'sim' | 'ws' | 'agree'>>;
  latencyTolerance?: number;
}): Fidelity {
  const tolerance = input.latencyTolerance ?? DEFAULT_LATENCY_TOLERANCE;
  if (!(tolerance >= 0)) throw new RangeError(`latency tolerance must be a number >= 0, got ${String(tolerance)}`);
  const pair = `${input.scenario} × ${input.router}`;
  const problems: string[] = [];
  const differing = input.perSeed.filter((p) => !p.agree);
  if (differing.length > 0) {
    const which = differing.slice(0, 5).map((p) => `seed ${p.seed}: sim ${p.sim}, ws ${p.ws}`).join('; ');
    problems.push(`${pair}: verdicts differ on ${differing.length}/${input.perSeed.length} seed(s) (${which}${differing.length > 5 ? '; …' : ''})`);
  }
  const latency: LatencyCheck[] = (['p50', 'p99'] as const).map((figure) => {
    const simMs = input.sim.latencyMs[figure];
    const wsMs = input.ws.latencyMs[figure];
    const simMissing = !Number.isFinite(simMs);
    const wsMissing = !Number.isFinite(wsMs);
    let relative: number;
    let ok: boolean;
    if (simMissing || wsMissing) {
      relative = NaN;
      ok = simMissing && wsMissing;
    } else if (simMs === 0) {
      relative = wsMs === 0 ? 0 : Infinity;
      ok = wsMs === 0;
    } else {
      relative = (wsMs - simMs) / simMs;
      ok = Math.abs(wsMs - simMs) <= tolerance * simMs * (1 + 1e-12);
    }
    if (!ok) {
      const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : 'n/a (nothing delivered)');
      const rel = Number.isFinite(relative) ? `${relative >= 0 ? '+' : ''}${(relative * 100).toFixed(1)}%` : Number.isNaN(relative) ? 'one side has no figure' : 'sim is 0';
      problems.push(`${pair}: ${figure} delivery latency differs beyond ±${formatTolerance(tolerance)}: sim ${ms(simMs)}, ws ${ms(wsMs)} (${rel})`);
    }
    return { figure, simMs, wsMs, relative, ok };
  });
  return { latencyTolerance: tolerance, verdictsAgree: differing.length === 0, latency, ok: problems.length === 0, problems };
}

/** A relative tolerance as a percentage, e.g. 0.2 → "20%". */
export function formatTolerance(t: number): string {
  return Number.isFinite(t) ? `${+(t * 100).toFixed(2)}%` : '∞';
}

function figures(transport: 'sim' | 'ws', s: Summary, runs: RunResult[], wallMs: number): SideFigures {
  const verdicts = { pass: 0, fail: 0, unknown: 0 };
  for (const r of runs) verdicts[r.verdict]++;
  return {
    transport,
    verdict: s.verdict,
    verdicts,
    successRate: s.successRate,
    successRateCi95: s.successRateCi95,
    interactions: s.interactions,
    latencyMs: s.latencyMs,
    lost: s.counts.lost,
    duplicated: s.counts.duplicated,
    leaked: s.counts.leaked,
    owed: s.counts.owed,
    delivered: s.counts.delivered,
    wallMs: Math.round(wallMs),
  };
}

/** The comparison as a text table (the CLI's human output). */
export function formatComparison(c: Comparison): string[] {
  const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const ms = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(2)} ms`);
  const v = (f: SideFigures): string => Object.entries(f.verdicts).filter(([, n]) => n > 0).map(([k, n]) => `${k}×${n}`).join(' ');
  const row = (f: SideFigures): string =>
    `  ${f.transport.padEnd(4)} ${v(f).padEnd(16)} ${pct(f.successRate).padStart(6)} (${pct(f.successRateCi95[0])}–${pct(f.successRateCi95[1])})`.padEnd(48) +
    ` ${ms(f.latencyMs.p50).padStart(10)} ${ms(f.latencyMs.p90).padStart(10)} ${ms(f.latencyMs.p99).padStart(10)}  ${String(f.lost).padStart(4)} ${String(f.duplicated).padStart(4)} ${String(f.leaked).padStart(4)}  ${String(f.wallMs).padStart(6)} ms`;
  const lines = [
    `${c.scenario} × ${c.router}, seeds ${c.seeds[0]}..${c.seeds[c.seeds.length - 1]} (${c.seeds.length}), ws time scale ${c.timeScale}, skip idle: ${c.skipIdle}`,
    `       verdicts         success (95% CI)                 p50        p90        p99  lost  dup leak    wall`,
    row(c.sim),
    row(c.ws),
    `  agreement: ${c.agreement.agreeing}/${c.agreement.seeds} seeds same verdict; Δ success ${Number.isNaN(c.delta.successRatePp) ? 'n/a' : `${c.delta.successRatePp >= 0 ? '+' : ''}${c.delta.successRatePp.toFixed(1)} pp`}; Δ p50 ${signed(c.delta.p50Ms)}, Δ p99 ${signed(c.delta.p99Ms)} (ws − sim)`,
  ];
  const rel = (l: LatencyCheck): string => (Number.isFinite(l.relative) ? `${l.relative >= 0 ? '+' : ''}${(l.relative * 100).toFixed(1)}%` : 'n/a');
  lines.push(`  fidelity (tolerance ±${formatTolerance(c.fidelity.latencyTolerance)} of sim): ${c.fidelity.latency.map((l) => `${l.figure} ${rel(l)} ${l.ok ? 'ok' : 'OUT'}`).join(', ')}; verdicts ${c.fidelity.verdictsAgree ? 'agree' : 'DIFFER'}`);
  for (const p of c.perSeed.filter((x) => !x.agree)) lines.push(`  seed ${p.seed}: sim ${p.sim} (lost ${p.simLost}), ws ${p.ws} (lost ${p.wsLost})`);
  for (const u of c.unsupported) lines.push(`  not run on ws: ${u}`);
  return lines;
}

function signed(x: number): string {
  return Number.isNaN(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(2)} ms`;
}
