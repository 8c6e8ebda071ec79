/** "Runs": every run (failing first, capped), with a link to its timeline when it has one. */
import type { ResultsDocument, RunResult } from '../../run/result.ts';
import type { ReportLimits } from '../embed.ts';
import { escapeHtml as h, formatCount, formatDuration, formatRate } from '../format.ts';
import { badge, filterAttrs, swatch } from './common.ts';

/** The runs the table lists (failing first, at most maxRunRows), as indexes into doc.runs. */
export function listedRuns(doc: ResultsDocument, limits: ReportLimits): number[] {
  const order = doc.runs.map((r, i) => ({ r, i }));
  order.sort((a, b) => Number(a.r.verdict === 'pass') - Number(b.r.verdict === 'pass') || a.i - b.i);
  return order.slice(0, limits.maxRunRows).map(({ i }) => i);
}

export function runsSection(doc: ResultsDocument, timelineRuns: ReadonlySet<number>, limits: ReportLimits, colors: Map<string, string>): string {
  if (doc.runs.length === 0) return '';
  const shown = listedRuns(doc, limits).map((i) => ({ r: doc.runs[i]!, i }));
  const bad = (v: number): string => `<td class="num${v > 0 ? ' bad' : ''}">${formatCount(v)}</td>`;
  const rows = shown.map(({ r, i }: { r: RunResult; i: number }) => {
    const rate = r.interactions.total > 0 ? r.interactions.succeeded / r.interactions.total : NaN;
    return `<tr data-run="${i}" data-verdict="${h(r.verdict)}" id="run-${i}" ${filterAttrs(r.scenario, r.router, r.verdict)}><td class="num">${i}</td><td>${h(r.scenario)}</td><td>${swatch(colors.get(r.router) ?? '#888')}${h(r.router)}</td><td class="num">${h(r.seed)}</td><td>${badge(r.verdict)}${r.error ? ` <span class="muted small" title="${h(r.error)}">error</span>` : ''}</td><td class="num">${formatRate(rate)}</td>${bad(r.counts.lost)}${bad(r.counts.duplicated)}${bad(r.counts.leaked)}${bad(r.counts.late)}<td class="num">${formatCount(r.violationCount)}</td><td class="num">${h(formatDuration(r.simulatedUs))}</td><td class="num">${h(formatDuration(r.wallMs * 1_000))}</td><td><code>${h((r.traceHash ?? '').slice(0, 12))}</code></td><td>${timelineRuns.has(i) ? `<a href="#timeline-${i}">timeline</a>` : ''}</td></tr>`;
  });
  const more = doc.runs.length > shown.length ? `<p class="muted small">Showing ${formatCount(shown.length)} of ${formatCount(doc.runs.length)} runs (failing first); results.json lists all.</p>` : '';
  return `<section class="card" id="runs" data-filter-scope><h2>Runs</h2>${more}<div class="runs-wrap"><table id="runs-table"><thead><tr><th class="num">#</th><th>Scenario</th><th>Mode</th><th class="num">Seed</th><th>Verdict</th><th class="num">Success</th><th class="num">Lost</th><th class="num">Dup</th><th class="num">Leaked</th><th class="num">Late</th><th class="num">Violations</th><th class="num">Simulated</th><th class="num">Wall</th><th>Trace hash</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="filter-empty muted" hidden>No run matches the filter.</p></div></section>`;
}
