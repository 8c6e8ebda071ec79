/**
 * The words under a comparison row: what failed, and why numbers that seem to disagree
 * ("fail, 100.00% success, 6 lost"; "pass, 50.00% success") are consistent.
 */
import { describe, expect, it } from 'vitest';
import { explainRow } from '../../src/report/explain.ts';
import type { Summary } from '../../src/run/result.ts';
import { syntheticDocument } from './fixtures.ts';

const base = syntheticDocument({ seeds: 1 }).summary.find((s) => s.router === 'guaranteed')!;
const zero = { ...base.counts, lost: 0, duplicated: 0, leaked: 0, late: 0, misrouted: 0, outOfOrder: 0, droppedExplicit: 0 };

function row(over: Partial<Summary>): Summary {
  return { ...base, verdict: 'pass', successRate: 1, interactions: { total: 10, succeeded: 10 }, thresholds: [], failedSeeds: [], violationCount: 0, violationCounts: {}, ...over, counts: { ...zero, ...over.counts } };
}

describe('explainRow', () => {
  it('fail with 100% success and lost events: success counts the sending tab; the lost events were owed elsewhere', () => {
    const e = explainRow({
      summary: row({ verdict: 'fail', interactions: { total: 1, succeeded: 1 }, counts: { ...zero, lost: 6 }, violationCount: 6, violationCounts: { 'no-loss': 6 }, thresholds: [{ source: 'lost == 0', actual: 6, ok: false }] }),
    });
    expect(e.failedOn).toEqual(['no-loss (6)', 'threshold lost == 0 (actual 6)']);
    expect(e.notes).toHaveLength(1);
    expect(e.notes[0]).toBe('100.00% success because success counts only the tab that sent each message, and its one interaction got every event of its run there. It does not count the 6 lost events (owed to other tabs or connections).');
  });

  it('pass below 100%: nothing owed was lost, and the threshold allows it', () => {
    const e = explainRow({ summary: row({ successRate: 0.5, interactions: { total: 2, succeeded: 1 }, thresholds: [{ source: 'success_rate >= 0.5', actual: 0.5, ok: true }] }) });
    expect(e.failedOn).toEqual([]);
    expect(e.notes).toEqual([
      '1 of 2 interactions did not succeed, yet no owed event was lost: an interaction succeeds only when its run completed and the sending tab received every event of it, including events it was no longer owed after switching thread or reconnecting.',
      'It passes: no invariant fired and its threshold success_rate >= 0.5 allows 50.00%.',
    ]);
    expect(explainRow({ summary: row({ successRate: 0.9, interactions: { total: 10, succeeded: 9 } }) }).notes[1]).toBe('It passes: no invariant fired and no threshold sets a minimum success rate for this scenario.');
  });

  it('fail on a threshold alone, with nothing lost: says which threshold, and why success is low', () => {
    const e = explainRow({ summary: row({ verdict: 'fail', successRate: 0, interactions: { total: 2, succeeded: 0 }, counts: { ...zero, droppedExplicit: 3 }, thresholds: [{ source: 'success_rate >= 0.5', actual: 0, ok: false }] }) });
    expect(e.failedOn).toEqual(['threshold success_rate >= 0.5 (actual 0)']);
    expect(e.notes).toHaveLength(1);
    expect(e.notes[0]).toMatch(/^2 of 2 interactions did not succeed, yet no owed event was lost: /);
    expect(e.notes[0]).toContain('3 events were dropped with a gap notice (announced, so not a loss).');
  });

  it('fail with 100% success on invariants success does not measure: names them', () => {
    const e = explainRow({ summary: row({ verdict: 'fail', counts: { ...zero, duplicated: 10, leaked: 1 }, violationCount: 11, violationCounts: { 'no-duplicates': 10, 'no-leakage': 1 } }) });
    expect(e.failedOn).toEqual(['no-leakage (1)', 'no-duplicates (10)']);
    expect(e.notes[0]).toContain('It does not count 1 leak to another user’s tab and 10 duplicates.');
    // An invariant without a count (honest-monitoring): success "does not measure what failed".
    const masked = explainRow({ summary: row({ verdict: 'fail', violationCount: 1, violationCounts: { 'honest-monitoring': 1 } }) });
    expect(masked.failedOn).toEqual(['honest-monitoring (1)']);
    expect(masked.notes[0]).toContain('Success does not measure what failed here (see “failed on”).');
  });

  it('rows whose numbers agree get no note; a failing one still says what failed', () => {
    expect(explainRow({ summary: row({}) })).toEqual({ failedOn: [], notes: [] });
    const e = explainRow({ summary: row({ verdict: 'fail', successRate: 0.76, interactions: { total: 100, succeeded: 76 }, counts: { ...zero, lost: 1_970 }, violationCount: 1_970, violationCounts: { 'no-loss': 1_970 } }) });
    expect(e).toEqual({ failedOn: ['no-loss (1,970)'], notes: [] });
  });

  it('older documents without per-invariant counts: from the counts, and names seen in the runs’ violation lists', () => {
    const { violationCounts: _none, violationCount: _n, ...old } = row({ verdict: 'fail', counts: { ...zero, leaked: 5, lost: 2 }, successRate: 0, interactions: { total: 1, succeeded: 0 } });
    expect(explainRow({ summary: old as Summary, listedInvariants: ['no-loss', 'honest-monitoring'] }).failedOn).toEqual(['no-loss (2 lost)', 'no-leakage (5 leaked)', 'honest-monitoring']);
    // Counts that do not add up to the violation count (a run without them, e.g. one that crashed) are not trusted.
    const partial = row({ verdict: 'fail', counts: { ...zero, lost: 4 }, successRate: 0.5, interactions: { total: 2, succeeded: 1 }, violationCount: 5, violationCounts: { 'no-loss': 4 } });
    expect(explainRow({ summary: partial, erroredRuns: 1 }).failedOn).toEqual(['no-loss (4 lost)', '1 run did not complete']);
  });

  it('names baseline regressions, even on a row whose verdict passed', () => {
    const e = explainRow({
      summary: row({}),
      regressions: [
        { scenario: 'x', router: 'y', metric: 'lost', old: 2, oldScaled: 4, new: 9, tolerance: '0', unit: '' },
        { scenario: 'x', router: 'y', metric: 'latency_p99_ms', old: 3, new: 4.972, tolerance: '10% and 0.5 ms', unit: 'ms' },
      ],
    });
    expect(e.failedOn).toEqual(['baseline: lost 4 → 9', 'baseline: latency_p99_ms 3 ms → 4.972 ms']);
  });

  it('unknown verdicts and rows without interactions say so instead of showing a rate', () => {
    expect(explainRow({ summary: row({ verdict: 'unknown', successRate: NaN, interactions: { total: 0, succeeded: 0 } }) }).notes[0]).toMatch(/^Unknown: nothing was owed/);
    // NaN is null once the document went through JSON.
    const noRate = row({ verdict: 'fail', successRate: null as unknown as number, interactions: { total: 0, succeeded: 0 }, counts: { ...zero, lost: 1 }, violationCount: 1, violationCounts: { 'no-loss': 1 } });
    const e = explainRow({ summary: noRate });
    expect(e.failedOn).toEqual(['no-loss (1)']);
    expect(e.notes).toHaveLength(1);
    expect(e.notes[0]).toMatch(/^No interaction counted/);
  });
});
