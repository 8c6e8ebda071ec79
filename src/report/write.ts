/**
 * Writing a report directory: `<dir>/index.html` (the self-contained report) and
 * `<dir>/results.json` (the complete results document), and pointing `<reports>/latest` at
 * the newest run directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReportDocument } from './report-document.ts';
import { renderHtmlReport, type HtmlReportOptions } from './html.ts';

export const REPORT_HTML = 'index.html';
export const REPORT_JSON = 'results.json';

/** Write to a temporary file beside the target, then rename: readers never see half a file. */
function writeAtomic(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

export function writeReport(doc: ReportDocument, dir: string, options: HtmlReportOptions = {}): { htmlPath: string; jsonPath: string } {
  fs.mkdirSync(dir, { recursive: true });
  const jsonPath = path.join(dir, REPORT_JSON);
  const htmlPath = path.join(dir, REPORT_HTML);
  // Indented for people and diffs; compact when large (a long campaign's timelines).
  const compact = JSON.stringify(doc);
  writeAtomic(jsonPath, `${compact.length > 5_000_000 ? compact : JSON.stringify(doc, null, 2)}\n`);
  writeAtomic(htmlPath, renderHtmlReport(doc, options));
  return { htmlPath, jsonPath };
}

export interface UpdateLatestOptions {
  /** 'auto' (default): a symlink, or a copy where symlinks fail; 'copy' forces the copy. */
  mode?: 'auto' | 'copy';
}

export interface LatestResult {
  latestPath: string;
  kind: 'symlink' | 'copy';
}

function removeLatest(latest: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(latest);
  } catch {
    return;
  }
  if (st.isSymbolicLink() || !st.isDirectory()) fs.unlinkSync(latest);
  else fs.rmSync(latest, { recursive: true, force: true });
}

/**
 * Make `<reportsRoot>/latest` point at `runDir`: a relative directory symlink, replaced
 * atomically when one already exists; where symlinks are not possible (some Windows setups,
 * some mounted filesystems) a directory holding copies of index.html and results.json.
 */
export function updateLatest(reportsRoot: string, runDir: string, options: UpdateLatestOptions = {}): LatestResult {
  fs.mkdirSync(reportsRoot, { recursive: true });
  const latest = path.join(reportsRoot, 'latest');
  const absRun = path.resolve(runDir);
  if (path.resolve(latest) === absRun) throw new Error(`updateLatest: the run directory is ${latest} itself`);
  if (options.mode !== 'copy') {
    const target = path.relative(path.resolve(reportsRoot), absRun) || '.';
    const tmp = path.join(reportsRoot, `.latest.tmp-${process.pid}`);
    try {
      removeLatest(tmp);
      if (process.platform === 'win32') fs.symlinkSync(absRun, tmp, 'junction'); // junctions take absolute targets
      else fs.symlinkSync(target, tmp, 'dir');
      try {
        fs.renameSync(tmp, latest); // atomic over an existing symlink
      } catch {
        removeLatest(latest); // a directory (earlier copy) cannot be renamed over
        fs.renameSync(tmp, latest);
      }
      return { latestPath: latest, kind: 'symlink' };
    } catch {
      removeLatest(tmp);
    }
  }
  removeLatest(latest);
  fs.mkdirSync(latest, { recursive: true });
  for (const name of [REPORT_HTML, REPORT_JSON]) {
    const from = path.join(absRun, name);
    if (fs.existsSync(from)) fs.copyFileSync(from, path.join(latest, name));
  }
  fs.writeFileSync(path.join(latest, 'SOURCE'), `${absRun}\n`);
  return { latestPath: latest, kind: 'copy' };
}
