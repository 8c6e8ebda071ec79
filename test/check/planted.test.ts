import { describe, expect, it } from 'vitest';
import { fuzz } from '../../src/check/fuzz.ts';
import { evaluateCase } from '../../src/check/property.ts';
import { parseRouterSpec, PLANTED_BUG_FLAGS, MODE_PRESETS, MODES } from '../../src/sut/router/flags.ts';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';

// Deliberately broken variants of the guaranteed router (planted bugs, test-only flags) and
// the shipped defects, one at a time on top of guaranteed: the search must find each within
// the stated number of runs and the oracle must name the invariant — not a trace hash. The
// bounds are the measured runs-to-first-counterexample (docs/fuzzing.md) with headroom.
const CASES: Array<{ router: string; seed: number; within: number; invariants: string[] }> = [
  // planted bugs
  { router: 'guaranteed+bugResumeFromZero', seed: 1, within: 10, invariants: ['no-redundant-redelivery'] },
  { router: 'guaranteed+bugSkipSeq', seed: 1, within: 10, invariants: ['sequence-contiguity'] },
  { router: 'guaranteed+bugGapOverclaims', seed: 3, within: 20, invariants: ['honest-gaps'] },
  { router: 'guaranteed+bugThreadKeyedRouting', seed: 2, within: 30, invariants: ['no-leakage'] },
  // the request fixes taken away
  { router: 'guaranteed-messageAcks', seed: 1, within: 10, invariants: ['no-lost-request'] },
  { router: 'guaranteed+messageDedupWindowMs=0', seed: 1, within: 30, invariants: ['no-duplicate-run'] },
  // shipped defects, each alone on an otherwise correct router
  { router: 'guaranteed+handlerBindNoop', seed: 3, within: 10, invariants: ['no-loss'] },
  { router: 'guaranteed+serviceBindUserWide', seed: 1, within: 20, invariants: ['no-loss'] },
  { router: 'guaranteed+trustPayloadUserId', seed: 1, within: 10, invariants: ['no-loss', 'no-leakage'] },
  { router: 'guaranteed+registryTtlMs=180000', seed: 1, within: 10, invariants: ['no-loss', 'sequence-contiguity'] },
  { router: 'guaranteed+successMasking', seed: 1, within: 10, invariants: ['honest-monitoring'] },
  { router: 'guaranteed-bufferBeforeInjection', seed: 3, within: 20, invariants: ['no-loss', 'honest-monitoring'] },
  { router: 'guaranteed+fallbackFanout', seed: 1, within: 60, invariants: ['order', 'no-loss'] },
];

describe('planted bugs are test-only', () => {
  it('off in every mode preset', () => {
    for (const mode of MODES) for (const flag of PLANTED_BUG_FLAGS) expect(MODE_PRESETS[mode][flag], `${mode}.${flag}`).toBe(false);
  });
});

describe('the search finds each planted bug and shipped defect, and the oracle names it', () => {
  for (const c of CASES) {
    it(`${c.router}: ${c.invariants.join(' or ')} within ${c.within} runs (seed ${c.seed})`, async () => {
      const report = await fuzz({ router: parseRouterSpec(c.router), seed: c.seed, runs: c.within });
      const found = report.counterexample;
      expect(found, `${c.router}: nothing found in ${c.within} runs`).not.toBeNull();
      expect(c.invariants).toContain(found!.outcome.invariant);
      expect(found!.outcome.violations[0]!.explanation.length).toBeGreaterThan(20);
      // The same case passes on the router without the defect: the defect is what the oracle saw.
      expect((await evaluateCase(found!.case, parseRouterSpec('guaranteed'))).outcome.verdict).not.toBe('fail');
    });
  }
});

describe('F25: same thread id, two users', () => {
  it('a router that routes by thread id alone leaks; guaranteed does not', async () => {
    const { spec } = await loadScenarioFile('scenarios/same-thread-id-two-users.ts');
    const bad = await runScenario(spec, parseRouterSpec('guaranteed+bugThreadKeyedRouting'), 1);
    expect(bad.result.violationCounts?.['no-leakage']).toBeGreaterThan(0);
    expect(bad.result.violations.find((v) => v.invariant === 'no-leakage')!.explanation).toMatch(/belongs to user (alice|bob) \(thread t1\) but reached .* of user (bob|alice)/);
    const good = await runScenario(spec, parseRouterSpec('guaranteed'), 1);
    expect(good.result.verdict).toBe('pass');
    expect(good.result.counts.leaked).toBe(0);
  });
});

describe('F20: a run id resolved to the wrong thread', () => {
  it('with resolveThreadFromRunId the rest of a run lands on the thread the tab switched to', async () => {
    const { spec } = await loadScenarioFile('scenarios/run-id-wrong-thread.ts');
    const bad = await runScenario(spec, parseRouterSpec('guaranteed+resolveThreadFromRunId'), 1);
    expect(bad.result.violationCounts).toMatchObject({ 'thread-isolation': 4, 'no-loss': 4 });
    expect(bad.result.violations.find((v) => v.invariant === 'thread-isolation')!.explanation).toMatch(/belongs to thread A but its frame names thread B/);
    const good = await runScenario(spec, parseRouterSpec('guaranteed'), 1);
    expect(good.result.verdict).toBe('pass');
    expect(MODES.every((m) => MODE_PRESETS[m].resolveThreadFromRunId === false)).toBe(true);
  });
});

describe('F16: teardown inside the fan-out', () => {
  it('a connection cut off inside the loop makes the next one miss the event, only with fanoutSkipsAfterTeardown', async () => {
    const { spec } = await loadScenarioFile('scenarios/teardown-during-fanout.ts');
    const good = await runScenario(spec, parseRouterSpec('guaranteed+outboundLimitBytes=1500'), 1);
    expect(good.result.verdict).toBe('pass');
    expect(good.result.monitoring.dropsByReason['slow_consumer']).toBeGreaterThan(0); // the cut-off did happen
    const bad = await runScenario(spec, parseRouterSpec('guaranteed+outboundLimitBytes=1500+fanoutSkipsAfterTeardown'), 1);
    expect(bad.result.violationCounts?.['no-loss']).toBe(1);
    expect(bad.result.violations.find((v) => v.invariant === 'no-loss')!.connectionId).toBe('fast1#1');
    expect(MODES.every((m) => MODE_PRESETS[m].fanoutSkipsAfterTeardown === false)).toBe(true);
  });
});

describe('F24: resume from the client position', () => {
  it('replaying from sequence 0 is caught on the wire although the client dedup hides it', async () => {
    const { spec } = await loadScenarioFile('scenarios/resume-from-position.ts');
    const bad = await runScenario(spec, parseRouterSpec('guaranteed+bugResumeFromZero'), 1);
    expect(bad.result.violationCounts).toEqual({ 'no-redundant-redelivery': 3 });
    expect(bad.result.counts).toMatchObject({ lost: 0, duplicated: 0, redundantRedeliveries: 3 });
    const good = await runScenario(spec, parseRouterSpec('guaranteed'), 1);
    expect(good.result.verdict).toBe('pass');
    expect(good.result.counts.redeliveries).toBe(0);
  });
});
