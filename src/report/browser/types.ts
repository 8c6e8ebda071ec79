/**
 * The data the report's browser script (timeline.js) reads, as types both TypeScript projects
 * can see: the browser one (tsconfig.browser.json: DOM, no Node) cannot import run/result.ts,
 * whose imports reach Node code, so this file names the fields the script uses, and client.ts
 * checks at compile time that the document the report embeds (a ResultsDocument) fits.
 * Types only: nothing here exists at run time.
 */

/** Marker per timeline item kind (shape and colour), shared by the swimlane and its legend. */
export interface KindStyle {
  shape: 'circle' | 'ring' | 'bar' | 'diamond' | 'diamond-hollow' | 'tri-up' | 'tri-up-hollow' | 'tri-down' | 'square' | 'square-hollow' | 'x' | 'dot';
  color: string;
  label: string;
}

/** One swimlane item (run/result.ts TimelineItem). */
export interface TimelineItem {
  /** Virtual time, µs. */
  t: number;
  /** "agent", "router", or a client connection id such as "t1#1". */
  lane: string;
  kind: string;
  label: string;
  user?: string;
  thread?: string;
  eid?: string;
  /** For deliveries: when the event was produced (the arrow's start), µs. */
  fromT?: number;
  explanation?: string;
}

/** A fault window, µs (run/result.ts FaultWindow). */
export interface FaultWindow {
  startUs: number;
  endUs: number;
  label: string;
}

/** What the swimlane reads of a run (run/result.ts RunResult). */
export interface Run {
  scenario: string;
  router: string;
  seed: number;
  faults: FaultWindow[];
  timeline?: TimelineItem[];
}

/** The embedded results document (run/result.ts ResultsDocument), as far as the script reads it. */
export interface ResultsView {
  runs: Run[];
}
