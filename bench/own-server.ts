/**
 * Own-server benchmark: examples/chat-server/fixed.js, unmodified, in the simulation (the
 * simulated ws, virtual timers and globals, a fresh module per run) next to the built-in router
 * (dynamic) on the same scenario and seeds, in the same process, alternating.
 *
 *  - own_server_events_per_s / builtin_router_events_per_s: produced agent events per second of
 *    wall time (simulate + judge), median of the rounds;
 *  - own_server_cost_x: how many times longer an event takes through the own server (goal ≤ 2).
 *
 * The 'ws' mapping is the CLI's module hook (bin/resolve-self.mjs); it is registered here the
 * same way. Real time is read here only: the bench measures the simulation from outside.
 */
import { register } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './network.ts';

register('../bin/resolve-self.mjs', import.meta.url);

const SERVER = fileURLToPath(new URL('../examples/chat-server/fixed.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../scenarios/chat-day.ts', import.meta.url));
const ROUNDS = 3;

export async function benchOwnServer(): Promise<BenchResult[]> {
  const { loadScenarioFile } = await import('../src/scenario/load-file.ts');
  const { runScenario } = await import('../src/run/runner.ts');
  const { parseRouterSpec } = await import('../src/sut/router/flags.ts');
  const { ownServer } = await import('../src/host/own-server.ts');
  const { spec } = await loadScenarioFile(SCENARIO);
  const own = ownServer(SERVER, { name: 'fixed' });
  const builtin = parseRouterSpec('dynamic');
  const rate = async (sut: Parameters<typeof runScenario>[1], seed: number): Promise<number> => {
    const t0 = performance.now();
    const { result } = await runScenario(spec, sut, seed);
    return result.counts.produced / ((performance.now() - t0) / 1_000);
  };
  await rate(own, 99); // warm-up (JIT, module loading)
  await rate(builtin, 99);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    ours.push(await rate(own, i));
    theirs.push(await rate(builtin, i));
  }
  const o = median(ours);
  const b = median(theirs);
  return [
    { name: 'own_server_events_per_s', value: Math.round(o), unit: 'events/s' },
    { name: 'builtin_router_events_per_s', value: Math.round(b), unit: 'events/s' },
    { name: 'own_server_cost_x', value: Math.round((b / o) * 100) / 100, unit: '×' },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchOwnServer()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
