import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz, type FuzzCounterexample } from '../../src/check/fuzz.ts';
import { counterexampleName, counterexampleSpec, replayCommandFor, saveCounterexample } from '../../src/check/counterexample.ts';
import { checkDeterminism, loadCase, replayCase } from '../../src/check/replay.ts';
import { buildStory, formatStory } from '../../src/check/story.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { replayCommand } from '../../src/cli/commands/replay.ts';
import type { SimWorld as World } from '../../src/run/runner.ts';

// Saved files go to a scratch folder inside the repository (git-ignored), so they import the
// sources by a short relative path, as the real scenarios/regressions/ files do.
mkdirSync('.threadline-tmp', { recursive: true });
const dir = mkdtempSync(join('.threadline-tmp', 'check-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let found: FuzzCounterexample;
let path: string;

beforeAll(async () => {
  const report = await fuzz({ router: parseRouterSpec('dynamic'), seed: 1, runs: 50, invariants: ['no-loss'] });
  found = report.counterexample!;
  const explanation = found.outcome.violations[0]!.explanation;
  const name = counterexampleName('dynamic', 'no-loss', found.case);
  path = saveCounterexample(dir, {
    spec: counterexampleSpec(found.case, name, 'dynamic', explanation, { guaranteed: 'pass' }),
    meta: { router: 'dynamic', seed: found.case.seed, traceHash: found.outcome.traceHash, invariant: 'no-loss', invariants: ['no-loss'], fuzzSeed: 1, runs: report.runs, numShrinks: found.numShrinks },
    story: formatStory(buildStory(found.run!)),
    explanation,
    foundBy: 'threadline fuzz --router dynamic --seed 1',
  });
});

function captureStdout(): { text: () => string; restore: () => void } {
  let buf = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    buf += String(chunk);
    return true;
  });
  return { text: () => buf, restore: () => spy.mockRestore() };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('counterexample files', () => {
  it('are scenario scripts with a header, a meta export and the spec; they load and validate', async () => {
    expect(existsSync(path)).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^\/\/ threadline fuzz counterexample/);
    expect(text).toContain('// router:    dynamic');
    expect(text).toContain(`// seed:      ${found.case.seed}`);
    expect(text).toContain('// invariant: no-loss');
    expect(text).toContain(`// replay:    ${replayCommandFor(path, 'dynamic', found.case.seed)}`);
    expect(text).toMatch(/\/\/ Story \(virtual time\):\n\/\/ .*connect/);
    expect(text).toContain("import { defineScenario } from '../../src/scenario/types.ts';");
    expect(text).toMatch(/export const meta = \{/);
    expect(text).toMatch(/export default defineScenario\(\{/);
    const loaded = await loadScenarioFile(path);
    expect(loaded.spec.expect).toEqual({ guaranteed: 'pass', dynamic: 'fail' });
    expect(loaded.spec.seeds).toEqual([found.case.seed]);
  });

  it('replay reproduces the saved trace hash and the violation', async () => {
    const { spec, meta } = await loadCase(path);
    expect(meta).toMatchObject({ router: 'dynamic', seed: found.case.seed, invariant: 'no-loss' });
    const { outcome } = await replayCase(spec, parseRouterSpec(meta.router!), meta.seed!);
    expect(outcome.traceHash).toBe(meta.traceHash);
    expect(outcome.invariant).toBe('no-loss');
    expect(outcome.violations).toEqual(found.outcome.violations);
  });

  it('threadline replay: exit 1 while it fails, 0 once it passes (here: under guaranteed); flags override meta', async () => {
    let out = captureStdout();
    expect(await replayCommand(path, { json: true, report: false }, [])).toBe(1);
    out.restore();
    const doc = JSON.parse(out.text()) as Record<string, unknown>;
    expect(doc).toMatchObject({ schema: 'threadline/replay@1', router: 'dynamic', seed: found.case.seed, verdict: 'fail', hashMatches: true, invariants: ['no-loss'] });
    expect(doc['traceHash']).toBe(found.outcome.traceHash);

    out = captureStdout();
    expect(await replayCommand(path, { json: true, router: 'guaranteed', report: false }, [])).toBe(0);
    out.restore();
    const passed = JSON.parse(out.text()) as Record<string, unknown>;
    expect(passed).toMatchObject({ router: 'guaranteed', verdict: 'pass', hashMatches: null });
  });

  it('threadline replay says when the trace hash differs from the saved one', async () => {
    // The same case saved with a hash it does not have: as if the router changed since.
    const stale = '0123456789abcdef0123456789abcdef';
    const tampered = join(dir, 'stale-hash.ts');
    writeFileSync(tampered, readFileSync(path, 'utf8').replaceAll(found.outcome.traceHash!, stale));
    expect(readFileSync(tampered, 'utf8')).toContain(stale);
    let out = captureStdout();
    const code = await replayCommand(tampered, { report: false }, ['--no-color']);
    out.restore();
    expect(code).toBe(1); // the case still fails its invariant; the hash is a change notice, not a verdict
    expect(out.text()).toContain(`trace ${found.outcome.traceHash}`);
    expect(out.text()).toContain(`the trace hash differs from the one saved with the case (${stale})`);
    expect(out.text()).toContain('the router, the simulator or the scenario changed since it was saved');
    expect(out.text()).not.toContain('matches');

    out = captureStdout();
    expect(await replayCommand(tampered, { report: false, json: true }, [])).toBe(1);
    out.restore();
    expect(JSON.parse(out.text())).toMatchObject({ hashMatches: false, expectedTraceHash: stale, traceHash: found.outcome.traceHash });

    // The untouched file matches; another seed claims no comparison at all.
    out = captureStdout();
    await replayCommand(path, { report: false }, ['--no-color']);
    out.restore();
    expect(out.text()).toContain('the trace hash matches the one saved with the case');
    out = captureStdout();
    await replayCommand(tampered, { report: false, seed: String(found.case.seed + 1) }, ['--no-color']);
    out.restore();
    expect(out.text()).not.toMatch(/hash (matches|differs)/);
  });

  it('threadline replay --update-hash refreshes a stale hash only while every stated verdict holds', async () => {
    const stale = 'fedcba9876543210fedcba9876543210';
    const file = join(dir, 'refresh.ts');
    writeFileSync(file, readFileSync(path, 'utf8').replaceAll(found.outcome.traceHash!, stale));
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let out = captureStdout();
    expect(await replayCommand(file, { report: false, updateHash: true }, ['--no-color'])).toBe(1); // still fails its invariant, as expected
    out.restore();
    expect(readFileSync(file, 'utf8')).toContain(found.outcome.traceHash!);
    expect(readFileSync(file, 'utf8')).not.toContain(stale);
    expect(warn.mock.calls.map((c) => String(c[0])).join('')).toMatch(/hash updated: .*refresh\.ts \(fedcba987654… → .*every stated verdict holds: guaranteed pass, dynamic fail/);

    // A file whose stated verdict no longer holds keeps its hash, and the command fails.
    const wrong = join(dir, 'wrong-expect.ts');
    writeFileSync(wrong, readFileSync(file, 'utf8').replace('"guaranteed":"pass"', '"guaranteed":"fail"').replaceAll(found.outcome.traceHash!, stale));
    warn.mockClear();
    out = captureStdout();
    expect(await replayCommand(wrong, { report: false, updateHash: true }, ['--no-color'])).toBe(1);
    out.restore();
    expect(readFileSync(wrong, 'utf8')).toContain(stale);
    expect(warn.mock.calls.map((c) => String(c[0])).join('')).toContain('guaranteed now gives pass, the file expects fail; the hash was not updated');
    warn.mockRestore();
  });
});

describe('--check-determinism', () => {
  it('two runs of a case give identical traces', async () => {
    const { spec } = await loadScenarioFile('scenarios/reconnect-mid-run.ts');
    const report = await checkDeterminism(spec, parseRouterSpec('guaranteed'), 3);
    expect(report.deterministic).toBe(true);
    expect(report.hashes[0]).toBe(report.hashes[1]);
    expect(report.records[0]).toBeGreaterThan(100);
    expect(report.divergence).toBeNull();
  });

  it('reports injected nondeterminism at the right virtual time, naming the event on each side', async () => {
    // State that outlives a run (a counter), read by the simulation: the first run schedules its
    // event at 1 ms, the second at 2 ms. The traces must diverge at exactly 1 ms.
    let runsSoFar = 0;
    const onWorld = (w: World): void => {
      runsSoFar++;
      const n = runsSoFar;
      w.scheduler.setTimer(n * 1_000, () => w.trace.record(w.scheduler.now(), 'test.injected', { run: n }), 'test:inject');
    };
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const report = await checkDeterminism(spec, parseRouterSpec('guaranteed'), 1, { onWorld });
    expect(report.deterministic).toBe(false);
    expect(report.hashes[0]).not.toBe(report.hashes[1]);
    const d = report.divergence!;
    expect(d.atUs).toBe(1_000);
    expect(d.first).toMatchObject({ t: 1_000, kind: 'test.injected', fields: { run: 1 } });
    // rapid-send has nothing else between 1 and 2 ms (the handshake completes at 2 ms).
    expect(d.second).toMatchObject({ t: 2_000, kind: 'test.injected', fields: { run: 2 } });
  });

  it('threadline replay --check-determinism exits 1 and prints the divergence', async () => {
    let runsSoFar = 0;
    const onWorld = (w: World): void => {
      runsSoFar++;
      w.scheduler.setTimer(runsSoFar * 2_500, () => w.trace.record(w.scheduler.now(), 'test.injected', { run: runsSoFar }), 'test:inject');
    };
    let out = captureStdout();
    const code = await replayCommand('scenarios/rapid-send.ts', { router: 'guaranteed', seed: '1', checkDeterminism: true, json: true, report: false }, [], { onWorld });
    out.restore();
    expect(code).toBe(1);
    const doc = JSON.parse(out.text()) as { verdict: string; determinism: { deterministic: boolean; divergence: { atUs: number; first: { kind: string } } } };
    expect(doc.verdict).toBe('pass'); // the case itself holds; only determinism failed
    expect(doc.determinism.deterministic).toBe(false);
    expect(doc.determinism.divergence.atUs).toBe(2_500);
    expect(doc.determinism.divergence.first.kind).toBe('test.injected');

    out = captureStdout();
    expect(await replayCommand('scenarios/rapid-send.ts', { router: 'guaranteed', seed: '1', checkDeterminism: true, report: false }, ['--no-color'])).toBe(0);
    out.restore();
    expect(out.text()).toMatch(/deterministic: two runs, identical traces/);
  });
});
