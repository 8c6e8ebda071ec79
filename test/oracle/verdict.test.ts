import { describe, expect, it } from 'vitest';
import { combineVerdicts } from '../../src/oracle/verdict.ts';
import { overallVerdict } from '../../src/run/aggregate.ts';
import type { Summary } from '../../src/run/result.ts';

describe('one verdict rule', () => {
  it('fail wins; pass with unknown parts is pass; only nothing judged is unknown', () => {
    expect(combineVerdicts(['pass', 'unknown'])).toBe('pass');
    expect(combineVerdicts(['unknown', 'pass'])).toBe('pass');
    expect(combineVerdicts(['pass', 'fail', 'unknown'])).toBe('fail');
    expect(combineVerdicts(['unknown', 'unknown'])).toBe('unknown');
    expect(combineVerdicts([])).toBe('unknown');
  });

  it('the document verdict (CLI exit code) uses the same rule', () => {
    const s = (verdict: Summary['verdict']) => ({ verdict }) as Summary;
    expect(overallVerdict([s('pass'), s('unknown')])).toBe('pass');
    expect(overallVerdict([s('unknown')])).toBe('unknown');
    expect(overallVerdict([s('fail'), s('pass')])).toBe('fail');
  });
});
