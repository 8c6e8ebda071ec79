/**
 * Loading the file of `threadline run --server <file>`. Two kinds:
 *  - a plug-in: a module that imports 'threadline' and whose default export (or export named
 *    `server`) is `defineServer(...)`;
 *  - a team's own server, unmodified: any other file (an ordinary `ws` application). It is
 *    not imported here — outside a run its `new WebSocketServer({ port })` would open a real
 *    port — but once per run, by src/host/own-server.ts, with the simulated ws mapped in.
 * TypeScript loads through tsx, registered by the CLI entry point. Mistakes name the file and
 * the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isServerPlugin, type ServerPlugin } from '../ports/server.ts';
import { ownServer, type OwnServerSource } from '../host/own-server.ts';

/** A file written against threadline's seam imports it; an unmodified server does not. */
const IMPORTS_THREADLINE = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]threadline['"]/;

/** A --server file: a plug-in, or (not importing threadline) an unmodified server of its own. */
export async function loadServerSource(file: string): Promise<ServerPlugin | OwnServerSource> {
  const abs = resolve(file);
  const shown = relative(process.cwd(), abs) || basename(abs);
  if (!existsSync(abs)) throw new ServerLoadError(`${shown}: server file does not exist`);
  const source = readFileSync(abs, 'utf8');
  if (IMPORTS_THREADLINE.test(source)) return loadServerFile(file);
  if (extname(abs) === '.js' && ES_MODULE_SYNTAX.test(source) && packageType(dirname(abs)) !== 'module') {
    // Node would load it as CommonJS: outside the run's module graph, with the real ws.
    throw new ServerLoadError(`${shown}: uses import/export, but the nearest package.json does not say "type": "module", so Node would load it as CommonJS; add "type": "module" to that package.json, or rename the file to .mjs`);
  }
  return ownServer(abs, { name: basename(abs, extname(abs)) });
}

/** `import ... from` / `export ...` at the start of a line: ES-module syntax. */
const ES_MODULE_SYNTAX = /^\s*(?:import\s[^(]|import\{|export\s)/m;

/** The "type" of the nearest package.json above `dir` ('commonjs' when there is none). */
function packageType(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type ?? 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (dirname(d) === d) return 'commonjs';
  }
}

export class ServerLoadError extends Error {
  override readonly name = 'ServerLoadError';
}

const HOW = "export default defineServer((env) => { env.listen(...); return { shutdown() {} }; }) — defineServer comes from 'threadline'";

export async function loadServerFile(file: string): Promise<ServerPlugin> {
  const abs = resolve(file);
  const shown = relative(process.cwd(), abs) || basename(abs);
  if (!existsSync(abs)) throw new ServerLoadError(`${shown}: server plug-in file does not exist`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ServerLoadError(`${shown}: could not load the server plug-in: ${error instanceof Error ? error.message : String(error)}`);
  }
  const candidate = mod['default'] ?? mod['server'];
  if (candidate === undefined) throw new ServerLoadError(`${shown}: no default export; a server plug-in file needs ${HOW}`);
  if (!isServerPlugin(candidate)) {
    const what = typeof candidate === 'function' ? 'a function (wrap it: defineServer(yourFactory))' : typeof candidate;
    throw new ServerLoadError(`${shown}: the default export is ${what}, not a server plug-in; write ${HOW}`);
  }
  return candidate;
}
