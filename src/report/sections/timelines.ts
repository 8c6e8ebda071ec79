/**
 * "Timelines": a card per run whose timeline the report embeds, with the swimlane (drawn by the
 * inline script from the embedded data), its controls, the lost messages with their
 * explanations, and the command that replays the run.
 * Hooks: section.timeline#timeline-<run index>[data-run-index] with .lost-explanation.
 */
import type { ResultsDocument } from '../../run/result.ts';
import type { PreparedDocument, ReportLimits } from '../embed.ts';
import { escapeHtml as h, formatCount, formatDuration, formatMs } from '../format.ts';
import { replayCommand } from '../replay.ts';
import type { ReportDocument } from '../report-document.ts';
import { badge, copyableCommand, filterAttrs } from './common.ts';

function sampledNote(t: { embeddedItems: number; originalItems: number }, cappedByRunner: boolean): string {
  const reportSampled = t.originalItems > t.embeddedItems;
  const text = reportSampled ? `(sampled: ${formatCount(t.embeddedItems)} of ${formatCount(t.originalItems)}${cappedByRunner ? '+' : ''} items)` : `(sampled: capped at ${formatCount(t.embeddedItems)} items)`;
  const tip = reportSampled
    ? 'The report keeps losses first, then the lost events’ history, then connection and routing events, then an even sample of the rest.'
    : 'The runner capped this timeline: losses and violations first, then the earliest events.';
  return `<span class="sampled" title="${h(tip)}">${h(text)}</span>`;
}

/** A streamed run's timeline shows only some users: say which. */
function scopeNote(scope: string | undefined): string {
  return scope === undefined ? '' : ` <span class="sampled" title="The streaming judge keeps the facts of the first users it judged with violations for the timeline; every user was judged, and the counts and the list of violations cover them all.">(timeline: ${h(scope)})</span>`;
}

export function timelinesSection(doc: ReportDocument, embedded: ResultsDocument, info: PreparedDocument, limits: ReportLimits): string {
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
    const replay = replayCommand(doc.scenarioFiles?.[run.scenario] ?? run.scenario, run.router, run.seed, doc.serverFiles?.[run.router]);
    return `<section class="card timeline" id="timeline-${t.runIndex}" data-run-index="${t.runIndex}" data-verdict="${h(run.verdict)}" data-scenario="${h(run.scenario)}" data-router="${h(run.router)}" ${filterAttrs(run.scenario, run.router, run.verdict)}>
<h3>${h(run.scenario)} × ${h(run.router)} · seed ${h(run.seed)} ${badge(run.verdict)}${t.sampled ? ` ${sampledNote(t, doc.runs[t.runIndex]?.timelineTruncated === true)}` : ''}${scopeNote(doc.runs[t.runIndex]?.timelineScope)}</h3>
${copyableCommand(`replay-run-${t.runIndex}`, replay, 'cmd-inline tl-replay')}
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
      return `<span class="tl-index-item" ${filterAttrs(r.scenario, r.router, r.verdict)}><a href="#timeline-${t.runIndex}">${h(r.scenario)} × ${h(r.router)} seed ${h(r.seed)}</a> ${badge(r.verdict)}</span>`;
    })
    .join('');
  return `<section class="card" id="timelines" data-filter-scope><h2>Timelines</h2><p class="small tl-index">${index}</p><p class="filter-empty muted" hidden>No timeline matches the filter.</p>${omitted}</section>${parts.join('\n')}`;
}
