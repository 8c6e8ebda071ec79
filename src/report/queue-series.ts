/**
 * "Queue depth and wait over time": per-run charts of the pending queue's bounded series
 * (RunResult.monitoring.series) with the run's fault windows shaded, each with its numbers in
 * a table so the section reads without the pictures.
 *
 * Only some runs get charts (at most MAX_SERIES_CHARTS): the deepest queue of each mode first,
 * since that is where a queue problem would show, then runs whose timeline the report embeds.
 * Hooks: div.series-run[data-run] > svg.chart-svg[data-series], table.series-stats
 * tr[data-series] td[data-stat], table.series-top[data-series].
 */
import type { ResultsDocument, RunResult } from '../run/result.ts';
import { sortRouters, timeSeriesChart, type FaultBand } from './charts.ts';
import { escapeHtml as h, formatCount, formatDuration, formatMs } from './format.ts';
import { durationTickLabels } from './ticks.ts';

export const MAX_SERIES_CHARTS = 8;
const TOP_POINTS = 10;
const MAX_FAULTS_LISTED = 10;

type Points = Array<[number, number]>;

const depthPoints = (r: RunResult): Points => r.monitoring?.series?.queueDepth ?? [];
const waitPoints = (r: RunResult): Points => r.monitoring?.series?.queueWaitUs ?? [];
const maxOf = (points: Points): number => points.reduce((m, p) => Math.max(m, p[1]), -Infinity);

export interface SeriesStats {
  points: number;
  min: number;
  max: number;
  /** First time the maximum was reached, µs. */
  maxAtUs: number;
}

export function seriesStats(points: Points): SeriesStats {
  let min = Infinity;
  let max = -Infinity;
  let maxAtUs = NaN;
  for (const [t, v] of points) {
    if (v < min) min = v;
    if (v > max) {
      max = v;
      maxAtUs = t;
    }
  }
  return { points: points.length, min, max, maxAtUs };
}

/**
 * Mean depth weighted by how long each level was held, from the first change to the last
 * (a plain mean over points would over-count bursts). NaN when all changes share one instant.
 */
export function timeWeightedMean(points: Points): number {
  if (points.length === 0) return NaN;
  const span = points[points.length - 1]![0] - points[0]![0];
  if (span <= 0) return NaN;
  let area = 0;
  for (let i = 0; i + 1 < points.length; i++) area += points[i]![1] * (points[i + 1]![0] - points[i]![0]);
  return area / span;
}

/** The largest values, largest first (earlier first on a tie). */
export function topPoints(points: Points, n = TOP_POINTS): Points {
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p[1] - a.p[1] || a.i - b.i)
    .slice(0, n)
    .map(({ p }) => p);
}

export interface ChartedRun {
  run: number;
  why: 'deepest' | 'timeline' | 'deep';
}

/**
 * Runs that get charts, at most `max`: per mode the run with the deepest queue, then runs with
 * an embedded timeline, then the next deepest queues of any mode.
 */
export function seriesRuns(doc: ResultsDocument, timelineRuns: readonly number[], max = MAX_SERIES_CHARTS): ChartedRun[] {
  const depth = new Map<number, number>();
  doc.runs.forEach((r, i) => {
    if (depthPoints(r).length > 0) depth.set(i, maxOf(depthPoints(r)));
  });
  // Deepest first; the earlier run on a tie (stable, so the choice is deterministic).
  const byDepth = [...depth.keys()].sort((a, b) => depth.get(b)! - depth.get(a)! || a - b);
  const chosen: ChartedRun[] = [];
  const add = (run: number, why: ChartedRun['why']): void => {
    if (chosen.length < max && depth.has(run) && !chosen.some((c) => c.run === run)) chosen.push({ run, why });
  };
  for (const router of sortRouters(doc.runs.map((r) => r.router))) {
    const deepest = byDepth.find((i) => doc.runs[i]!.router === router);
    if (deepest !== undefined) add(deepest, 'deepest');
  }
  for (const i of timelineRuns) add(i, 'timeline');
  for (const i of byDepth) add(i, 'deep');
  return chosen;
}

