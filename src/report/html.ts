/**
 * The HTML report: one self-contained file (inline CSS, inline vanilla JS, inline SVG; no
 * external requests of any kind) rendered from a results document ("threadline/results@1").
 *
 * Sections: header (verdict, reproduce command, facts), modes at a glance, the mode comparison
 * table with the status report's claims next to the measured numbers, timing (latency
 * histograms and percentiles, connect→bind CDF, readiness counters, queue wait, queue depth
 * and wait over time with fault windows shaded, drops),
 * swimlane timelines of failing runs (drawn client-side from the embedded data: zoom, filters),
 * a table of all runs, and the fuzz counterexample when there is one.
 *
 * Stable hooks for tests and tools: #verdict, table#comparison with
 * tr[data-scenario][data-router] > td[data-metric] (text = formatted number, data-value = raw),
 * section#timeline-<run index> with .lost-explanation, script#threadline-data.
 */
import { Histogram } from '../stats/histogram.ts';
import type { ResultsDocument, RunResult, Summary } from '../scenario/result.ts';
import { cdfChart, countBars, displayBins, logEdges, logHistogramChart, mergeHistograms, routerColors, sortRouters, successChart, type ClaimMark } from './charts.ts';
import { clientScript } from './client.ts';
import { DEFAULT_LIMITS, encodeEmbedded, prepareEmbeddedDocument, type ReportLimits } from './embed.ts';
import {
  comparisonText,
  comparisonValue,
  escapeHtml as h,
  formatBytes,
  formatCount,
  formatDuration,
  formatMs,
  formatRate,
  formatSeeds,
  type ComparisonMetric,
} from './format.ts';
import { queueSeriesSection, seriesRuns } from './queue-series.ts';
import { REPORT_CSS } from './style.ts';

export { extractEmbeddedDocument } from './embed.ts';
export { comparisonText, comparisonValue, formatRate, formatCount, formatMs } from './format.ts';

export interface HtmlReportOptions {
  title?: string;
  /** A fuzz counterexample to show (defaults to doc.fuzz). */
  fuzz?: unknown;
  /** Size limits (tests, very large campaigns). */
  limits?: Partial<ReportLimits>;
}

/** The status report's claims about chat-day success per mode ("the status report's table"). */
export const STATUS_REPORT_CLAIMS: Record<string, { low: number; high?: number; text: string }> = {
  legacy: { low: 0.8, high: 0.85, text: '80–85%' },
  dynamic: { low: 0.95, text: '95%+' },
  guaranteed: { low: 0.99, text: '99%+ (readiness + queue)' },
};

const MODE_DESCRIPTIONS: Record<string, string> = {
  legacy: 'Binds a connection to a thread only at the handshake (?thread_id=); user_message does not re-bind.',
  dynamic: 'Legacy plus the report’s core fix: user_message updates the connection’s thread association.',
  shipped: 'Dynamic as shipped: no-op handler bind, user-wide service bind, 10 ms “propagation” sleep, fallback fan-out trusting the payload’s user id, registry TTL/capacity, send timeouts with retries, success masking.',
  guaranteed: 'Dynamic plus readiness (await bind before the run, bind on switch, run-scoped delivery), event ids, a pending queue, resume with gap notices, an outbound limit and buffering before injection.',
};

interface RouterAggregate {
  router: string;
  color: string;
  summaries: Summary[];
  succeeded: number;
  total: number;
  counts: Record<string, number>;
  latency: Histogram;
  connectToBind: Histogram;
  queueWait: Histogram;
  queueDepth: Histogram;
  sentBeforeReady: number;
  routingFailures: number;
  drops: Record<string, number>;
  verdict: 'pass' | 'fail' | 'unknown';
}

