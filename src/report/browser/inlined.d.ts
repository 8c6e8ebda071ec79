/**
 * What the report's inline script has beyond the DOM, for the browser type check
 * (tsconfig.browser.json): the names client.ts puts into timeline.js when it inlines it, and
 * what the page exposes on window. Nothing in the Node project sees these globals.
 */
import type { msTickLabels as MsTickLabels } from './ticks.js';
import type { KindStyle, ResultsView } from './types.ts';

declare global {
  /** Replaced by the JSON of TIMELINE_KINDS (client.ts). */
  const __KINDS__: Record<string, KindStyle>;
  /** A statement replaced by ticks.js, exports dropped: this declares what it brings. */
  const __TICKS__: unknown;
  const msTickLabels: typeof MsTickLabels;

  interface Window {
    /** The parsed embedded document, for tests and for poking at in the console. */
    threadlineResults?: ResultsView;
  }
}
