/** In-process tests of the CLI's pure parts (no spawning): fast, and exact about edge cases. */
import { describe, expect, it } from 'vitest';
import { colourLevel, progressEnabled } from '../../src/cli/output.ts';
import { parseShard, selectShard } from '../../src/cli/shard.ts';
import { oneLineError } from '../../src/cli/main.ts';
import { renderJunit, xmlEscape } from '../../src/cli/junit.ts';
import { escapeData, escapeProperty } from '../../src/cli/github.ts';
import { compareWithBaseline, DEFAULT_TOLERANCES, parseTolerance, buildBaseline, describeDelta } from '../../src/cli/baseline.ts';
import { validateConfig, thresholdsFor } from '../../src/cli/config.ts';
import { UsageError, jsonErrorLocation } from '../../src/cli/errors.ts';
import { inCi } from '../../src/cli/finish.ts';
import { pairCommand } from '../../src/cli/gate.ts';
import type { Summary } from '../../src/run/result.ts';
import { findAll, parseXml } from './xml.ts';

describe('colour precedence: --no-color, then NO_COLOR, then FORCE_COLOR, then the terminal', () => {
  it.each([
    ['terminal, nothing set', [], {}, true, 1],
    ['pipe, nothing set', [], {}, false, 0],
    ['FORCE_COLOR=1 on a pipe', [], { FORCE_COLOR: '1' }, false, 1],
    ['FORCE_COLOR=3', [], { FORCE_COLOR: '3' }, false, 3],
    ['FORCE_COLOR=0 on a terminal', [], { FORCE_COLOR: '0' }, true, 0],
    ['NO_COLOR beats FORCE_COLOR', [], { NO_COLOR: '1', FORCE_COLOR: '1' }, true, 0],
    ['empty NO_COLOR is ignored', [], { NO_COLOR: '' }, true, 1],
    ['--no-color beats FORCE_COLOR', ['--no-color'], { FORCE_COLOR: '1' }, true, 0],
  ] as const)('%s', (_n, argv, env, tty, level) => {
    expect(colourLevel(argv, env as NodeJS.ProcessEnv, tty)).toBe(level);
  });

  it('progress is drawn only on a terminal and never when CI is set', () => {
    expect(progressEnabled({}, true)).toBe(true);
    expect(progressEnabled({}, false)).toBe(false);
    expect(progressEnabled({ CI: 'true' }, true)).toBe(false);
    expect(progressEnabled({ CI: '1' }, true)).toBe(false);
    expect(progressEnabled({ CI: 'false' }, true)).toBe(true);
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(inCi({ CI: '' })).toBe(false);
  });
});

describe('--shard k/n', () => {
  it('parses k/n and refuses everything else with the fix', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    expect(() => parseShard('3/2')).toThrow(/k must be between 1 and 2/);
    expect(() => parseShard('0/2')).toThrow(UsageError);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('half')).toThrow(/k\/n \(for example 1\/4\)/);
  });

  it('splits the sorted (scenario, seed) units into disjoint shards that cover all of them, whatever the input order', () => {
    const units = ['b', 'a', 'c'].flatMap((scenario) => [3, 1, 2, 10].map((seed) => ({ scenario, seed })));
    const shuffled = [...units].reverse();
    for (const total of [1, 2, 3, 5, 13]) {
      const parts = Array.from({ length: total }, (_, i) => selectShard(units, { index: i + 1, total }));
      const again = Array.from({ length: total }, (_, i) => selectShard(shuffled, { index: i + 1, total }));
      expect(again).toEqual(parts);
      const all = parts.flat().map((u) => `${u.scenario}:${u.seed}`);
      expect(new Set(all).size).toBe(units.length);
      expect(all.length).toBe(units.length);
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(selectShard(units, { index: 1, total: 2 }).slice(0, 3)).toEqual([
      { scenario: 'a', seed: 1 },
      { scenario: 'a', seed: 3 },
      { scenario: 'b', seed: 1 },
    ]);
  });
});

describe('commander errors become one line naming the fix', () => {
  it('joins the suggestion and points at the help', () => {
    expect(oneLineError("error: unknown option '--jsn'\n(Did you mean --json?)\n", 'threadline run')).toBe(
      "threadline: unknown option '--jsn' (did you mean --json?); see `threadline run --help`\n",
    );
    expect(oneLineError("error: missing required argument 'results'\n", 'threadline merge')).toBe("threadline: missing required argument 'results'; see `threadline merge --help`\n");
  });

  it('locates JSON syntax errors by line and column', () => {
    const text = '{\n  "a": 1,,\n}';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    expect(jsonErrorLocation(text, err)).toBe('line 2 column 10');
  });
});

