/**
 * Axis tick labels that never repeat: every axis labels its ticks together, starting at its
 * usual precision and adding decimals until adjacent labels differ (the why is in
 * browser/ticks.js).
 *
 * The rule itself (distinctTickLabels) lives in browser/ticks.js, the one copy shared with the
 * report's inline script, whose swimlane axis uses its msTickLabels; the server-side SVG charts
 * (charts.ts) use it through this module, with the duration and percentage formatters below
 * (tests run the inlined copy and these on the same cases).
 */
import { adjacentDistinct, distinctTickLabels, MAX_EXTRA_DIGITS } from './browser/ticks.js';

export { adjacentDistinct, distinctTickLabels, MAX_EXTRA_DIGITS };

const trimZeros = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/**
 * A microsecond duration in the unit formatDuration (format.ts) picks, with `extraDigits` more
 * decimals than its usual ones (µs 0, ms 1, s 2, min 1, h 2); trailing zeros are dropped.
 * With extraDigits 0 the text equals formatDuration's.
 */
export function formatDurationDigits(us: number, extraDigits: number): string {
  if (!Number.isFinite(us)) return '—';
  const abs = Math.abs(us);
  const at = (value: number, baseDigits: number, unit: string): string => `${trimZeros(value.toFixed(baseDigits + extraDigits))} ${unit}`;
  if (abs < 1_000) return extraDigits === 0 ? `${Math.round(us)} µs` : at(us, 0, 'µs');
  if (abs < 1_000_000) return at(us / 1_000, 1, 'ms');
  if (abs < 100_000_000) return at(us / 1_000_000, 2, 's');
  if (abs < 3_600_000_000) return at(us / 60_000_000, 1, 'min');
  return at(us / 3_600_000_000, 2, 'h');
}

/** Duration tick labels (µs values), "0" for zero. */
export function durationTickLabels(valuesUs: readonly number[]): string[] {
  return distinctTickLabels(valuesUs, (v, d) => (v === 0 ? '0' : formatDurationDigits(v, d)));
}

/** Percentage tick labels for rates in [0, 1]: "20%", or "99.2%" with `minDigits` 1. */
export function percentTickLabels(rates: readonly number[], minDigits = 0): string[] {
  return distinctTickLabels(rates, (v, d) => `${(v * 100).toFixed(d)}%`, minDigits);
}
