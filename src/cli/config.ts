/**
 * The project config: `threadline.config.json` (or `.ts`, `.mts`, `.js`, `.mjs`, default
 * export) in the working directory, or the file named by `--config <file>`. It holds defaults;
 * flags given on the command line override them.
 *
 *   {
 *     "router": "legacy,guaranteed",          // or ["legacy", "guaranteed"]
 *     "seed": 1, "runs": 20,
 *     "scenarios": ["scenarios"],             // default scenario arguments
 *     "report": "reports",                    // or false for no report
 *     "junit": "reports/junit.xml",
 *     "thresholds": { "*": ["lost == 0"], "rapid-send": ["latency_p99_ms < 50"] },
 *     "baseline": { "file": "threadline.baseline.json", "tolerances": { "latency_p99_ms": "15%", "success_rate": 0.01 } }
 *   }
 *
 * Paths are relative to the config file. Thresholds are added to the scenario's own ("*": every
 * scenario). A mistake is one line naming the file and the field, exit 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRouters } from './routers.ts';
import { UsageError, describe, parseJsonFile } from './errors.ts';
import { BASELINE_METRICS, parseTolerance, type Tolerance } from './baseline.ts';
import { ThresholdError, parseThreshold } from '../scenario/thresholds.ts';

export const CONFIG_NAMES = ['threadline.config.json', 'threadline.config.ts', 'threadline.config.mts', 'threadline.config.js', 'threadline.config.mjs'];

export interface ThreadlineConfig {
  /** The file it came from (as shown to the user). */
  file: string;
  router?: string;
  seed?: number;
  runs?: number;
  scenarios?: string[];
  report?: string | false;
  junit?: string;
  thresholds: Record<string, string[]>;
  baseline: { file?: string; tolerances: Record<string, Tolerance | null> };
}

const KEYS = ['$schema', 'router', 'seed', 'runs', 'scenarios', 'report', 'junit', 'thresholds', 'baseline'];

