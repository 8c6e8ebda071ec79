/**
 * "Modes at a glance": one card per mode, led by how many scenarios it passed and failed.
 * Pooled numbers (every scenario's interactions added up) come second and say that they are
 * pooled: chat-day's thousands of interactions would otherwise hide a mode that fails most of
 * the small scenarios aimed at its gaps.
 */
import type { RouterAggregate } from '../mode-aggregate.ts';
import type { PairView } from '../pairs.ts';
import { pairKey } from '../pairs.ts';
import { escapeHtml as h, formatCount, formatMs, formatRate } from '../format.ts';
import { badge, quantileMs, verdictClass } from './common.ts';

const MAX_FAILED_NAMED = 6;

function scenarioPips(a: RouterAggregate, pairs: Map<string, PairView>): string {
  return `<div class="pips">${a.summaries
    .map((s) => {
      const p = pairs.get(pairKey(s.scenario, s.router));
      return `<a class="pip ${verdictClass(s.verdict)}" href="#${h(p?.anchor ?? '')}" title="${h(`${s.scenario}: ${s.verdict}`)}" aria-label="${h(`${s.scenario}: ${s.verdict}`)}"></a>`;
    })
    .join('')}</div>`;
}

function card(a: RouterAggregate, pairs: Map<string, PairView>): string {
  const n = a.summaries.length;
  const { passed, failed, unknown } = a.scenarios;
  const rate = a.total > 0 ? a.succeeded / a.total : NaN;
  const stat = (label: string, v: number): string => `<span class="${v > 0 ? 'bad' : ''}">${h(label)} <b>${formatCount(v)}</b></span>`;
  const failedList = a.summaries.filter((s) => s.verdict === 'fail');
  const named = failedList.slice(0, MAX_FAILED_NAMED).map((s) => `<a href="#${h(pairs.get(pairKey(s.scenario, s.router))?.anchor ?? '')}">${h(s.scenario)}</a>`);
  const more = failedList.length > named.length ? `, and ${formatCount(failedList.length - named.length)} more` : '';
  const regressed = a.summaries.filter((s) => (pairs.get(pairKey(s.scenario, s.router))?.regressions.length ?? 0) > 0).length;
  return `<div class="mode-card" style="--c:${h(a.color)}" data-router="${h(a.router)}">
<div class="name"><span>${h(a.router)}</span>${badge(a.verdict)}</div>
<div class="big" data-stat="scenarios"><span data-stat="passed">${formatCount(passed)}</span> of ${formatCount(n)}</div>
<div class="scen-line">scenario${n === 1 ? '' : 's'} passed · <span class="${failed > 0 ? 'bad-text' : ''}" data-stat="failed">${formatCount(failed)} failed</span>${unknown ? ` · <span data-stat="unknown">${formatCount(unknown)} unknown</span>` : ''}${regressed ? ` · <a class="bad-text" href="#baseline">${formatCount(regressed)} regressed vs baseline</a>` : ''}</div>
${scenarioPips(a, pairs)}
${failedList.length ? `<div class="sub failed-names">Failed: ${named.join(', ')}${more}</div>` : ''}
<div class="pooled"><div data-stat="pooled-success"><b>${formatRate(rate)}</b> pooled success over all scenarios’ interactions <span class="muted">(${formatCount(a.succeeded)} of ${formatCount(a.total)})</span></div>
<div class="stats"><span class="muted">pooled:</span>${stat('lost', a.counts['lost'] ?? 0)}${stat('dup', a.counts['duplicated'] ?? 0)}${stat('leaked', a.counts['leaked'] ?? 0)}${stat('late', a.counts['late'] ?? 0)}${stat('msgs lost', a.counts['requestsLost'] ?? 0)}${stat('runs ×2', a.counts['runsDuplicated'] ?? 0)}<span>p99 <b>${formatMs(quantileMs(a.latency, 0.99))}</b> ms</span></div></div>
</div>`;
}

export function glanceSection(aggs: RouterAggregate[], pairs: Map<string, PairView>): string {
  if (aggs.length === 0) return '';
  return `<section class="card" id="glance"><h2>Modes at a glance</h2>
<p class="muted small">Each mode’s verdict combines its scenario verdicts (one failing scenario fails the mode). Pooled numbers add up every scenario’s interactions, so the largest scenario dominates them.</p>
<div class="glance">${aggs.map((a) => card(a, pairs)).join('')}</div></section>`;
}