describe('XML and workflow-command escaping', () => {
  it('escapes markup, control characters and ANSI escapes so the document stays well-formed', () => {
    const nasty = 'a < b && "c" > \'d\' ]]> \u001b[31mred\u001b[0m \u0000 end';
    const doc = parseXml(`<x a="${xmlEscape(nasty)}">${xmlEscape(nasty)}</x>`);
    const expected = nasty.replace(/[\u0000\u001b]/g, '\uFFFD');
    expect(doc.attrs['a']).toBe(expected);
    expect(doc.text).toBe(expected);
  });

  it('the test parser refuses malformed XML', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow();
    expect(() => parseXml('<a>fish & chips</a>')).toThrow();
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
  });

  it('escapes workflow-command data and properties like actions/toolkit', () => {
    expect(escapeData('50% lost\r\nnext')).toBe('50%25 lost%0D%0Anext');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
  });
});

function summary(over: Partial<Summary> & { p99?: number; lost?: number } = {}): Summary {
  const h = { count: 0, sum: 0, min: 0, max: 0, buckets: [] as Array<[number, number]> };
  const { p99 = 10, lost = 0, ...rest } = over;
  return {
    scenario: 's',
    router: 'guaranteed',
    runs: 10,
    verdict: 'pass',
    successRate: 1,
    successRateCi95: [0.9, 1],
    interactions: { total: 100, succeeded: 100 },
    counts: { produced: 100, owed: 100, delivered: 100, lost, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0, requests: 0, requestsLost: 0, runsDuplicated: 0, requestsNotJudged: 0, redeliveries: 0, redundantRedeliveries: 0, dishonestGaps: 0, lateFlushes: 0, sequenceHoles: 0 },
    latencyMs: { p50: 5, p90: 8, p99, p999: p99, max: p99 },
    latencyUs: h,
    connectToBindUs: h,
    queueWaitUs: h,
    queueDepth: h,
    sentBeforeReady: 0,
    routingFailures: 0,
    dropsByReason: {},
    thresholds: [],
    failedSeeds: [],
    ...rest,
  } as Summary;
}

describe('baseline comparison', () => {
  const base = buildBaseline([summary()], { version: 'x', command: 'c' }, null);

  it('holds within tolerance and reports a regression with old and new value beyond it', () => {
    const held = compareWithBaseline('b.json', base, [summary({ p99: 10.9 })], DEFAULT_TOLERANCES);
    expect(held.regressions).toEqual([]);
    // Every compared metric is recorded: within tolerance with its old and new value.
    expect(held.unchanged!.find((d) => d.metric === 'latency_p99_ms')).toMatchObject({ old: 10, new: 10.9, tolerance: '10% and 0.5 ms' });
    // 10% and 0.5 ms: 11.2 is worse by 12% and 1.2 ms.
    const r = compareWithBaseline('b.json', base, [summary({ p99: 11.2 })], DEFAULT_TOLERANCES).regressions;
    expect(r.map((d) => [d.metric, d.old, d.new])).toEqual([['latency_p99_ms', 10, 11.2]]);
    expect(describeDelta(r[0]!)).toBe('s × guaranteed latency_p99_ms: 10 ms → 11.2 ms (+1.2 ms, +12%; tolerance 10% and 0.5 ms)');
    const lost = compareWithBaseline('b.json', base, [summary({ lost: 1, successRate: 0.99 })], DEFAULT_TOLERANCES).regressions;
    expect(lost.map((d) => d.metric).sort()).toEqual(['lost', 'success_rate']);
  });

  it('counts are scaled by the number of runs; rates and latencies are not', () => {
    const b = buildBaseline([summary({ lost: 2 })], { version: 'x', command: 'c' }, null);
    const c = compareWithBaseline('b.json', b, [summary({ lost: 4, runs: 20 })], DEFAULT_TOLERANCES);
    expect(c.regressions).toEqual([]);
    expect(c.runsDiffer).toHaveLength(1);
    expect(compareWithBaseline('b.json', b, [summary({ lost: 5, runs: 20 })], DEFAULT_TOLERANCES).regressions[0]).toMatchObject({ metric: 'lost', old: 2, oldScaled: 4, new: 5 });
  });

  it('tolerances: absolute, relative, both, or off', () => {
    expect(parseTolerance(0.01, 'x')).toEqual({ abs: 0.01 });
    expect(parseTolerance('15%', 'x')).toEqual({ rel: 0.15 });
    expect(parseTolerance({ abs: 1, pct: 20 }, 'x')).toEqual({ abs: 1, rel: 0.2 });
    expect(parseTolerance(null, 'x')).toBeNull();
    expect(() => parseTolerance('lots', 'baseline.tolerances.lost')).toThrow(/baseline\.tolerances\.lost: expected a number/);
    const off = { ...DEFAULT_TOLERANCES, latency_p99_ms: null };
    expect(compareWithBaseline('b.json', base, [summary({ p99: 50 })], off).regressions).toEqual([]);
    expect(compareWithBaseline('b.json', base, [summary({ p99: 50 })], DEFAULT_TOLERANCES).improvements).toEqual([]);
    expect(compareWithBaseline('b.json', base, [summary({ p99: 5 })], DEFAULT_TOLERANCES).improvements.map((d) => d.metric)).toEqual(['latency_p99_ms']);
  });

  it('an update keeps the pairs this run did not measure', () => {
    const other = buildBaseline([summary({ scenario: 'other' })], { version: 'x', command: 'c' }, base);
    expect(other.pairs.map((p) => p.scenario)).toEqual(['other', 's']);
  });
});

