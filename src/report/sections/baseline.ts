/**
 * "Against the baseline" (only when the run was compared with one, `--baseline`): per
 * scenario × mode, what moved beyond its tolerance — success, lost and p99 in their own
 * columns (old → new, the change, the tolerance), any other metric beside them — regressions
 * first and highlighted, so a reviewer sees at a glance what got worse.
 *
 * The comparison lists only metrics that moved beyond their tolerance; a metric that did not
 * shows its current value and "within tolerance".
 *
 * Hooks: section#baseline, table#baseline-table tr[data-scenario][data-router][data-regressed]
 * > td[data-metric][data-change="regression"|"improvement"|"within"], li[data-metric][data-change].
 */
import type { Summary } from '../../run/result.ts';
import type { BaselineComparison, BaselineDelta } from '../../run/baseline-comparison.ts';
import { countOf, escapeHtml as h, formatCount, formatMs, formatNumber, formatRate } from '../format.ts';
import type { PairView } from '../pairs.ts';
import { filterAttrs, swatch } from './common.ts';

const MINUS = '−';

/** The main columns: baseline metric name, heading, and the current value from the summary. */
const MAIN_METRICS: Array<{ metric: string; head: string; now: (s: Summary) => string }> = [
  { metric: 'success_rate', head: 'Success', now: (s) => formatRate(s.successRate) },
  { metric: 'lost', head: 'Lost', now: (s) => formatCount(s.counts.lost) },
  { metric: 'latency_p99_ms', head: 'p99', now: (s) => `${formatMs(s.latencyMs.p99)} ms` },
];

export function formatBaselineValue(v: number, unit: BaselineDelta['unit']): string {
  if (unit === 'rate') return formatRate(v);
  if (unit === 'ms') return `${formatNumber(v)} ms`;
  return formatNumber(v);
}

/** The change against the (scaled) old value: "+3", "−2.50 points", "+1.972 ms (+65.7%)". */
export function formatChange(d: BaselineDelta): string {
  const ref = d.oldScaled ?? d.old;
  const diff = d.new - ref;
  const sign = diff > 0 ? '+' : diff < 0 ? MINUS : '±';
  const abs = Math.abs(diff);
  if (d.unit === 'rate') return `${sign}${(abs * 100).toFixed(2)} points`;
  const pct = ref !== 0 ? ` (${sign}${((abs / Math.abs(ref)) * 100).toFixed(1)}%)` : '';
  return `${sign}${formatNumber(Number(abs.toPrecision(6)))}${d.unit === 'ms' ? ' ms' : ''}${pct}`;
}

function oldText(d: BaselineDelta): string {
  const old = formatBaselineValue(d.old, d.unit);
  return d.oldScaled !== undefined ? `${old} <span class="muted small" title="the baseline had a different number of runs: its count scaled to this run's">(scaled: ${h(formatBaselineValue(d.oldScaled, d.unit))})</span>` : old;
}

function deltaCell(metric: string, d: BaselineDelta | undefined, kind: 'regression' | 'improvement', now: string, within?: BaselineDelta): string {
  if (!d) {
    // Older results files record only what moved: then the current value alone.
    const move = within ? `${oldText(within)} → <b>${h(formatBaselineValue(within.new, within.unit))}</b>` : h(now);
    const tol = within ? ` (${h(formatChange(within))}; tolerance ${h(within.tolerance)})` : '';
    return `<td class="bl within" data-metric="${metric}" data-change="within"><div>${move}</div><div class="muted small">within tolerance${tol}</div></td>`;
  }
  return `<td class="bl ${kind}" data-metric="${metric}" data-change="${kind}"><div class="bl-move">${oldText(d)} → <b>${h(formatBaselineValue(d.new, d.unit))}</b></div><div class="bl-delta"><span class="change">${h(formatChange(d))}</span> <span class="tol">tolerance ${h(d.tolerance)}</span></div></td>`;
}

function otherList(p: PairView): string {
  const main = new Set(MAIN_METRICS.map((m) => m.metric));
  const items = [
    ...p.regressions.filter((d) => !main.has(d.metric)).map((d) => ({ d, kind: 'regression' as const })),
    ...p.improvements.filter((d) => !main.has(d.metric)).map((d) => ({ d, kind: 'improvement' as const })),
  ];
  if (items.length === 0) return '<span class="muted">—</span>';
  return `<ul class="bl-other">${items
    .map(({ d, kind }) => `<li class="${kind}" data-metric="${h(d.metric)}" data-change="${kind}"><code>${h(d.metric)}</code> ${oldText(d)} → <b>${h(formatBaselineValue(d.new, d.unit))}</b> <span class="change">${h(formatChange(d))}</span> <span class="tol">tolerance ${h(d.tolerance)}</span></li>`)
    .join('')}</ul>`;
}

