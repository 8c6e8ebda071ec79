/**
 * The HTML report: one self-contained file (inline CSS, inline vanilla JS, inline SVG; no
 * external requests of any kind) rendered from a results document ("threadline/results@1").
 * This module assembles the page; each section is its own module under sections/.
 *
 * Sections: header (verdict, headline by mode, reproduce command, facts), modes at a glance
 * (scenarios passed and failed per mode, pooled numbers labelled as pooled), against the
 * baseline (when compared with one), the mode comparison table (rows explained where their
 * numbers seem to disagree; failing rows link to their timeline and replay command) with the
 * status report's claims, timing, swimlane timelines (drawn client-side), the runs, and the
 * checks the runs could not make, and the fuzz counterexample. A filter bar (status, search) in the sticky top bar narrows the
 * comparison, baseline, timelines and runs.
 *
 * Stable hooks for tests and tools: #verdict, table#comparison with
 * tr[data-scenario][data-router] > td[data-metric] (text = formatted number, data-value = raw),
 * section#timeline-<run index> with .lost-explanation, section#baseline, #filter,
 * script#threadline-data.
 */
import type { ResultsDocument } from '../run/result.ts';
import { routerColors, sortRouters } from './charts.ts';
import { clientScript } from './client.ts';
import { DEFAULT_LIMITS, encodeEmbedded, prepareEmbeddedDocument, type ReportLimits } from './embed.ts';
import { escapeHtml as h, formatBytes } from './format.ts';
import { aggregateModes } from './mode-aggregate.ts';
import { buildPairViews } from './pairs.ts';
import { queueSeriesSection, seriesRuns } from './queue-series.ts';
import type { ReportDocument } from './report-document.ts';
import { baselineSection } from './sections/baseline.ts';
import { checksSection } from './sections/checks.ts';
import { comparisonSection } from './sections/comparison.ts';
import { counterexampleSection } from './sections/counterexample.ts';
import { filterBar } from './sections/filter-bar.ts';
import { glanceSection } from './sections/glance.ts';
import { headerSection } from './sections/header.ts';
import { listedRuns, runsSection } from './sections/runs.ts';
import { timelinesSection } from './sections/timelines.ts';
import { timingSection } from './sections/timing.ts';
import { REPORT_CSS } from './style.ts';

export { extractEmbeddedDocument } from './embed.ts';
export { comparisonText, comparisonValue, formatRate, formatCount, formatMs } from './format.ts';
export { STATUS_REPORT_CLAIMS } from './sections/comparison.ts';
export type { ReportDocument } from './report-document.ts';

export interface HtmlReportOptions {
  title?: string;
  /** A fuzz counterexample to show (defaults to doc.fuzz). */
  fuzz?: unknown;
  /** Size limits (tests, very large campaigns). */
  limits?: Partial<ReportLimits>;
}

// ---- Document --------------------------------------------------------------------------------

export function renderHtmlReport(doc: ReportDocument, options: HtmlReportOptions = {}): string {
  const limits: ReportLimits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const routers = sortRouters([...doc.summary.map((s) => s.router), ...doc.runs.map((r) => r.router)]);
  const colors = routerColors(routers);
  const aggs = aggregateModes(doc.summary, routers.filter((r) => doc.summary.some((s) => s.router === r)), colors);
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
  const pairs = buildPairViews(doc, timelineRuns);

  const nav = [
    ['overview', 'Overview'],
    ...(doc.baseline ? [['baseline', 'Baseline']] : []),
    ['comparison-section', 'Comparison'],
    ['timing', 'Timing'],
    ['timelines', 'Timelines'],
    ['runs', 'Runs'],
    ...(doc.runs.some((r) => (r.checksNotMade ?? []).length > 0) ? [['checks-not-made', 'Checks not made']] : []),
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
<nav class="top"><div class="in"><span class="brand">threadline</span>${nav.map(([id, label]) => `<a href="#${id}">${h(label!)}</a>`).join('')}${filterBar(pairs)}</div></nav>
<main>
${headerSection(doc, title, aggs, pairs)}
<div class="banner" id="data-error" hidden></div>
${glanceSection(aggs, pairs)}
${baselineSection(doc.baseline, pairs, colors)}
${comparisonSection(doc, { routers, colors, pairs, listedRuns: new Set(listedRuns(doc, limits)) })}
${timingSection(aggs, queueSeriesSection(doc, prepared.timelines.map((t) => t.runIndex), colors))}
${timelinesSection(doc, embedded, prepared, limits)}
${runsSection(doc, timelineRuns, limits, colors)}
${checksSection(doc)}
${counterexampleSection(fuzz)}
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
