/**
 * The report's "queue depth and wait over time" charts: drawn from real guaranteed runs of
 * reconnect-mid-run (events queue while a tab is away; two drop faults), each with its table.
 */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.ts';
import { MAX_SERIES_CHARTS, formatMeanDepth, seriesRuns, timeWeightedMean, topPoints } from '../../src/report/queue-series.ts';
import { formatCount, formatMs } from '../../src/report/format.ts';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { summarise } from '../../src/run/aggregate.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { validateResultsDocument } from '../../src/cli/results-file.ts';
import { RESULTS_SCHEMA, type ResultsDocument, type RunResult } from '../../src/run/result.ts';
import { syntheticDocument } from './fixtures.ts';

async function runs(name: string, modes: string[], seeds: number[]): Promise<RunResult[]> {
  const { spec } = await loadScenarioFile(`scenarios/${name}.ts`);
  const out: RunResult[] = [];
  for (const mode of modes) for (const seed of seeds) out.push((await runScenario(spec, parseRouterSpec(mode), seed)).result);
  return out;
}

function docOf(list: RunResult[]): ResultsDocument {
  const summary = summarise(list, new Map());
  return { schema: RESULTS_SCHEMA, version: '0.1.0', verdict: 'pass', command: 'threadline run', wallMs: 0, runs: list, summary };
}

/** The block of one run, and the text of its stats cells by series and stat. */
function block(html: string, run: number): { html: string; stat: (series: string, stat: string) => string } {
  const b = new RegExp(`<div class="series-run" id="queue-series-${run}" data-run="${run}">[\\s\\S]*?</details>\\n</div>`).exec(html)?.[0] ?? '';
  expect(b, `series block of run ${run}`).not.toBe('');
  return {
    html: b,
    stat: (series, stat) => new RegExp(`<tr data-series="${series}">[\\s\\S]*?<td class="num" data-stat="${stat}">([^<]*)</td>`).exec(b)?.[1] ?? '(missing)',
  };
}