function aggregate(summaries: Summary[], routers: string[], colors: Map<string, string>): RouterAggregate[] {
  return routers.map((router) => {
    const list = summaries.filter((s) => s.router === router);
    const counts: Record<string, number> = {};
    const drops: Record<string, number> = {};
    for (const s of list) {
      for (const [k, v] of Object.entries(s.counts)) counts[k] = (counts[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.dropsByReason ?? {})) drops[k] = (drops[k] ?? 0) + v;
    }
    const verdict = list.some((s) => s.verdict === 'fail') ? 'fail' : list.some((s) => s.verdict === 'unknown') ? 'unknown' : 'pass';
    return {
      router,
      color: colors.get(router) ?? '#888',
      summaries: list,
      succeeded: list.reduce((a, s) => a + s.interactions.succeeded, 0),
      total: list.reduce((a, s) => a + s.interactions.total, 0),
      counts,
      latency: mergeHistograms(list.map((s) => s.latencyUs)),
      connectToBind: mergeHistograms(list.map((s) => s.connectToBindUs)),
      queueWait: mergeHistograms(list.map((s) => s.queueWaitUs)),
      queueDepth: mergeHistograms(list.flatMap((s) => (s.queueDepth ? [s.queueDepth] : []))),
      sentBeforeReady: list.reduce((a, s) => a + (s.sentBeforeReady ?? 0), 0),
      routingFailures: list.reduce((a, s) => a + (s.routingFailures ?? 0), 0),
      drops,
      verdict,
    };
  });
}

const verdictClass = (v: string): string => (v === 'pass' || v === 'fail' ? v : 'unknown');
const badge = (v: string): string => `<span class="badge ${verdictClass(v)}">${h(v)}</span>`;
const swatch = (color: string): string => `<span class="swatch" style="background:${h(color)}"></span>`;

function num(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'no data';
  if (Number.isInteger(v)) return formatCount(v);
  return String(Number(v.toPrecision(5)));
}

