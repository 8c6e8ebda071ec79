import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { comparisonText, extractEmbeddedDocument, renderHtmlReport } from '../../src/report/html.ts';
import { sampleTimeline } from '../../src/report/embed.ts';
import { formatCount, formatNumber, formatRate, formatSeeds } from '../../src/report/format.ts';
import { updateLatest, writeReport } from '../../src/report/write.ts';
import type { ComparisonMetric } from '../../src/report/format.ts';
import type { ResultsDocument, TimelineItem } from '../../src/run/result.ts';
import { baselineDocument, contradictoryDocument, largeDocument, syntheticDocument } from './fixtures.ts';
import { pairCommand as reportPairCommand, replayCommand as reportReplayCommand } from '../../src/report/replay.ts';
import { pairCommand as cliPairCommand, replayCommand as cliReplayCommand } from '../../src/cli/gate.ts';
import { overallVerdict } from '../../src/run/aggregate.ts';
import { explainRow } from '../../src/report/explain.ts';

const HOSTILE = ' </script><script>alert("pwned")</script> <img src=x onerror=alert(1)> & <!-- "quoted" \'single\'';

function smallDoc(): ResultsDocument {
  return syntheticDocument({ hostile: HOSTILE });
}

/** The <tr> of a summary in the comparison table, and its data-metric cells' text. */
function comparisonCells(html: string, scenario: string, router: string): Record<string, string> {
  const table = /<table id="comparison"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const row = new RegExp(`<tr data-scenario="${scenario}" data-router="${router}"[\\s\\S]*?</tr>`).exec(table)?.[0];
  expect(row, `row ${scenario} × ${router}`).toBeDefined();
  const cells: Record<string, string> = {};
  for (const m of row!.matchAll(/<td[^>]*data-metric="([a-zA-Z0-9]+)"[^>]*>([\s\S]*?)<\/td>/g)) cells[m[1]!] = m[2]!.replace(/<[^>]+>/g, '');
  return cells;
}

/** The page without the embedded data (where inserted text must be HTML-escaped). */
const markup = (html: string): string => html.replace(/(<script id="threadline-data"[^>]*>)[\s\S]*?(<\/script>)/, '$1$2');

