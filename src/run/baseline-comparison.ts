/**
 * The result of comparing a run's summaries with a baseline file: the shape the results
 * document carries as `baseline` (when the run used `--baseline`) and the HTML report reads.
 * Only the data lives here; reading, comparing and writing baselines is src/cli/baseline.ts.
 */

/** How a metric's values are shown: a plain number (counts), milliseconds, or a rate in [0, 1]. */
export type BaselineUnit = '' | 'ms' | 'rate';

/** One metric of one scenario × router pair that moved beyond its tolerance. */
export interface BaselineDelta {
  scenario: string;
  router: string;
  /** Baseline metric name, e.g. "success_rate", "lost", "latency_p99_ms". */
  metric: string;
  old: number;
  new: number;
  /** The old value scaled to this run's number of runs (counts only, when runs differ). */
  oldScaled?: number;
  /** The allowed worsening in words, e.g. "0.5 points", "10% and 0.5 ms". */
  tolerance: string;
  unit: BaselineUnit;
}

export interface BaselineComparison {
  /** The baseline file compared with. */
  file: string;
  /** Worse by more than the tolerance: each one fails the gate. */
  regressions: BaselineDelta[];
  /** Better by more than the tolerance. */
  improvements: BaselineDelta[];
  /** Compared and within the tolerance, either way (absent in older results files). */
  unchanged?: BaselineDelta[];
  /** Pairs of this run that the baseline does not have (not compared). */
  newPairs: string[];
  /** Pairs whose number of runs differs from the baseline's (counts were scaled). */
  runsDiffer: string[];
}