/** "2025-01-01T12:00:00.000Z" → "2025-01-01 12:00:00 UTC" (other strings as they are). */
function formatStarted(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function q(hist: Histogram, p: number): number {
  return hist.count === 0 ? NaN : hist.quantile(p) / 1_000;
}

// ---- Sections --------------------------------------------------------------------------------

function header(doc: ResultsDocument, title: string, aggs: RouterAggregate[]): string {
  const runs = doc.runs;
  const failingRuns = runs.filter((r) => r.verdict === 'fail').length;
  const simSum = runs.reduce((a, r) => a + (r.simulatedUs ?? 0), 0);
  const simMax = runs.reduce((a, r) => Math.max(a, r.simulatedUs ?? 0), 0);
  const failing = doc.summary.filter((s) => s.verdict === 'fail');
  const headline =
    doc.summary.length === 0
      ? 'No summaries in this document.'
      : failing.length === 0
        ? `All ${doc.summary.length} scenario × mode combinations passed.`
        : `${failing.length} of ${doc.summary.length} scenario × mode combinations failed: ` +
          failing
            .slice(0, 8)
            .map((s) => `<b>${h(s.scenario)} × ${h(s.router)}</b> (${formatCount(s.counts.lost)} lost, ${formatRate(s.successRate)} success)`)
            .join(', ') +
          (failing.length > 8 ? `, and ${failing.length - 8} more` : '') +
          '.';
  const facts: Array<[string, string]> = [
    ['Version', h(doc.version)],
    ['Schema', h(doc.schema)],
    ['Started', doc.startedAt ? h(formatStarted(doc.startedAt)) : '—'],
    ['Runs', `${formatCount(runs.length)}${failingRuns ? ` <span class="badge fail">${formatCount(failingRuns)} failing</span>` : ''}`],
    ['Seeds', h(formatSeeds(runs.map((r) => r.seed)))],
    ['Scenarios', h([...new Set(runs.map((r) => r.scenario).concat(doc.summary.map((s) => s.scenario)))].join(', ') || '—')],
    ['Modes', aggs.map((a) => `${swatch(a.color)}${h(a.router)}`).join(' ') || '—'],
    ['Simulated time', `${h(formatDuration(simSum))} total<span class="sub">longest run ${h(formatDuration(simMax))}</span>`],
    ['Wall time', h(formatDuration(doc.wallMs * 1_000))],
  ];
  if (doc.shard) facts.push(['Shard', `${doc.shard.index + 1} of ${doc.shard.total}`]);
  return `<header class="card" id="overview">
<div class="title-row"><h1>${h(title)}</h1><span id="verdict" class="verdict verdict-${verdictClass(doc.verdict)}" data-verdict="${h(doc.verdict)}">${h(doc.verdict)}</span></div>
<p class="headline">${headline}</p>
${doc.partial ? '<div class="banner">Partial results: this document covers only part of the campaign (a shard, or an interrupted run).</div>' : ''}
<div class="cmd"><code id="command">${h(doc.command)}</code><button type="button" data-copy="command" title="Copy the command that reproduces these results">Copy</button></div>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>
</header>`;
}

function glance(aggs: RouterAggregate[]): string {
  if (aggs.length === 0) return '';
  const cards = aggs.map((a) => {
    const rate = a.total > 0 ? a.succeeded / a.total : NaN;
    const stat = (label: string, v: number): string => `<span class="${v > 0 ? 'bad' : ''}">${h(label)} <b>${formatCount(v)}</b></span>`;
    return `<div class="mode-card" style="--c:${h(a.color)}" data-router="${h(a.router)}">
<div class="name"><span>${h(a.router)}</span>${badge(a.verdict)}</div>
<div class="big">${formatRate(rate)}</div>
<div class="sub">interactions succeeded (${formatCount(a.succeeded)} of ${formatCount(a.total)}) · ${a.summaries.length} scenario${a.summaries.length === 1 ? '' : 's'}</div>
<div class="stats">${stat('lost', a.counts['lost'] ?? 0)}${stat('dup', a.counts['duplicated'] ?? 0)}${stat('leaked', a.counts['leaked'] ?? 0)}${stat('late', a.counts['late'] ?? 0)}<span>p99 <b>${formatMs(q(a.latency, 0.99))}</b> ms</span></div>
</div>`;
  });
  return `<section class="card" id="glance"><h2>Modes at a glance</h2><div class="glance">${cards.join('')}</div></section>`;
}

const METRIC_CELLS: Array<{ metric: ComparisonMetric; head: string; bad?: boolean }> = [
  { metric: 'successRate', head: 'Success' },
  { metric: 'successRateCi95', head: '95% CI' },
  { metric: 'interactions', head: 'Interactions' },
  { metric: 'lost', head: 'Lost', bad: true },
  { metric: 'duplicated', head: 'Dup', bad: true },
  { metric: 'leaked', head: 'Leaked', bad: true },
  { metric: 'late', head: 'Late', bad: true },
  { metric: 'misrouted', head: 'Misrouted', bad: true },
  { metric: 'droppedExplicit', head: 'Gap drops' },
  { metric: 'p50', head: 'p50 ms' },
  { metric: 'p99', head: 'p99 ms' },
];

function comparison(doc: ResultsDocument, routers: string[], colors: Map<string, string>): string {
  const scenarios = [...new Set(doc.summary.map((s) => s.scenario))];
  const rows: string[] = [];
  for (const scenario of scenarios) {
    const list = doc.summary.filter((s) => s.scenario === scenario).sort((a, b) => routers.indexOf(a.router) - routers.indexOf(b.router));
    list.forEach((s, i) => {
      const cells = METRIC_CELLS.map(({ metric, bad }) => {
        const value = comparisonValue(s, metric);
        const isBad = bad === true && typeof value === 'number' && value > 0;
        return `<td class="num${isBad ? ' bad' : ''}" data-metric="${metric}" data-value="${h(value)}">${h(comparisonText(s, metric))}</td>`;
      }).join('');
      const thresholdList = s.thresholds ?? [];
      const thresholds = thresholdList.length
        ? `<ul class="thr">${thresholdList.map((t) => `<li class="${t.ok ? 'ok' : 'bad'}" title="actual ${h(num(t.actual))}"><span class="badge ${t.ok ? 'ok' : 'bad'}">${t.ok ? '✓' : '✗'}</span> <code>${h(t.source)}</code> <span class="actual">= ${h(num(t.actual))}</span></li>`).join('')}</ul>`
        : '<span class="muted">none</span>';
      const seeds = s.failedSeeds?.length ? `<div class="muted small seeds" title="failed seeds">seeds ${h(formatSeeds(s.failedSeeds, 3))}</div>` : '';
      rows.push(
        `<tr data-scenario="${h(s.scenario)}" data-router="${h(s.router)}" data-verdict="${h(s.verdict)}"${i === 0 ? ' class="scenario-first"' : ''}>` +
          (i === 0 ? `<td class="scenario" rowspan="${list.length}">${h(scenario)}</td>` : '') +
          `<td class="mode">${swatch(colors.get(s.router) ?? '#888')}${h(s.router)}<div class="muted small">${formatCount(s.runs)} run${s.runs === 1 ? '' : 's'}</div></td><td data-metric="verdict">${badge(s.verdict)}${seeds}</td>${cells}<td class="thr-cell">${thresholds}</td></tr>`,
      );
    });
  }
  const head = `<tr><th>Scenario</th><th>Mode</th><th>Verdict</th>${METRIC_CELLS.map((c) => `<th class="num">${h(c.head)}</th>`).join('')}<th>Thresholds</th></tr>`;
  const table = doc.summary.length
    ? `<div class="table-wrap"><table id="comparison" class="comparison"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`
    : '<table id="comparison" class="comparison"><tbody><tr><td class="muted">No summaries.</td></tr></tbody></table>';

  // Success chart with claims (chat-day only).
  const claims: ClaimMark[] = [];
  for (const s of doc.summary) {
    const c = STATUS_REPORT_CLAIMS[s.router];
    if (s.scenario === 'chat-day' && c) claims.push({ group: s.scenario, series: s.router, low: c.low, ...(c.high !== undefined ? { high: c.high } : {}), label: c.text });
  }
  const chart = doc.summary.length
    ? successChart(
        'Interaction success rate per mode and scenario, with 95% confidence intervals',
        doc.summary.map((s) => ({ group: s.scenario, series: s.router, value: s.successRate, ci: s.successRateCi95 })),
        scenarios,
        routers,
        colors,
        claims,
      )
    : '';
  const legend = `<div class="legend-row">${routers.map((r) => `<span class="item">${swatch(colors.get(r) ?? '#888')}${h(r)}</span>`).join('')}<span class="item">whiskers: 95% CI</span>${claims.length ? '<span class="item"><span class="swatch" style="background:var(--claim);outline:1px dashed var(--claim-line)"></span>claimed by the status report (chat-day)</span>' : ''}</div>`;
  const modes = routers.filter((r) => MODE_DESCRIPTIONS[r]);
  const modeLegend = modes.length ? `<dl class="modes-legend">${modes.map((r) => `<dt>${swatch(colors.get(r) ?? '#888')}${h(r)}</dt><dd>${h(MODE_DESCRIPTIONS[r])}</dd>`).join('')}</dl>` : '';
  return `<section class="card" id="comparison-section"><h2>Mode comparison</h2>
<p class="muted small">One row per scenario × router mode. Success = interactions whose every owed event arrived, on time, exactly once; counts are (connection, event) pairs judged by the oracle.</p>
${table}
<div class="pair"><div class="chart-block"><h3>Success rate per mode</h3>
<div class="chart-scroll">${chart}</div>${legend}</div>
<div class="chart-block">${claimsTable(doc)}</div></div>
${modeLegend}
</section>`;
}

function claimsTable(doc: ResultsDocument): string {
  const chat = doc.summary.filter((s) => s.scenario === 'chat-day');
  if (chat.length === 0) {
    return `<h3>The status report’s table, measured</h3><p class="muted small" id="claims">No <code>chat-day</code> scenario in these results; the status report’s claims (legacy 80–85%, dynamic 95%+, readiness + queue 99%+) are about chat-day.</p>`;
  }
  const rows = chat.map((s) => {
    const c = STATUS_REPORT_CLAIMS[s.router];
    let result = '<span class="muted">no claim</span>';
    if (c) {
      const [lo, hi] = s.successRateCi95;
      const top = c.high ?? 1;
      if (s.successRate >= c.low && s.successRate <= top) result = '<span class="badge ok">consistent</span>';
      else if (hi < c.low) result = '<span class="badge bad">worse than claimed</span>';
      else if (lo > top) result = '<span class="badge ok">better than claimed</span>';
      else result = '<span class="badge unknown">within the CI</span>';
    }
    return `<tr data-router="${h(s.router)}"><td>${h(s.router)}</td><td>${c ? h(c.text) : '—'}</td><td class="num" data-metric="successRate">${formatRate(s.successRate)}</td><td class="num">${h(comparisonText(s, 'successRateCi95'))}</td><td class="num">${formatCount(s.interactions.total)}</td><td class="verdict-cell">${result}</td></tr>`;
  });
  return `<h3>The status report’s table, measured (chat-day)</h3>
<div class="table-wrap"><table id="claims" class="claims"><thead><tr><th>Mode</th><th>Claimed</th><th class="num">Measured</th><th class="num">95% CI</th><th class="num">Interactions</th><th>Claim</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function percentileTable(aggs: RouterAggregate[], pick: (a: RouterAggregate) => Histogram, id: string): string {
  const rows = aggs.map((a) => {
    const hist = pick(a);
    const cells = [0.5, 0.9, 0.99, 0.999].map((p) => `<td class="num">${formatMs(q(hist, p))}</td>`).join('');
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

function timing(aggs: RouterAggregate[], queueSeries: string): string {
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

function sampledNote(t: { embeddedItems: number; originalItems: number }, cappedByRunner: boolean): string {
  const reportSampled = t.originalItems > t.embeddedItems;
  const text = reportSampled ? `(sampled: ${formatCount(t.embeddedItems)} of ${formatCount(t.originalItems)}${cappedByRunner ? '+' : ''} items)` : `(sampled: capped at ${formatCount(t.embeddedItems)} items)`;
  const tip = reportSampled
    ? 'The report keeps losses first, then the lost events’ history, then connection and routing events, then an even sample of the rest.'
    : 'The runner capped this timeline: losses and violations first, then the earliest events.';
  return `<span class="sampled" title="${h(tip)}">${h(text)}</span>`;
}

function timelines(doc: ResultsDocument, embedded: ResultsDocument, info: ReturnType<typeof prepareEmbeddedDocument>, limits: ReportLimits): string {
  if (info.timelines.length === 0) {
    return `<section class="card" id="timelines"><h2>Timelines</h2><p class="muted">No run in these results carries a timeline (timelines are attached to failing runs and a sample of passing ones).</p></section>`;
  }
  const parts = info.timelines.map((t) => {
    const run = embedded.runs[t.runIndex]!;
    const items = run.timeline ?? [];
    const users = [...new Set(items.map((i) => i.user).filter((u): u is string => !!u))].sort();
    const threads = [...new Set(items.map((i) => i.thread).filter((u): u is string => !!u))].sort();
    const conns = [...new Set(items.map((i) => i.lane).filter((l) => l !== 'agent' && l !== 'router'))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const select = (name: string, label: string, values: string[]): string =>
      `<label>${h(label)} <select data-filter="${name}"><option value="">all (${values.length})</option>${values.map((v) => `<option value="${h(v)}">${h(v)}</option>`).join('')}</select></label>`;
    const lost = items.map((it, i) => ({ it, i })).filter(({ it }) => it.kind === 'lost');
    const listed = lost.slice(0, limits.maxLostListed);
    const lostList = lost.length
      ? `<h4>Lost messages and other violations (${formatCount(lost.length)}${run.violationCount > lost.length ? ` of ${formatCount(run.violationCount)}` : ''})</h4>
<ol class="lost-list">${listed
          .map(
            ({ it, i }) =>
              `<li data-item="${i}" title="Click to show it in the timeline"><div class="lost-head"><code class="lost-time">${h(formatMs(it.t / 1_000))} ms</code><span class="lost-label">${h(it.label)}</span><code class="lost-lane">${h(it.lane)}</code>${it.user ? `<span class="muted small">user ${h(it.user)}</span>` : ''}${it.thread ? `<span class="muted small">thread ${h(it.thread)}</span>` : ''}</div><div class="lost-explanation">${h(it.explanation ?? '')}</div></li>`,
          )
          .join('')}</ol>${lost.length > listed.length ? `<button type="button" data-action="more-lost">Show all ${formatCount(lost.length)}</button>` : ''}`
      : '<p class="muted small">No lost messages in this run’s timeline.</p>';
    const c = run.counts;
    return `<section class="card timeline" id="timeline-${t.runIndex}" data-run-index="${t.runIndex}" data-verdict="${h(run.verdict)}">
<h3>${h(run.scenario)} × ${h(run.router)} · seed ${h(run.seed)} ${badge(run.verdict)}${t.sampled ? ` ${sampledNote(t, doc.runs[t.runIndex]?.timelineTruncated === true)}` : ''}</h3>
<div class="tl-meta"><span>produced <b>${formatCount(c.produced)}</b></span><span>owed <b>${formatCount(c.owed)}</b></span><span>delivered <b>${formatCount(c.delivered)}</b></span><span>lost <b>${formatCount(c.lost)}</b></span><span>duplicated <b>${formatCount(c.duplicated)}</b></span><span>leaked <b>${formatCount(c.leaked)}</b></span><span>late <b>${formatCount(c.late)}</b></span><span>simulated <b>${h(formatDuration(run.simulatedUs))}</b></span><span>trace <code>${h((run.traceHash ?? '').slice(0, 16))}</code></span></div>
<div class="tl-controls">${select('user', 'User', users)}${select('thread', 'Thread', threads)}${select('conn', 'Connection', conns)}<label title="Show only the connections that lost an event (and what relates to them)"><input type="checkbox" data-filter="lossOnly"> only lanes with losses</label><span class="sep"></span>
<label>From <input type="number" step="any" data-zoom="from" aria-label="window start, ms"></label><label>to <input type="number" step="any" data-zoom="to" aria-label="window end, ms"> ms</label>
<button type="button" data-action="zoom-in" title="Zoom in">+</button><button type="button" data-action="zoom-out" title="Zoom out">−</button><label>pan <input type="range" min="0" max="1000" value="0" data-zoom="pan" disabled></label><button type="button" data-action="reset">Reset zoom</button>
<span class="tl-count"></span></div>
<div class="tl-legend"></div>
<div class="swimlane" data-state="loading"></div>
<p class="swim-hint">Drag across the chart to zoom into a time window; hover a marker for details, click it to pin them; click a lost message below to jump to it.</p>
<div class="tl-detail" hidden></div>
${lostList}
</section>`;
  });
  const omitted = info.omittedTimelines > 0 ? `<p class="muted small">${formatCount(info.omittedTimelines)} more run${info.omittedTimelines === 1 ? '' : 's'} carried a timeline; only ${info.timelines.length} are embedded here (see results.json).</p>` : '';
  const index = info.timelines
    .map((t) => {
      const r = embedded.runs[t.runIndex]!;
      return `<a href="#timeline-${t.runIndex}">${h(r.scenario)} × ${h(r.router)} seed ${h(r.seed)}</a> ${badge(r.verdict)}`;
    })
    .join(' · ');
  return `<section class="card" id="timelines"><h2>Timelines</h2><p class="small">${index}</p>${omitted}</section>${parts.join('\n')}`;
}

function runsTable(doc: ResultsDocument, timelineRuns: Set<number>, limits: ReportLimits, colors: Map<string, string>): string {
  if (doc.runs.length === 0) return '';
  const order = doc.runs.map((r, i) => ({ r, i }));
  order.sort((a, b) => Number(a.r.verdict === 'pass') - Number(b.r.verdict === 'pass') || a.i - b.i);
  const shown = order.slice(0, limits.maxRunRows);
  const bad = (v: number): string => `<td class="num${v > 0 ? ' bad' : ''}">${formatCount(v)}</td>`;
  const rows = shown.map(({ r, i }: { r: RunResult; i: number }) => {
    const rate = r.interactions.total > 0 ? r.interactions.succeeded / r.interactions.total : NaN;
    return `<tr data-run="${i}" data-verdict="${h(r.verdict)}"><td class="num">${i}</td><td>${h(r.scenario)}</td><td>${swatch(colors.get(r.router) ?? '#888')}${h(r.router)}</td><td class="num">${h(r.seed)}</td><td>${badge(r.verdict)}${r.error ? ` <span class="muted small" title="${h(r.error)}">error</span>` : ''}</td><td class="num">${formatRate(rate)}</td>${bad(r.counts.lost)}${bad(r.counts.duplicated)}${bad(r.counts.leaked)}${bad(r.counts.late)}<td class="num">${formatCount(r.violationCount)}</td><td class="num">${h(formatDuration(r.simulatedUs))}</td><td class="num">${h(formatDuration(r.wallMs * 1_000))}</td><td><code>${h((r.traceHash ?? '').slice(0, 12))}</code></td><td>${timelineRuns.has(i) ? `<a href="#timeline-${i}">timeline</a>` : ''}</td></tr>`;
  });
  const more = doc.runs.length > shown.length ? `<p class="muted small">Showing ${formatCount(shown.length)} of ${formatCount(doc.runs.length)} runs (failing first); results.json lists all.</p>` : '';
  return `<section class="card" id="runs"><h2>Runs</h2>${more}<div class="runs-wrap"><table id="runs-table"><thead><tr><th class="num">#</th><th>Scenario</th><th>Mode</th><th class="num">Seed</th><th>Verdict</th><th class="num">Success</th><th class="num">Lost</th><th class="num">Dup</th><th class="num">Leaked</th><th class="num">Late</th><th class="num">Violations</th><th class="num">Simulated</th><th class="num">Wall</th><th>Trace hash</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function renderValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<span class="muted">—</span>';
  if (typeof v === 'string') return h(v);
  if (typeof v === 'number' || typeof v === 'boolean') return `<code>${h(String(v))}</code>`;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') && v.length <= 20 && depth < 2) return h(v.join(', '));
  const json = JSON.stringify(v, null, 2) ?? String(v);
  return `<pre class="json">${h(json.length > 20_000 ? `${json.slice(0, 20_000)}\n… (${formatCount(json.length)} characters)` : json)}</pre>`;
}

function stepList(steps: unknown[]): string {
  return `<ol class="steps">${steps
    .map((s) => {
      if (typeof s === 'string' || typeof s === 'number') return `<li>${h(String(s))}</li>`;
      if (s && typeof s === 'object' && !Array.isArray(s)) {
        const o = s as Record<string, unknown>;
        const text = o['text'] ?? o['description'] ?? o['story'] ?? o['label'];
        if (typeof text === 'string') {
          const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['text', 'description', 'story', 'label'].includes(k)));
          return `<li>${h(text)}${Object.keys(rest).length ? ` <code class="muted">${h(JSON.stringify(rest))}</code>` : ''}</li>`;
        }
        return `<li><code>${h(JSON.stringify(s))}</code></li>`;
      }
      return `<li><code>${h(JSON.stringify(s))}</code></li>`;
    })
    .join('')}</ol>`;
}

function counterexample(fuzz: unknown): string {
  if (fuzz === undefined || fuzz === null) return '';
  let body: string;
  if (typeof fuzz !== 'object' || Array.isArray(fuzz)) {
    body = Array.isArray(fuzz) ? stepList(fuzz) : renderValue(fuzz);
  } else {
    const entries = Object.entries(fuzz as Record<string, unknown>);
    body = `<dl>${entries
      .map(([k, v]) => {
        let dd: string;
        if ((k === 'story' || k === 'steps') && Array.isArray(v)) dd = stepList(v);
        else if ((k === 'command' || k === 'reproduce') && typeof v === 'string') dd = `<div class="cmd"><code id="fuzz-${h(k)}">${h(v)}</code><button type="button" data-copy="fuzz-${h(k)}">Copy</button></div>`;
        else dd = renderValue(v);
        return `<dt>${h(k)}</dt><dd data-field="${h(k)}">${dd}</dd>`;
      })
      .join('')}</dl>`;
  }
  return `<section class="card counterexample" id="counterexample"><h2>Counterexample</h2><p class="muted small">The smallest failing case the fuzzer found.</p>${body}</section>`;
}

// ---- Document --------------------------------------------------------------------------------

export function renderHtmlReport(doc: ResultsDocument, options: HtmlReportOptions = {}): string {
  const limits: ReportLimits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const routers = sortRouters([...doc.summary.map((s) => s.router), ...doc.runs.map((r) => r.router)]);
  const colors = routerColors(routers);
  const aggs = aggregate(doc.summary, routers.filter((r) => doc.summary.some((s) => s.router === r)), colors);
  const scenarios = [...new Set(doc.summary.map((s) => s.scenario).concat(doc.runs.map((r) => r.scenario)))];
  const title = options.title ?? `threadline report — ${scenarios.join(', ') || 'no scenarios'}`;
  const prepared = prepareEmbeddedDocument(doc, limits);
  // Queue series are drawn here, server-side. A large document's embedded copy keeps them only
  // for the charted runs, so a campaign of many queueing runs does not grow the page
  // (results.json beside it has them all); a small document is embedded as it is.
  const large = JSON.stringify(prepared.doc).length > limits.gzipAboveBytes;
  const charted = new Set(seriesRuns(doc, prepared.timelines.map((t) => t.runIndex)).map((c) => c.run));
  const embedded: ResultsDocument = !large
    ? prepared.doc
    : {
        ...prepared.doc,
        runs: prepared.doc.runs.map((r, i) => {
          if (charted.has(i) || r.monitoring?.series === undefined) return r;
          const { series: _omitted, ...monitoring } = r.monitoring;
          return { ...r, monitoring };
        }),
      };
  const encoded = encodeEmbedded(embedded, limits.gzipAboveBytes);
  const fuzz = options.fuzz !== undefined ? options.fuzz : doc.fuzz;
  const timelineRuns = new Set(prepared.timelines.map((t) => t.runIndex));

  const nav = [
    ['overview', 'Overview'],
    ['comparison-section', 'Comparison'],
    ['timing', 'Timing'],
    ['timelines', 'Timelines'],
    ['runs', 'Runs'],
    ...(fuzz !== undefined && fuzz !== null ? [['counterexample', 'Counterexample']] : []),
    ['data', 'Data'],
  ];
  const dataAttrs = encoded.encoding === 'json' ? 'type="application/json"' : 'type="application/octet-stream" data-encoding="gzip-base64"';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="threadline ${h(doc.version)}">
<title>${h(title)} — ${h(doc.verdict.toUpperCase())}</title>
<style>${REPORT_CSS}</style>
</head>
<body data-verdict="${h(doc.verdict)}">
<nav class="top"><div class="in"><span class="brand">threadline</span>${nav.map(([id, label]) => `<a href="#${id}">${h(label!)}</a>`).join('')}</div></nav>
<main>
${header(doc, title, aggs)}
<div class="banner" id="data-error" hidden></div>
${glance(aggs)}
${comparison(doc, routers, colors)}
${timing(aggs, queueSeriesSection(doc, prepared.timelines.map((t) => t.runIndex), colors))}
${timelines(doc, embedded, prepared, limits)}
${runsTable(doc, timelineRuns, limits, colors)}
${counterexample(fuzz)}
<section class="card" id="data"><h2>Data</h2>
<p class="small">The results document (<code>${h(doc.schema)}</code>) is embedded in this page: ${h(formatBytes(encoded.jsonBytes))} of JSON${encoded.encoding === 'gzip-base64' ? ', stored gzip-compressed' : ''}${prepared.timelines.some((t) => t.sampled) || prepared.omittedTimelines > 0 ? '; timelines are capped (sampled)' : ''}. <code>results.json</code> next to this file holds the complete document.</p>
<button type="button" id="save-json">Save embedded results.json</button>
<footer>Generated by threadline ${h(doc.version)}${doc.startedAt ? ` for the run started ${h(doc.startedAt)}` : ''}. Times are simulated (virtual) time unless labelled wall time.</footer>
</section>
</main>
<script id="threadline-data" ${dataAttrs}>${encoded.text}</script>
<script>${clientScript()}</script>
</body>
</html>
`;
}
