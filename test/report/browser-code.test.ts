/**
 * The report's browser code (src/report/browser/): its type check, and the one inline script
 * client.ts assembles from it.
 *
 * The type check runs here as well as in `npm run typecheck` because the browser files need
 * the DOM library and the main project (`tsc --noEmit`, which CI runs) must not have it: this
 * way `npm test` fails on a type error in them too.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { clientScript, inlinedTicksScript, TIMELINE_KINDS } from '../../src/report/client.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BROWSER_FILES = ['filter.js', 'ticks.js', 'timeline.js'];

describe('browser code', () => {
  it('type-checks against the DOM (tsconfig.browser.json)', () => {
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.browser.json`, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.formatDiagnostics([d], host));
      },
    });
    expect(config).toBeDefined();
    expect(ts.formatDiagnostics(config!.errors, host)).toBe('');
    const names = config!.fileNames.map((f) => f.slice(root.length));
    for (const file of BROWSER_FILES) expect(names).toContain(`src/report/browser/${file}`);
    const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options });
    expect(ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host)).toBe('');
  });

  it('every browser file opts in to checking', () => {
    for (const file of BROWSER_FILES) expect(fs.readFileSync(`${root}src/report/browser/${file}`, 'utf8').startsWith('// @ts-check\n')).toBe(true);
  });

  it('inlines into one classic script, placeholders filled', () => {
    const script = clientScript();
    expect(() => new Function(script)).not.toThrow(); // parses as a classic script (not run)
    expect(script).not.toMatch(/__KINDS__|__TICKS__|@ts-check/);
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
    expect(script).not.toMatch(/<\/script/i);
    // Comments travel into the page too: nothing in them may look like a way out of it
    // (html.test.ts checks the whole page the same way).
    expect(script).not.toMatch(/https?:\/\/|@import|<iframe|<object|<embed/i);
    expect(script).toContain(`var KINDS = ${JSON.stringify(TIMELINE_KINDS)};`);
    expect(script).toContain(inlinedTicksScript());
    expect(script.match(/function msTickLabels\(/g)).toHaveLength(1);
    // The filter bar first, then the timelines: two self-contained functions.
    expect(script.indexOf("getElementById('filter')")).toBeLessThan(script.indexOf('function Swimlane('));
  });
});
