import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { summariseGroup } from '../../src/run/aggregate.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { runScenarioWs } from '../../src/run/ws-runner.ts';
import { compareSimAndReal } from '../../src/run/compare.ts';

// The shipped scenarios whose race windows are timers of a few ms: on real loopback sockets
// they must reach the same verdict as on the simulated transport, for both modes the issue
// names. Each ws run takes tens of ms of wall time (idle time is skipped; see ws-runner.ts).
const FAST = ['rapid-send', 'thread-switch-mid-run', 'late-injection', 'multi-tab-user', 'success-masking', 'payload-user-leak'];
const MODES = ['dynamic', 'guaranteed'] as const;

describe('runScenarioWs reaches the simulated verdicts', () => {
  for (const name of FAST) {
    it(name, { timeout: 20_000 }, async () => {
      const { spec } = await loadScenarioFile(`scenarios/${name}.ts`);
      for (const mode of MODES) {
        const config = parseRouterSpec(mode);
        const sim = (await runScenario(spec, config, 1)).result;
        const ws = await runScenarioWs(spec, config, 1, { timeScale: 0.25, wallTimeoutMs: 15_000 });
        const simVerdict = summariseGroup([sim], spec.thresholds ?? []).verdict;
        const wsVerdict = summariseGroup([ws.result], spec.thresholds ?? []).verdict;
        const why = `${name} × ${mode}: sim ${simVerdict} (lost ${sim.counts.lost}), ws ${wsVerdict} (lost ${ws.result.counts.lost}): ${ws.result.violations[0]?.explanation ?? 'no violation'}`;
        expect(wsVerdict, why).toBe(simVerdict);
        expect(wsVerdict, `${name} × ${mode} declares ${spec.expect?.[mode]}`).toBe(spec.expect?.[mode]);
        expect(ws.unsupported).toEqual([]);
        expect(ws.result.counts.produced, why).toBe(sim.counts.produced);
        expect(ws.result.counts.leaked).toBe(sim.counts.leaked);
        if (mode === 'guaranteed') expect(ws.result.counts.lost).toBe(0);
        // The same shape as a simulated result (the CLI and reports read it).
        expect(Object.keys(ws.result).sort()).toEqual(expect.arrayContaining(Object.keys(sim).filter((k) => k !== 'timeline' && k !== 'timelineTruncated')));
        expect(ws.transport.kind).toBe('ws');
      }
    });
  }

  it('faults a real socket cannot do are reported, not skipped silently', { timeout: 10_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const paused = { ...spec, faults: [{ kind: 'pause' as const, at: 100, durationMs: 50 }] };
    const out = await runScenarioWs(paused, parseRouterSpec('guaranteed'), 1, { wallTimeoutMs: 8_000 });
    expect(out.unsupported).toHaveLength(1);
    expect(out.unsupported[0]).toMatch(/server pause .* not supported on the ws transport/);
    expect(out.result.faults.some((f) => f.kind === 'unsupported')).toBe(true);
    expect(out.result.verdict).toBe('unknown');
  });

  it('half-open goes through the chaos proxy and keeps its verdicts', { timeout: 10_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/half-open.ts');
    for (const mode of MODES) {
      const out = await runScenarioWs(spec, parseRouterSpec(mode), 1, { wallTimeoutMs: 8_000 });
      expect(out.transport.viaProxy).toBe(true);
      expect(out.result.verdict).toBe(spec.expect?.[mode]);
      expect(out.result.faults.some((f) => f.kind === 'half-open')).toBe(true);
    }
  });

  it('compareSimAndReal measures both transports side by side', { timeout: 15_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const c = await compareSimAndReal(spec, parseRouterSpec('dynamic'), [1, 2], { wallTimeoutMs: 8_000 });
    expect(c.agreement).toEqual({ seeds: 2, agreeing: 2, rate: 1 });
    expect(c.sim.verdicts.fail).toBe(2);
    expect(c.ws.verdicts.fail).toBe(2);
    expect(c.sim.successRate).toBeLessThan(1);
    expect(Math.abs(c.delta.successRatePp)).toBeLessThanOrEqual(20);
    expect(Number.isFinite(c.ws.latencyMs.p99)).toBe(true);
  });
});
