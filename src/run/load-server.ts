/**
 * Loading a server plug-in file (`threadline run --server ./my-server.ts`): a module whose
 * default export (or export named `server`) is `defineServer(...)`. TypeScript loads through
 * tsx, registered by the CLI entry point. Mistakes name the file and the fix.
 */
import { existsSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isServerPlugin, type ServerPlugin } from '../ports/server.ts';

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