const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('renderHtmlReport', () => {
  const doc = smallDoc();
  const html = renderHtmlReport(doc);

  it('is one self-contained file: no external scripts, styles, fonts, images or links', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i); // no absolute URLs at all (not even an SVG xmlns)
    expect(html).not.toMatch(/\s(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/@import|@font-face/i);
    expect(html).not.toMatch(/(?<![A-Za-z])url\(\s*['"]?(?!#)/); // CSS/SVG: only url(#id) references
    expect(html).not.toMatch(/<iframe|<object|<embed/i);
    // Exactly two script elements: the embedded data and the inline script.
    expect(html.match(/<script\b/gi)).toHaveLength(2);
    expect(html).toMatch(/<style>[\s\S]*prefers-color-scheme: dark[\s\S]*<\/style>/);
  });

  it('shows the overall verdict, the reproduce command and the run facts', () => {
    expect(doc.verdict).toBe('fail');
    expect(html).toMatch(/<span id="verdict" class="verdict verdict-fail" data-verdict="fail">fail<\/span>/);
    expect(html).toContain(`<code id="command">${doc.command}</code>`);
    expect(html).toContain('data-copy="command"');
    expect(html).toContain(doc.version);
    expect(html).toContain(formatSeeds(doc.runs.map((r) => r.seed)));
  });

  it('puts every summary in the comparison table with the document’s numbers', () => {
    expect(doc.summary.map((s) => s.router)).toEqual(['legacy', 'guaranteed']);
    const metrics: ComparisonMetric[] = ['successRate', 'successRateCi95', 'lost', 'duplicated', 'leaked', 'late', 'misrouted', 'droppedExplicit', 'p50', 'p99'];
    for (const s of doc.summary) {
      const cells = comparisonCells(html, s.scenario, s.router);
      for (const m of metrics) expect(cells[m], `${s.router} ${m}`).toBe(comparisonText(s, m));
      expect(cells['successRate']).toBe(formatRate(s.successRate));
      expect(cells['lost']).toBe(formatCount(s.counts.lost));
      for (const t of s.thresholds) expect(html).toContain(t.source.replace('>', '&gt;').replace('<', '&lt;'));
    }
    const legacy = doc.summary.find((s) => s.router === 'legacy')!;
    expect(legacy.counts.lost).toBeGreaterThan(0);
    expect(html).toMatch(new RegExp(`data-metric="lost" data-value="${legacy.counts.lost}">${formatCount(legacy.counts.lost)}<`));
  });

  it('shows the status report’s claims next to the measured chat-day numbers', () => {
    const claims = /<table id="claims"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(claims).toContain('80–85%');
    expect(claims).toContain('99%+');
    for (const s of doc.summary) expect(claims).toContain(formatRate(s.successRate));
    const other = renderHtmlReport({ ...doc, summary: doc.summary.map((s) => ({ ...s, scenario: 'storm' })) });
    expect(other).toContain('No <code>chat-day</code> scenario');
  });

  it('has a timeline section for the failing run, with the lost messages’ explanations escaped', () => {
    const failing = doc.runs.findIndex((r) => r.verdict === 'fail' && r.timeline?.some((i) => i.kind === 'lost'));
    expect(failing).toBeGreaterThanOrEqual(0);
    const section = new RegExp(`<section class="card timeline" id="timeline-${failing}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
    expect(section).not.toBe('');
    const lost = doc.runs[failing]!.timeline!.filter((i) => i.kind === 'lost');
    const explanations = [...section.matchAll(/<div class="lost-explanation">([\s\S]*?)<\/div>/g)].map((m) => unescape(m[1]!));
    expect(explanations.length).toBe(Math.min(50, lost.length));
    expect(explanations[0]).toBe(lost[0]!.explanation);
    expect(explanations[0]).toContain('</script><script>alert("pwned")</script>');
    // Escaped in markup, and the embedded JSON cannot end its script element early.
    expect(html).not.toContain('<script>alert(');
    expect(markup(html)).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    const data = /<script id="threadline-data"[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toMatch(/<\/script|<!--|<script/i);
    expect(data).toContain('<\\/script>');
    expect(JSON.parse(data)).toEqual(doc);
    // Filters populated from the data.
    expect(section).toMatch(/<select data-filter="user">[\s\S]*<option value="alice">alice<\/option>/);
    expect(section).toMatch(/<select data-filter="conn">[\s\S]*<option value="t1#1">t1#1<\/option>/);
    expect(section).toMatch(/<select data-filter="thread">[\s\S]*<option value="th-1">th-1<\/option>/);
    expect(section).toContain('data-action="reset"');
  });

  it('embeds the document as plain JSON when small, and it reads back unchanged', () => {
    expect(html).toMatch(/<script id="threadline-data" type="application\/json">/);
    expect(extractEmbeddedDocument(html)).toEqual(doc);
  });

  it('escapes the title and every inserted string', () => {
    const out = renderHtmlReport({ ...doc, command: 'run "</code><script>x()</script>"', version: '<b>1</b>' }, { title: '<img src=x onerror=alert(1)>' });
    expect(markup(out)).not.toContain('<img src=x');
    expect(out).not.toContain('<script>x()');
    expect(markup(out)).not.toContain('<b>1</b>');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out.match(/<script\b/gi)).toHaveLength(2);
  });

  it('shows a fuzz counterexample as a step list, other fields as JSON', () => {
    const fuzz = {
      seed: 42,
      command: 'threadline fuzz --replay abc',
      story: ['tab t1 connects with ?thread_id=th-1', 'tab t1 sends on th-2 </script><script>alert(2)</script>', { text: 'agent emits run_started', atMs: 12 }],
      scenario: { users: [{ id: 'u1', tabs: 1 }] },
    };
    const out = renderHtmlReport(doc, { fuzz });
    const section = /<section class="card counterexample" id="counterexample">[\s\S]*?<\/section>/.exec(out)?.[0] ?? '';
    expect(section).toContain('<h2>Counterexample</h2>');
    const steps = /<ol class="steps">([\s\S]*?)<\/ol>/.exec(section)?.[1] ?? '';
    expect(steps.match(/<li>/g)).toHaveLength(3);
    expect(steps).toContain('tab t1 connects with ?thread_id=th-1');
    expect(steps).toContain('&lt;/script&gt;&lt;script&gt;alert(2)');
    expect(section).toContain('&quot;users&quot;');
    expect(section).toContain('data-copy="fuzz-command"');
    expect(out).not.toContain('<script>alert(2)');
    expect(renderHtmlReport(doc)).not.toContain('id="counterexample"');
    // doc.fuzz is used when no option is given; `steps` is a step list too.
    const viaDoc = renderHtmlReport({ ...doc, fuzz: { steps: ['a', 'b'] } });
    expect(viaDoc).toMatch(/<ol class="steps"><li>a<\/li><li>b<\/li><\/ol>/);
  });

  it('shows missing numbers as dashes (NaN is null once the document went through JSON)', () => {
    const s0 = doc.summary[0]!;
    const noData = { ...s0, router: 'dynamic', successRate: NaN, successRateCi95: [NaN, NaN] as [number, number], interactions: { total: 0, succeeded: 0 }, latencyMs: { p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN } };
    const viaJson = JSON.parse(JSON.stringify({ ...doc, summary: [...doc.summary, noData] })) as ResultsDocument;
    expect(viaJson.summary[2]!.successRate).toBeNull();
    const out = renderHtmlReport(viaJson);
    const cells = comparisonCells(out, s0.scenario, 'dynamic');
    expect(cells['successRate']).toBe('—');
    expect(cells['successRateCi95']).toBe('—');
    expect(cells['p99']).toBe('—');
    expect(out.replace(/<script\b[\s\S]*?<\/script>/g, '')).not.toMatch(/NaN|null|undefined/);
  });

  it('renders an empty or partial document without failing', () => {
    const empty: ResultsDocument = { schema: 'threadline/results@1', version: '0.1.0', verdict: 'unknown', command: 'threadline run', wallMs: 0, runs: [], summary: [], partial: true, shard: { index: 0, total: 2 } };
    const out = renderHtmlReport(empty);
    expect(out).toContain('data-verdict="unknown"');
    expect(out).toMatch(/<table id="comparison"/);
    expect(out).toContain('Partial results');
    expect(extractEmbeddedDocument(out)).toEqual(empty);
  });
});

/** The note row under a comparison row (what failed, why, timeline link, replay), or undefined. */
function noteOf(html: string, scenario: string, router: string): string | undefined {
  const id = new RegExp(`<tr data-scenario="${scenario}" data-router="${router}"[^>]* id="(pair-\\d+)"`).exec(html)?.[1];
  expect(id, `row ${scenario} × ${router}`).toBeDefined();
  return new RegExp(`<tr class="row-note" data-note-for="${id}">[\\s\\S]*?</tr>`).exec(html)?.[0];
}
/** Visible text: tags as spaces, whitespace collapsed. */
const text = (markupText: string): string => unescape(markupText.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

describe('the report reads true at a glance', () => {
  const doc = contradictoryDocument();
  const html = renderHtmlReport(doc);

  it('says why a row’s numbers seem to disagree, in that row', () => {
    const gap = noteOf(html, 'history-gap', 'legacy')!;
    expect(gap).toBeDefined();
    const gapSummary = doc.summary.find((s) => s.scenario === 'history-gap')!;
    const { failedOn, notes } = explainRow({ summary: gapSummary });
    expect(text(gap)).toContain(`Failed on: ${failedOn.join(' · ')}`);
    expect(failedOn[0]).toBe('no-loss (6)');
    expect(text(gap)).toContain(notes[0]!);
    expect(notes[0]).toContain('the 6 lost events (owed to other tabs or connections)');
    const reconnect = text(noteOf(html, 'reconnect-mid-run', 'guaranteed')!);
    expect(reconnect).toContain('It passes: no invariant fired and its threshold success_rate >= 0.5 allows 50.00%.');
    expect(reconnect).not.toContain('Failed on');
    // A row whose numbers agree has no note.
    expect(noteOf(html, 'chat-day', 'guaranteed')).toBeUndefined();
  });

  it('links every failing row to its timeline and shows the command that replays it', () => {
    for (const s of doc.summary.filter((x) => x.verdict === 'fail')) {
      const note = noteOf(html, s.scenario, s.router);
      expect(note, `${s.scenario} × ${s.router}`).toBeDefined();
      const failing = doc.runs.map((r, i) => ({ r, i })).filter(({ r }) => r.scenario === s.scenario && r.router === s.router && r.verdict === 'fail');
      if (failing.length === 0) {
        expect(note).toContain('no timeline embedded');
        continue;
      }
      const target = /<a class="to-timeline" href="#(timeline-\d+)">/.exec(note!)?.[1];
      expect(target).toBe(`timeline-${failing[0]!.i}`);
      expect(html).toContain(`id="${target}"`);
      expect(note).toContain(`>${reportReplayCommand(s.scenario, s.router, failing[0]!.r.seed)}</code>`);
      expect(note).toMatch(/<code id="(replay-pair-\d+)">[^<]*<\/code><button type="button" data-copy="\1"/);
    }
  });

  it('replays with the same command text as the CLI', () => {
    for (const [where, router, seed] of [['scenarios/rapid-send.ts', 'dynamic', 7], ['my scenario', "it's+flag=2", 1]] as const) {
      expect(reportReplayCommand(where, router, seed)).toBe(cliReplayCommand(where, router, seed));
      for (const seeds of [[], [3], [1, 2, 3], [1, 5, 9]]) expect(reportPairCommand(where, router, seeds)).toBe(cliPairCommand(where, router, seeds));
    }
  });

  it('leads each mode card with scenarios passed and failed; pooled numbers say they are pooled', () => {
    for (const router of ['legacy', 'guaranteed']) {
      const card = new RegExp(`<div class="mode-card"[^>]*data-router="${router}">[\\s\\S]*?</div>\\n</div>`).exec(html)?.[0] ?? '';
      const list = doc.summary.filter((s) => s.router === router);
      const passed = list.filter((s) => s.verdict === 'pass').length;
      const failed = list.filter((s) => s.verdict === 'fail').length;
      expect(text(card)).toContain(`${passed} of ${list.length} scenarios passed · ${failed} failed`);
      expect(card).toContain(`<span class="badge ${overallVerdict(list)}">${overallVerdict(list)}</span>`);
      expect(text(card)).toContain('pooled success over all scenarios’ interactions');
      // The big number is the scenario count, never a pooled rate.
      expect(/<div class="big"[^>]*>([\s\S]*?)<\/div>/.exec(card)![1]).not.toContain('%');
    }
  });

  it('has a sticky filter bar whose counts match the rows, and marks every filterable row', () => {
    const bar = /<div class="filter-bar" id="filter"[\s\S]*?<\/div>\n<input[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    const failing = doc.summary.filter((s) => s.verdict === 'fail').length;
    expect(bar).toContain(`data-status-filter="all" aria-pressed="true">All <span class="n">${doc.summary.length}</span>`);
    expect(bar).toContain(`data-status-filter="fail" aria-pressed="false">Failing <span class="n">${failing}</span>`);
    expect(bar).toContain('id="filter-search"');
    const rows = [...html.matchAll(/<tr data-scenario="[^"]*" data-router="[^"]*" data-verdict="([a-z]+)" id="pair-\d+" data-filter-item data-status="([a-z]+)"/g)];
    expect(rows).toHaveLength(doc.summary.length);
    for (const [, verdict, status] of rows) expect(status).toBe(verdict);
    expect(html.match(/<section class="card timeline"[^>]*data-filter-item/g)?.length).toBe(doc.runs.filter((r) => r.timeline).length);
    expect(html.match(/<tr data-run="\d+"[^>]*data-filter-item/g)?.length).toBe(doc.runs.length);
  });
});

describe('comparison with a baseline', () => {
  it('is absent without a baseline', () => {
    const html = renderHtmlReport(syntheticDocument({ seeds: 1 }));
    expect(html).not.toContain('id="baseline"');
    expect(html).not.toContain('href="#baseline"');
  });

  it('shows per pair the old and new value, the change and the tolerance, regressions first and marked', () => {
    const doc = baselineDocument();
    const html = renderHtmlReport(doc);
    const section = /<section class="card" id="baseline">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(section).toContain('<code>threadline.baseline.json</code>');
    expect(text(section)).toContain('2 regressions in 1 pair, 1 improvement');
    const rows = [...section.matchAll(/<tr data-scenario="([^"]*)" data-router="([^"]*)" data-regressed="(true|false)"[\s\S]*?<\/tr>/g)];
    expect(rows.map((m) => [m[2], m[3]])).toEqual([['legacy', 'true'], ['guaranteed', 'false']]);
    const legacy = rows[0]![0];
    const [lost, rate] = doc.baseline.regressions;
    expect(legacy).toMatch(/<td class="bl regression" data-metric="lost" data-change="regression">/);
    expect(text(legacy)).toContain(`${formatCount(lost!.old)} → ${formatCount(lost!.new)} +7 (+${((7 / lost!.old) * 100).toFixed(1)}%) tolerance 0`);
    expect(text(legacy)).toContain(`${formatRate(rate!.old)} → ${formatRate(rate!.new)} −2.00 points tolerance 0.5 points`);
    expect(legacy).toMatch(/data-metric="latency_p99_ms" data-change="within"/);
    // Within tolerance, with the old value too (the comparison records every compared metric).
    const within = doc.baseline.unchanged![0]!;
    expect(text(legacy)).toContain(`→ ${formatNumber(within.new)} ms within tolerance (−0.2 ms (`);
    expect(text(legacy)).toContain('tolerance 10% and 0.5 ms)');
    expect(rows[1]![0]).toMatch(/<td class="bl improvement" data-metric="latency_p99_ms" data-change="improvement">/);
    expect(text(rows[1]![0])).toContain('(−33.3%) tolerance 10% and 0.5 ms');
    // The regressed comparison row says so and fails the filter's status, as the gate does.
    expect(html).toMatch(/<tr data-scenario="chat-day" data-router="legacy"[^>]*data-status="fail"[\s\S]*?<a class="badge bad" href="#bl-pair-\d+"[^>]*>regressed<\/a>/);
    expect(html).toContain('<a href="#baseline">Baseline</a>');
  });
});

describe('large documents', () => {
  const doc = largeDocument();
  const html = renderHtmlReport(doc);

  it('stays under 5 MB for ~200,000 messages, embedding gzip+base64', () => {
    const produced = doc.summary.reduce((a, s) => a + s.counts.produced, 0);
    expect(produced).toBeGreaterThanOrEqual(200_000);
    expect(doc.runs.filter((r) => r.timeline).length).toBeGreaterThan(20);
    const bytes = Buffer.byteLength(html, 'utf8');
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
    expect(html).toMatch(/<script id="threadline-data" type="application\/octet-stream" data-encoding="gzip-base64">/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('caps embedded timelines (20 runs, 3,000 items, losses kept) and says so', () => {
    const embedded = extractEmbeddedDocument(html);
    expect(embedded.summary).toEqual(doc.summary);
    const withTimeline = embedded.runs.map((r, i) => ({ r, i })).filter(({ r }) => r.timeline);
    expect(withTimeline.length).toBe(20);
    // Passing runs get a few slots; failing runs are spread over the modes.
    expect(withTimeline.some(({ r }) => r.verdict === 'pass')).toBe(true);
    expect(new Set(withTimeline.filter(({ r }) => r.verdict === 'fail').map(({ r }) => r.router)).size).toBe(3);
    for (const { r, i } of withTimeline) {
      expect(r.timeline!.length).toBeLessThanOrEqual(3_000);
      const original = doc.runs[i]!.timeline!;
      const lost = (items: TimelineItem[]): number => items.filter((x) => x.kind === 'lost').length;
      expect(lost(r.timeline!)).toBe(lost(original));
      if (original.length > 3_000) expect(r.timelineTruncated).toBe(true);
      expect(html).toContain(`id="timeline-${i}"`);
    }
    expect(html).toMatch(/\(sampled: 3,000 of 5,000\+ items\)/);
    expect(html).toMatch(/more runs carried a timeline/);
  });
});

describe('sampleTimeline', () => {
  it('keeps losses, then the lost events’ history, then structure, and thins the rest evenly', () => {
    const items: TimelineItem[] = [];
    for (let i = 0; i < 1_000; i++) items.push({ t: i * 10, lane: 't1#1', kind: 'deliver', label: 'd', eid: `e${i}`, fromT: i * 10 - 5 });
    items.push({ t: 5_000, lane: 't1#1', kind: 'lost', label: 'no-loss', eid: 'L', explanation: 'because' });
    items.push({ t: 4_990, lane: 'agent', kind: 'produced', label: 'p', eid: 'L' });
    items.push({ t: 100, lane: 't1#1', kind: 'open', label: 'open' });
    items.sort((a, b) => a.t - b.t);
    const { items: kept, sampled } = sampleTimeline(items, 100);
    expect(sampled).toBe(true);
    expect(kept).toHaveLength(100);
    expect(kept.filter((i) => i.kind === 'lost')).toHaveLength(1);
    expect(kept.some((i) => i.kind === 'produced' && i.eid === 'L')).toBe(true);
    expect(kept.some((i) => i.kind === 'open')).toBe(true);
    expect(kept.at(-1)!.t).toBeGreaterThan(9_000); // spread over time, not just the start
    for (let k = 1; k < kept.length; k++) expect(kept[k]!.t).toBeGreaterThanOrEqual(kept[k - 1]!.t);
    expect(sampleTimeline(items, 10_000)).toEqual({ items, sampled: false });
  });
});

describe('writeReport and updateLatest', () => {
  const doc = syntheticDocument({ seeds: 1 });

  it('writes index.html and results.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-report-'));
    try {
      const { htmlPath, jsonPath } = writeReport(doc, path.join(dir, 'run-1'));
      expect(htmlPath).toBe(path.join(dir, 'run-1', 'index.html'));
      expect(jsonPath).toBe(path.join(dir, 'run-1', 'results.json'));
      expect(JSON.parse(fs.readFileSync(jsonPath, 'utf8'))).toEqual(doc);
      expect(fs.readFileSync(htmlPath, 'utf8')).toBe(renderHtmlReport(doc));
      expect(fs.readdirSync(path.join(dir, 'run-1')).sort()).toEqual(['index.html', 'results.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points latest at the newest run: a relative symlink, replaced in place, or a copy', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-reports-'));
    try {
      const run1 = path.join(root, 'run-1');
      const run2 = path.join(root, 'run-2');
      writeReport(doc, run1);
      writeReport({ ...doc, command: 'second run' }, run2);
      const latest = path.join(root, 'latest');

      expect(updateLatest(root, run1)).toEqual({ latestPath: latest, kind: 'symlink' });
      expect(fs.lstatSync(latest).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(latest)).toBe('run-1');
      expect(updateLatest(root, run2).kind).toBe('symlink');
      expect(fs.readlinkSync(latest)).toBe('run-2');
      expect(JSON.parse(fs.readFileSync(path.join(latest, 'results.json'), 'utf8')).command).toBe('second run');

      // Where symlinks fail: a directory with copies of both files (replacing the symlink).
      expect(updateLatest(root, run1, { mode: 'copy' }).kind).toBe('copy');
      expect(fs.lstatSync(latest).isDirectory()).toBe(true);
      expect(fs.readFileSync(path.join(latest, 'index.html'), 'utf8')).toBe(fs.readFileSync(path.join(run1, 'index.html'), 'utf8'));
      expect(JSON.parse(fs.readFileSync(path.join(latest, 'results.json'), 'utf8'))).toEqual(doc);
      // ... and back to a symlink over the copied directory; the run directories are intact.
      expect(updateLatest(root, run2).kind).toBe('symlink');
      expect(fs.readlinkSync(latest)).toBe('run-2');
      expect(fs.existsSync(path.join(run1, 'index.html'))).toBe(true);
      expect(fs.readdirSync(root).sort()).toEqual(['latest', 'run-1', 'run-2']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
