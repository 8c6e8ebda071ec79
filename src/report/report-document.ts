/**
 * What the report renders: a results document, plus the optional fields the CLI adds to it
 * (src/cli/results-file.ts GateDocument has the same two). The report reads them when present
 * and never needs them: an older or hand-made document renders without both.
 */
import type { ResultsDocument } from '../run/result.ts';
import type { BaselineComparison } from '../run/baseline-comparison.ts';

export interface ReportDocument extends ResultsDocument {
  /** Scenario name → script path (for replay commands). */
  scenarioFiles?: Record<string, string>;
  /** Server plug-in name → file (runs of `run --server`). */
  serverFiles?: Record<string, string>;
  /** Present when the run was compared with a baseline (`--baseline`). */
  baseline?: BaselineComparison;
}
