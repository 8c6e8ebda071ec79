/**
 * The CI gate end to end: JUnit XML (parsed, counted), --shard k/n + merge equals the
 * unsharded run, report re-rendering, baselines (update, hold, regress, CI refusal) and the
 * config file (defaults, flags override, thresholds).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, oneLine, scenarioProject, writeJson } from './helpers.ts';
import { findAll, parseXml } from './xml.ts';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = scenarioProject('gate'));
});
afterAll(() => cleanup());

type Json = Record<string, any>;
const read = (f: string): Json => JSON.parse(readFileSync(join(dir, f), 'utf8'));

describe('--junit', () => {
  it('one testcase per scenario × mode; failures carry the explanation and the replay command', async () => {
    const r = await cli(['run', '--router', 'legacy,dynamic,guaranteed', '--runs', '2', '--no-report', '--junit', 'out/junit.xml'], { cwd: dir });
    expect(r.code).toBe(1);
    const root = parseXml(readFileSync(join(dir, 'out/junit.xml'), 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '6', failures: '2', errors: '0' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => [s.attrs['name'], s.attrs['tests'], s.attrs['failures'], s.attrs['file']])).toEqual([
      ['calm', '3', '0', 'scenarios/calm.json'],
      ['quick-send', '3', '2', 'scenarios/quick-send.json'],
    ]);
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs['name'])).toEqual(['calm [legacy]', 'calm [dynamic]', 'calm [guaranteed]', 'quick-send [legacy]', 'quick-send [dynamic]', 'quick-send [guaranteed]']);
    const failures = findAll(root, 'failure');
    expect(failures).toHaveLength(2);
    expect(failures[0]!.attrs['message']).toBe('quick-send × legacy: 2 of 2 run(s) failed an invariant, 1 threshold(s) failed');
    expect(failures[0]!.text).toMatch(/^seed 1: \d+ violation\(s\); first: no-loss: .+\n {2}replay: threadline run scenarios\/quick-send\.json --router legacy --seed 1\n/);
    expect(failures[0]!.text).toContain('threshold "lost == 0" failed: actual');
    expect(failures[0]!.text).toContain('replay: threadline run scenarios/quick-send.json --router legacy --seed 1 --runs 2');
    expect(findAll(cases[5]!, 'failure')).toHaveLength(0);
  });
});

describe('--shard k/n and merge', () => {
  it('shard 1/2 + shard 2/2 merged equals the unsharded run, counts and histograms alike', async () => {
    const common = ['run', '--router', 'legacy,guaranteed', '--runs', '3', '--no-report', '--json'];
    const [all, s1, s2] = await Promise.all([cli(common, { cwd: dir }), cli([...common, '--shard', '1/2'], { cwd: dir }), cli([...common, '--shard', '2/2'], { cwd: dir })]);
    writeFileSync(join(dir, 'all.json'), all.stdout);
    writeFileSync(join(dir, 's1.json'), s1.stdout);
    writeFileSync(join(dir, 's2.json'), s2.stdout);
    const [a, x, y] = [read('all.json'), read('s1.json'), read('s2.json')];
    expect(x.shard).toEqual({ index: 1, total: 2 });
    expect(y.shard).toEqual({ index: 2, total: 2 });
    expect(x.command).toMatch(/--shard 1\/2$/);
    const key = (r: Json): string => `${r.scenario} ${r.router} ${r.seed}`;
    // Disjoint, and every router of a (scenario, seed) unit stays in one shard.
    const ids1 = new Set(x.runs.map(key));
    expect(y.runs.some((r: Json) => ids1.has(key(r)))).toBe(false);
    expect([...x.runs, ...y.runs].map(key).sort()).toEqual(a.runs.map(key).sort());
    expect(x.runs.length).toBe(6);
    expect(y.runs.length).toBe(6);

    const m = await cli(['merge', 's1.json', 's2.json', '--out', 'merged.json', '--report', 'merged-report', '--junit', 'merged.xml'], { cwd: dir });
    expect(m.code).toBe(1); // quick-send × legacy fails in the whole campaign too
    expect(m.stdout).toMatch(/merged 2 file\(s\), 12 run\(s\): merged\.json/);
    const merged = read('merged.json');
    expect(merged.shard).toBeUndefined();
    expect(merged.command).toBe(a.command);
    expect(merged.verdict).toBe(a.verdict);
    const pick = (s: Json): Json => ({ scenario: s.scenario, router: s.router, runs: s.runs, verdict: s.verdict, counts: s.counts, interactions: s.interactions, successRate: s.successRate, ci: s.successRateCi95, latencyMs: s.latencyMs, latencyUs: s.latencyUs, connectToBindUs: s.connectToBindUs, thresholds: s.thresholds, failedSeeds: [...s.failedSeeds].sort() });
    const bySummary = (d: Json): Json[] => d.summary.map(pick).sort((p: Json, q: Json) => `${p.scenario}${p.router}`.localeCompare(`${q.scenario}${q.router}`));
    expect(bySummary(merged)).toEqual(bySummary(a));
    // The shards alone do not add up by averaging: p99 comes from the merged histogram.
    expect(merged.summary.map((s: Json) => s.runs)).toEqual([3, 3, 3, 3]);
    expect(existsSync(join(dir, 'merged-report', 'index.html'))).toBe(true);
    expect(findAll(parseXml(readFileSync(join(dir, 'merged.xml'), 'utf8')), 'testcase')).toHaveLength(4);

    // Re-render the report from the merged results.
    const rep = await cli(['report', 'merged.json', '--out', 'again'], { cwd: dir });
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/report: again\/index\.html/);
    expect(readFileSync(join(dir, 'again', 'index.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('refuses a shard given twice, a missing shard (unless --allow-partial) and shards of different campaigns', async () => {
    writeJson(dir, 'odd.json', { ...read('s1.json'), shard: { index: 1, total: 3 } });
    const [twice, missing, partial, mixed] = await Promise.all([
      cli(['merge', 's1.json', 's1.json', '--out', 'x.json'], { cwd: dir }),
      cli(['merge', 's1.json', '--out', 'x.json'], { cwd: dir }),
      cli(['merge', 's1.json', '--out', 'partial.json', '--allow-partial'], { cwd: dir }),
      cli(['merge', 's2.json', 'odd.json', '--out', 'x.json'], { cwd: dir }),
    ]);
    expect(twice.code).toBe(2);
    expect(oneLine(twice.stderr)).toMatch(/shard 1\/2 is given twice \(s1\.json and s1\.json\); pass each shard once/);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toMatch(/shard\(s\) 2\/2 missing; pass every shard's results, or --allow-partial/);
    expect(partial.code).toBe(1);
    expect(read('partial.json').partial).toBe(true);
    expect(mixed.code).toBe(2);
    expect(oneLine(mixed.stderr)).toMatch(/odd\.json is shard 1\/3 but s2\.json is of 2 shards/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});

describe('--baseline', () => {
  it('--update-baseline writes it; the same run holds; a worse run is a regression with old and new value (exit 1)', async () => {
    const args = ['run', 'scenarios/calm.json', '--router', 'guaranteed', '--runs', '2', '--no-report', '--baseline', 'base/threadline.baseline.json'];
    const w = await cli([...args, '--update-baseline'], { cwd: dir });
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/baseline written: base\/threadline\.baseline\.json \(1 pair\(s\) from this run\)/);
    const b = read('base/threadline.baseline.json');
    expect(b).toMatchObject({ schema: 'threadline/baseline@1', pairs: [{ scenario: 'calm', router: 'guaranteed', runs: 2, metrics: { success_rate: 1, lost: 0, latency_p99_ms: expect.any(Number) } }] });

    // Pretend the baseline was better than today: p99 half of it and success 100% where it is now lower.
    const better = structuredClone(b);
    better.pairs[0].metrics.latency_p99_ms = b.pairs[0].metrics.latency_p99_ms / 2;
    writeJson(dir, 'base/better.json', better);
    const [held, regressed, forced] = await Promise.all([
      cli([...args, '--junit', 'held.xml'], { cwd: dir }),
      cli([...args.slice(0, -1), 'base/better.json', '--junit', 'regressed.xml', '--json'], { cwd: dir }),
      cli([...args.slice(0, -1), 'base/forced.json', '--update-baseline', '--force'], { cwd: dir, env: { CI: 'true' } }),
    ]);
    expect(held.code).toBe(0);
    expect(held.stdout).toContain('baseline held: no regression against base/threadline.baseline.json');
    expect(regressed.code).toBe(1);
    const old = better.pairs[0].metrics.latency_p99_ms;
    const now = b.pairs[0].metrics.latency_p99_ms;
    expect(regressed.stderr).toContain(`baseline regression: calm × guaranteed latency_p99_ms: ${+old.toFixed(3)} ms → ${+now.toFixed(3)} ms (+`);
    const doc = JSON.parse(regressed.stdout);
    expect(doc.verdict).toBe('fail');
    expect(doc.baseline.regressions).toEqual([expect.objectContaining({ scenario: 'calm', router: 'guaranteed', metric: 'latency_p99_ms', old, new: now })]);
    const failures = findAll(parseXml(readFileSync(join(dir, 'regressed.xml'), 'utf8')), 'failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.attrs['type']).toBe('baseline');
    expect(failures[0]!.text).toContain('replay: threadline run scenarios/calm.json --router guaranteed --seed 1 --runs 2');
    expect(forced.code).toBe(0);
    expect(existsSync(join(dir, 'base/forced.json'))).toBe(true);
  });
});

describe('threadline.config.json', () => {
  it('holds defaults (router, runs, report, thresholds); flags override it; a bad threshold is exit 2', async () => {
    const t = scenarioProject('config');
    try {
      writeJson(t.dir, 'threadline.config.json', {
        router: ['legacy', 'guaranteed'],
        runs: 2,
        report: false,
        thresholds: { '*': ['duplicated == 0'], calm: ['latency_p99_ms < 1000'] },
      });
      const [byConfig, overridden] = await Promise.all([cli(['run', '--json'], { cwd: t.dir }), cli(['run', 'scenarios/calm.json', '--router', 'dynamic', '--runs', '1', '--json'], { cwd: t.dir })]);
      const d1 = JSON.parse(byConfig.stdout);
      expect(d1.summary.map((s: Json) => `${s.scenario} × ${s.router} × ${s.runs}`)).toEqual(['calm × legacy × 2', 'calm × guaranteed × 2', 'quick-send × legacy × 2', 'quick-send × guaranteed × 2']);
      expect(d1.summary[0].thresholds.map((x: Json) => x.source)).toEqual(['duplicated == 0', 'latency_p99_ms < 1000']);
      expect(d1.summary[2].thresholds.map((x: Json) => x.source)).toEqual(['lost == 0', 'duplicated == 0']);
      const d2 = JSON.parse(overridden.stdout);
      expect(d2.summary.map((s: Json) => `${s.scenario} × ${s.router} × ${s.runs}`)).toEqual(['calm × dynamic × 1']);
      expect(existsSync(join(t.dir, 'reports'))).toBe(false); // report: false from the config

      writeJson(t.dir, 'threadline.config.json', { thresholds: { calm: ['lost = 0'] } });
      const bad = await cli(['run'], { cwd: t.dir });
      expect(bad.code).toBe(2);
      expect(oneLine(bad.stderr)).toMatch(/^threadline: threadline\.config\.json: thresholds\.calm\[0\]: bad threshold "lost = 0": write "<metric> <op> <number>"/);
      writeJson(t.dir, 'threadline.config.json', { thresholds: { calm: ['p99_ms < 5'] } });
      const unknown = await cli(['run'], { cwd: t.dir });
      expect(unknown.code).toBe(2);
      expect(oneLine(unknown.stderr)).toMatch(/thresholds\.calm\[0\]: unknown metric "p99_ms"/);

      // A TypeScript config: two configs are ambiguous; a syntax error names the file and line.
      writeJson(t.dir, 'threadline.config.ts', 'export default {\n  router: "legacy"\n  runs: 2,\n};\n');
      const both = await cli(['run'], { cwd: t.dir });
      expect(both.code).toBe(2);
      expect(oneLine(both.stderr)).toBe('threadline: both threadline.config.json and threadline.config.ts exist; keep one, or choose with --config <file>');
      rmSync(join(t.dir, 'threadline.config.json'));
      const syntax = await cli(['run'], { cwd: t.dir });
      expect(syntax.code).toBe(2);
      expect(oneLine(syntax.stderr)).toBe('threadline: threadline.config.ts:3:2: syntax error in the config: Expected "}" but found "runs"');
    } finally {
      t.cleanup();
    }
  });
});