/** The time window shown: the span of queue activity, padded, within the run. */
function windowOf(run: RunResult): [number, number] {
  const ts = [...depthPoints(run), ...waitPoints(run)].map((p) => p[0]);
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts);
  const pad = Math.max((t1 - t0) * 0.05, 100_000);
  return [Math.max(0, t0 - pad), Math.min(Math.max(run.simulatedUs ?? 0, t1), t1 + pad)];
}

/** Two decimals, or two significant digits for a queue that was almost always empty (0.0034). */
export function formatMeanDepth(mean: number): string {
  if (!Number.isFinite(mean)) return '—';
  return mean > 0 && mean < 0.01 ? mean.toPrecision(2) : mean.toFixed(2);
}

const cell = (stat: string, text: string): string => `<td class="num" data-stat="${stat}">${h(text)}</td>`;
const pointsText = (points: number, recorded: number | undefined): string => (recorded !== undefined && recorded > points ? `${formatCount(points)} of ${formatCount(recorded)}` : formatCount(points));

function topTable(series: string, points: Points, valueHead: string, format: (v: number) => string): string {
  const rows = topPoints(points)
    .map(([t, v]) => `<tr><td class="num">${h(formatMs(t / 1_000))}</td><td class="num">${h(format(v))}</td></tr>`)
    .join('');
  return `<table class="series-top bins" data-series="${series}"><thead><tr><th class="num">t (ms)</th><th class="num">${h(valueHead)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function runBlock(doc: ResultsDocument, i: number, why: string, color: string, hasTimeline: boolean): string {
  const run = doc.runs[i]!;
  const depth = depthPoints(run);
  const waits = waitPoints(run);
  const domain = windowOf(run);
  const faults: FaultBand[] = (run.faults ?? []).filter((f) => f.endUs >= domain[0] && f.startUs <= domain[1]);
  const title = `${run.scenario} × ${run.router} · seed ${run.seed}`;
  const depthChart = timeSeriesChart({
    label: `Queue depth over time, ${title}`,
    color,
    points: depth,
    kind: 'step',
    domain,
    faults,
    formatValue: (v) => formatCount(v),
    integer: true,
    yTitle: 'events waiting',
  });
  const expired = run.monitoring?.counters?.['queueExpired'] ?? 0;
  const waitChart = waits.length
    ? timeSeriesChart({ label: `Queue wait at flush, ${title}`, color, points: waits, kind: 'scatter', domain, faults, formatValue: (v) => formatDuration(v), formatTicks: durationTickLabels, yTitle: 'waited' })
    : `<p class="muted small">No queued event was flushed${expired ? ` (${formatCount(expired)} expired)` : ''}: no waits to plot.</p>`;

  // The numbers: depth from the series; waits from the run's histogram (exact even when the
  // series was downsampled), and the series for when the longest wait was flushed.
  const d = seriesStats(depth);
  const meanDepth = timeWeightedMean(depth);
  const hist = run.monitoring?.histograms?.['queueWaitUs'];
  const w = hist && hist.count > 0 ? { count: hist.count, min: hist.min, mean: hist.sum / hist.count, max: hist.max } : { count: waits.length, ...seriesStats(waits), mean: NaN };
  const waitMaxAtUs = seriesStats(waits).maxAtUs;
  const recorded = run.monitoring?.series?.recorded;
  const downsampled = (recorded?.queueDepth ?? 0) > depth.length || (recorded?.queueWaitUs ?? 0) > waits.length;
  const note = downsampled ? ' Downsampled (bounded series): each point is the largest of the records it stands for, so peaks are kept.' : '';
  const ms = (us: number): string => (waits.length ? formatMs(us / 1_000) : '—');
  const stats = `<table class="series-stats" data-run="${i}"><thead><tr><th>Series</th><th class="num">Points</th><th class="num">Min</th><th class="num">Mean</th><th class="num">Max</th><th class="num">Max at (ms)</th></tr></thead><tbody>
<tr data-series="queueDepth"><td>Queue depth (events; mean weighted by time held)</td>${cell('points', pointsText(depth.length, recorded?.queueDepth))}${cell('min', formatCount(d.min))}${cell('mean', formatMeanDepth(meanDepth))}${cell('max', formatCount(d.max))}${cell('maxAt', formatMs(d.maxAtUs / 1_000))}</tr>
<tr data-series="queueWaitUs"><td>Queue wait (ms, at flush; ${formatCount(w.count)} flushed)</td>${cell('points', pointsText(waits.length, recorded?.queueWaitUs))}${cell('min', ms(w.min))}${cell('mean', ms(w.mean))}${cell('max', ms(w.max))}${cell('maxAt', ms(waitMaxAtUs))}</tr>
</tbody></table>`;
  const tops = `<details class="bins-details"><summary>Top ${TOP_POINTS} points of each series (numbers behind the charts)</summary><div class="pair">${topTable('queueDepth', depth, 'depth', formatCount)}${waits.length ? topTable('queueWaitUs', waits, 'wait (ms)', (v) => formatMs(v / 1_000)) : ''}</div></details>`;
  const listed = faults.slice(0, MAX_FAULTS_LISTED).map((f) => `${h(f.label)} at ${h(formatMs(f.startUs / 1_000))}${f.endUs > f.startUs ? `–${h(formatMs(f.endUs / 1_000))}` : ''} ms`);
  const faultLine = faults.length
    ? `<p class="small series-faults">Fault windows (shaded): ${listed.join('; ')}${faults.length > listed.length ? `; and ${formatCount(faults.length - listed.length)} more` : ''}.</p>`
    : `<p class="small muted series-faults">No fault window in this time range${run.faults?.length ? ` (the run has ${formatCount(run.faults.length)} elsewhere)` : ''}.</p>`;
  return `<div class="series-run" id="queue-series-${i}" data-run="${i}">
<div class="chart-title"><span class="swatch" style="background:${h(color)}"></span>${h(title)}${hasTimeline ? ` · <a href="#timeline-${i}">timeline</a>` : ''} <span class="muted small">${h(why)}</span></div>
<p class="muted small">Showing ${domain[0] === 0 ? '0' : h(formatDuration(domain[0]))} – ${h(formatDuration(domain[1]))} of the run’s ${h(formatDuration(run.simulatedUs))} (where the queue was used).${note}</p>
<div class="charts"><div class="chart-block" data-series="queueDepth"><div class="chart-scroll">${depthChart}</div></div><div class="chart-block" data-series="queueWaitUs"><div class="chart-scroll">${waitChart}</div></div></div>
${faultLine}
${stats}
${tops}
</div>`;
}

/** The section body (under the Timing card's queue heading). */
export function queueSeriesSection(doc: ResultsDocument, timelineRuns: readonly number[], colors: Map<string, string>): string {
  const head = '<h3 id="queue-series">Pending-queue depth and wait over time</h3>';
  if (!doc.runs.some((r) => r.monitoring?.series !== undefined)) {
    return doc.runs.length ? `${head}<p class="muted" id="queue-series-none">These results carry no queue time series (written by an older threadline).</p>` : '';
  }
  const chosen = seriesRuns(doc, timelineRuns);
  if (chosen.length === 0) {
    return `${head}<p class="muted" id="queue-series-none">No run queued anything: the pending queue stayed empty in every run (only modes with the pending queue, such as guaranteed, queue at all).</p>`;
  }
  const queued = doc.runs.filter((r) => depthPoints(r).length > 0).length;
  const timelines = new Set(timelineRuns);
  const blocks = chosen.map(({ run, why }) => {
    const r = doc.runs[run]!;
    const reason = why === 'deepest' ? `deepest queue of ${r.router}` : why === 'timeline' ? 'run with a timeline' : 'next deepest queue';
    return runBlock(doc, run, reason, colors.get(r.router) ?? '#888', timelines.has(run));
  });
  return `${head}<p class="muted small">${formatCount(queued)} of ${formatCount(doc.runs.length)} runs queued events; charts for ${formatCount(chosen.length)}${queued > chosen.length ? ` (at most ${MAX_SERIES_CHARTS})` : ''}: the deepest queue of each mode, then runs with a timeline, then the next deepest queues. Shaded: the run’s fault windows.</p>${blocks.join('\n')}`;
}
