/**
 * Reading a results document back (`threadline report`, `threadline merge`): the JSON is
 * checked field by field so a wrong or damaged file is one line naming the file, the field and
 * what was expected (exit 2), never a crash deep inside the report or the aggregation.
 *
 * The CLI adds two optional fields to the results document (schema threadline/results@1 stays
 * compatible): `scenarioFiles` (scenario name → script path, for replay commands and
 * annotations) and `baseline` (the baseline comparison).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { RESULTS_SCHEMA, type ResultsDocument } from '../run/result.ts';
import type { BaselineComparison } from './baseline.ts';
import { UsageError, describe, parseJsonFile } from './errors.ts';

export interface GateDocument extends ResultsDocument {
  scenarioFiles?: Record<string, string>;
  /** Server plug-in name → its file, for runs of `run --server` (replay commands name it). */
  serverFiles?: Record<string, string>;
  baseline?: BaselineComparison;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readResultsFile(file: string): GateDocument {
  if (!existsSync(file)) throw new UsageError(`results file ${file} does not exist; give the path of a results.json written by threadline run`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file} is a folder; give the results.json inside it`);
  const value = parseJsonFile(readFileSync(file, 'utf8'), file, 'the results file');
  return validateResultsDocument(value, file);
}

export function validateResultsDocument(value: unknown, file: string): GateDocument {
  const fail = (field: string, expected: string): never => {
    throw new UsageError(`${file}: ${field}: ${expected}`);
  };
  if (!isObj(value)) fail('(top level)', `expected a results document (an object), got ${describe(value)}`);
  const d = value as Obj;
  if (d['schema'] !== RESULTS_SCHEMA) fail('schema', `expected "${RESULTS_SCHEMA}", got ${describe(d['schema'])} (is this a results.json written by threadline run?)`);
  const str = (o: Obj, key: string, where: string): void => {
    if (typeof o[key] !== 'string') fail(`${where}${key}`, `expected a string, got ${describe(o[key])}`);
  };
  // NaN is written as null by JSON.stringify: numbers that can be "no data" accept null.
  const num = (o: Obj, key: string, where: string, nullable = false): void => {
    const v = o[key];
    if (!(typeof v === 'number' || (nullable && v === null))) fail(`${where}${key}`, `expected a number, got ${describe(v)}`);
  };
  const verdict = (o: Obj, where: string): void => {
    if (!['pass', 'fail', 'unknown'].includes(o['verdict'] as string)) fail(`${where}verdict`, `expected "pass", "fail" or "unknown", got ${describe(o['verdict'])}`);
  };
  const hist = (v: unknown, where: string): void => {
    if (!isObj(v)) fail(where, `expected a histogram { count, sum, min, max, buckets }, got ${describe(v)}`);
    const h = v as Obj;
    for (const k of ['count', 'sum', 'min', 'max']) num(h, k, `${where}.`);
    if (!Array.isArray(h['buckets']) || !(h['buckets'] as unknown[]).every((b) => Array.isArray(b) && b.length === 2 && typeof b[0] === 'number' && typeof b[1] === 'number')) {
      fail(`${where}.buckets`, 'expected an array of [bucket, count] pairs');
    }
  };
  const counts = (v: unknown, where: string): void => {
    if (!isObj(v)) fail(where, `expected an object of counts, got ${describe(v)}`);
    for (const k of ['produced', 'owed', 'delivered', 'lost', 'duplicated', 'leaked', 'outOfOrder', 'late', 'droppedExplicit', 'misrouted', 'stray']) num(v as Obj, k, `${where}.`);
  };
  str(d, 'version', '');
  verdict(d, '');
  str(d, 'command', '');
  num(d, 'wallMs', '');
  if (!Array.isArray(d['runs'])) fail('runs', 'expected an array of run results');
  if (!Array.isArray(d['summary'])) fail('summary', 'expected an array of summaries');
  (d['runs'] as unknown[]).forEach((r, i) => {
    const w = `runs[${i}].`;
    if (!isObj(r)) fail(`runs[${i}]`, 'expected a run result object');
    const o = r as Obj;
    str(o, 'scenario', w);
    str(o, 'router', w);
    num(o, 'seed', w);
    verdict(o, w);
    num(o, 'wallMs', w);
    num(o, 'violationCount', w);
    counts(o['counts'], `${w}counts`);
    if (!isObj(o['interactions'])) fail(`${w}interactions`, 'expected { total, succeeded, abandoned }');
    for (const k of ['total', 'succeeded']) num(o['interactions'] as Obj, k, `${w}interactions.`);
    if (!Array.isArray(o['violations'])) fail(`${w}violations`, 'expected an array');
    hist(o['latencyUs'], `${w}latencyUs`);
    const m = o['monitoring'];
    if (!isObj(m)) fail(`${w}monitoring`, 'expected { counters, dropsByReason, histograms }');
    const mo = m as Obj;
    if (!isObj(mo['counters'])) fail(`${w}monitoring.counters`, 'expected an object');
    if (!isObj(mo['dropsByReason'])) fail(`${w}monitoring.dropsByReason`, 'expected an object');
    if (!isObj(mo['histograms'])) fail(`${w}monitoring.histograms`, 'expected an object');
    hist((mo['histograms'] as Obj)['connectToBindUs'], `${w}monitoring.histograms.connectToBindUs`);
    hist((mo['histograms'] as Obj)['queueWaitUs'], `${w}monitoring.histograms.queueWaitUs`);
    // Older documents have no queueDepth histogram: an empty one merges as nothing.
    const hs = mo['histograms'] as Obj;
    if (hs['queueDepth'] === undefined) hs['queueDepth'] = { count: 0, sum: 0, min: 0, max: 0, buckets: [] };
    else hist(hs['queueDepth'], `${w}monitoring.histograms.queueDepth`);
    // Queue time series are newer still (optional): when present, the report charts them.
    if (mo['series'] !== undefined) {
      const se = mo['series'];
      if (!isObj(se)) fail(`${w}monitoring.series`, `expected { queueDepth, queueWaitUs, recorded }, got ${describe(se)}`);
      for (const k of ['queueDepth', 'queueWaitUs']) {
        const points = (se as Obj)[k];
        if (!Array.isArray(points) || !points.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number')) {
          fail(`${w}monitoring.series.${k}`, 'expected an array of [tUs, value] pairs');
        }
      }
    }
  });
  (d['summary'] as unknown[]).forEach((s, i) => {
    const w = `summary[${i}].`;
    if (!isObj(s)) fail(`summary[${i}]`, 'expected a summary object');
    const o = s as Obj;
    str(o, 'scenario', w);
    str(o, 'router', w);
    num(o, 'runs', w);
    verdict(o, w);
    num(o, 'successRate', w, true);
    counts(o['counts'], `${w}counts`);
    if (!isObj(o['latencyMs'])) fail(`${w}latencyMs`, 'expected { p50, p90, p99, p999, max }');
    if (!Array.isArray(o['thresholds'])) fail(`${w}thresholds`, 'expected an array of { source, actual, ok }');
    (o['thresholds'] as unknown[]).forEach((t, j) => {
      if (!isObj(t) || typeof t['source'] !== 'string' || typeof t['ok'] !== 'boolean') fail(`${w}thresholds[${j}]`, 'expected { source, actual, ok }');
    });
  });
  if (d['shard'] !== undefined) {
    const sh = d['shard'];
    if (!isObj(sh) || typeof sh['index'] !== 'number' || typeof sh['total'] !== 'number' || sh['index'] < 1 || sh['index'] > sh['total']) {
      fail('shard', `expected { index, total } with 1 <= index <= total, got ${JSON.stringify(sh)}`);
    }
  }
  if (d['scenarioFiles'] !== undefined && !isObj(d['scenarioFiles'])) fail('scenarioFiles', 'expected { "<scenario>": "<file>" }');
  if (d['serverFiles'] !== undefined && !isObj(d['serverFiles'])) fail('serverFiles', 'expected { "<server>": "<file>" }');
  return value as GateDocument;
}
