import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/check/fuzz.ts';
import { actionCount } from '../../src/check/arbitraries.ts';
import { evaluateCase } from '../../src/check/property.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';

// Fixed search seeds: every test here is deterministic.

/** The weaker modes must fail within this many generated runs. */
const FIND_WITHIN_RUNS = 20;

describe('the property holds for the guaranteed router', () => {
  it('no counterexample in 400 generated runs (seed 1) and 200 more (seed 7)', async () => {
    const router = parseRouterSpec('guaranteed');
    for (const [seed, runs] of [[1, 400], [7, 200]] as const) {
      const report = await fuzz({ router, seed, runs });
      const c = report.counterexample;
      expect(c, c ? `seed ${seed}: ${c.outcome.invariant}: ${c.outcome.violations[0]?.explanation ?? c.outcome.error}\n${JSON.stringify(c.case.spec)}` : '').toBeNull();
      expect(report.runs).toBe(runs);
    }
  });
});

describe('the weaker modes are found failing, and shrunk', () => {
  it(`dynamic: the emit-before-bind race (no-loss, "No connections found"), shrunk to at most 6 actions, within ${FIND_WITHIN_RUNS} runs`, async () => {
    // dynamic also loses requests (F21); this test searches for its event loss only.
    const report = await fuzz({ router: parseRouterSpec('dynamic'), seed: 1, runs: 200, invariants: ['no-loss'] });
    const c = report.counterexample!;
    expect(c).not.toBeNull();
    expect(report.runs).toBeLessThanOrEqual(FIND_WITHIN_RUNS);
    expect(c.outcome.invariant).toBe('no-loss');
    const v = c.outcome.violations[0]!;
    expect(v.explanation).toMatch(/No connections found for thread/);
    expect(v.explanation).toMatch(/bound c1 to A only at/); // the binding came, but after the event
    expect(actionCount(c.case.spec)).toBeLessThanOrEqual(6);
    expect(c.numShrinks).toBeGreaterThan(0);
    // Fair: the guaranteed router passes the very same case.
    expect((await evaluateCase(c.case, parseRouterSpec('guaranteed'))).outcome.verdict).toBe('pass');
  });

  it(`legacy: the thread is bound only at connect, so a message on a thread loses its events (no-loss), within ${FIND_WITHIN_RUNS} runs`, async () => {
    const report = await fuzz({ router: parseRouterSpec('legacy'), seed: 1, runs: 200, invariants: ['no-loss'] });
    const c = report.counterexample!;
    expect(report.runs).toBeLessThanOrEqual(FIND_WITHIN_RUNS);
    expect(c.outcome.invariant).toBe('no-loss');
    expect(c.outcome.violations[0]!.explanation).toMatch(/never bound c1 to A/);
    expect(actionCount(c.case.spec)).toBeLessThanOrEqual(6);
  });

  // Under shipped (held against the public code) the monitoring misreports, e.g. events the agent
  // emitted before the WebSocket manager was wired (EMISSION BLOCKED) never count as unreached
  // (success masking's own share is the success-masking scenario's). Rarer than the other
  // defects since shipped follows the public code and the oracle stopped misidentifying id-less
  // deliveries: found at run 147 for seed 1, so the bound here is the campaign's 200 runs.
  it('shipped: its own monitoring misreports what reached the wire (honest-monitoring), within 200 runs', async () => {
    const report = await fuzz({ router: parseRouterSpec('shipped'), seed: 1, runs: 200, invariants: ['honest-monitoring'] });
    const c = report.counterexample!;
    expect(report.runs).toBeLessThanOrEqual(200);
    expect(c.outcome.invariant).toBe('honest-monitoring');
    expect(c.outcome.violations.find((v) => v.invariant === 'honest-monitoring')!.explanation).toMatch(/^the router reports \d+ events (delivered|that reached no connection), but (only )?\d+ of \d+ produced events were written/);
  });

  // The public code takes the user from the JWT (shipped does not trust the frame's user id);
  // F11 is measured alone as +trustPayloadUserId.
  it(`shipped+trustPayloadUserId: a payload naming another user is trusted (F11), and the origin loses its run (no-loss), within ${FIND_WITHIN_RUNS} runs`, async () => {
    const report = await fuzz({ router: parseRouterSpec('shipped-successMasking+trustPayloadUserId'), seed: 1, runs: 200, invariants: ['no-loss'] });
    const c = report.counterexample!;
    expect(report.runs).toBeLessThanOrEqual(FIND_WITHIN_RUNS);
    expect(c.outcome.invariant).toBe('no-loss');
    expect(c.outcome.violations[0]!.explanation).toMatch(/No connections found for thread A/);
    const sends = c.case.spec.tabs.flatMap((t) => t.actions).filter((a) => a.do === 'send');
    expect(sends.some((a) => a.do === 'send' && a.payloadUser !== undefined)).toBe(true);
    expect(actionCount(c.case.spec)).toBeLessThanOrEqual(6);
  });

  it('shipped with other seeds: late injection (EMISSION BLOCKED) is found too', async () => {
    const report = await fuzz({ router: parseRouterSpec('shipped-successMasking'), seed: 5, runs: 200, invariants: ['no-loss'] });
    const c = report.counterexample!;
    expect(report.runs).toBeLessThanOrEqual(FIND_WITHIN_RUNS);
    expect(c.outcome.violations[0]!.explanation).toMatch(/EMISSION BLOCKED/);
  });

  it('the search is deterministic: the same seed finds and shrinks to the same case', async () => {
    const a = await fuzz({ router: parseRouterSpec('dynamic'), seed: 3, runs: 50 });
    const b = await fuzz({ router: parseRouterSpec('dynamic'), seed: 3, runs: 50 });
    expect(a.counterexample).not.toBeNull();
    expect(b.counterexample!.case).toEqual(a.counterexample!.case);
    expect(b.counterexample!.numShrinks).toBe(a.counterexample!.numShrinks);
    expect(b.counterexample!.outcome.traceHash).toBe(a.counterexample!.outcome.traceHash);
    expect(b.runs).toBe(a.runs);
  });
});

