/**
 * Axis tick labels that never repeat. A tick formatter with a fixed precision prints the same
 * text for neighbouring ticks when the step is finer than the precision (a 5 s step on a
 * minutes axis read "2.2 min  2.2 min  2.2 min"). Here every axis labels its ticks together:
 * it starts at the axis's usual precision and adds decimals until adjacent labels differ.
 *
 * The server-side SVG charts (charts.ts) use the TypeScript functions; the client-side
 * swimlane axis uses CLIENT_TICKS_JS, the same rule written as plain JS for the inline script
 * (tests run both on the same cases).
 */

/** Most decimals an axis may add beyond its usual precision (µs resolution on a ms axis is 3). */
export const MAX_EXTRA_DIGITS = 6;

/** True when no two neighbouring labels are equal. */
export function adjacentDistinct(labels: readonly string[]): boolean {
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) return false;
  return true;
}

/**
 * Labels for ascending tick values: each formatted with `digits` decimals, the smallest
 * `digits` from `minDigits` up for which adjacent labels differ. Equal values can never differ;
 * then the labels of `maxDigits` are returned.
 */
export function distinctTickLabels(values: readonly number[], format: (value: number, digits: number) => string, minDigits = 0, maxDigits = minDigits + MAX_EXTRA_DIGITS): string[] {
  let labels = values.map((v) => format(v, minDigits));
  for (let digits = minDigits + 1; digits <= maxDigits && !adjacentDistinct(labels); digits++) {
    labels = values.map((v) => format(v, digits));
  }
  return labels;
}

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

/**
 * The same rule for the inline script (no modules there): `distinctTickLabels(values, format,
 * minDigits, maxDigits)` and `msTickLabels(valuesUs, minDigits)`, which labels µs ticks in
 * milliseconds with thousands separators ("1,250.5"). Plain ES5, no backticks.
 */
export const CLIENT_TICKS_JS = String.raw`
  function distinctTickLabels(values, format, minDigits, maxDigits) {
    if (maxDigits == null) maxDigits = minDigits + ${MAX_EXTRA_DIGITS};
    function labelsAt(d) { return values.map(function (v) { return format(v, d); }); }
    function distinct(labels) { for (var i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) return false; return true; }
    var labels = labelsAt(minDigits);
    for (var d = minDigits + 1; d <= maxDigits && !distinct(labels); d++) labels = labelsAt(d);
    return labels;
  }
  function msTickLabels(valuesUs, minDigits) {
    return distinctTickLabels(valuesUs, function (us, d) {
      var parts = (us / 1000).toFixed(d).split('.');
      return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (parts[1] ? '.' + parts[1] : '');
    }, minDigits);
  }
`;
