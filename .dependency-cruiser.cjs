/**
 * The layering rule of threadline, checked in CI (`npm run lint:layers`), zero exceptions.
 *
 * Layers, lowest first (docs/architecture.md explains each):
 *
 *   ports → stats → protocol → sim → real → world → sut → host → oracle → scenario → run → check → report → api → cli → (index.ts)
 *
 * A module may import its own layer and any layer below it, never one above. Two sideways
 * rules sharpen it where the order alone would allow too much:
 *  - the oracle judges facts: it imports neither the systems under test (sut/) nor the
 *    harness's tabs and backend (world/);
 *  - a system under test sees only the ports and the protocols, like a real server: never
 *    the harness's world (tabs, backend implementation, codecs);
 *  - host/ (a team's unmodified server: simulated ws, virtual globals) stands where a system
 *    under test stands: ports and the kernel's seeded random streams, nothing of the harness.
 */
const LAYERS = ['ports', 'stats', 'protocol', 'sim', 'real', 'world', 'sut', 'host', 'oracle', 'scenario', 'run', 'check', 'report', 'api', 'cli'];

/** For layer i: every layer above it, as a path regex. */
function above(i) {
  return `^src/(${LAYERS.slice(i + 1).join('|')})/`;
}

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer}`,
      comment: `${layer}/ is below ${LAYERS.slice(i + 1).join(', ')}: it must not import them (see .dependency-cruiser.cjs).`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: above(i) },
    })),
    {
      name: 'nothing-imports-the-public-api',
      comment: 'src/index.ts is the top: the package entry point. Import the module itself instead.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'oracle-judges-facts-only',
      comment: 'The oracle imports neither the router (sut/) nor the tabs/backend (world/): only the facts it judges (ports/facts.ts).',
      severity: 'error',
      from: { path: '^src/oracle/' },
      to: { path: '^src/(sut|world)/' },
    },
    {
      name: 'sut-sees-only-ports',
      comment: 'A system under test reaches the harness only through the ports (ports/server.ts): never world/.',
      severity: 'error',
      from: { path: '^src/sut/' },
      to: { path: '^src/(world|real)/' },
    },
    {
      name: 'host-sees-only-ports',
      comment: "host/ runs a team's own server as a system under test: it reaches the harness only through the ports (and sim/'s seeded random streams), never world/, real/ or the built-in router.",
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/(world|real|sut)/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules must not import each other in a cycle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-outside-known-layers',
      comment: 'Every module of src/ lives in one of the layer folders (or is src/index.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/|^src/index\\.ts$` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