describe('the property itself', () => {
  it('a run that does not complete fails the property as "error", with the reason', async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const { outcome } = await evaluateCase({ spec: { ...spec, maxDurationMs: 50 }, seed: 1 }, parseRouterSpec('guaranteed'));
    expect(outcome.ok).toBe(false);
    expect(outcome.invariant).toBe('error');
    expect(outcome.error).toMatch(/virtual-time budget/);
    // The error names the field that sets the budget, with its value, not an internal option.
    expect(outcome.error).toContain("raise the scenario's maxDurationMs (now 50 ms)");
    expect(outcome.error).not.toContain('(maxTimeUs)');
  });

  it('a run where nothing was owed is not a failure (verdict unknown)', async () => {
    const spec = { name: 'idle', description: '', users: [{ id: 'u1', threads: ['A'] }], tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' as const }] }] };
    const { outcome } = await evaluateCase({ spec, seed: 0 }, parseRouterSpec('legacy'));
    expect(outcome).toMatchObject({ ok: true, verdict: 'unknown', invariant: null });
  });
});

describe('--invariant: a focused search', () => {
  it('finds only violations of the named invariants, and still reports the others in the outcome', async () => {
    const all = await fuzz({ router: parseRouterSpec('dynamic'), seed: 2, runs: 200 });
    const focused = await fuzz({ router: parseRouterSpec('dynamic'), seed: 2, runs: 200, invariants: ['no-loss'] });
    expect(focused.counterexample!.outcome.invariant).toBe('no-loss');
    expect(focused.counterexample!.outcome.invariants).toContain('no-loss');
    // A focus on an invariant dynamic never breaks finds nothing.
    const none = await fuzz({ router: parseRouterSpec('dynamic'), seed: 2, runs: 100, invariants: ['no-leakage'] });
    expect(none.counterexample).toBeNull();
    expect(none.runs).toBe(100);
    expect(all.counterexample).not.toBeNull();
  });
});
