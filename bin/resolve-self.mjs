// Module resolution hook of the CLI (registered by bin/threadline and by its worker threads):
//
// 1. A plug-in or scenario file that imports 'threadline' gets the CLI's own modules
//    (src/index.ts), not a second copy of the package. One copy matters: a server plug-in and
//    the harness must share the same modules, and in a checkout the built dist/ may be missing
//    or stale.
// 2. A team's own server file loaded for a simulated run carries the run's tag in its URL
//    (?threadline-run=N, src/host/own-server.ts). In that module graph — the file and every
//    file of the team's it imports, outside node_modules, which get the same tag so each run
//    loads them afresh — 'ws' resolves to threadline's simulated ws and '#agent-backend' to
//    threadline's agent engine. Everything else, and every module without the tag (threadline
//    itself, the real ws of `serve` and `probe`), resolves as usual.
const SELF = new URL('../src/index.ts', import.meta.url).href;
const SIMULATED = {
  ws: new URL('../src/host/ws.ts', import.meta.url).href,
  '#agent-backend': new URL('../src/host/agent-backend.ts', import.meta.url).href,
};
const TAG = /[?&](threadline-run=\d+)/;

// The mapped modules are handed on to the next resolver (not short-circuited), so tsx sees
// their .ts URLs whichever of the two hooks was registered first.
export async function resolve(specifier, context, next) {
  if (specifier === 'threadline') return next(SELF, context);
  const tag = context.parentURL ? TAG.exec(context.parentURL)?.[1] : undefined;
  if (tag === undefined) return next(specifier, context);
  if (Object.hasOwn(SIMULATED, specifier)) return next(SIMULATED[specifier], context);
  const resolved = await next(specifier, context);
  if (!resolved.url.startsWith('file:') || resolved.url.includes('/node_modules/') || TAG.test(resolved.url)) return resolved;
  return { ...resolved, url: `${resolved.url}${resolved.url.includes('?') ? '&' : '?'}${tag}` };
}
