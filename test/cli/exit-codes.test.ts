/**
 * Exit codes of the real CLI: 0 all held, 1 an invariant or threshold failed, 2 bad usage or
 * bad input (one line naming the problem and the fix), 130 interrupted (partial results written).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calm, cli, oneLine, quickSend, scenarioProject, start, writeJson } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = scenarioProject('exit'));
  writeJson(dir, 'slow-gate.json', calm('slow-gate', { thresholds: ['latency_p99_ms < 0.001'] }));
  writeJson(dir, 'bad-syntax.json', '{\n  "name": "x",\n  "description": "d",,\n}');
  writeJson(dir, 'bad-schema.json', { ...calm('bad-schema'), tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'conect' }] }] });
  writeJson(dir, 'bad-metric.json', calm('bad-metric', { thresholds: ['lsot == 0'] }));
  writeJson(dir, 'package.json', { type: 'module' });
  writeJson(dir, 'bad-syntax.ts', 'export default {\n  name: "x",\n  description: "d"\n  users: [],\n};\n');
  writeJson(dir, 'bad-baseline.json', { schema: 'threadline/baseline@1', pairs: [{ scenario: 'calm', router: 'guaranteed', runs: 'ten', metrics: {} }] });
  writeJson(dir, 'not-json.json', '{"schema": "threadline/baseline@1", pairs: []}');
  writeJson(dir, 'bad-results.json', { schema: 'threadline/results@1', version: '0.1.0', verdict: 'pass', command: 'x', wallMs: 1, runs: [{ scenario: 'calm' }], summary: [] });
  writeJson(dir, 'cfg/bad.json', { router: 'guaranteed', runs: 'many' });
});
afterAll(() => cleanup());

describe('exit codes', () => {
  it('0 when every invariant and threshold held', async () => {
    const r = await cli(['run', '--router', 'guaranteed', '--runs', '2', '--no-report'], { cwd: dir });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}4 run\(s\), 2 scenario × router pair\(s\)/m);
  });

  it('1 when an invariant failed, with the explanation and the replay command', async () => {
    const r = await cli(['run', 'scenarios/quick-send.json', '--router', 'legacy', '--runs', '2', '--no-report'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/quick-send +legacy +FAIL/);
    expect(r.stdout).toMatch(/no-loss: /);
    expect(r.stdout).toContain('replay: threadline run scenarios/quick-send.json --router legacy --seed 1');
  });

  it('1 when only a threshold failed', async () => {
    const r = await cli(['run', 'slow-gate.json', '--no-report'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threshold "latency_p99_ms < 0.001" failed: actual \d/);
    expect(r.stdout).not.toMatch(/failing run/);
  });

  it('130 on Ctrl-C: the partial results are written and it says so', async () => {
    const p = start(['run', 'scenarios/calm.json', '--runs', '1000000', '--report', 'interrupted'], { cwd: dir });
    const deadline = Date.now() + 30_000;
    while (!/run\(s\): /.test(p.stderrSoFar())) {
      if (Date.now() > deadline) throw new Error(`the run did not start: ${p.stderrSoFar()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300)); // let some runs finish
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    const m = /interrupted: (\d+) of 1000000 runs finished; partial results written to (\S+results\.json)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const doc = JSON.parse(readFileSync(join(dir, m![2]!), 'utf8'));
    expect(doc.partial).toBe(true);
    expect(doc.runs.length).toBe(Number(m![1]));
    expect(doc.runs.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/PARTIAL/);
    expect(readdirSync(join(dir, 'interrupted'))).toContain('latest');
  });
});

describe.concurrent('bad usage and bad input: exit 2 and one line naming the problem and the fix', () => {
  const cases: Array<[string, string[], RegExp, Record<string, string>?]> = [
    ['unknown flag', ['run', '--jsn'], /unknown option '--jsn' \(did you mean --json\?\); see `threadline run --help`/],
    ['unknown command', ['rnu'], /unknown command 'rnu' \(did you mean run\?\); see `threadline --help`/],
    ['unknown router mode', ['run', 'scenarios/calm.json', '--router', 'legacy,fastest'], /unknown router mode "fastest": use one of legacy, dynamic, shipped, guaranteed/],
    ['unknown router flag', ['run', 'scenarios/calm.json', '--router', 'dynamic+bindOnSwich'], /unknown router flag "bindOnSwich" in "dynamic\+bindOnSwich": flags are .*bindOnSwitch/],
    ['missing scenario', ['run', 'scenarios/nope.json'], /scenario "scenarios\/nope.json" does not exist; give a path to a scenario file or a name from `threadline list`/],
    ['JSON scenario syntax error', ['run', 'bad-syntax.json'], /bad-syntax\.json:3:22: syntax error \(not valid JSON\)/],
    ['TypeScript scenario syntax error', ['run', 'bad-syntax.ts'], /bad-syntax\.ts:4:2: syntax error: Expected "}" but found "users"/],
    ['scenario schema error', ['run', 'bad-schema.json'], /bad-schema\.json: tabs\[0\]\.actions\[0\]\.do: expected one of connect, send/],
    ['threshold on a metric that does not exist', ['run', 'bad-metric.json'], /bad-metric\.json: thresholds\[0\]: unknown metric "lsot"/],
    ['malformed baseline', ['run', 'scenarios/calm.json', '--baseline', 'bad-baseline.json'], /bad-baseline\.json: pairs\[0\]\.runs: expected a number of runs >= 1, got "ten"/],
    ['baseline that is not JSON', ['run', 'scenarios/calm.json', '--baseline', 'not-json.json'], /not-json\.json: the baseline is not valid JSON at line 1 column 37/],
    ['missing baseline', ['run', 'scenarios/calm.json', '--baseline', 'none.json'], /baseline none\.json does not exist; create it with --update-baseline/],
    ['malformed config', ['run', '--config', 'cfg/bad.json'], /cfg\/bad\.json: runs: expected a whole number >= 1, got "many"/],
    ['malformed results file', ['report', 'bad-results.json'], /bad-results\.json: runs\[0\]\.router: expected a string, got undefined/],
    ['results file that does not exist', ['merge', 'gone.json', '--out', 'm.json'], /results file gone\.json does not exist/],
    ['--shard 3/2', ['run', '--shard', '3/2'], /--shard 3\/2: k must be between 1 and 2/],
    ['--shard nonsense', ['run', '--shard', 'half'], /--shard must look like k\/n/],
    ['negative --runs', ['run', '--runs', '-3'], /--runs must be a whole number of at least 1, got "-3"/],
    ['non-numeric --runs', ['run', '--runs', 'ten'], /--runs must be a whole number of at least 1, got "ten"/],
    ['zero --runs', ['run', '--runs', '0'], /--runs must be at least 1, got "0"/],
    ['--update-baseline in CI', ['run', 'scenarios/calm.json', '--baseline', 'b.json', '--update-baseline'], /will not write b\.json while CI is set.*add --force/, { CI: 'true' }],
    ['merge without --out', ['merge', 'bad-results.json'], /merge needs --out <file>/],
  ];

  it.each(cases)('%s', async (_name, args, message, env) => {
    const r = await cli(args, { cwd: dir, ...(env ? { env } : {}) });
    expect(r.code, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('nothing was written by the refused commands', () => {
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
    expect(existsSync(join(dir, 'm.json'))).toBe(false);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it('--help on every command shows examples and exits 0', async () => {
    const results = await Promise.all(['run', 'list', 'report', 'merge'].map((c) => cli([c, '--help'], { cwd: dir })));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ threadline /);
    }
  });
});

// Keep the fixtures honest: the quick-send scenario really is lost under legacy and delivered under guaranteed.
it('fixtures: quick-send fails under legacy only', () => {
  expect(quickSend().thresholds).toEqual(['lost == 0']);
});
