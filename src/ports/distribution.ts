/**
 * A distribution as plain data (scenarios, counterexamples and reports store them). Sampling
 * lives in `src/sim/distribution.ts`; the field that holds one names its unit (`lookupMs`).
 */

export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; stdDev: number; min?: number; max?: number }
  /** Log-normal given by its median and the sigma of the underlying normal. */
  | { kind: 'lognormal'; median: number; sigma: number; max?: number }
  | { kind: 'exponential'; mean: number; max?: number }
  /** Pareto (heavy tail): P(X > x) = (scale / x)^shape for x >= scale. */
  | { kind: 'pareto'; scale: number; shape: number; max?: number };
