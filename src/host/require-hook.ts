/**
 * `require('ws')` and `require('#agent-backend')` in a team's CommonJS server, during its run:
 * the ES module hook (bin/resolve-self.mjs) does not see require() in Node 20, so this patches
 * the CommonJS resolver for the run, for requests made from the team's own files (outside
 * node_modules and outside threadline). It also forgets the team's CommonJS files between runs
 * (require's cache ignores the run tag on the URL), so each run loads them afresh.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Module = require('node:module') as {
  _resolveFilename: (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
  _cache: Record<string, unknown>;
};
const THREADLINE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BRIDGES: Record<string, string> = {
  ws: fileURLToPath(new URL('./ws-require.cjs', import.meta.url)),
  '#agent-backend': fileURLToPath(new URL('./agent-backend-require.cjs', import.meta.url)),
};

const isTeamFile = (filename: string | null | undefined): boolean =>
  typeof filename === 'string' && !filename.includes('/node_modules/') && !filename.startsWith(THREADLINE_ROOT + 'src/') && !filename.startsWith(THREADLINE_ROOT + 'bin/');

/** Map the run's requires; returns the undo. */
export function installRequireHook(): () => void {
  for (const key of Object.keys(Module._cache)) if (isTeamFile(key)) delete Module._cache[key];
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const bridge = BRIDGES[request];
    if (bridge !== undefined && isTeamFile(parent?.filename)) return bridge;
    return original.call(this, request, parent, ...rest);
  };
  return () => {
    Module._resolveFilename = original;
  };
}
