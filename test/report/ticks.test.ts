/**
 * Axis ticks never repeat: the rule (src/report/browser/ticks.js) as the server-side charts use
 * it (through src/report/ticks.ts) and as the report's inline script holds it (inlined by
 * client.ts, used by the swimlane), run on the same cases.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adjacentDistinct, distinctTickLabels, durationTickLabels, formatDurationDigits, MAX_EXTRA_DIGITS, percentTickLabels } from '../../src/report/ticks.ts';
import { msTickLabels } from '../../src/report/browser/ticks.js';
import { inlinedTicksScript } from '../../src/report/client.ts';
import { formatDuration } from '../../src/report/format.ts';
import { timeSeriesChart } from '../../src/report/charts.ts';

/** The inline script's copy, evaluated as the browser would (plain declarations, no module). */
const client = new Function(`${inlinedTicksScript()}; return { distinctTickLabels: distinctTickLabels, msTickLabels: msTickLabels, MAX_EXTRA_DIGITS: MAX_EXTRA_DIGITS };`)() as {
  distinctTickLabels: typeof distinctTickLabels;
  msTickLabels: typeof msTickLabels;
  MAX_EXTRA_DIGITS: number;
};

const MIN = 60_000_000;
const ticks = (start: number, step: number, n: number): number[] => Array.from({ length: n }, (_, k) => start + k * step);
/** Tick steps the charts use (1-2-5 from 1 µs to hours), in µs. */
const STEPS_US = [1, 2, 5, 10, 20, 50, 100, 500, 1_000, 2_000, 5_000, 50_000, 500_000, 1_000_000, 5_000_000, 15_000_000, 30_000_000, MIN, 5 * MIN, 15 * MIN, 60 * MIN, 3 * 60 * MIN];

describe('tick labels', () => {
  it('a 5 s step on a minutes axis gets the decimals it needs ("2.2 min" three times before)', () => {
    const values = ticks(130_000_000, 5_000_000, 3);
    expect(values.map((v) => formatDuration(v))).toEqual(['2.2 min', '2.3 min', '2.3 min']); // the old labels
    expect(durationTickLabels(values)).toEqual(['2.17 min', '2.25 min', '2.33 min']);
    expect(durationTickLabels(ticks(132_000_000, 1_000_000, 3))).toEqual(['2.2 min', '2.22 min', '2.23 min']);
  });

  it('keeps the usual precision when the labels already differ', () => {
    expect(durationTickLabels([0, 15_000_000, 30_000_000, 45_000_000])).toEqual(['0', '15 s', '30 s', '45 s']);
    expect(percentTickLabels([0, 0.2, 0.4])).toEqual(['0%', '20%', '40%']);
    expect(percentTickLabels([0.99, 0.992, 0.994], 1)).toEqual(['99.0%', '99.2%', '99.4%']);
    expect(percentTickLabels([0.99, 0.9905, 0.991], 1)).toEqual(['99.00%', '99.05%', '99.10%']);
  });

  it('with no extra digits prints what formatDuration prints', () => {
    fc.assert(fc.property(fc.integer({ min: -10 * 3_600_000_000, max: 10 * 3_600_000_000 }), (us) => formatDurationDigits(us, 0) === formatDuration(us)));
  });

  it('never repeats adjacent labels, for any start and step the charts use (server and client)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STEPS_US), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 14 }), (step, k, n) => {
        const values = ticks(k * step, step, n);
        const ms = client.msTickLabels(values, 0);
        return adjacentDistinct(durationTickLabels(values)) && adjacentDistinct(ms) && adjacentDistinct(percentTickLabels(values.map((v) => v / (values.at(-1)! || 1))));
      }),
    );
  });

  it('adds decimals one at a time and stops at the first that works; equal values stop at the cap', () => {
    const calls: number[] = [];
    const labels = distinctTickLabels([1, 1.01, 1.02], (v, d) => (calls.push(d), v.toFixed(d)));
    expect(labels).toEqual(['1.00', '1.01', '1.02']);
    expect([...new Set(calls)]).toEqual([0, 1, 2]);
    expect(distinctTickLabels([5, 5], (v, d) => v.toFixed(d), 0, 3)).toEqual(['5.000', '5.000']);
    expect(client.distinctTickLabels([1, 1.01, 1.02], (v, d) => v.toFixed(d), 0)).toEqual(['1.00', '1.01', '1.02']);
  });

  it('the inlined copy labels as the server does, for any values, format and digits', () => {
    expect(client.MAX_EXTRA_DIGITS).toBe(MAX_EXTRA_DIGITS);
    const formats = [(v: number, d: number) => v.toFixed(d), (v: number, d: number) => (v === 0 ? '0' : formatDurationDigits(v, d))];
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { maxLength: 12 }), fc.constantFrom(0, 1), fc.integer({ min: 0, max: 4 }), fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }), (values, f, minDigits, extra) => {
        const sorted = [...values].sort((a, b) => a - b);
        const maxDigits = extra === undefined ? undefined : minDigits + extra;
        expect(client.distinctTickLabels(sorted, formats[f]!, minDigits, maxDigits)).toEqual(distinctTickLabels(sorted, formats[f]!, minDigits, maxDigits));
        expect(client.msTickLabels(sorted, minDigits)).toEqual(msTickLabels(sorted, minDigits));
      }),
    );
    // Defaults: the server's charts call it without digits.
    expect(client.distinctTickLabels([1, 1.01, 1.02], (v, d) => v.toFixed(d))).toEqual(distinctTickLabels([1, 1.01, 1.02], (v, d) => v.toFixed(d)));
  });

  it('the swimlane labels µs ticks in ms with separators, at the step’s precision or finer', () => {
    expect(client.msTickLabels([1_000_000, 2_000_000, 3_000_000], 0)).toEqual(['1,000', '2,000', '3,000']);
    expect(client.msTickLabels([1_000, 1_500, 2_000], 0)).toEqual(['1.0', '1.5', '2.0']);
    expect(client.msTickLabels([130_000_100, 130_000_150, 130_000_200], 1)).toEqual(['130,000.10', '130,000.15', '130,000.20']);
  });

  it('the time-series chart’s axes have distinct ticks on a narrow window of a long run', () => {
    const svg = timeSeriesChart({
      label: 'wait',
      color: '#000',
      points: [
        [131_000_000, 2_500],
        [137_000_000, 3_100],
      ],
      kind: 'scatter',
      domain: [130_000_000, 140_000_000],
      faults: [],
      formatValue: (v) => formatDuration(v),
      formatTicks: durationTickLabels,
      yTitle: 'waited',
      width: 300,
    });
    const texts = [...svg.matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1]!);
    expect(texts.length).toBeGreaterThan(4);
    expect(texts.some((t) => t.endsWith('min'))).toBe(true);
    expect(new Set(texts).size).toBe(texts.length); // x ticks (minutes) and y ticks (ms) alike
  });
});
