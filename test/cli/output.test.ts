/**
 * What the CLI prints: --json is the results document alone on stdout (schema checked field by
 * field); colour follows --no-color > NO_COLOR > FORCE_COLOR > terminal; progress only on a
 * terminal and never in CI; GitHub Actions annotations and step summary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSI, BIN, cleanEnv, cli, scenarioProject } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = scenarioProject('output'));
});
afterAll(() => cleanup());

type Json = Record<string, unknown>;
const histogramShape = (h: unknown, where: string): void => {
  expect(h, where).toMatchObject({ count: expect.any(Number), sum: expect.any(Number), min: expect.any(Number), max: expect.any(Number), buckets: expect.any(Array) });
  for (const b of (h as { buckets: unknown[] }).buckets) expect(b, where).toEqual([expect.any(Number), expect.any(Number)]);
};
const countsShape = (c: unknown): void => {
  for (const k of ['produced', 'owed', 'delivered', 'lost', 'duplicated', 'leaked', 'outOfOrder', 'late', 'droppedExplicit', 'misrouted', 'stray']) expect((c as Json)[k], k).toEqual(expect.any(Number));
};

describe('--json', () => {
  it('stdout is exactly the results document, with every required field present and typed', async () => {
    const r = await cli(['run', '--router', 'legacy,guaranteed', '--runs', '2', '--json', '--no-report'], { cwd: dir });
    expect(r.code).toBe(1); // quick-send fails under legacy
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(r.stdout) as Json;
    expect(r.stderr).toMatch(/FAIL {2}8 run\(s\)/); // the human summary went to stderr
    expect(doc).toMatchObject({
      schema: 'threadline/results@1',
      version: expect.any(String),
      verdict: 'fail',
      command: 'threadline run scenarios/calm.json scenarios/quick-send.json --router legacy,guaranteed --runs 2',
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      wallMs: expect.any(Number),
      scenarioFiles: { calm: 'scenarios/calm.json', 'quick-send': 'scenarios/quick-send.json' },
    });
    expect(doc['partial']).toBeUndefined();
    expect(doc['shard']).toBeUndefined();
    const runs = doc['runs'] as Json[];
    expect(runs).toHaveLength(8);
    for (const run of runs) {
      expect(run).toMatchObject({
        scenario: expect.any(String),
        router: expect.stringMatching(/^(legacy|guaranteed)$/),
        seed: expect.any(Number),
        verdict: expect.stringMatching(/^(pass|fail|unknown)$/),
        traceHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        traceRecords: expect.any(Number),
        simulatedUs: expect.any(Number),
        wallMs: expect.any(Number),
        interactions: { total: expect.any(Number), succeeded: expect.any(Number), abandoned: expect.any(Number) },
        violations: expect.any(Array),
        violationCount: expect.any(Number),
        violationCounts: expect.any(Object),
        monitoring: { counters: expect.any(Object), dropsByReason: expect.any(Object), histograms: expect.any(Object) },
        noConnectionWarnings: expect.any(Number),
        faults: expect.any(Array),
      });
      countsShape(run['counts']);
      histogramShape(run['latencyUs'], 'latencyUs');
      for (const h of ['connectToBindUs', 'queueWaitUs', 'queueDepth']) histogramShape(((run['monitoring'] as Json)['histograms'] as Json)[h], h);
      for (const v of run['violations'] as Json[]) expect(v).toMatchObject({ invariant: expect.any(String), explanation: expect.any(String), atUs: expect.any(Number) });
    }
    const summary = doc['summary'] as Json[];
    expect(summary.map((s) => `${s['scenario']} × ${s['router']}`)).toEqual(['calm × legacy', 'calm × guaranteed', 'quick-send × legacy', 'quick-send × guaranteed']);
    for (const s of summary) {
      expect(s).toMatchObject({
        runs: 2,
        verdict: expect.stringMatching(/^(pass|fail|unknown)$/),
        successRateCi95: [expect.any(Number), expect.any(Number)],
        interactions: { total: expect.any(Number), succeeded: expect.any(Number) },
        sentBeforeReady: expect.any(Number),
        routingMisses: expect.any(Number),
        eventsUnreached: expect.any(Number),
        violationCount: expect.any(Number),
        violationCounts: expect.any(Object),
        dropsByReason: expect.any(Object),
        thresholds: expect.any(Array),
        failedSeeds: expect.any(Array),
      });
      // NaN ("no data": nothing was delivered) is written as null.
      const numberOrNull = (v: unknown): boolean => typeof v === 'number' || v === null;
      expect(numberOrNull(s['successRate'])).toBe(true);
      for (const q of ['p50', 'p90', 'p99', 'p999', 'max']) expect(numberOrNull((s['latencyMs'] as Json)[q]), q).toBe(true);
      countsShape(s['counts']);
      for (const h of ['latencyUs', 'connectToBindUs', 'queueWaitUs']) histogramShape(s[h], h);
    }
    const legacy = summary[2]!;
    expect(legacy).toMatchObject({ verdict: 'fail', failedSeeds: [1, 2], thresholds: [{ source: 'lost == 0', ok: false, actual: expect.any(Number) }] });
    expect(summary[3]).toMatchObject({ verdict: 'pass', successRate: 1, thresholds: [{ source: 'lost == 0', ok: true, actual: 0 }] });
  });
});

describe('colour and progress', () => {
  const failing = ['run', 'scenarios/quick-send.json', '--router', 'legacy', '--no-report'];
  it.concurrent.each([
    ['no terminal, nothing set: plain', [], {}, false],
    ['NO_COLOR=1: plain', [], { NO_COLOR: '1' }, false],
    ['FORCE_COLOR=1: coloured', [], { FORCE_COLOR: '1' }, true],
    ['--no-color beats FORCE_COLOR', ['--no-color'], { FORCE_COLOR: '1' }, false],
    ['NO_COLOR beats FORCE_COLOR', [], { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ] as Array<[string, string[], Record<string, string>, boolean]>)('%s', async (_name, extra, env, coloured) => {
    const r = await cli([...failing, ...extra], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(ANSI.test(r.stdout)).toBe(coloured);
    expect(ANSI.test(r.stderr)).toBe(false);
    expect(r.stderr).not.toContain('░'); // never a progress bar without a terminal
  });

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(hasScript)('a terminal shows progress and colour; CI=true on a terminal shows neither progress nor a changed verdict', async () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run scenarios/calm.json --runs 400 --no-report`;
    const tty = (env: Record<string, string>): string => execFileSync('script', ['-qec', cmd, '/dev/null'], { cwd: dir, env: cleanEnv(env), encoding: 'utf8' });
    const onTerminal = tty({});
    expect(onTerminal).toContain('░');
    expect(ANSI.test(onTerminal)).toBe(true);
    const inCi = tty({ CI: 'true' });
    expect(inCi).not.toContain('░');
    expect(inCi).toMatch(/PASS/);
  });
});

describe('GitHub Actions', () => {
  it('one ::error annotation per failing pair with file=, and a markdown step summary', async () => {
    const summaryFile = join(dir, 'step-summary.md');
    const r = await cli(['run', '--router', 'legacy,dynamic,guaranteed', '--runs', '2', '--no-report'], {
      cwd: dir,
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, CI: 'true' },
    });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(2); // quick-send × legacy and × dynamic
    expect(errors[0]).toMatch(/^::error file=scenarios\/quick-send\.json,title=threadline%3A quick-send × legacy failed::2 of 2 run\(s\) failed an invariant, 1 threshold\(s\) failed%0Aseed 1: /);
    expect(errors[0]).toContain('%0Areplay: threadline run scenarios/quick-send.json --router legacy --seed 1');
    expect(errors.every((e) => !e.includes('\r'))).toBe(true);
    const md = readFileSync(summaryFile, 'utf8');
    expect(md).toMatch(/^## threadline: ❌ FAIL/);
    expect(md).toContain('| quick-send | legacy | **FAIL** |');
    expect(md).toContain('| calm | guaranteed | pass | 100.0% |');
    expect(md).toContain('`threadline run scenarios/quick-send.json --router dynamic --seed 1`');
  });

  it('under --json the annotations go to stderr and stdout stays the document; nothing GitHub-specific without GITHUB_ACTIONS', async () => {
    const [gh, plain] = await Promise.all([
      cli(['run', 'scenarios/quick-send.json', '--router', 'legacy', '--json', '--no-report'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } }),
      cli(['run', 'scenarios/quick-send.json', '--router', 'legacy', '--no-report'], { cwd: dir }),
    ]);
    expect(JSON.parse(gh.stdout).verdict).toBe('fail');
    expect(gh.stderr).toMatch(/^::error file=scenarios\/quick-send\.json,/m);
    expect(plain.stdout + plain.stderr).not.toContain('::error');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });
});
