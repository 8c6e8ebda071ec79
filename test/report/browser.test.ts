/**
 * The report in a real browser: headless Chromium (Debian's package) opens the generated file
 * from a file:// URL. No request may leave the file (only file:, data: and blob: URLs), no
 * console error may appear, the numbers must match the document, the swimlane must draw and
 * respond to zoom and filters. Screenshots land in test-output/ (git-ignored).
 *
 * Chromium is required: install it with `apt-get update && apt-get install -y chromium`
 * (.ci/run does this). A missing browser fails these tests; it never skips them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { comparisonText } from '../../src/report/html.ts';
import { writeReport } from '../../src/report/write.ts';
import type { ResultsDocument } from '../../src/scenario/result.ts';
import { largeDocument, syntheticDocument } from './fixtures.ts';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const document: { documentElement: { dataset: Record<string, string | undefined> }; body: unknown };
declare const window: { threadlineResults: ResultsDocument; __pwned?: boolean; scrollTo(x: number, y: number): void };
declare const getComputedStyle: (element: unknown) => { backgroundColor: string };
interface NavigationEntry {
  startTime: number;
  loadEventEnd: number;
}

const CHROMIUM = '/usr/bin/chromium';
const OUT = path.resolve('test-output');
const MAX_REPORT_BYTES = 5 * 1024 * 1024;

interface PageLog {
  errors: string[];
  external: string[];
}

let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the report's browser tests need Chromium. Install it with: apt-get update && apt-get install -y chromium`);
  }
  fs.mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

async function open(file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; log: PageLog; loadMs: number; readyMs: number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme });
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
