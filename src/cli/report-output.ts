/**
 * Where a command's results go: `reports/<run-id>/results.json` and `index.html`, with
 * `reports/latest` pointing at the newest; `--report <dir>` moves it, `--no-report` skips it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsDocument } from '../run/result.ts';
import type { Output } from './output.ts';

export interface ReportFlags {
  report?: string | false;
}

export type ReportWriter = (doc: ResultsDocument, dir: string) => { htmlPath: string; jsonPath: string };

let writer: ReportWriter | null = null;
let latest: ((root: string, runDir: string) => void) | null = null;

/** The HTML report module registers itself here (keeps the CLI core free of rendering code). */
export function setReportWriter(w: ReportWriter, updateLatest: (root: string, runDir: string) => void): void {
  writer = w;
  latest = updateLatest;
}

export function runId(doc: ResultsDocument): string {
  const stamp = (doc.startedAt ?? new Date().toISOString()).replace(/[:.]/g, '-').replace('T', '_').replace('Z', '');
  return `${stamp}_${process.pid}${doc.shard ? `_shard-${doc.shard.index}of${doc.shard.total}` : ''}`;
}

export function hasHtmlReport(): boolean {
  return writer !== null;
}

/** Write results.json and index.html into exactly `dir` (results.json alone without the HTML module). */
export function writeReportTo(doc: ResultsDocument, dir: string): { htmlPath: string; jsonPath: string } {
  mkdirSync(dir, { recursive: true });
  if (writer) return writer(doc, dir);
  const jsonPath = join(dir, 'results.json');
  writeFileSync(jsonPath, JSON.stringify(doc));
  return { htmlPath: jsonPath, jsonPath };
}

export function emitReport(doc: ResultsDocument, flags: ReportFlags, out: Output): { htmlPath: string; jsonPath: string } | null {
  if (flags.report === false) return null;
  const root = flags.report ?? 'reports';
  const dir = join(root, runId(doc));
  const paths = writeReportTo(doc, dir);
  try {
    latest?.(root, dir);
  } catch (error) {
    out.warn(`could not update ${join(root, 'latest')}: ${(error as Error).message}`);
  }
  return paths;
}