function row(p: PairView, colors: Map<string, string>): string {
  const s = p.summary;
  const regressed = p.regressions.length > 0;
  const cells = MAIN_METRICS.map(({ metric, now }) => {
    const reg = p.regressions.find((d) => d.metric === metric);
    const imp = p.improvements.find((d) => d.metric === metric);
    return deltaCell(metric, reg ?? imp, reg ? 'regression' : 'improvement', now(s), p.unchanged.find((d) => d.metric === metric));
  }).join('');
  const status = regressed ? `<span class="badge bad">${h(countOf(p.regressions.length, 'regression'))}</span>` : '<span class="badge ok">improved</span>';
  return `<tr data-scenario="${h(s.scenario)}" data-router="${h(s.router)}" data-regressed="${regressed}" id="bl-${h(p.anchor)}" ${filterAttrs(s.scenario, s.router, regressed ? 'fail' : 'pass')}${regressed ? ' class="regressed"' : ''}>` +
    `<td class="bl-pair"><a href="#${h(p.anchor)}"><b>${h(s.scenario)}</b></a><div>${swatch(colors.get(s.router) ?? '#888')}${h(s.router)}</div></td><td>${status}</td>${cells}<td class="bl-other-cell">${otherList(p)}</td></tr>`;
}

export function baselineSection(comparison: BaselineComparison | undefined, pairs: Map<string, PairView>, colors: Map<string, string>): string {
  if (!comparison) return '';
  const all = [...pairs.values()];
  const changed = all.filter((p) => p.regressions.length > 0 || p.improvements.length > 0);
  // Regressions first (most first), then improvements, each in the comparison table's order.
  const ordered = [...changed.filter((p) => p.regressions.length > 0).sort((a, b) => b.regressions.length - a.regressions.length), ...changed.filter((p) => p.regressions.length === 0)];
  const compared = all.length - comparison.newPairs.length;
  const regressedPairs = changed.filter((p) => p.regressions.length > 0).length;
  const summary = comparison.regressions.length
    ? `<b class="bad-text">${h(countOf(comparison.regressions.length, 'regression'))}</b> in ${h(countOf(regressedPairs, 'pair'))}`
    : '<b class="ok-text">No regression</b>';
  const improved = comparison.improvements.length ? `, ${h(countOf(comparison.improvements.length, 'improvement'))}` : '';
  const unchanged = Math.max(0, compared - changed.length);
  const head = `<tr><th>Scenario × mode</th><th>Change</th>${MAIN_METRICS.map((m) => `<th>${h(m.head)} <span class="muted">(old → new)</span></th>`).join('')}<th>Other metrics</th></tr>`;
  const tableHtml = ordered.length
    ? `<div class="table-wrap" data-filter-scope><table id="baseline-table" class="baseline"><thead>${head}</thead><tbody>${ordered.map((p) => row(p, colors)).join('')}</tbody></table><p class="filter-empty muted" hidden>No row matches the filter.</p></div>`
    : `<p class="muted" id="baseline-table">No metric moved beyond its tolerance in any of the ${formatCount(compared)} compared pairs.</p>`;
  const extra: string[] = [];
  if (comparison.newPairs.length) extra.push(`<li>Not in the baseline (not compared): ${h(comparison.newPairs.join(', '))}</li>`);
  if (comparison.runsDiffer.length) {
    // Often every pair (a run with another --runs): one line, the list folded away.
    extra.push(`<li><details><summary>${h(countOf(comparison.runsDiffer.length, 'pair'))} ran a different number of runs than the baseline: their counts were scaled before comparing</summary>${h(comparison.runsDiffer.join('; '))}</details></li>`);
  }
  return `<section class="card" id="baseline"><h2>Against the baseline</h2>
<p>Compared with <code>${h(comparison.file)}</code>: ${summary}${improved}; ${h(countOf(unchanged, 'pair'))} unchanged within tolerance${comparison.regressions.length ? '. A regression fails the run.' : '.'}</p>
${extra.length ? `<ul class="small muted bl-notes">${extra.join('')}</ul>` : ''}
${tableHtml}
</section>`;
}
