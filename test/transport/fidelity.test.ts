import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { summariseGroup } from '../../src/run/aggregate.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { needsProxyFor, runScenarioWs } from '../../src/run/ws-runner.ts';
import { COMPARE_TIME_SCALE, compareSimAndReal, judgeFidelity, type SideFigures } from '../../src/run/compare.ts';
import { fixed, uniform } from '../../src/sim/distribution.ts';
import { Histogram } from '../../src/stats/histogram.ts';

// The shipped scenarios whose race windows are timers of a few ms: on real loopback sockets
// they must reach the same verdict as on the simulated transport, for both modes the issue
// names. Each ws run takes well under a second of wall time (idle time is skipped; see ws-runner.ts).
const FAST = ['rapid-send', 'thread-switch-mid-run', 'late-injection', 'multi-tab-user', 'success-masking', 'payload-user-leak'];
const MODES = ['dynamic', 'guaranteed'] as const;

describe('runScenarioWs reaches the simulated verdicts', () => {
  for (const name of FAST) {
    it(name, { timeout: 20_000 }, async () => {
      const { spec } = await loadScenarioFile(`scenarios/${name}.ts`);
      for (const mode of MODES) {
        const config = parseRouterSpec(mode);
        const sim = (await runScenario(spec, config, 1)).result;
        // Real time (scale 1): a window of 10 ms (success-masking's send 50 ms after connecting,
        // through the proxy's handshake) must not depend on how loaded the machine is; at 0.25 a
        // busy machine's stalls, multiplied by 4, closed it (idle time is skipped either way).
        const ws = await runScenarioWs(spec, config, 1, { timeScale: 1, wallTimeoutMs: 15_000 });
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

  it('each frame draws the latency it draws in the simulation of the same seed (the same random stream per link)', { timeout: 20_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const wide = { ...spec, network: { latencyMs: uniform(20, 40), jitterMs: fixed(0) } };
    const config = parseRouterSpec('guaranteed');
    // Simulated: the wire delay of each frame to t1's first connection (link L1), in order.
    const simTrace = (await runScenario(wide, config, 1, { keepTrace: true })).trace.records;
    const sent = new Map<number, number>();
    const simDelaysMs: number[] = [];
    for (const r of simTrace) {
      const f = r.fields as { link?: string; dir?: string; frame?: number };
      if (f.link !== 'L1' || f.dir !== 'toClient') continue;
      if (r.kind === 'net.send') sent.set(f.frame!, r.t);
      if (r.kind === 'net.deliver') simDelaysMs.push((r.t - sent.get(f.frame!)!) / 1_000);
    }
    // Real: what the proxy waited per frame on the same connection, plus the hop credit it took off.
    const ws = await runScenarioWs(wide, config, 1, { timeScale: 1, keepTrace: true, wallTimeoutMs: 15_000 });
    const wsDelaysMs = ws.trace.records
      .filter((r) => r.kind === 'proxy' && (r.fields as { conn?: string }).conn === 't1#1' && (r.fields as { dir?: string }).dir === 'toClient' && (r.fields as { event?: string }).event === 'frame')
      .map((r) => (r.fields as { delayMs: number }).delayMs + ws.transport.hopCreditUs / 1_000);
    expect(simDelaysMs.length).toBeGreaterThanOrEqual(5);
    expect(wsDelaysMs.length).toBe(simDelaysMs.length);
    // The same draws differ only by when the proxy took each frame (its timers, the hop credit's
    // rounding) and, where a frame waits behind the one before it (FIFO), by when it arrived: on a
    // loaded machine a few do. Independent draws from 20-40 ms fall within 1.5 ms of each other
    // for only ~15% of frames.
    const close = wsDelaysMs.filter((d, i) => Math.abs(d - simDelaysMs[i]!) < 1.5).length;
    expect(close / wsDelaysMs.length, `ws ${wsDelaysMs.join(', ')} ms; sim ${simDelaysMs.join(', ')} ms`).toBeGreaterThanOrEqual(0.75);
  });

  it('a slow link backs up into the server on real sockets too: the shipped send time-out duplicates as simulated', { timeout: 20_000 }, async () => {
    // slow-consumer: 100 B/s to one tab; shipped times sends out after 2 s and resends without
    // ids (F8). Real loopback would complete every send at once; through the proxy the send
    // completes when the frame has left the link (src/run/send-gate.ts), as on the simulated pipe.
    const { spec } = await loadScenarioFile('scenarios/slow-consumer.ts');
    for (const mode of ['shipped', 'guaranteed'] as const) {
      const config = parseRouterSpec(mode);
      const sim = (await runScenario(spec, config, 1)).result;
      const ws = await runScenarioWs(spec, config, 1, { wallTimeoutMs: 15_000 });
      expect(ws.transport.viaProxy).toBe(true);
      expect([ws.result.verdict, ws.result.counts.duplicated]).toEqual([sim.verdict, sim.counts.duplicated]);
      expect(ws.result.verdict).toBe(spec.expect?.[mode]);
    }
  });

  it('a drop between a run\'s first event and its ack is judged alike on both transports (resend-after-lost-ack)', { timeout: 20_000 }, async () => {
    // The drop once fell in the very µs the first event was produced: the sim called it not
    // owed, real sockets owed and lost (compare disagreed on every seed). Now both frames are
    // in flight at the drop, 2 ms from either edge, at compare's time scale.
    const { spec } = await loadScenarioFile('scenarios/resend-after-lost-ack.ts');
    for (const mode of ['legacy', 'guaranteed'] as const) {
      const config = parseRouterSpec(mode);
      const sim = (await runScenario(spec, config, 1)).result;
      const ws = await runScenarioWs(spec, config, 1, { timeScale: COMPARE_TIME_SCALE, wallTimeoutMs: 15_000 });
      expect([ws.result.verdict, ws.result.counts.lost, ws.result.counts.runsDuplicated]).toEqual([sim.verdict, sim.counts.lost, sim.counts.runsDuplicated]);
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
    // The ws side now carries the simulated link (uniform 1–5 ms per frame): bare loopback was ~0.8 ms.
    expect(c.ws.latencyMs.p50).toBeGreaterThan(2);
    expect(c.fidelity.latency.map((l) => l.figure)).toEqual(['p50', 'p99']);
    expect(c.fidelity.verdictsAgree).toBe(true);
  });

  it("puts the scenario's link profile on the real sockets, through the proxy", { timeout: 15_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const slow = { ...spec, network: { latencyMs: fixed(20), jitterMs: fixed(0) } };
    expect(needsProxyFor(spec)).toBe(true);
    expect(needsProxyFor({ ...spec, network: { handshakeMs: fixed(0), latencyMs: fixed(0), closeDelayMs: fixed(0) } })).toBe(false);
    const config = parseRouterSpec('guaranteed');
    const sim = (await runScenario(slow, config, 1)).result;
    // At real time (compare stretches time four-fold by default): at 0.25 every event-loop stall
    // of a loaded machine counts four times over, and this test measures the link, not the machine.
    const ws = await runScenarioWs(slow, config, 1, { timeScale: 1, wallTimeoutMs: 12_000 });
    expect(ws.transport.viaProxy).toBe(true);
    expect(ws.result.verdict).toBe(sim.verdict);
    const simP50 = Histogram.fromJSON(sim.latencyUs).quantile(0.5);
    const wsP50 = Histogram.fromJSON(ws.result.latencyUs).quantile(0.5);
    expect(simP50).toBeGreaterThanOrEqual(20_000);
    // Every delivery waited the link's 20 ms less the proxy's hop credit (its own real hops,
    // measured before the run), plus the real hops of this frame.
    expect(ws.transport.hopCreditUs).toBeGreaterThan(0);
    expect(Histogram.fromJSON(ws.result.latencyUs).min).toBeGreaterThanOrEqual(20_000 - ws.transport.hopCreditUs);
    expect(wsP50).toBeLessThan(simP50 * 1.5);
  });
});

describe('the fidelity rule of compare', () => {
  const side = (transport: 'sim' | 'ws', p50: number, p99: number): SideFigures => ({
    transport,
    verdict: 'pass',
    verdicts: { pass: 3, fail: 0, unknown: 0 },
    successRate: 1,
    successRateCi95: [0.9, 1],
    interactions: { total: 30, succeeded: 30 },
    latencyMs: { p50, p90: p99, p99, p999: p99, max: p99 },
    lost: 0,
    duplicated: 0,
    leaked: 0,
    owed: 100,
    delivered: 100,
    wallMs: 10,
  });
  const agree = [1, 2, 3].map((seed) => ({ seed, sim: 'pass' as const, ws: 'pass' as const, agree: true }));

  it('passes latency within the tolerance, relative to the simulated figure', () => {
    const f = judgeFidelity({ scenario: 'rapid-send', router: 'dynamic', sim: side('sim', 3, 5), ws: side('ws', 3.5, 6), perSeed: agree });
    expect(f.latencyTolerance).toBe(0.2);
    expect(f.ok).toBe(true);
    expect(f.problems).toEqual([]);
    expect(f.latency.map((l) => [l.figure, l.ok, Math.round(l.relative * 1000) / 1000])).toEqual([['p50', true, 0.167], ['p99', true, 0.2]]);
  });

  it('fails a p99 (or p50) beyond the tolerance, naming scenario, mode and figure', () => {
    const f = judgeFidelity({ scenario: 'rapid-send', router: 'dynamic', sim: side('sim', 3, 5), ws: side('ws', 3.2, 6.5), perSeed: agree });
    expect(f.ok).toBe(false);
    expect(f.verdictsAgree).toBe(true);
    expect(f.latency.find((l) => l.figure === 'p99')).toMatchObject({ ok: false, simMs: 5, wsMs: 6.5 });
    expect(f.problems).toEqual(['rapid-send × dynamic: p99 delivery latency differs beyond ±20%: sim 5.00 ms, ws 6.50 ms (+30.0%)']);
    // Faster is as wrong as slower, and the tolerance is a parameter.
    const fast = judgeFidelity({ scenario: 's', router: 'guaranteed', sim: side('sim', 3, 5), ws: side('ws', 1, 5), perSeed: agree, latencyTolerance: 0.5 });
    expect(fast.problems).toEqual(['s × guaranteed: p50 delivery latency differs beyond ±50%: sim 3.00 ms, ws 1.00 ms (-66.7%)']);
    expect(judgeFidelity({ scenario: 's', router: 'guaranteed', sim: side('sim', 3, 5), ws: side('ws', 1, 5), perSeed: agree, latencyTolerance: Infinity }).ok).toBe(true);
  });

  it('fails verdicts that differ, and a figure only one side has', () => {
    const perSeed = [...agree.slice(0, 2), { seed: 3, sim: 'pass' as const, ws: 'fail' as const, agree: false }];
    const f = judgeFidelity({ scenario: 'x', router: 'legacy', sim: side('sim', 3, 5), ws: side('ws', 3, 5), perSeed });
    expect(f.ok).toBe(false);
    expect(f.problems).toEqual(['x × legacy: verdicts differ on 1/3 seed(s) (seed 3: sim pass, ws fail)']);
    const none = judgeFidelity({ scenario: 'x', router: 'legacy', sim: side('sim', NaN, NaN), ws: side('ws', NaN, NaN), perSeed: agree });
    expect(none.ok).toBe(true);
    const oneSided = judgeFidelity({ scenario: 'x', router: 'legacy', sim: side('sim', 3, 5), ws: side('ws', NaN, NaN), perSeed: agree });
    expect(oneSided.problems).toHaveLength(2);
    expect(oneSided.problems[0]).toMatch(/^x × legacy: p50 delivery latency .* ws n\/a/);
    expect(() => judgeFidelity({ scenario: 'x', router: 'legacy', sim: side('sim', 3, 5), ws: side('ws', 3, 5), perSeed: agree, latencyTolerance: -1 })).toThrow(RangeError);
  });
});
