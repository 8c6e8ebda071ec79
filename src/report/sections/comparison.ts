/**
 * "Mode comparison": one row per scenario × mode, grouped by scenario (a <tbody> each, headed
 * by the scenario's name, so the filter can hide rows without breaking a rowspan), then the
 * success chart and the status report's claims.
 *
 * A row whose numbers seem to disagree, and every failing row, is followed by a note row
 * (tr.row-note): what failed, why the numbers are consistent, a link to the run's timeline and
 * the command that replays it.
 *
 * Hooks: table#comparison tr[data-scenario][data-router] > td[data-metric] (text = formatted,
 * data-value = raw); tr.row-note[data-note-for=<row id>] with .failed-on, .why, a.to-timeline,
 * code[id^=replay-].
 */
import type { ResultsDocument, Summary } from '../../run/result.ts';
import { successChart, type ClaimMark } from '../charts.ts';
import { comparisonText, comparisonValue, escapeHtml as h, formatCount, formatNumber, formatRate, formatSeeds, type ComparisonMetric } from '../format.ts';
import { pairKey, type PairView } from '../pairs.ts';
import { badge, copyableCommand, filterAttrs, swatch } from './common.ts';

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

/** Mode, verdict, the metrics, thresholds. */
const COLUMNS = 2 + METRIC_CELLS.length + 1;

export interface ComparisonContext {
  routers: string[];
  colors: Map<string, string>;
  pairs: Map<string, PairView>;
  /** Runs listed in the runs table (a link target when a pair has no embedded timeline). */
  listedRuns: ReadonlySet<number>;
}

function thresholdList(s: Summary): string {
  const list = s.thresholds ?? [];
  if (list.length === 0) return '<span class="muted">none</span>';
  return `<ul class="thr">${list
    .map((t) => `<li class="${t.ok ? 'ok' : 'bad'}" title="actual ${h(formatNumber(t.actual))}"><span class="badge ${t.ok ? 'ok' : 'bad'}">${t.ok ? '✓' : '✗'}</span> <code>${h(t.source)}</code> <span class="actual">= ${h(formatNumber(t.actual))}</span></li>`)
    .join('')}</ul>`;
}

/** The note row under a row: failed on, why, timeline link, replay command; '' when there is nothing to say. */
function noteRow(doc: ResultsDocument, p: PairView, ctx: ComparisonContext): string {
  const { failedOn, notes } = p.explanation;
  if (failedOn.length === 0 && notes.length === 0) return '';
  // One line: what failed, then where to look (timeline) and how to reproduce (replay); the
  // explanations of seemingly contradictory numbers below it.
  const line: string[] = [];
  if (failedOn.length) line.push(`<div class="failed-on"><b>Failed on:</b> ${failedOn.map((f) => `<span class="reason">${h(f)}</span>`).join('<span class="sep-dot"> · </span>')}</div>`);
  if (p.status === 'fail') {
    const links: string[] = [];
    if (p.timelineRun !== undefined) {
      const r = doc.runs[p.timelineRun]!;
      links.push(`<a class="to-timeline" href="#timeline-${p.timelineRun}">Timeline of seed ${h(r.seed)} ↓</a>`);
    } else {
      const listed = p.runs.find((i) => doc.runs[i]!.verdict === 'fail' && ctx.listedRuns.has(i)) ?? p.runs.find((i) => ctx.listedRuns.has(i));
      links.push(listed !== undefined ? `<a class="to-run" href="#run-${listed}">run #${listed} ↓</a> <span class="muted">(no timeline embedded)</span>` : '<span class="muted">no timeline embedded (see results.json)</span>');
    }
    if (p.replay) links.push(`<span class="replay-label">Replay:</span>${copyableCommand(`replay-${p.anchor}`, p.replay, 'cmd-inline')}`);
    line.push(`<div class="row-links">${links.join('')}</div>`);
  }
  const parts = [line.length ? `<div class="note-line">${line.join('')}</div>` : '', ...notes.map((n) => `<div class="why">${h(n)}</div>`)];
  return `<tr class="row-note" data-note-for="${h(p.anchor)}"><td></td><td colspan="${COLUMNS - 1}">${parts.join('')}</td></tr>`;
}

