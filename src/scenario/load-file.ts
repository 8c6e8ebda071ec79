/**
 * Loading scenario scripts: `.ts` (or `.js`/`.mjs`/`.json`) files whose default export is
 * `defineScenario({...})`. TypeScript is loaded through tsx's loader, registered by the CLI
 * entry point. Mistakes are reported with the file, and for syntax errors the line.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScenarioError, validateScenario } from './validate.ts';
import type { ScenarioSpec } from './types.ts';

export interface LoadedScenario {
  file: string;
  spec: ScenarioSpec;
}

export class ScenarioLoadError extends Error {
  override readonly name = 'ScenarioLoadError';
}

const EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs', '.json']);

/** Every scenario script directly in `dir` (not in sub-folders such as regressions/), sorted. */
export function listScenarioFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new ScenarioLoadError(`scenario folder "${dir}" does not exist; pass scenario files or create it`);
  return readdirSync(dir)
    .filter((f) => EXTENSIONS.has(extname(f)) && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** Resolve CLI arguments (files, folders, or bare names like "rapid-send") to files. */
export function resolveScenarioArgs(args: string[], defaultDir: string): string[] {
  if (args.length === 0) return listScenarioFiles(defaultDir);
  const out: string[] = [];
  for (const arg of args) {
    if (existsSync(arg) && statSync(arg).isDirectory()) {
      out.push(...listScenarioFiles(arg));
      continue;
    }
    if (existsSync(arg)) {
      out.push(arg);
      continue;
    }
    const named = arg.includes('/') ? [] : namedScenario(defaultDir, arg);
    if (named.length === 1) {
      out.push(named[0]!);
      continue;
    }
    if (named.length > 1) throw new ScenarioLoadError(`scenario name "${arg}" matches ${named.join(' and ')}; give the path of the one you mean`);
    throw new ScenarioLoadError(`scenario "${arg}" does not exist; give a path to a scenario file or a name from \`threadline list\``);
  }
  return out;
}

/**
 * A bare name: `<dir>/<name>.ts`, else the same name in one of `dir`'s sub-folders (scale/,
 * fidelity/, regressions/: scenarios that are not in the main job but are run by name).
 */
function namedScenario(dir: string, name: string): string[] {
  const top = join(dir, `${name}.ts`);
  if (existsSync(top)) return [top];
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((sub) => join(dir, sub))
    .filter((sub) => statSync(sub).isDirectory())
    .map((sub) => join(sub, `${name}.ts`))
    .filter((f) => existsSync(f));
}

export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  const abs = resolve(file);
  const shown = relative(process.cwd(), abs) || basename(abs);
  if (!existsSync(abs)) throw new ScenarioLoadError(`${shown}: file does not exist`);
  let value: unknown;
  if (extname(abs) === '.json') {
    try {
      value = JSON.parse(readFileSync(abs, 'utf8'));
    } catch (error) {
      throw new ScenarioLoadError(`${shown}: not valid JSON: ${(error as Error).message}`);
    }
  } else {
    try {
      value = await importDefault(abs);
    } catch (error) {
      throw new ScenarioLoadError(describeImportError(shown, error));
    }
  }
  try {
    return { file: shown, spec: validateScenario(value, shown) };
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioLoadError(error.message);
    throw error;
  }
}

/**
 * Import a script's default export. A `.ts` file in a folder whose package.json is not
 * `"type": "module"` is compiled as CommonJS by the loader and cannot be imported as ESM;
 * tsx's `tsImport` loads it as a module wherever it lives.
 */
async function importDefault(abs: string): Promise<unknown> {
  try {
    const mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
    return unwrapDefault(mod.default);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (!/require\(\) ES Module|ERR_REQUIRE_ESM|ERR_REQUIRE_CYCLE_MODULE|Cannot use import statement|exports is not defined/.test(message)) throw error;
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parent: string) => Promise<{ default?: unknown }> };
    const mod = await tsImport(pathToFileURL(abs).href, import.meta.url);
    return unwrapDefault(mod.default);
  }
}

/**
 * CommonJS interop can wrap the module once more: `{ default: spec, meta?: ... }` where the
 * spec itself was expected. A scenario spec always has `name` and `users`; a wrapper does not.
 */
function unwrapDefault(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'default' in value && !('users' in value)) {
    return (value as { default: unknown }).default;
  }
  return value;
}

function describeImportError(file: string, error: unknown): string {
  const e = error as { message?: string; errors?: Array<{ text: string; location?: { line: number; column: number } }> };
  const first = e.errors?.[0];
  if (first?.location) return `${file}:${first.location.line}:${first.location.column}: syntax error: ${first.text}`;
  // eslint-disable-next-line no-control-regex
  const message = (e.message ?? String(error)).replace(/\u001b\[[0-9;]*m/g, '');
  // esbuild (tsx): "/abs/file.ts:6:21: ERROR: Expected ..."
  const esbuild = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (esbuild) return `${file}:${esbuild[1]}:${esbuild[2]}: syntax error: ${esbuild[3]}`;
  // oxc (vite, under the test runner): "[PARSE_ERROR] Expected ... ╭─[ file.ts:6:22 ]"
  const oxc = /\[PARSE_ERROR\]\s*(.*)\n[\s\S]*?:(\d+):(\d+)/.exec(message);
  if (oxc) return `${file}:${oxc[2]}:${oxc[3]}: syntax error: ${oxc[1]!.trim()}`;
  const firstLine = message.split('\n')[0];
  return `${file}: could not load the script: ${firstLine}`;
}
