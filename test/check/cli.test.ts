import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { loadCase, replayCase } from '../../src/check/replay.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';

mkdirSync('.threadline-tmp', { recursive: true });
const dir = mkdtempSync(join('.threadline-tmp', 'check-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    // Reports go to the scratch folder, never into the checkout's reports/.
    const report = args.some((a) => a === '--report' || a === '--no-report') ? [] : ['--report', join(dir, 'reports')];
    const code = await main(['node', 'threadline', ...args, ...report, '--no-color']);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('threadline fuzz', () => {
  it('--json: one document with the counterexample, its shrink count, replay command, saved path and runs tried; exit 1', async () => {
    const { code, stdout } = await cli('fuzz', '--router', 'dynamic', '--runs', '50', '--seed', '1', '--invariant', 'no-loss', '--json', '--save', dir);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as {
      schema: string;
      verdict: string;
      runs: number;
      counterexample: { spec: { name: string; tabs: unknown[] }; numShrinks: number; replay: string; path: string; seed: number; invariant: string; story: string[] };
    };
    expect(stdout.trim().split('\n')).toHaveLength(1); // nothing else on stdout
    expect(doc.schema).toBe('threadline/fuzz@1');
    expect(doc.verdict).toBe('fail');
    expect(doc.runs).toBeGreaterThanOrEqual(1);
    const c = doc.counterexample;
    expect(c.invariant).toBe('no-loss');
    expect(c.numShrinks).toBeGreaterThan(0);
    expect(c.path).toBe(join(dir, `${c.spec.name}.ts`));
    expect(existsSync(c.path)).toBe(true);
    expect(c.replay).toBe(`threadline replay ${c.path} --router dynamic --seed ${c.seed}`);
    expect(c.story.some((l) => /No connections found for thread A/.test(l))).toBe(true);
    // The saved file replays to the same failure.
    const { spec, meta } = await loadCase(c.path);
    const { outcome } = await replayCase(spec, parseRouterSpec(meta.router!), meta.seed!);
    expect(outcome.invariant).toBe('no-loss');
    expect(outcome.traceHash).toBe(meta.traceHash);
  });

  it('human output: the seed, the saved path, the replay command, the story and the oracle', async () => {
    const { code, stdout } = await cli('fuzz', '--router', 'legacy', '--seed', '2', '--save', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/counterexample after \d+ run\(s\), shrunk \d+ time\(s\): no-loss/);
    expect(stdout).toMatch(/search seed 2, simulation seed \d+/);
    expect(stdout).toMatch(/saved: {2}\.threadline-tmp\/check-cli-\w+\/fuzz-legacy-no-loss-[0-9a-f]{8}\.ts/);
    expect(stdout).toMatch(/replay: threadline replay \S+ --router legacy --seed \d+/);
    expect(stdout).toMatch(/story \(virtual time\):\n\s+0 µs\s+t1#1\s+connect/);
    expect(stdout).toMatch(/oracle: no-loss: agent_started of run-1 \(thread A\)/);
  });

  it('exit 0 and a passing document when nothing is found; --no-save writes nothing', async () => {
    const { code, stdout } = await cli('fuzz', '--router', 'guaranteed', '--runs', '30', '--seed', '3', '--json', '--no-save');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'pass', runs: 30, counterexample: null, router: 'guaranteed', seed: 3 });
  });

  it('--time runs until the time is up (here with a --runs cap: whichever comes first)', async () => {
    const { code, stdout } = await cli('fuzz', '--router', 'guaranteed', '--time', '200ms', '--runs', '20', '--json', '--no-save');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'pass', runs: 20 });
  });

  it.each([
    [['--time', '10x'], /--time must be a duration/],
    [['--time', '0s'], /--time must be a duration/],
    [['--runs', '-3'], /--runs/],
    [['--runs', '0'], /--runs/],
    [['--seed', '-1'], /--seed/],
    [['--router', 'nope'], /unknown router mode "nope"/],
    [['--router', 'dynamic,legacy'], /one router at a time/],
    [['--invariant', 'no-los'], /--invariant: unknown invariant "no-los": use no-loss, no-leakage/],
    [['--invariant', ','], /--invariant needs at least one name/],
  ])('bad usage %j exits 2 with one line naming the fix', async (args, message) => {
    const { code, stderr } = await cli('fuzz', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('threadline replay', () => {
  it('exit 2 for a file that does not exist', async () => {
    const { code, stderr } = await cli('replay', join(dir, 'missing.ts'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/does not exist/);
  });

  it('a shipped scenario: prints the hash and passes (exit 0) under guaranteed, fails (exit 1) under dynamic', async () => {
    const pass = await cli('replay', 'scenarios/rapid-send.ts', '--router', 'guaranteed', '--seed', '1');
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/trace [0-9a-f]{64}/);
    expect(pass.stdout).toMatch(/PASS/);
    const fail = await cli('replay', 'scenarios/rapid-send.ts', '--router', 'dynamic', '--seed', '1');
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/FAIL {2}no-loss/);
    expect(fail.stdout).toMatch(/No connections found for thread A/);
  });
});