function row(doc: ResultsDocument, s: Summary, ctx: ComparisonContext): string {
  const p = ctx.pairs.get(pairKey(s.scenario, s.router))!;
  const cells = METRIC_CELLS.map(({ metric, bad }) => {
    const value = comparisonValue(s, metric);
    const isBad = bad === true && typeof value === 'number' && value > 0;
    return `<td class="num${isBad ? ' bad' : ''}" data-metric="${metric}" data-value="${h(value)}">${h(comparisonText(s, metric))}</td>`;
  }).join('');
  const seeds = s.failedSeeds?.length ? `<div class="muted small seeds" title="failed seeds">seeds ${h(formatSeeds(s.failedSeeds, 3))}</div>` : '';
  const regressed = p.regressions.length ? ` <a class="badge bad" href="#bl-${h(p.anchor)}" title="worse than the baseline beyond its tolerance">regressed</a>` : '';
  const note = noteRow(doc, p, ctx);
  return (
    `<tr data-scenario="${h(s.scenario)}" data-router="${h(s.router)}" data-verdict="${h(s.verdict)}" id="${h(p.anchor)}" ${filterAttrs(s.scenario, s.router, p.status)}${note ? ' class="has-note"' : ''}>` +
    `<td class="mode">${swatch(ctx.colors.get(s.router) ?? '#888')}${h(s.router)}<div class="muted small">${formatCount(s.runs)} run${s.runs === 1 ? '' : 's'}</div></td>` +
    `<td data-metric="verdict">${badge(s.verdict)}${regressed}${seeds}</td>${cells}<td class="thr-cell">${thresholdList(s)}</td></tr>` +
    note
  );
}

function table(doc: ResultsDocument, ctx: ComparisonContext): string {
  if (doc.summary.length === 0) return '<table id="comparison" class="comparison"><tbody><tr><td class="muted">No summaries.</td></tr></tbody></table>';
  const scenarios = [...new Set(doc.summary.map((s) => s.scenario))];
  const groups = scenarios.map((scenario) => {
    const list = doc.summary.filter((s) => s.scenario === scenario).sort((a, b) => ctx.routers.indexOf(a.router) - ctx.routers.indexOf(b.router));
    const failed = list.filter((s) => s.verdict === 'fail').length;
    const tally = `${formatCount(list.length - failed)} of ${formatCount(list.length)} modes passed`;
    return `<tbody data-group="${h(scenario)}"><tr class="scenario-head"><th colspan="${COLUMNS}" scope="rowgroup"><span class="scenario">${h(scenario)}</span> <span class="muted small">${h(tally)}</span></th></tr>${list.map((s) => row(doc, s, ctx)).join('')}</tbody>`;
  });
  const head = `<tr><th>Mode</th><th>Verdict</th>${METRIC_CELLS.map((c) => `<th class="num">${h(c.head)}</th>`).join('')}<th>Thresholds</th></tr>`;
  return `<div class="table-wrap" id="comparison-wrap" data-filter-scope><table id="comparison" class="comparison"><thead>${head}</thead>${groups.join('')}</table><p class="filter-empty muted" hidden>No row matches the filter.</p></div>`;
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

function chart(doc: ResultsDocument, routers: string[], colors: Map<string, string>): { svg: string; claims: ClaimMark[] } {
  const scenarios = [...new Set(doc.summary.map((s) => s.scenario))];
  const claims: ClaimMark[] = [];
  for (const s of doc.summary) {
    const c = STATUS_REPORT_CLAIMS[s.router];
    if (s.scenario === 'chat-day' && c) claims.push({ group: s.scenario, series: s.router, low: c.low, ...(c.high !== undefined ? { high: c.high } : {}), label: c.text });
  }
  const svg = doc.summary.length
    ? successChart(
        'Interaction success rate per mode and scenario, with 95% confidence intervals',
        doc.summary.map((s) => ({ group: s.scenario, series: s.router, value: s.successRate, ci: s.successRateCi95 })),
        scenarios,
        routers,
        colors,
        claims,
      )
    : '';
  return { svg, claims };
}

export function comparisonSection(doc: ResultsDocument, ctx: ComparisonContext): string {
  const { routers, colors } = ctx;
  const { svg, claims } = chart(doc, routers, colors);
  const legend = `<div class="legend-row">${routers.map((r) => `<span class="item">${swatch(colors.get(r) ?? '#888')}${h(r)}</span>`).join('')}<span class="item">whiskers: 95% CI</span>${claims.length ? '<span class="item"><span class="swatch" style="background:var(--claim);outline:1px dashed var(--claim-line)"></span>claimed by the status report (chat-day)</span>' : ''}</div>`;
  const modes = routers.filter((r) => MODE_DESCRIPTIONS[r]);
  const modeLegend = modes.length ? `<dl class="modes-legend">${modes.map((r) => `<dt>${swatch(colors.get(r) ?? '#888')}${h(r)}</dt><dd>${h(MODE_DESCRIPTIONS[r])}</dd>`).join('')}</dl>` : '';
  return `<section class="card" id="comparison-section"><h2>Mode comparison</h2>
<p class="muted small">One row per scenario × router mode. The verdict judges every owed (connection, event) pair against the invariants, then the thresholds; Success counts interactions: a message succeeds when its run completed and the tab that sent it received every event of that run. Rows where the two seem to disagree say why underneath.</p>
${table(doc, ctx)}
<div class="pair"><div class="chart-block"><h3>Success rate per mode</h3>
<div class="chart-scroll">${svg}</div>${legend}</div>
<div class="chart-block">${claimsTable(doc)}</div></div>
${modeLegend}
</section>`;
}
