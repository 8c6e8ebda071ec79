import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actionCount, buildCase, fuzzCaseArb, HEALED_BYTES_PER_S, type FuzzCase } from '../../src/check/arbitraries.ts';
import { kindOf } from '../../src/check/actions.ts';
import { FEATURES } from '../../src/check/swarm.ts';
import { FAULT_CUTOFF_MS, LIVENESS_BOUND_MS } from '../../src/check/timing.ts';
import { parseDuration } from '../../src/check/duration.ts';
import { validateScenario } from '../../src/scenario/validate.ts';

const SEED = 20_251_128;

describe('fuzzCaseArb: whole scenarios', () => {
  it('every generated spec passes validateScenario, as plain JSON data', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const json = JSON.parse(JSON.stringify(c.spec)) as unknown;
        expect(json).toEqual(c.spec); // plain data: nothing lost in a round trip (replayable)
        validateScenario(json, 'generated');
        expect(c.spec.seeds).toEqual([c.seed]);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('has the stated shape: 1–4 users, 1–3 threads and 1–3 tabs each, a safety phase before the cutoff', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const { spec } = c;
        expect(spec.users.length).toBeGreaterThanOrEqual(1);
        expect(spec.users.length).toBeLessThanOrEqual(4);
        for (const u of spec.users) {
          expect(u.threads.length).toBeGreaterThanOrEqual(1);
          expect(u.threads.length).toBeLessThanOrEqual(3);
          const tabs = spec.tabs.filter((t) => t.user === u.id).length;
          expect(tabs).toBeGreaterThanOrEqual(1);
          expect(tabs).toBeLessThanOrEqual(3);
        }
        expect(spec.deadlineMs).toBe(LIVENESS_BOUND_MS);
        for (const t of spec.tabs) {
          const times = t.actions.map((a) => a.at!);
          expect(times, 'actions are in time order (a shrunk case reads like a story)').toEqual([...times].sort((a, b) => a - b));
          expect(times.every((x) => Number.isInteger(x))).toBe(true);
          for (const a of t.actions) {
            // After the cutoff only the liveness phase's bookkeeping: restore slow links, keep watching.
            if (a.at! >= FAULT_CUTOFF_MS) expect(a.do === 'wait' || (a.do === 'slow' && a.bytesPerS === HEALED_BYTES_PER_S)).toBe(true);
          }
          if (t.actions.some((a) => a.do === 'half-open')) expect(spec.client?.heartbeatMs, 'a zombie link needs a heartbeat to be noticed').toBeGreaterThan(0);
        }
        for (const f of spec.faults ?? []) expect(f.at + f.durationMs).toBeLessThanOrEqual(FAULT_CUTOFF_MS);
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('swarm style: runs differ in which kinds of action and fault are switched on', () => {
    const samples = fc.sample(fuzzCaseArb(), { seed: SEED + 2, numRuns: 300 });
    const kinds = (c: FuzzCase) => new Set([...c.spec.tabs.flatMap((t) => t.actions.map((a) => a.do)), ...(c.spec.faults ?? []).map((f) => f.kind)]);
    const seen = new Set(samples.flatMap((c) => [...kinds(c)]));
    for (const k of ['connect', 'send', 'switch', 'close', 'drop', 'reconnect', 'slow', 'half-open', 'partition', 'pause']) expect(seen, k).toContain(k);
    const withDrops = samples.filter((c) => kinds(c).has('drop')).length;
    expect(withDrops).toBeGreaterThan(20);
    expect(withDrops).toBeLessThan(280);
  });

  it('a roll of 0 is a plain send whatever the swarm, so shrinking turns faults into sends', () => {
    const all = { weights: Object.fromEntries(FEATURES.map((f) => [f, 3])) };
    expect(kindOf(0, all)).toBe('send');
    expect(kindOf(0, { weights: {} })).toBe('send');
    expect(kindOf(999, { weights: {} })).toBe('send');
  });

  it('shrinks towards fewer users, tabs, actions and faults, and round small times', () => {
    // A property that fails whenever some tab drops its link: the minimal case is one user with
    // one tab that connects and drops, at 0 ms, with no fault plan.
    const details = fc.check(
      fc.property(fuzzCaseArb(), (c) => !c.spec.tabs.some((t) => t.actions.some((a) => a.do === 'drop'))),
      { seed: SEED + 3, numRuns: 500 },
    );
    expect(details.failed).toBe(true);
    const { spec } = details.counterexample![0];
    expect(spec.users).toHaveLength(1);
    expect(spec.users[0]!.threads).toEqual(['A']);
    expect(spec.tabs).toHaveLength(1);
    expect(spec.tabs[0]!.actions).toEqual([{ at: 0, do: 'connect' }, { at: 0, do: 'drop' }]);
    expect(spec.faults).toBeUndefined();
    expect(actionCount(spec)).toBe(2);
    expect(details.counterexample![0].seed).toBe(0);
  });

  it('never lets a tab close while a fault may still hold its frames (fair to any router)', () => {
    // A close right after a drop would throw away frames the network lost; the generator drops it.
    const c = buildCase({
      users: [{ threads: 1, tabs: [{ connectAt: 0, connectThread: 0, actions: [raw('drop', 100), raw('close', 150), raw('close', 1_500)] }] }],
      swarm: { weights: { drop: 1, close: 1 } },
      faults: [],
      agent: { startMs: fixed(0), thinkMs: fixed(0), toolCalls: fixed(0), toolMs: fixed(0), finishMs: fixed(0) },
      network: {},
      server: { lookup: 0, lookupSpread: 0, injectionDelay: 0 },
      reconnectAfterMs: 500,
      heartbeatMs: 1_000,
      tieBreak: false,
      seed: 0,
    });
    expect(c.spec.tabs[0]!.actions.map((a) => `${a.do}@${a.at}`)).toEqual(['connect@0', 'drop@100', 'close@1500']);
  });
});

describe('parseDuration', () => {
  it('reads 500ms, 30s, 5m, 1h, 1m30s and 1.5m', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5m')).toBe(90_000);
  });
  it('refuses anything else', () => {
    for (const bad of ['', '30', 's', '10x', '-5s', '5 m', '1m-3s']) expect(parseDuration(bad), bad).toBeNull();
  });
});

function fixed(value: number) {
  return { kind: 'fixed' as const, value };
}

/** A raw action whose roll picks `kind` under a swarm of only {drop, close} at weight 1 (send weight 3). */
function raw(kind: 'drop' | 'close', offset: number) {
  // Kinds in order: send (3), close (1), drop (1): total 5 → rolls 600–799 close, 800–999 drop.
  return { offset, roll: kind === 'close' ? 700 : 900, thread: 0, other: 0, withThread: false, count: 1, rate: 20_000 };
}