/** Find and load the config: the explicit file, else one of CONFIG_NAMES in cwd, else null. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<ThreadlineConfig | null> {
  let file: string;
  if (explicit !== undefined) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new UsageError(`config file ${explicit} does not exist; fix the --config path`);
  } else {
    const found = CONFIG_NAMES.filter((n) => existsSync(resolve(cwd, n)));
    if (found.length === 0) return null;
    if (found.length > 1) throw new UsageError(`both ${found.join(' and ')} exist; keep one, or choose with --config <file>`);
    file = resolve(cwd, found[0]!);
  }
  const shown = relative(cwd, file) || file;
  const value = await readConfigValue(file, shown);
  return validateConfig(value, shown, dirname(file), cwd);
}

async function readConfigValue(file: string, shown: string): Promise<unknown> {
  if (extname(file) === '.json') return parseJsonFile(readFileSync(file, 'utf8'), shown, 'the config');
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    if (!/require\(\) ES Module|ERR_REQUIRE_CYCLE_MODULE/.test(String((error as Error).message ?? error))) throw new UsageError(describeImportError(shown, error));
    // A .ts file in a folder whose package.json is not "type": "module": load it as ESM anyway.
    try {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
    } catch (inner) {
      throw new UsageError(describeImportError(shown, inner));
    }
  }
  let value = mod.default;
  // CommonJS interop can wrap the default export once more.
  if (value && typeof value === 'object' && 'default' in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  if (value === undefined) throw new UsageError(`${shown}: no default export; write \`export default { router: "guaranteed", ... }\``);
  return value;
}

function describeImportError(file: string, error: unknown): string {
  const e = error as { message?: string; errors?: Array<{ text: string; location?: { line: number; column: number } }> };
  const first = e.errors?.[0];
  if (first?.location) return `${file}:${first.location.line}:${first.location.column}: syntax error in the config: ${first.text}`;
  const m = /:(\d+):(\d+): ERROR: (.*)/.exec(e.message ?? '');
  if (m) return `${file}:${m[1]}:${m[2]}: syntax error in the config: ${m[3]}`;
  return `${file}: could not load the config: ${(e.message ?? String(error)).split('\n')[0]}`;
}

export function validateConfig(value: unknown, file: string, baseDir: string, cwd = process.cwd()): ThreadlineConfig {
  const fail = (field: string, expected: string): never => {
    throw new UsageError(`${file}: ${field}: ${expected}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const path = (p: string): string => {
    const abs = isAbsolute(p) ? p : resolve(baseDir, p);
    return relative(cwd, abs) || '.';
  };
  if (!isObj(value)) fail('(top level)', `expected an object of settings, got ${describe(value)}`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) fail(k, `unknown setting; settings are ${KEYS.filter((x) => x !== '$schema').join(', ')}`);
  const config: ThreadlineConfig = { file, thresholds: {}, baseline: { tolerances: {} } };

  if (o['router'] !== undefined) {
    const r = o['router'];
    const text = typeof r === 'string' ? r : Array.isArray(r) && r.every((x) => typeof x === 'string') ? r.join(',') : fail('router', `expected a mode like "guaranteed", "legacy,guaranteed" or an array of modes, got ${describe(r)}`);
    try {
      parseRouters(text);
    } catch (error) {
      fail('router', (error as Error).message);
    }
    config.router = text;
  }
  const int = (key: 'seed' | 'runs', min: number): void => {
    const v = o[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(key, `expected a whole number >= ${min}, got ${describe(v)}`);
    config[key] = v as number;
  };
  int('seed', 0);
  int('runs', 1);
  if (o['scenarios'] !== undefined) {
    const s = o['scenarios'];
    const list = typeof s === 'string' ? [s] : Array.isArray(s) && s.every((x) => typeof x === 'string' && x.length > 0) ? (s as string[]) : fail('scenarios', `expected a path or an array of scenario paths, got ${describe(s)}`);
    config.scenarios = list.map(path);
  }
  if (o['report'] !== undefined) {
    const r = o['report'];
    if (r === false) config.report = false;
    else if (typeof r === 'string' && r.length > 0) config.report = path(r);
    else fail('report', `expected a folder path, or false for no report, got ${describe(r)}`);
  }
  if (o['junit'] !== undefined) {
    if (typeof o['junit'] !== 'string' || o['junit'].length === 0) fail('junit', `expected a file path, got ${describe(o['junit'])}`);
    config.junit = path(o['junit'] as string);
  }
  if (o['thresholds'] !== undefined) {
    const t = o['thresholds'];
    if (!isObj(t)) fail('thresholds', 'expected { "<scenario name or *>": ["lost == 0", ...] }');
    for (const [name, list] of Object.entries(t as Record<string, unknown>)) {
      const where = `thresholds.${name}`;
      if (name !== '*' && !/^[a-z0-9][a-z0-9-]*$/.test(name)) fail(where, 'expected a scenario name (lower-case letters, digits, dashes) or "*"');
      const items = typeof list === 'string' ? [list] : Array.isArray(list) ? list : fail(where, `expected an array of thresholds like ["lost == 0"], got ${describe(list)}`);
      items.forEach((source, i) => {
        if (typeof source !== 'string') fail(`${where}[${i}]`, `expected a threshold string like "lost == 0", got ${describe(source)}`);
        try {
          parseThreshold(source as string);
        } catch (error) {
          if (error instanceof ThresholdError) fail(`${where}[${i}]`, error.message);
          throw error;
        }
      });
      config.thresholds[name] = items as string[];
    }
  }
  if (o['baseline'] !== undefined) {
    const b = o['baseline'];
    if (!isObj(b)) fail('baseline', 'expected { "file": "...", "tolerances": { ... } }');
    const bo = b as Record<string, unknown>;
    for (const k of Object.keys(bo)) if (k !== 'file' && k !== 'tolerances') fail(`baseline.${k}`, 'unknown setting; settings are file, tolerances');
    if (bo['file'] !== undefined) {
      if (typeof bo['file'] !== 'string' || bo['file'].length === 0) fail('baseline.file', `expected a file path, got ${describe(bo['file'])}`);
      config.baseline.file = path(bo['file'] as string);
    }
    if (bo['tolerances'] !== undefined) {
      const t = bo['tolerances'];
      if (!isObj(t)) fail('baseline.tolerances', 'expected { "<metric>": tolerance }');
      for (const [metric, tol] of Object.entries(t as Record<string, unknown>)) {
        if (!(metric in BASELINE_METRICS)) fail(`baseline.tolerances.${metric}`, `unknown metric; metrics are ${Object.keys(BASELINE_METRICS).join(', ')}`);
        try {
          config.baseline.tolerances[metric] = parseTolerance(tol, `baseline.tolerances.${metric}`);
        } catch (error) {
          fail(`baseline.tolerances.${metric}`, (error as Error).message.replace(/^baseline\.tolerances\.[a-z0-9_]+: /, ''));
        }
      }
    }
  }
  return config;
}

/** Thresholds of a scenario: its own, then the config's "*" and per-name ones (no duplicates). */
export function thresholdsFor(scenario: string, own: readonly string[], config: ThreadlineConfig | null): string[] {
  const all = [...own, ...(config?.thresholds['*'] ?? []), ...(config?.thresholds[scenario] ?? [])];
  const seen = new Set<string>();
  return all.filter((t) => {
    const key = t.replace(/\s+/g, ' ').trim();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
