import type { RouterInstance } from '../../src/sut/router/plugin.ts';
import { describe, expect, it } from 'vitest';
import { BoundedSeries, type SeriesPoint } from '../../src/stats/series.ts';
import { Monitoring } from '../../src/sut/router/monitoring.ts';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { prng } from '../report/fixtures.ts';

/** A bumpy walk with one spike far above everything else at `spikeAt`. */
function walk(n: number, seed: number, spikeAt: number): SeriesPoint[] {
  const rand = prng(seed);
  const out: SeriesPoint[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) {
    v = Math.max(0, v + Math.floor(rand() * 5) - 2);
    out.push([i * 1_000 + Math.floor(rand() * 500), i === spikeAt ? 1_000_000 : v]);
  }
  return out;
}

describe('BoundedSeries', () => {
  it('keeps every record until the limit, then never holds more than the limit', () => {
    const s = new BoundedSeries(50);
    const input = walk(50, 1, -1);
    for (const [t, v] of input) s.record(t, v);
    expect(s.toJSON()).toEqual(input);
    expect(s.stride).toBe(1);
    for (const [t, v] of walk(20_000, 2, -1)) {
      s.record(t + 50_000_000, v);
      expect(s.toJSON().length).toBeLessThanOrEqual(50);
    }
    expect(s.recorded).toBe(20_050);
    expect(s.toJSON().length).toBeGreaterThan(20); // downsampled, not emptied
    expect(s.stride).toBeGreaterThan(1);
  });

  it('keeps the maximum (a spike survives any amount of downsampling), real points in time order, and the latest record', () => {
    for (const spikeAt of [0, 777, 4_999, 9_998]) {
      const input = walk(10_000, 3, spikeAt);
      const s = new BoundedSeries(64);
      let seenMax = -Infinity;
      input.forEach(([t, v], i) => {
        s.record(t, v);
        seenMax = Math.max(seenMax, v);
        if (i % 97 === 0 || i === input.length - 1) expect(Math.max(...s.toJSON().map((p) => p[1]))).toBe(seenMax);
      });
      const out = s.toJSON();
      expect(out).toContainEqual(input[spikeAt]);
      const inputKeys = new Set(input.map(([t, v]) => `${t}:${v}`));
      for (const [t, v] of out) expect(inputKeys.has(`${t}:${v}`)).toBe(true);
      for (let k = 1; k < out.length; k++) expect(out[k]![0]).toBeGreaterThanOrEqual(out[k - 1]![0]);
      // A step line ends at the last level recorded (a drained queue ends at 0, not at a peak).
      expect(out.at(-1)).toEqual(input.at(-1));
    }
  });

  it('is deterministic: the same records give the same points', () => {
    const a = new BoundedSeries(100);
    const b = new BoundedSeries(100);
    for (const [t, v] of walk(5_000, 4, 1_234)) {
      a.record(t, v);
      b.record(t, v);
    }
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(() => new BoundedSeries(3)).toThrow(RangeError);
  });

  it('Monitoring: the snapshot carries both series and what they were built from', () => {
    const m = new Monitoring();
    m.recordQueueDepth(10, 1);
    m.recordQueueDepth(20, 2);
    m.recordQueueWait(30, 20);
    m.recordQueueDepth(30, 0);
    const snap = m.snapshot();
    expect(snap.series).toEqual({ queueDepth: [[10, 1], [20, 2], [30, 0]], queueWaitUs: [[30, 20]], recorded: { queueDepth: 3, queueWaitUs: 1 } });
    expect(snap.histograms['queueWaitUs']!.count).toBe(1); // the wait histogram is fed by the same call
  });
});

// Of the shipped scenarios only some make guaranteed queue at all (rapid-send and late-injection do
// not: readiness and buffering before injection leave nothing to queue). reconnect-mid-run does:
// its events queue while a tab is away, two are flushed when t1 comes back, the rest expire.
describe('the pending queue’s series in a guaranteed run (reconnect-mid-run)', () => {
  const run = async (seed: number, disableSeries = false) => {
    const { spec } = await loadScenarioFile('scenarios/reconnect-mid-run.ts');
    return runScenario(spec, parseRouterSpec('guaranteed'), seed, {
      ...(disableSeries
        ? {
            onWorld: (w) => {
              const { router } = w.world.server as RouterInstance;
              router.monitoring.queueDepthSeries.record = () => {};
              router.monitoring.queueWaitSeries.record = () => {};
            },
          }
        : {}),
    });
  };

  it('records depth and waits that agree with the counters and histograms', async () => {
    const { result } = await run(1);
    const m = result.monitoring;
    const depth = m.series!.queueDepth;
    const waits = m.series!.queueWaitUs;
    expect(depth.length).toBeGreaterThan(0);
    expect(m.counters['queued']).toBeGreaterThan(0);
    // One point per change: each accepted enqueue, each expiry and each flush (of one or more items).
    expect(m.series!.recorded.queueDepth).toBe(depth.length);
    expect(depth.length).toBeGreaterThanOrEqual(m.histograms['queueDepth']!.count + m.counters['queueExpired']! + 1);
    expect(Math.max(...depth.map((p) => p[1]))).toBe(m.histograms['queueDepth']!.max);
    expect(depth.at(-1)![1]).toBe(0); // everything was flushed or expired
    for (let k = 1; k < depth.length; k++) expect(depth[k]![0]).toBeGreaterThanOrEqual(depth[k - 1]![0]);
    expect(depth.every(([t]) => t >= 0 && t <= result.simulatedUs)).toBe(true);
    expect(waits.length).toBe(m.counters['queueFlushed']);
    expect(waits.length).toBe(m.histograms['queueWaitUs']!.count);
    expect(waits.reduce((a, p) => a + p[1], 0)).toBe(m.histograms['queueWaitUs']!.sum);
  });

  it('does not change the trace: same hash with the series switched off, same series on a rerun', async () => {
    const a = await run(1);
    const b = await run(1, true);
    const c = await run(1);
    expect(b.result.monitoring.series!.queueDepth).toEqual([]);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(c.result.traceHash).toBe(a.result.traceHash);
    expect(c.result.monitoring.series).toEqual(a.result.monitoring.series);
    expect((await run(2)).result.monitoring.series).not.toEqual(a.result.monitoring.series);
  });

  it('is empty (not absent) in a mode without the pending queue', async () => {
    const { spec } = await loadScenarioFile('scenarios/reconnect-mid-run.ts');
    const { result } = await runScenario(spec, parseRouterSpec('legacy'), 1);
    expect(result.monitoring.series).toEqual({ queueDepth: [], queueWaitUs: [], recorded: { queueDepth: 0, queueWaitUs: 0 } });
  });
});
