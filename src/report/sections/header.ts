/** The header card: the document verdict, a one-line headline, the reproduce command and the run facts. */
import type { RouterAggregate } from '../mode-aggregate.ts';
import type { PairView } from '../pairs.ts';
import type { ReportDocument } from '../report-document.ts';
import { countOf, escapeHtml as h, formatCount, formatDuration, formatSeeds } from '../format.ts';
import { copyableCommand, swatch, verdictClass } from './common.ts';

/** "2025-01-01T12:00:00.000Z" → "2025-01-01 12:00:00 UTC" (other strings as they are). */
function formatStarted(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/**
 * What failed, by mode and in scenarios (never pooled numbers: a pooled success rate hides a
 * mode that fails most scenarios), and the baseline's regressions, which fail the document
 * even when every row passes.
 */
function headline(doc: ReportDocument, aggs: RouterAggregate[], pairs: Map<string, PairView>): string {
  if (doc.summary.length === 0) return 'No summaries in this document.';
  const failing = doc.summary.filter((s) => s.verdict === 'fail');
  const regressions = doc.baseline?.regressions ?? [];
  const regressedPairs = [...pairs.values()].filter((p) => p.regressions.length > 0).length;
  const baseline = regressions.length
    ? ` <a href="#baseline" class="bad-text">${countOf(regressions.length, 'metric')} regressed against the baseline</a> in ${countOf(regressedPairs, 'pair')}.`
    : '';
  if (failing.length === 0) {
    return `All ${formatCount(doc.summary.length)} scenario × mode combinations passed their invariants and thresholds.${baseline ? ` But${baseline}` : ''}`;
  }
  const byMode = aggs
    .filter((a) => a.scenarios.failed > 0)
    .map((a) => `${swatch(a.color)}<b>${h(a.router)}</b> ${formatCount(a.scenarios.failed)} of ${formatCount(a.summaries.length)}`)
    .join(', ');
  return `${formatCount(failing.length)} of ${formatCount(doc.summary.length)} scenario × mode combinations failed. Scenarios failed per mode: ${byMode}.${baseline}`;
}

export function headerSection(doc: ReportDocument, title: string, aggs: RouterAggregate[], pairs: Map<string, PairView>): string {
  const runs = doc.runs;
  const failingRuns = runs.filter((r) => r.verdict === 'fail').length;
  const simSum = runs.reduce((a, r) => a + (r.simulatedUs ?? 0), 0);
  const simMax = runs.reduce((a, r) => Math.max(a, r.simulatedUs ?? 0), 0);
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
  if (doc.baseline) facts.push(['Baseline', `<code>${h(doc.baseline.file)}</code>`]);
  // The scenario list can be long: it goes last, on a row of its own.
  facts.push(facts.splice(facts.findIndex(([k]) => k === 'Scenarios'), 1)[0]!);
  return `<header class="card" id="overview">
<div class="title-row"><h1>${h(title)}</h1><span id="verdict" class="verdict verdict-${verdictClass(doc.verdict)}" data-verdict="${h(doc.verdict)}">${h(doc.verdict)}</span></div>
<p class="headline">${headline(doc, aggs, pairs)}</p>
${doc.partial ? '<div class="banner">Partial results: this document covers only part of the campaign (a shard, or an interrupted run).</div>' : ''}
${copyableCommand('command', doc.command)}
<dl class="facts">${facts.map(([k, v]) => `<div${k === 'Scenarios' ? ' class="wide"' : ''}><dt>${h(k)}</dt><dd>${v}</dd></div>`).join('')}</dl>
</header>`;
}
