/** Small markup pieces every section uses. */
import type { Histogram } from '../../stats/histogram.ts';
import { escapeHtml as h } from '../format.ts';

export const verdictClass = (v: string): string => (v === 'pass' || v === 'fail' ? v : 'unknown');
export const badge = (v: string): string => `<span class="badge ${verdictClass(v)}">${h(v)}</span>`;
export const swatch = (color: string): string => `<span class="swatch" style="background:${h(color)}"></span>`;

/** A histogram's quantile in ms (µs inside), NaN when empty. */
export function quantileMs(hist: Histogram, p: number): number {
  return hist.count === 0 ? NaN : hist.quantile(p) / 1_000;
}

/** A copyable command: the code (with an id for the Copy button) and the button. */
export function copyableCommand(id: string, command: string, extraClass = ''): string {
  return `<div class="cmd${extraClass ? ` ${extraClass}` : ''}"><code id="${h(id)}">${h(command)}</code><button type="button" data-copy="${h(id)}" title="Copy the command">Copy</button></div>`;
}

/**
 * Attributes the filter bar reads (browser/filter.js): an element with them is shown or hidden
 * by status ("fail", "pass", "unknown") and by the search over scenario and mode.
 */
export function filterAttrs(scenario: string, router: string, status: string): string {
  return `data-filter-item data-status="${h(status)}" data-filter-text="${h(`${scenario} ${router}`.toLowerCase())}"`;
}
