/**
 * "Timing": delivery latency (percentiles, log histograms with the numbers behind them),
 * connect → bind, readiness counters, pending-queue wait and depth, the queue series, drops.
 */
import type { Histogram } from '../../stats/histogram.ts';
import { cdfChart, countBars, displayBins, logEdges, logHistogramChart } from '../charts.ts';
import { escapeHtml as h, formatCount, formatDuration, formatMs, formatRate } from '../format.ts';
import type { RouterAggregate } from '../mode-aggregate.ts';
import { quantileMs, swatch } from './common.ts';

function percentileTable(aggs: RouterAggregate[], pick: (a: RouterAggregate) => Histogram, id: string): string {
  const rows = aggs.map((a) => {
    const hist = pick(a);
    const cells = [0.5, 0.9, 0.99, 0.999].map((p) => `<td class="num">${formatMs(quantileMs(hist, p))}</td>`).join('');
    return `<tr data-router="${h(a.router)}"><td>${swatch(a.color)}${h(a.router)}</td><td class="num">${formatCount(hist.count)}</td><td class="num">${formatMs(hist.count ? hist.mean() / 1_000 : NaN)}</td>${cells}<td class="num">${formatMs(hist.count ? hist.max / 1_000 : NaN)}</td></tr>`;
  });
  return `<table id="${h(id)}"><thead><tr><th>Mode</th><th class="num">Count</th><th class="num">Mean ms</th><th class="num">p50 ms</th><th class="num">p90 ms</th><th class="num">p99 ms</th><th class="num">p99.9 ms</th><th class="num">Max ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function histogramBlocks(aggs: RouterAggregate[], pick: (a: RouterAggregate) => Histogram, what: string, axisTitle: string, id: string): string {
  const withData = aggs.filter((a) => pick(a).count > 0);
  if (withData.length === 0) return `<p class="muted" id="${h(id)}">No ${h(what)} recorded in any mode.</p>`;
  const min = Math.min(...withData.map((a) => pick(a).min));
  const max = Math.max(...withData.map((a) => pick(a).max));
  const edges = logEdges(min, max);
  const domain: [number, number] = [edges[0]!, edges[edges.length - 1]!];
  const binsOf = new Map(withData.map((a) => [a.router, displayBins(pick(a), edges)]));
  // Two per row for 2 or 4 modes, three per row otherwise (the page is ~1,240 px wide).
  const width = withData.length === 1 ? 480 : withData.length === 2 || withData.length === 4 ? 590 : 390;
  const charts = withData
    .map((a) => {
      const hist = pick(a);
      const chart = logHistogramChart({
        label: `${what}, ${a.router}`,
        color: a.color,
        bins: binsOf.get(a.router)!,
        domain,
        total: hist.count,
        axisTitle,
        width,
        markers: [
          { value: hist.quantile(0.5), label: `p50 ${formatMs(hist.quantile(0.5) / 1_000)} ms` },
          { value: hist.quantile(0.99), label: `p99 ${formatMs(hist.quantile(0.99) / 1_000)} ms` },
        ],
      });
      return `<div class="chart-block" data-router="${h(a.router)}"><div class="chart-title">${swatch(a.color)}${h(a.router)} <span class="muted small">(${formatCount(hist.count)} values)</span></div><div class="chart-scroll">${chart}</div></div>`;
    })
    .join('');
  // The numbers behind the charts: one row per display bin, count and share per mode.
  const all = [...binsOf.values()];
  const nonEmpty = (i: number): boolean => all.some((b) => b[i]!.count > 0);
  let first = 0;
  while (first < edges.length - 2 && !nonEmpty(first)) first++;
  let last = edges.length - 2;
  while (last > first && !nonEmpty(last)) last--;
  const rows: string[] = [];
  for (let i = first; i <= last; i++) {
    const lo = Math.min(...all.map((b) => b[i]!.lo));
    rows.push(
      `<tr><td class="num">${h(formatDuration(lo))} – ${h(formatDuration(edges[i + 1]!))}</td>${withData
        .map((a) => {
          const c = binsOf.get(a.router)![i]!.count;
          return `<td class="num">${c ? formatCount(c) : '<span class="muted">0</span>'}</td><td class="num muted">${c ? formatRate(c / pick(a).count) : ''}</td>`;
        })
        .join('')}</tr>`,
    );
  }
  const table = `<details class="bins-details" open><summary>Histogram bins (numbers behind the charts)</summary><div class="table-wrap"><table class="bins" id="${h(id)}"><thead><tr><th class="num">Range</th>${withData.map((a) => `<th class="num" colspan="2">${swatch(a.color)}${h(a.router)}</th>`).join('')}</tr><tr><th></th>${withData.map(() => '<th class="num">count</th><th class="num">share</th>').join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></details>`;
  return `<div class="charts">${charts}</div>${table}`;
}

/** Pending-queue depth sampled at each enqueue (a count, not a time). */
function queueDepthTable(aggs: RouterAggregate[]): string {
  const withData = aggs.filter((a) => a.queueDepth.count > 0);
  if (withData.length === 0) return '';
  const rows = withData
    .map((a) => {
      const d = a.queueDepth;
      return `<tr data-router="${h(a.router)}"><td>${swatch(a.color)}${h(a.router)}</td><td class="num">${formatCount(d.count)}</td>${[0.5, 0.9, 0.99].map((p) => `<td class="num">${formatCount(d.quantile(p))}</td>`).join('')}<td class="num">${formatCount(d.max)}</td></tr>`;
    })
    .join('');
  return `<h4>Queue depth at enqueue (events waiting)</h4><table id="queue-depth"><thead><tr><th>Mode</th><th class="num">Samples</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">Max</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function timingSection(aggs: RouterAggregate[], queueSeries: string): string {
  if (aggs.length === 0) return '';
  const cdfSeries = aggs.map((a) => ({ name: a.router, color: a.color, hist: a.connectToBind }));
  const anyBind = cdfSeries.some((s) => s.hist.count > 0);
  const cdf = anyBind ? cdfChart('Connect to bind, cumulative distribution per mode', cdfSeries, 'time from connect to the first thread binding (log scale)') : '<p class="muted">No bindings recorded.</p>';
  const readiness = countBars(
    'Events sent before the thread context was ready, and routing failures, per mode',
    aggs.map((a) => ({ name: a.router, color: a.color, values: [a.sentBeforeReady, a.routingFailures] })),
    ['sent before ready', 'routing failures ("No connections found")'],
    ['m-sbr', 'm-rf'],
  );
  const readinessRows = aggs
    .map((a) => {
      const produced = a.counts['produced'] ?? 0;
      const per = (v: number): string => (produced > 0 ? ((v / produced) * 1_000).toFixed(1) : '—');
      return `<tr data-router="${h(a.router)}"><td>${swatch(a.color)}${h(a.router)}</td><td class="num" data-metric="sentBeforeReady">${formatCount(a.sentBeforeReady)}</td><td class="num">${per(a.sentBeforeReady)}</td><td class="num" data-metric="routingFailures">${formatCount(a.routingFailures)}</td><td class="num">${per(a.routingFailures)}</td><td class="num">${formatCount(produced)}</td></tr>`;
    })
    .join('');
  const reasons = [...new Set(aggs.flatMap((a) => Object.keys(a.drops)))].sort();
  const drops = reasons.length
    ? `<table id="drops"><thead><tr><th>Reason</th>${aggs.map((a) => `<th class="num">${swatch(a.color)}${h(a.router)}</th>`).join('')}</tr></thead><tbody>${reasons
        .map((r) => `<tr data-reason="${h(r)}"><td><code>${h(r)}</code></td>${aggs.map((a) => `<td class="num${(a.drops[r] ?? 0) > 0 ? ' bad' : ''}">${formatCount(a.drops[r] ?? 0)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted" id="drops">No events dropped by the router in any mode.</p>';
  return `<section class="card" id="timing"><h2>Timing</h2>
<h3>Delivery latency (production → first delivery of an owed event)</h3>
${percentileTable(aggs, (a) => a.latency, 'latency-percentiles')}
${histogramBlocks(aggs, (a) => a.latency, 'delivery latency', 'delivery latency (log scale) · bar height = share of deliveries', 'latency-bins')}
<h3>Connect → bind</h3>
<div class="pair"><div class="chart-scroll">${cdf}</div>${percentileTable(aggs, (a) => a.connectToBind, 'connect-to-bind-percentiles')}</div>
<h3>Readiness: events sent before the context was ready, routing failures</h3>
<div class="pair"><div class="chart-scroll">${readiness}</div><table id="readiness"><thead><tr><th>Mode</th><th class="num">Sent before ready</th><th class="num">per 1,000 events</th><th class="num">Routing failures</th><th class="num">per 1,000 events</th><th class="num">Events produced</th></tr></thead><tbody>${readinessRows}</tbody></table></div>
<h3>Pending-queue wait</h3>
${percentileTable(aggs, (a) => a.queueWait, 'queue-wait-percentiles')}
${histogramBlocks(aggs, (a) => a.queueWait, 'queue wait', 'time waited in the pending queue (log scale)', 'queue-wait-bins')}
${queueDepthTable(aggs)}
${queueSeries}
<h3>Drops by reason</h3>
<div class="table-wrap">${drops}</div>
</section>`;
}
