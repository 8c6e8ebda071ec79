// Module resolution hook of the CLI (registered by bin/threadline): a plug-in or scenario file
// that imports 'threadline' gets the CLI's own modules (src/index.ts), not a second copy of
// the package. One copy matters: a server plug-in and the harness must share the same
// modules, and in a checkout the built dist/ may be missing or stale.
const SELF = new URL('../src/index.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'threadline') return { url: SELF, shortCircuit: true };
  return next(specifier, context);
}