describe('config validation names the file and the field', () => {
  const v = (value: unknown): unknown => validateConfig(value, 'threadline.config.json', '/p', '/p');
  it.each([
    [{ rooter: 'legacy' }, 'threadline.config.json: rooter: unknown setting'],
    [{ router: 'fast' }, 'threadline.config.json: router: unknown router mode "fast"'],
    [{ runs: 0 }, 'threadline.config.json: runs: expected a whole number >= 1, got number 0'],
    [{ seed: 'one' }, 'threadline.config.json: seed: expected a whole number >= 0'],
    [{ thresholds: { '*': ['lsot == 0'] } }, 'threadline.config.json: thresholds.*[0]: unknown metric "lsot"'],
    [{ thresholds: { 'Rapid Send': ['lost == 0'] } }, 'threadline.config.json: thresholds.Rapid Send: expected a scenario name'],
    [{ baseline: { tolerances: { p99: '10%' } } }, 'threadline.config.json: baseline.tolerances.p99: unknown metric'],
    [{ baseline: { tolerances: { lost: 'x' } } }, 'threadline.config.json: baseline.tolerances.lost: expected a number'],
    [{ report: 3 }, 'threadline.config.json: report: expected a folder path, or false'],
    [[1, 2], 'threadline.config.json: (top level): expected an object of settings, got an array'],
  ])('%j', (value, message) => {
    expect(() => v(value)).toThrow(UsageError);
    expect(() => v(value)).toThrow(message);
  });

  it('resolves paths against the config file and adds thresholds to the scenario’s own', () => {
    const c = validateConfig({ report: 'out', baseline: { file: 'b.json' }, thresholds: { '*': ['lost == 0'], s: ['latency_p99_ms < 5', 'lost==0'] } }, 'ci/t.json', '/p/ci', '/p');
    expect(c.report).toBe('ci/out');
    expect(c.baseline.file).toBe('ci/b.json');
    expect(thresholdsFor('s', ['lost == 0'], c)).toEqual(['lost == 0', 'latency_p99_ms < 5', 'lost==0']);
    expect(thresholdsFor('t', [], c)).toEqual(['lost == 0']);
  });
});

describe('replay commands', () => {
  it('name the seeds of a pair compactly', () => {
    expect(pairCommand('s.ts', 'legacy', [3, 1, 2])).toBe('threadline run s.ts --router legacy --seed 1 --runs 3');
    expect(pairCommand('s.ts', 'legacy', [4])).toBe('threadline run s.ts --router legacy --seed 4');
    expect(pairCommand('my s.ts', 'legacy', [1, 5])).toBe("threadline run 'my s.ts' --router legacy --seed <s> (seeds 1, 5)");
  });

  it('junit of an empty document is still well-formed', () => {
    const xml = renderJunit({ schema: 'threadline/results@1', version: 'x', verdict: 'unknown', command: 'c', wallMs: 0, runs: [], summary: [] });
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    expect(findAll(root, 'testcase')).toHaveLength(0);
  });
});