describe('queue series in the report', () => {
  it('charts the deepest guaranteed run: step line and scatter, fault windows shaded, numbers in a table', async () => {
    const list = await runs('reconnect-mid-run', ['legacy', 'guaranteed'], [1, 2]);
    const doc = docOf(list);
    const html = renderHtmlReport(doc);
    const charted = seriesRuns(doc, []);
    // Only guaranteed queues; its deepest run first (a tie: the earlier one), then the next.
    expect(charted).toEqual([
      { run: 2, why: 'deepest' },
      { run: 3, why: 'deep' },
    ]);
    expect(html).not.toContain('id="queue-series-0"');
    expect(html).not.toContain('id="queue-series-none"');

    const run = doc.runs[2]!;
    const depth = run.monitoring.series!.queueDepth;
    const waits = run.monitoring.series!.queueWaitUs;
    const b = block(html, 2);
    expect(b.html).toContain('deepest queue of guaranteed');
    expect(b.html.match(/<svg /g)).toHaveLength(2);
    expect(b.html).toMatch(/<path class="series-line" d="M[^"]+" fill="none" stroke="#009E73"/);
    expect(b.html.match(/<circle cx=/g)?.length).toBeGreaterThan(0);
    const max = Math.max(...depth.map((p) => p[1]));
    expect(b.html).toContain(`>max ${max}</text>`);
    // Both of the run's faults (drops before t1 comes back) fall in the window: shaded on both charts, and listed.
    expect(run.faults).toHaveLength(2);
    expect(b.html.match(/<rect class="fault-band"/g)).toHaveLength(2 * run.faults.length);
    for (const f of run.faults) expect(b.html).toContain(`${f.label} at ${formatMs(f.startUs / 1_000)} ms`);

    expect(b.stat('queueDepth', 'points')).toBe(formatCount(depth.length));
    expect(b.stat('queueDepth', 'min')).toBe('0');
    expect(b.stat('queueDepth', 'max')).toBe(formatCount(max));
    expect(b.stat('queueDepth', 'maxAt')).toBe(formatMs(depth.find((p) => p[1] === max)![0] / 1_000));
    expect(b.stat('queueDepth', 'mean')).toBe(formatMeanDepth(timeWeightedMean(depth)));
    const hist = run.monitoring.histograms['queueWaitUs']!;
    expect(b.stat('queueWaitUs', 'points')).toBe(formatCount(waits.length));
    expect(b.stat('queueWaitUs', 'mean')).toBe(formatMs(hist.sum / hist.count / 1_000));
    expect(b.stat('queueWaitUs', 'max')).toBe(formatMs(hist.max / 1_000));
    // The top points table: the largest depth first.
    const top = /<table class="series-top bins" data-series="queueDepth">[\s\S]*?<\/table>/.exec(b.html)![0];
    const rows = [...top.matchAll(/<tr><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(topPoints(depth).map(([t, v]) => [formatMs(t / 1_000), formatCount(v)]));
    expect(rows[0]![1]).toBe(formatCount(max));
  });

  it('says so in one line when no run queued anything, and when the results predate the series', async () => {
    const legacy = docOf(await runs('rapid-send', ['legacy', 'guaranteed'], [1]));
    expect(legacy.runs.every((r) => r.monitoring.series!.queueDepth.length === 0)).toBe(true);
    const html = renderHtmlReport(legacy);
    expect(html).toMatch(/<p class="muted" id="queue-series-none">No run queued anything/);
    expect(html).not.toContain('class="series-run"');

    const old = syntheticDocument({ seeds: 1 });
    for (const r of old.runs) delete r.monitoring.series;
    expect(renderHtmlReport(old)).toMatch(/id="queue-series-none">These results carry no queue time series/);
    // ... and such a file still loads; a damaged series does not.
    expect(() => validateResultsDocument(JSON.parse(JSON.stringify(old)), 'old.json')).not.toThrow();
    const bad = JSON.parse(JSON.stringify(old)) as ResultsDocument;
    (bad.runs[0]!.monitoring as unknown as { series: unknown }).series = { queueDepth: [[1, 'x']], queueWaitUs: [] };
    expect(() => validateResultsDocument(bad, 'bad.json')).toThrow(/bad\.json: runs\[0\]\.monitoring\.series\.queueDepth: expected an array of \[tUs, value\] pairs/);
  });

  it('caps the charts: the deepest run of each mode first, then runs with a timeline, then the next deepest', () => {
    const doc = syntheticDocument({ routers: ['legacy', 'guaranteed'], seeds: 10 });
    const deep = (i: number): number => Math.max(...doc.runs[i]!.monitoring.series!.queueDepth.map((p) => p[1]));
    const queued = doc.runs.map((r, i) => ({ r, i })).filter(({ r }) => r.monitoring.series!.queueDepth.length > 0).map(({ i }) => i);
    expect(queued.length).toBe(10); // only guaranteed queues
    const byDepth = [...queued].sort((a, b) => deep(b) - deep(a) || a - b);
    const legacyRun = doc.runs.findIndex((r) => r.router === 'legacy');
    const shallowest = byDepth.at(-1)!;
    // A legacy run with a timeline has nothing to chart; the shallowest guaranteed one with a timeline comes second.
    expect(seriesRuns(doc, [legacyRun, shallowest], 3)).toEqual([
      { run: byDepth[0], why: 'deepest' },
      { run: shallowest, why: 'timeline' },
      { run: byDepth[1], why: 'deep' },
    ]);
    const html = renderHtmlReport(doc);
    expect(html.match(/<div class="series-run"/g)).toHaveLength(MAX_SERIES_CHARTS);
    expect(html).toContain(`10 of ${doc.runs.length} runs queued events; charts for 8 (at most 8)`);
  });

  it('time-weighted mean and top points', () => {
    expect(timeWeightedMean([[0, 0], [10, 2], [20, 0]])).toBe(1);
    expect(timeWeightedMean([[5, 3], [5, 0]])).toBeNaN();
    expect(topPoints([[1, 2], [2, 5], [3, 5], [4, 1]], 2)).toEqual([[2, 5], [3, 5]]);
    expect([formatMeanDepth(5.8123), formatMeanDepth(0.003412), formatMeanDepth(0), formatMeanDepth(NaN)]).toEqual(['5.81', '0.0034', '0.00', '—']);
  });
});
