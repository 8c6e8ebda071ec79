/**
 * Scale benchmark: the chat-million scenario (scenarios/scale/chat-million.ts) under the
 * guaranteed router, simulated and judged, at a tenth of its users (~100,000 agent events) and
 * in full (10,000 users, ~1,000,000 events). Each size runs in a fresh child process, so its
 * peak RSS is its own (`process.resourceUsage().maxRSS`, the whole process: heap, code and all).
 *
 *  - scale_100k_events_wall_s / scale_1m_events_wall_s: the run (simulate + judge), wall time;
 *  - scale_*_events_per_s: produced agent events per second of that wall time, and their ratio
 *    (cost growth: 1.0 is linear; below 1, the big run costs more per event);
 *  - scale_1m_events_peak_rss_mb;
 *  - scale_1m_report_size_kb and scale_1m_report_load_ms: the HTML report of the full run, and
 *    the time Chromium takes to load and render it (until the page's load event).
 *
 * Real time is read here only: the bench measures the simulation from outside.
 * Run alone with `npx tsx bench/scale.ts` (about 4 minutes on the 2-core development machine).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { BenchResult } from './network.ts';
import { childJob, runInChild } from './child.ts';

const SCENARIO = fileURLToPath(new URL('../scenarios/scale/chat-million.ts', import.meta.url));
const JOB_ENV = 'THREADLINE_BENCH_SCALE_JOB';

interface Job {
  users: number;
  /** Write the results document here (for the report figures). */
  resultsFile?: string;
}
interface Measured {
  produced: number;
  verdict: string;
  wallS: number;
  peakRssMb: number;
}

/** One run of chat-million with `users` users, in this process. */
async function measure(job: Job): Promise<Measured> {
  const { loadScenarioFile } = await import('../src/scenario/load-file.ts');
  const { runScenario } = await import('../src/run/runner.ts');
  const { parseRouterSpec } = await import('../src/sut/router/flags.ts');
  const { spec } = await loadScenarioFile(SCENARIO);
  const sized = { ...spec, load: { ...spec.load!, users: job.users } };
  const t0 = performance.now();
  const { result } = await runScenario(sized, parseRouterSpec('guaranteed'), 1);
  const wallS = (performance.now() - t0) / 1_000;
  if (job.resultsFile) {
    const { summarise, overallVerdict } = await import('../src/run/aggregate.ts');
    const { RESULTS_SCHEMA } = await import('../src/run/result.ts');
    const summary = summarise([result], new Map([[spec.name, spec.thresholds ?? []]]));
    writeFileSync(job.resultsFile, JSON.stringify({ schema: RESULTS_SCHEMA, version: 'bench', verdict: overallVerdict(summary), command: 'threadline run chat-million --router guaranteed', startedAt: new Date(0).toISOString(), wallMs: 0, runs: [result], summary }));
  }
  return { produced: result.counts.produced, verdict: result.verdict, wallS, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function inChild(job: Job): Promise<Measured> {
  return runInChild<Measured>(import.meta.url, JOB_ENV, job, `chat-million with ${job.users} users`);
}

const job = childJob<Job>(JOB_ENV);
if (job) {
  process.send!(await measure(job));
  process.disconnect();
}

/** Time for Chromium to load the report file and fire its load event, ms (median of 3). */
async function reportLoadMs(htmlFile: string): Promise<number> {
  const { launchChromium } = await import('../test/support/chromium.ts');
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
      times.push(performance.now() - t0);
      await page.close();
    }
    return times.sort((a, b) => a - b)[1]!;
  } finally {
    await browser.close();
  }
}

export async function benchScale(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-scale-'));
  try {
    const small = await inChild({ users: 1_000 });
    const resultsFile = join(dir, 'results.json');
    const big = await inChild({ users: 10_000, resultsFile });
    const { renderHtmlReport } = await import('../src/report/html.ts');
    const html = renderHtmlReport(JSON.parse(readFileSync(resultsFile, 'utf8')));
    const htmlFile = join(dir, 'index.html');
    writeFileSync(htmlFile, html);
    const smallRate = small.produced / small.wallS;
    const bigRate = big.produced / big.wallS;
    if (big.verdict !== 'pass') throw new Error(`bench: chat-million under guaranteed did not pass (${big.verdict})`);
    return [
      { name: 'scale_100k_events_produced', value: small.produced, unit: 'events' },
      { name: 'scale_100k_events_wall_s', value: round1(small.wallS), unit: 's' },
      { name: 'scale_100k_events_per_s', value: Math.round(smallRate), unit: 'events/s' },
      { name: 'scale_1m_events_produced', value: big.produced, unit: 'events' },
      { name: 'scale_1m_events_wall_s', value: round1(big.wallS), unit: 's' },
      { name: 'scale_1m_events_per_s', value: Math.round(bigRate), unit: 'events/s' },
      { name: 'scale_cost_growth_1m_vs_100k_x', value: Math.round((bigRate / smallRate) * 100) / 100, unit: '×' },
      { name: 'scale_100k_events_peak_rss_mb', value: Math.round(small.peakRssMb), unit: 'MB' },
      { name: 'scale_1m_events_peak_rss_mb', value: Math.round(big.peakRssMb), unit: 'MB' },
      { name: 'scale_1m_report_size_kb', value: Math.round(statSync(htmlFile).size / 1024), unit: 'KB' },
      { name: 'scale_1m_report_load_ms', value: Math.round(await reportLoadMs(htmlFile)), unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

if (!process.env[JOB_ENV] && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchScale()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
