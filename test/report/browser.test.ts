/**
 * The report in a real browser: headless Chromium (from the npm package @sparticuz/chromium, or
 * THREADLINE_CHROMIUM) opens the generated file
 * from a file:// URL. No request may leave the file (only file:, data: and blob: URLs), no
 * console error may appear, the numbers must match the document, the swimlane must draw and
 * respond to zoom and filters. Screenshots land in test-output/ (git-ignored).
 *
 * The browser comes with `npm ci` (see test/support/chromium.ts). A browser that cannot start
 * fails these tests; it never skips them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { comparisonText } from '../../src/report/html.ts';
import { writeReport } from '../../src/report/write.ts';
import type { ResultsDocument } from '../../src/run/result.ts';
import { baselineDocument, contradictoryDocument, largeDocument, syntheticDocument } from './fixtures.ts';
import { replayCommand } from '../../src/report/replay.ts';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib).
interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
}
interface El {
  scrollWidth: number;
  clientWidth: number;
  hidden: boolean;
  textContent: string | null;
  getBoundingClientRect(): Rect;
  /** A NodeList in the page: use Array.from before array methods. */
  querySelectorAll(selector: string): ArrayLike<El>;
  getAttribute(name: string): string | null;
  closest(selector: string): El | null;
}
declare const document: { documentElement: { dataset: Record<string, string | undefined>; scrollWidth: number; clientWidth: number }; body: unknown; querySelector(selector: string): El | null; querySelectorAll(selector: string): ArrayLike<El> };
declare const window: { threadlineResults: ResultsDocument; __pwned?: boolean; scrollTo(x: number, y: number): void; innerHeight: number; location: { hash: string } };
declare const navigator: unknown;
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };
interface NavigationEntry {
  startTime: number;
  loadEventEnd: number;
}

const OUT = path.resolve('test-output');
const MAX_REPORT_BYTES = 5 * 1024 * 1024;

interface PageLog {
  errors: string[];
  external: string[];
}

