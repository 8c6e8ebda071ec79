/**
 * The filter bar (in the sticky top bar, so it is at hand anywhere on a long page): status
 * (all / failing / passing) and a search over scenario and mode names. It filters the
 * comparison table, the baseline table, the timelines and the runs table; the inline script
 * (browser/filter.js) does the work on the elements marked by filterAttrs.
 */
import type { PairView } from '../pairs.ts';
import { formatCount } from '../format.ts';

export function filterBar(pairs: Map<string, PairView>): string {
  const all = [...pairs.values()];
  if (all.length === 0) return '';
  const failing = all.filter((p) => p.status === 'fail').length;
  const passing = all.filter((p) => p.status === 'pass').length;
  const button = (status: string, label: string, n: number, pressed: boolean): string =>
    `<button type="button" data-status-filter="${status}" aria-pressed="${pressed}">${label} <span class="n">${formatCount(n)}</span></button>`;
  return `<div class="filter-bar" id="filter" role="search">
<div class="seg" role="group" aria-label="Show rows by status">${button('all', 'All', all.length, true)}${button('fail', 'Failing', failing, false)}${button('pass', 'Passing', passing, false)}</div>
<input type="search" id="filter-search" placeholder="Filter by scenario or mode  ( / )" aria-label="Filter by scenario or mode name" autocomplete="off" spellcheck="false">
<span id="filter-count" class="filter-count" aria-live="polite"></span>
</div>`;
}
