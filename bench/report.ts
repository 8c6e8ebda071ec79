/**
 * Report benchmark: rendering the HTML report of a large campaign (4 modes × 50 seeds × 1,000
 * messages = 200,000 messages; a 5,000-item timeline on every failing run, ~95 MB of results
 * JSON) and the size of the file it produces (the report must stay under 5 MB).
 *
 * Real time is read here only: the bench measures the renderer from outside.
 */
import { performance } from 'node:perf_hooks';
import { renderHtmlReport } from '../src/report/html.ts';
import { largeDocument } from '../test/report/fixtures.ts';
import type { BenchResult } from './network.ts';

export async function benchReport(): Promise<BenchResult[]> {
  const doc = largeDocument();
  renderHtmlReport(doc); // warm-up (JIT)
  const times: number[] = [];
  let bytes = 0;
  for (let rep = 0; rep < 3; rep++) {
    const start = performance.now();
    const html = renderHtmlReport(doc);
    times.push(performance.now() - start);
    bytes = Buffer.byteLength(html, 'utf8');
  }
  times.sort((a, b) => a - b);
  return [
    { name: 'report_render_ms_200k_messages', value: Math.round(times[1]!), unit: 'ms' },
    { name: 'report_size_kb_200k_messages', value: Math.round(bytes / 1024), unit: 'KB' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchReport()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