let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function open(file: string, colorScheme: 'light' | 'dark' = 'light', width = 1400): Promise<{ page: Page; log: PageLog; loadMs: number; readyMs: number }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  const log: PageLog = { errors: [], external: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') log.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => log.errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => {
    if (!/^(file|data|blob):/.test(req.url())) log.external.push(req.url());
  });
  page.on('requestfailed', (req) => log.errors.push(`request failed: ${req.url()}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready]', { timeout: 30_000 });
  const timing = await page.evaluate(() => {
    const nav = (performance as unknown as { getEntriesByType(type: string): NavigationEntry[] }).getEntriesByType('navigation')[0]!;
    return { loadMs: nav.loadEventEnd - nav.startTime, readyMs: Number(document.documentElement.dataset['readyMs']), ready: document.documentElement.dataset['ready'] };
  });
  expect(timing.ready).toBe('1');
  return { page, log, loadMs: timing.loadMs, readyMs: timing.readyMs };
}

describe('HTML report in headless Chromium', () => {
  const doc: ResultsDocument = syntheticDocument({ hostile: ' </script><script>window.__pwned = true</script>' });
  const failingIndex = doc.runs.findIndex((r) => r.verdict === 'fail' && r.timeline?.some((i) => i.kind === 'lost'));

  it('renders offline with the document’s numbers, the lost message’s explanation and a working swimlane', async () => {
    const { htmlPath } = writeReport(doc, path.join(OUT, 'report-small'));
    const { page, log, loadMs } = await open(htmlPath);
    try {
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
      expect(await page.textContent('#verdict')).toBe('fail');

      // Comparison table: one row per summary; cells equal the document's numbers.
      const rows = await page.$$eval('#comparison tr[data-scenario][data-router]', (trs) =>
        trs.map((tr) => {
          const cell = (m: string): { text: string; value: string } => {
            const td = tr.querySelector(`td[data-metric="${m}"]`)!;
            return { text: td.textContent ?? '', value: td.getAttribute('data-value') ?? '' };
          };
          return { scenario: tr.getAttribute('data-scenario'), router: tr.getAttribute('data-router'), successRate: cell('successRate'), lost: cell('lost'), duplicated: cell('duplicated'), leaked: cell('leaked'), late: cell('late'), p99: cell('p99') };
        }),
      );
      expect(rows).toHaveLength(doc.summary.length);
      for (const s of doc.summary) {
        const row = rows.find((r) => r.scenario === s.scenario && r.router === s.router)!;
        expect(row, `${s.scenario} × ${s.router}`).toBeDefined();
        expect(Number(row.successRate.value)).toBe(s.successRate);
        expect(row.successRate.text).toBe(comparisonText(s, 'successRate'));
        expect(Number(row.lost.value)).toBe(s.counts.lost);
        expect(row.lost.text).toBe(comparisonText(s, 'lost'));
        for (const m of ['duplicated', 'leaked', 'late', 'p99'] as const) expect(row[m].text).toBe(comparisonText(s, m));
      }

      // The failing run's timeline: explanation listed, and on the lost marker's hover title.
      const run = doc.runs[failingIndex]!;
      const lost = run.timeline!.find((i) => i.kind === 'lost')!;
      const section = page.locator(`#timeline-${failingIndex}`);
      await section.scrollIntoViewIfNeeded();
      const explanations = await section.locator('.lost-explanation').allTextContents();
      expect(explanations).toContain(lost.explanation);
      expect(await section.locator('.lost-explanation').first().isVisible()).toBe(true);
      const titles = await section.locator('.swimlane g.mk.k-lost > title').allTextContents();
      expect(titles.length).toBe(run.timeline!.filter((i) => i.kind === 'lost').length);
      expect(titles.some((t) => t.includes(lost.explanation!))).toBe(true);
      expect(await section.locator('.swimlane svg line.arrow').count()).toBeGreaterThan(0);
      expect(await section.locator('.swimlane rect.fault').count()).toBeGreaterThan(0);
      expect(await section.locator('.swimlane .lane-label').first().textContent()).toBe('agent');

      // Filtering by connection keeps agent, router and that connection only.
      const count = section.locator('.tl-count');
      const before = await count.textContent();
      await section.locator('select[data-filter="conn"]').selectOption('t1#1');
      const lanes = await section.locator('.swimlane .lane-label').allTextContents();
      expect(lanes.map((l) => l.replace(/\s.*$/, '').replace(/(alice|bob|carol|dave)$/, ''))).toEqual(['agent', 'router', 't1#1']);
      expect(await count.textContent()).not.toBe(before);
      await section.locator('select[data-filter="conn"]').selectOption('');
      await section.locator('select[data-filter="user"]').selectOption('bob');
      const userLanes = await section.locator('.swimlane .lane-label').allTextContents();
      expect(userLanes.slice(2).every((l) => l.endsWith('bob'))).toBe(true);
      await section.locator('select[data-filter="user"]').selectOption('');
      // "Only lanes with losses": the connection lanes left are exactly those with a lost item.
      const lossLanes = [...new Set(run.timeline!.filter((i) => i.kind === 'lost').map((i) => i.lane))].sort();
      await section.locator('input[data-filter="lossOnly"]').check();
      const shownLanes = (await section.locator('.swimlane .lane-label').allTextContents()).slice(2).map((l) => l.replace(/(alice|bob|carol|dave)$/, ''));
      expect(shownLanes.slice().sort()).toEqual(lossLanes);
      await section.locator('input[data-filter="lossOnly"]').uncheck();

      // Zoom by dragging across the plot; reset restores the full window.
      const fromInput = section.locator('input[data-zoom="from"]');
      const toInput = section.locator('input[data-zoom="to"]');
      const full = [Number(await fromInput.inputValue()), Number(await toInput.inputValue())];
      const box = (await section.locator('.swimlane').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.4, box.y + 60);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + 60, { steps: 4 });
      await page.mouse.move(box.x + box.width * 0.6, box.y + 60, { steps: 4 });
      await page.mouse.up();
      const zoomed = [Number(await fromInput.inputValue()), Number(await toInput.inputValue())];
      expect(zoomed[0]).toBeGreaterThan(full[0]!);
      expect(zoomed[1]).toBeLessThan(full[1]!);
      expect(zoomed[1]! - zoomed[0]!).toBeLessThan((full[1]! - full[0]!) * 0.3);
      expect(await section.locator('input[data-zoom="pan"]').isDisabled()).toBe(false);
      await section.locator('button[data-action="reset"]').click();
      expect([Number(await fromInput.inputValue()), Number(await toInput.inputValue())]).toEqual(full);

      // Clicking a lost message zooms to it and pins its details.
      await section.locator('ol.lost-list li').first().click();
      expect(await section.locator('.tl-detail').textContent()).toContain(lost.explanation!.slice(0, 40));
      expect(Number(await toInput.inputValue()) - Number(await fromInput.inputValue())).toBeLessThan(full[1]! - full[0]!);
      await section.locator('button[data-action="reset"]').click();

      // Queue depth over time (the guaranteed runs): a visible step line, and its table's max.
      const series = page.locator('.series-run').first();
      const seriesRun = doc.runs[Number(await series.getAttribute('data-run'))]!;
      await series.scrollIntoViewIfNeeded();
      expect(await series.locator('svg path.series-line').isVisible()).toBe(true);
      expect(await series.locator('tr[data-series="queueDepth"] td[data-stat="max"]').textContent()).toBe(String(Math.max(...seriesRun.monitoring.series!.queueDepth.map((p) => p[1]))));

      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(OUT, 'report.png'), fullPage: true });
      console.log(`[report] small report: ${fs.statSync(htmlPath).size} bytes, navigation → load ${loadMs.toFixed(0)} ms`);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('renders in the dark colour scheme without errors', async () => {
    const htmlPath = path.join(OUT, 'report-small', 'index.html');
    if (!fs.existsSync(htmlPath)) writeReport(doc, path.join(OUT, 'report-small'));
    const { page, log } = await open(htmlPath, 'dark');
    try {
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      expect(r! + g! + b!).toBeLessThan(120); // a dark background
      await page.screenshot({ path: path.join(OUT, 'report-dark.png'), fullPage: false });
      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('keeps a ~200,000-message document under 5 MB and renders it quickly (gzip-embedded)', async () => {
    const big = largeDocument();
    const produced = big.summary.reduce((a, s) => a + s.counts.produced, 0);
    expect(produced).toBeGreaterThanOrEqual(200_000);
    const { htmlPath } = writeReport(big, path.join(OUT, 'report-large'));
    const bytes = fs.statSync(htmlPath).size;
    expect(bytes).toBeLessThan(MAX_REPORT_BYTES);
    const { page, log, loadMs, readyMs } = await open(htmlPath);
    try {
      expect(await page.locator('#threadline-data').getAttribute('data-encoding')).toBe('gzip-base64');
      const summary = await page.evaluate(() => {
        const d = window.threadlineResults;
        return { runs: d.runs.length, timelines: d.runs.filter((r) => r.timeline).length, maxItems: Math.max(...d.runs.map((r) => r.timeline?.length ?? 0)) };
      });
      expect(summary).toEqual({ runs: big.runs.length, timelines: 20, maxItems: 3_000 });
      expect(await page.locator('section.timeline').count()).toBe(20);
      expect(await page.locator('section.timeline .swimlane svg').count()).toBeGreaterThanOrEqual(3); // the rest draw when scrolled to
      expect(await page.locator('.sampled').first().textContent()).toContain('sampled');
      const legacy = big.summary.find((s) => s.router === 'legacy')!;
      expect(await page.textContent('#comparison tr[data-router="legacy"] td[data-metric="lost"]')).toBe(comparisonText(legacy, 'lost'));
      // Scrolling to the last timeline draws it.
      const lastId = await page.locator('section.timeline').last().getAttribute('id');
      expect(await page.locator(`#${lastId} .swimlane svg`).count()).toBe(0);
      await page.locator(`#${lastId}`).scrollIntoViewIfNeeded();
      await page.waitForSelector(`#${lastId} .swimlane svg`, { timeout: 10_000 });
      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
      expect(loadMs).toBeLessThan(10_000);
      console.log(`[report] large report (${produced} messages, ${big.runs.length} runs): ${(bytes / 1024 / 1024).toFixed(2)} MB, navigation → load ${loadMs.toFixed(0)} ms, data decoded and first timelines drawn at ${readyMs} ms`);
    } finally {
      await page.context().close();
    }
  }, 120_000);
});

describe('the report reads true at a glance, in headless Chromium', () => {
  /** Visible (rendered) elements' attribute values, in document order. */
  async function visibleAttr(page: Page, selector: string, attr: string): Promise<string[]> {
    return page.$$eval(selector, (els, a) => els.filter((el) => el.getClientRects().length > 0).map((el) => el.getAttribute(a) ?? ''), attr);
  }
  // A wide table: five modes (one a variant with a long name), three scenarios, three thresholds each.
  const wide = syntheticDocument({ routers: ['legacy', 'dynamic', 'shipped', 'guaranteed', 'dynamic+bindOnSwitch'], scenarios: ['chat-day', 'reconnect-storm', 'thread-switch-mid-run'], seeds: 2 });
  const wideDir = path.join(OUT, 'report-wide');

  for (const width of [1280, 1400]) {
    it(`fits the comparison table at ${width} px: no cell clipped, every threshold fully visible`, async () => {
      const { htmlPath } = writeReport(wide, wideDir);
      const { page, log } = await open(htmlPath, 'light', width);
      try {
        const m = await page.evaluate(() => {
          const wrap = document.querySelector('#comparison-wrap')!;
          const table = document.querySelector('#comparison')!;
          const w = wrap.getBoundingClientRect();
          const clipped = Array.from(table.querySelectorAll('th, td')).filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent);
          const thresholds = Array.from(table.querySelectorAll('td.thr-cell li')).map((li) => ({ text: (li.textContent ?? '').trim(), left: li.getBoundingClientRect().left, right: li.getBoundingClientRect().right, overflow: li.scrollWidth - li.clientWidth }));
          return {
            wrap: { left: w.left, right: w.right, scroll: wrap.scrollWidth, client: wrap.clientWidth },
            tableRight: table.getBoundingClientRect().right,
            clipped,
            thresholds,
            page: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
          };
        });
        expect(m.clipped).toEqual([]);
        // It fits: the table ends inside its container, which has nothing to scroll, and the page does not scroll sideways.
        expect(m.tableRight).toBeLessThanOrEqual(m.wrap.right + 0.5);
        expect(m.wrap.scroll).toBeLessThanOrEqual(m.wrap.client);
        expect(m.page.scroll).toBeLessThanOrEqual(m.page.client);
        const expected = wide.summary.flatMap((s) => s.thresholds.map((t) => t.source));
        expect(m.thresholds).toHaveLength(expected.length);
        for (const [i, t] of m.thresholds.entries()) {
          expect(t.text).toContain(expected[i]!);
          expect(t.text).toMatch(/= \S+$/); // the actual value, not cut off
          expect(t.overflow, t.text).toBeLessThanOrEqual(0);
          expect(t.left).toBeGreaterThanOrEqual(m.wrap.left - 0.5);
          expect(t.right, t.text).toBeLessThanOrEqual(m.wrap.right + 0.5);
        }
        await page.locator('#comparison-wrap').screenshot({ path: path.join(OUT, `comparison-${width}.png`), style: 'nav.top { position: static !important; }' });
        expect(log.errors).toEqual([]);
        expect(log.external).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it('filters by status (failing only hides passing rows, timelines and runs) and narrows by scenario name', async () => {
    const doc = contradictoryDocument();
    const { htmlPath } = writeReport(doc, path.join(OUT, 'report-filter'));
    const { page, log } = await open(htmlPath);
    try {
      const rowSel = '#comparison tr[data-scenario][data-router]';
      expect(await visibleAttr(page, rowSel, 'data-status')).toHaveLength(doc.summary.length);

      await page.click('[data-status-filter="fail"]');
      const failingRows = doc.summary.filter((s) => s.verdict === 'fail').length;
      expect(await visibleAttr(page, rowSel, 'data-status')).toEqual(Array(failingRows).fill('fail'));
      expect(await page.getAttribute('[data-status-filter="fail"]', 'aria-pressed')).toBe('true');
      expect(await page.textContent('#filter-count')).toBe(`${failingRows} of ${doc.summary.length} rows`);
      // Note rows follow their rows: the passing reconnect-mid-run row's note is hidden too.
      const notesShown = await visibleAttr(page, '#comparison tr.row-note', 'data-note-for');
      const rowsShown = await visibleAttr(page, rowSel, 'id');
      expect(notesShown.every((id) => rowsShown.includes(id))).toBe(true);
      expect(await page.locator('tr[data-scenario="reconnect-mid-run"]').isVisible()).toBe(false);
      // Timelines and runs: only failing ones.
      const timelines = await visibleAttr(page, 'section.timeline', 'data-status');
      expect(timelines.length).toBe(doc.runs.filter((r) => r.timeline && r.verdict === 'fail').length);
      expect(new Set(timelines)).toEqual(new Set(['fail']));
      const runs = await visibleAttr(page, '#runs-table tr[data-run]', 'data-status');
      expect(runs).toEqual(Array(doc.runs.filter((r) => r.verdict === 'fail').length).fill('fail'));

      await page.click('[data-status-filter="pass"]');
      expect(new Set(await visibleAttr(page, rowSel, 'data-status'))).toEqual(new Set(['pass']));
      expect(new Set(await visibleAttr(page, 'section.timeline', 'data-status'))).toEqual(new Set(['pass']));

      // Search narrows by scenario name (and mode); scenario groups without a match disappear.
      await page.click('[data-status-filter="all"]');
      await page.fill('#filter-search', 'reconnect');
      expect(await visibleAttr(page, rowSel, 'data-scenario')).toEqual(['reconnect-mid-run']);
      expect(await page.locator('tbody[data-group="chat-day"]').isVisible()).toBe(false);
      expect(await page.locator('#runs .filter-empty').isVisible()).toBe(true); // that row has no runs here
      await page.fill('#filter-search', 'CHAT-DAY legacy');
      expect(await visibleAttr(page, rowSel, 'data-router')).toEqual(['legacy']);
      expect(new Set(await visibleAttr(page, '#runs-table tr[data-run]', 'data-filter-text'))).toEqual(new Set(['chat-day legacy']));
      await page.screenshot({ path: path.join(OUT, 'filter.png') });
      await page.fill('#filter-search', '');
      expect(await visibleAttr(page, rowSel, 'data-status')).toHaveLength(doc.summary.length);
      expect(await page.locator('#runs .filter-empty').isVisible()).toBe(false);
      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('takes a failing row to its timeline, shows its replay command, and clears a filter that hides a link’s target', async () => {
    const doc = contradictoryDocument();
    const { htmlPath } = writeReport(doc, path.join(OUT, 'report-filter'));
    const { page, log } = await open(htmlPath);
    try {
      const s = doc.summary.find((x) => x.scenario === 'chat-day' && x.verdict === 'fail')!;
      const failing = doc.runs.findIndex((r) => r.scenario === s.scenario && r.router === s.router && r.verdict === 'fail');
      const rowId = (await page.getAttribute(`#comparison tr[data-scenario="${s.scenario}"][data-router="${s.router}"]`, 'id'))!;
      const note = page.locator(`tr.row-note[data-note-for="${rowId}"]`);
      expect(await note.locator('.failed-on').textContent()).toContain('Failed on:');
      expect(await note.locator('code[id^="replay-"]').textContent()).toBe(replayCommand(s.scenario, s.router, doc.runs[failing]!.seed));
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
      await note.locator('button[data-copy]').click();
      await expect.poll(() => note.locator('button[data-copy]').textContent()).toBe('Copied ✓');
      expect(await page.evaluate(() => (navigator as unknown as { clipboard: { readText(): Promise<string> } }).clipboard.readText())).toBe(replayCommand(s.scenario, s.router, doc.runs[failing]!.seed));

      const link = note.locator('a.to-timeline');
      expect(await link.getAttribute('href')).toBe(`#timeline-${failing}`);
      await link.click();
      await page.waitForFunction((hash) => window.location.hash === hash, `#timeline-${failing}`);
      await page.waitForFunction((id) => {
        const r = document.querySelector(id)!.getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
      }, `#timeline-${failing}`);
      expect(await page.locator(`#timeline-${failing} .swimlane svg`).count()).toBe(1);

      // A pip of the legacy card links to chat-day × legacy; with that row filtered out, the link clears the filter.
      await page.fill('#filter-search', 'history');
      expect(await page.locator(`#${rowId}`).isVisible()).toBe(false);
      await page.click(`.mode-card[data-router="legacy"] a.pip[href="#${rowId}"]`);
      expect(await page.inputValue('#filter-search')).toBe('');
      expect(await page.locator(`#${rowId}`).isVisible()).toBe(true);
      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('shows the baseline comparison with the regressions highlighted, and no such section without a baseline', async () => {
    const doc = baselineDocument();
    const { htmlPath } = writeReport(doc, path.join(OUT, 'report-baseline'));
    const { page, log } = await open(htmlPath, 'light', 1280);
    try {
      const section = page.locator('#baseline');
      await section.scrollIntoViewIfNeeded();
      expect(await section.isVisible()).toBe(true);
      const regressed = section.locator('tr[data-router="legacy"][data-regressed="true"]');
      expect(await regressed.count()).toBe(1);
      const lost = regressed.locator('td[data-metric="lost"][data-change="regression"]');
      const d = doc.baseline.regressions[0]!;
      expect(await lost.locator('.bl-move').textContent()).toBe(`${d.old} → ${d.new}`);
      expect(await lost.locator('.tol').textContent()).toBe('tolerance 0');
      // Highlighted: a red cell and a red change, unlike a cell within tolerance.
      const styles = await page.evaluate(() => {
        const style = (sel: string): { bg: string; color: string } => {
          const el = document.querySelector(sel)!;
          const cs = getComputedStyle(el) as unknown as { backgroundColor: string; color: string };
          return { bg: cs.backgroundColor, color: cs.color };
        };
        return {
          regression: style('#baseline tr[data-regressed="true"] td[data-metric="lost"]'),
          change: style('#baseline tr[data-regressed="true"] td[data-metric="lost"] .change'),
          within: style('#baseline tr[data-regressed="true"] td[data-change="within"]'),
        };
      });
      const rgb = (c: string): number[] => c.match(/\d+/g)!.map(Number);
      const [r, g, b] = rgb(styles.regression.bg);
      expect(r!).toBeGreaterThan(g! + 10); // reddish
      expect(r!).toBeGreaterThan(b! + 10);
      expect(styles.within.bg).not.toBe(styles.regression.bg);
      const [cr, cg] = rgb(styles.change.color);
      expect(cr!).toBeGreaterThan(cg! + 80);
      expect(await section.locator('tr[data-router="guaranteed"] td[data-metric="latency_p99_ms"]').getAttribute('data-change')).toBe('improvement');
      await section.screenshot({ path: path.join(OUT, 'baseline.png'), style: 'nav.top { position: static !important; }' });
      // The filter applies here too: "passing" leaves the improvement only.
      await page.click('[data-status-filter="pass"]');
      expect(await visibleAttr(page, '#baseline-table tr[data-scenario]', 'data-router')).toEqual(['guaranteed']);
      expect(log.errors).toEqual([]);
      expect(log.external).toEqual([]);
    } finally {
      await page.context().close();
    }
    const plain = path.join(OUT, 'report-small', 'index.html');
    if (!fs.existsSync(plain)) writeReport(syntheticDocument(), path.join(OUT, 'report-small'));
    const other = await open(plain);
    try {
      expect(await other.page.locator('#baseline').count()).toBe(0);
    } finally {
      await other.page.context().close();
    }
  }, 60_000);

  it('labels the swimlane’s time axis without repeats, zoomed out and zoomed far in, in a narrow window', async () => {
    const doc = syntheticDocument();
    const { htmlPath } = writeReport(doc, path.join(OUT, 'report-small'));
    const { page, log } = await open(htmlPath, 'light', 700);
    try {
      const index = doc.runs.findIndex((r) => r.verdict === 'fail' && r.timeline);
      const section = page.locator(`#timeline-${index}`);
      await section.scrollIntoViewIfNeeded();
      // Tick labels come in pairs (top and bottom axis), then the unit.
      const topLabels = async (): Promise<string[]> => {
        const all = await section.locator('.swimlane text.tick-label').allTextContents();
        expect(all.at(-1)).toBe('ms');
        return all.slice(0, -1).filter((_, i) => i % 2 === 0);
      };
      const distinct = (labels: string[]): boolean => labels.every((l, i) => i === 0 || l !== labels[i - 1]);
      const full = await topLabels();
      expect(full.length).toBeGreaterThan(2);
      expect(distinct(full)).toBe(true);
      for (const [from, to] of [
        ['130000', '130000.3'], // clamps to the narrowest window (0.2 ms)
        ['130000', '130004'],
        ['120000', '180000'],
      ]) {
        await section.locator('input[data-zoom="from"]').fill(from!);
        await section.locator('input[data-zoom="to"]').fill(to!);
        await section.locator('input[data-zoom="to"]').dispatchEvent('change');
        const labels = await topLabels();
        expect(labels.length, `${from}–${to}`).toBeGreaterThan(1);
        expect(distinct(labels), `${from}–${to}: ${labels.join(' ')}`).toBe(true);
      }
      await section.locator('.swimlane').screenshot({ path: path.join(OUT, 'swimlane-narrow.png') });
      expect(log.errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
