/**
 * `npm run bench`: speed and memory figures, one line each, `name: value unit`.
 * Targets (2-core machine) are in TARGETS; a figure without one is context (e.g. the peer's
 * rate next to ours). Figures are measured side by side in one bench run; the machine is shared
 * and noisy, so compare ratios within a run rather than absolute numbers across runs.
 */
import { existsSync } from 'node:fs';
import { benchKernel } from './kernel.ts';
import { benchNetwork, type BenchResult } from './network.ts';

const TARGETS: Record<string, number> = {
  kernel_events_per_s: 1_000_000,
  kernel_vs_fake_timers_shared_x: 10,
  kernel_vs_fake_timers_distinct_x: 3,
  network_frames_per_s: 300_000,
  fuzz_runs_per_s: 500,
  fuzz_2_workers_vs_1_x: 1.8,
  // Lower is better for these: see LOWER_IS_BETTER.
  scale_1m_events_wall_s: 10,
  scale_1m_events_peak_rss_mb: 1_000,
  scale_1m_report_size_kb: 5_000,
  scale_1m_report_load_ms: 2_000,
  scale_cost_growth_1m_vs_100k_x: 0.85,
  own_server_cost_x: 2,
};

/** Figures whose target is a ceiling, not a floor. */
const LOWER_IS_BETTER = new Set(['own_server_cost_x', 'scale_1m_events_wall_s', 'scale_1m_events_peak_rss_mb', 'scale_1m_report_size_kb', 'scale_1m_report_load_ms']);

async function optional(path: string, fn: string): Promise<BenchResult[]> {
  if (!existsSync(new URL(path, import.meta.url))) return [];
  const mod = (await import(path)) as Record<string, () => Promise<BenchResult[]>>;
  return mod[fn] ? mod[fn]() : [];
}

const results: BenchResult[] = [];
for (const run of [benchKernel, benchNetwork, () => optional('./fuzz.ts', 'benchFuzz'), () => optional('./report.ts', 'benchReport'), () => optional('./own-server.ts', 'benchOwnServer'), () => optional('./scale.ts', 'benchScale')]) {
  for (const r of await run()) {
    results.push(r);
    const target = TARGETS[r.name];
    const met = target !== undefined && (LOWER_IS_BETTER.has(r.name) ? r.value <= target : r.value >= target);
    const bound = LOWER_IS_BETTER.has(r.name) ? '≤' : '≥';
    const mark = target === undefined ? '' : `  (target ${bound} ${target.toLocaleString('en')}: ${met ? 'met' : 'MISSED'})`;
    console.log(`${r.name}: ${r.value} ${r.unit}${mark}`);
  }
}
const rss = process.memoryUsage().rss;
console.log(`bench_peak_rss_mb: ${Math.round(rss / 1_048_576)} MB`);
