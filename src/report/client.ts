/**
 * The report's inline script (vanilla JS, no modules, no network): the filter bar
 * (browser/filter.js), then the swimlane timelines (browser/timeline.js) with the marker table
 * and the tick rule (browser/ticks.js) put in. The browser code lives in those files, checked
 * by `tsc -p tsconfig.browser.json` (DOM, JSDoc types); this module reads them next to itself
 * and assembles the one script the HTML inlines, so the report stays a single file.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ResultsDocument, TimelineItem } from '../run/result.ts';
import type { KindStyle, ResultsView } from './browser/types.ts';

export type { KindStyle };

/** Marker per timeline item kind (shape and colour), shared by the swimlane and its legend. */
export const TIMELINE_KINDS: Record<TimelineItem['kind'], KindStyle> = {
  connect: { shape: 'ring', color: '#7a8699', label: 'connect' },
  open: { shape: 'bar', color: '#16a34a', label: 'open' },
  close: { shape: 'bar', color: '#64748b', label: 'close' },
  declare: { shape: 'diamond', color: '#8e6bbf', label: 'declare thread' },
  send: { shape: 'tri-up', color: '#2f7ed8', label: 'user_message' },
  produced: { shape: 'circle', color: '#e69f00', label: 'agent event produced' },
  bind: { shape: 'diamond', color: '#0f9d9a', label: 'bind conn → thread' },
  route: { shape: 'tri-down', color: '#d97706', label: 'no connection for thread' },
  queued: { shape: 'square-hollow', color: '#d97706', label: 'queued' },
  deliver: { shape: 'circle', color: '#16a34a', label: 'delivered (arrow from production)' },
  lost: { shape: 'x', color: '#e5383b', label: 'lost / violation' },
  gap: { shape: 'diamond-hollow', color: '#b5179e', label: 'gap notice' },
  fault: { shape: 'tri-up-hollow', color: '#e5383b', label: 'fault' },
  log: { shape: 'dot', color: '#8a8f98', label: 'log' },
};

/**
 * The browser script sees the embedded document through browser/types.ts (the browser project
 * cannot import run/result.ts, whose imports reach Node code): this stops compiling when the
 * document the report embeds no longer has what the script reads.
 */
type Fits<T extends U, U> = T;
type _ResultsViewFits = Fits<ResultsDocument, ResultsView>;

/**
 * A browser file as it is inlined: without the comments it opens with (`// @ts-check`, its doc
 * and its type imports are for the type checker and the reader, not for the page). Read next
 * to this module: src/report/browser/ under tsx, dist/report/browser/ once built (the build
 * must copy the .js files there).
 */
function browserFile(name: 'filter.js' | 'timeline.js' | 'ticks.js'): string {
  const url = new URL(`./browser/${name}`, import.meta.url);
  let source: string;
  try {
    source = fs.readFileSync(url, 'utf8');
  } catch (err) {
    throw new Error(`report: cannot read the browser script ${fileURLToPath(url)} (a build must copy src/report/browser/*.js next to client.js)`, { cause: err });
  }
  return source.replace(/^(?:\s*(?:\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/, '');
}

/** `source` with `placeholder`, which must occur exactly once, replaced by `code`. */
function fill(source: string, placeholder: string, code: string): string {
  const at = source.indexOf(placeholder);
  if (at < 0 || source.indexOf(placeholder, at + 1) >= 0) throw new Error(`browser script: expected ${placeholder} exactly once`);
  return source.slice(0, at) + code + source.slice(at + placeholder.length);
}

/**
 * browser/ticks.js as the swimlane's script holds it: an ES module (the server imports it)
 * turned into plain declarations by dropping its `export` keywords. It may hold nothing else
 * a classic script cannot: this throws on an import, or an export of another form.
 */
export function inlinedTicksScript(): string {
  const code = browserFile('ticks.js').replace(/^export (?=(const|var|function) )/gm, '');
  if (/^\s*(import|export)\b/m.test(code)) throw new Error('browser/ticks.js: only `export const|var|function` declarations can be inlined');
  return code;
}

let script: string | undefined;

/** The inline script: the filter bar, then the timelines with the marker table and tick rule filled in (script-safe). */
export function clientScript(): string {
  if (script === undefined) {
    const kinds = JSON.stringify(TIMELINE_KINDS).replace(/</g, '\\u003c');
    const code = browserFile('filter.js') + fill(fill(browserFile('timeline.js'), '__KINDS__', kinds), '__TICKS__;', inlinedTicksScript());
    // Inside <script>, this text would end the element early (a comment can say it, too).
    if (/<\/script/i.test(code)) throw new Error('browser script: contains "</script"');
    script = code;
  }
  return script;
}
