import { describe, expect, it } from 'vitest';
import { listScenarioFiles } from '../../src/scenario/load-file.ts';
import { loadCase, replayCase } from '../../src/check/replay.ts';
import { parseRouterSpec, type RouterMode } from '../../src/sut/router/flags.ts';

// Counterexamples kept in scenarios/regressions/: each replays to the trace hash saved with it
// (for the router and seed in its meta) and reaches the verdicts its `expect` states — the
// guaranteed-router bugs found by fuzzing pass now, the weaker modes still fail.
const files = listScenarioFiles('scenarios/regressions');

describe('scenarios/regressions', () => {
  it('holds at least the fixed guaranteed bugs and the emit-before-bind race', () => {
    expect(files.filter((f) => /\/guaranteed-/.test(f)).length).toBeGreaterThanOrEqual(10);
    expect(files.some((f) => /\/fuzz-dynamic-no-loss-/.test(f))).toBe(true);
  });

  for (const file of files) {
    it(file, async () => {
      const { spec, meta } = await loadCase(file);
      expect(meta.router, 'a counterexample names its router').toBeDefined();
      expect(meta.seed, 'and its seed').toBeDefined();
      const own = await replayCase(spec, parseRouterSpec(meta.router!), meta.seed!);
      expect(own.outcome.traceHash, 'replay reproduces the saved trace').toBe(meta.traceHash);
      expect(spec.expect, 'a regression states its expected verdicts').toBeDefined();
      for (const [mode, verdict] of Object.entries(spec.expect!) as Array<[RouterMode, string]>) {
        const { outcome } = await replayCase(spec, parseRouterSpec(mode), meta.seed!);
        expect(outcome.verdict, `${mode}: ${outcome.violations[0]?.explanation ?? outcome.error ?? ''}`).toBe(verdict);
      }
    });
  }
});
