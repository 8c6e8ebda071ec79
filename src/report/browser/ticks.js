// @ts-check
/**
 * Axis tick labels that never repeat. A tick formatter with a fixed precision prints the same
 * text for neighbouring ticks when the step is finer than the precision (a 5 s step on a
 * minutes axis read "2.2 min  2.2 min  2.2 min"). Here every axis labels its ticks together:
 * it starts at the axis's usual precision and adds decimals until adjacent labels differ.
 *
 * The one copy of the rule for both sides: the server-side SVG charts import it through
 * ../ticks.ts; client.ts inlines this file, its `export` keywords dropped, into the report's
 * script, where the swimlane axis calls msTickLabels. So it imports nothing and holds only
 * function and constant declarations (nothing runs on load).
 */

/** Most decimals an axis may add beyond its usual precision (µs resolution on a ms axis is 3). */
export const MAX_EXTRA_DIGITS = 6;

/**
 * True when no two neighbouring labels are equal.
 * @param {readonly string[]} labels
 * @returns {boolean}
 */
export function adjacentDistinct(labels) {
  for (var i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) return false;
  return true;
}

/**
 * Labels for ascending tick values: each formatted with `digits` decimals, the smallest
 * `digits` from `minDigits` up for which adjacent labels differ. Equal values can never differ;
 * then the labels of `maxDigits` are returned.
 * @param {readonly number[]} values
 * @param {(value: number, digits: number) => string} format
 * @param {number} [minDigits]
 * @param {number} [maxDigits]
 * @returns {string[]}
 */
export function distinctTickLabels(values, format, minDigits = 0, maxDigits = minDigits + MAX_EXTRA_DIGITS) {
  /** @param {number} digits */
  function labelsAt(digits) {
    return values.map(function (v) { return format(v, digits); });
  }
  var labels = labelsAt(minDigits);
  for (var digits = minDigits + 1; digits <= maxDigits && !adjacentDistinct(labels); digits++) labels = labelsAt(digits);
  return labels;
}

/**
 * The swimlane's axis: µs tick values labelled in milliseconds with thousands separators
 * ("1,250.5"), with `minDigits` decimals or as many more as distinctTickLabels needs.
 * @param {readonly number[]} valuesUs
 * @param {number} minDigits
 * @returns {string[]}
 */
export function msTickLabels(valuesUs, minDigits) {
  return distinctTickLabels(valuesUs, function (us, d) {
    var parts = (us / 1000).toFixed(d).split('.');
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (parts[1] ? '.' + parts[1] : '');
  }, minDigits);
}
