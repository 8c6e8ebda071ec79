/**
 * Distributions as plain data, so scenarios, fuzz counterexamples and reports can store them.
 * A distribution has no unit of its own: the field that holds it names the unit
 * (`latencyMs`, `thinkMs`, ...). Samples are clamped to `[min, max]` when given, and never
 * negative when used as durations (see `sampleDurationUs`).
 */
import type { Random } from './rng.ts';

import type { Distribution } from '../ports/distribution.ts';
export type { Distribution } from '../ports/distribution.ts';

export const DISTRIBUTION_KINDS = ['fixed', 'uniform', 'normal', 'lognormal', 'exponential', 'pareto'] as const;

export function fixed(value: number): Distribution {
  return { kind: 'fixed', value };
}
export function uniform(min: number, max: number): Distribution {
  return { kind: 'uniform', min, max };
}
export function normal(mean: number, stdDev: number, min?: number, max?: number): Distribution {
  return { kind: 'normal', mean, stdDev, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
}
export function lognormal(median: number, sigma: number, max?: number): Distribution {
  return { kind: 'lognormal', median, sigma, ...(max === undefined ? {} : { max }) };
}
export function exponential(mean: number, max?: number): Distribution {
  return { kind: 'exponential', mean, ...(max === undefined ? {} : { max }) };
}
export function pareto(scale: number, shape: number, max?: number): Distribution {
  return { kind: 'pareto', scale, shape, ...(max === undefined ? {} : { max }) };
}

/** Draw one value. */
export function sample(dist: Distribution, rng: Random): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + rng.float() * (dist.max - dist.min);
    case 'normal':
      return clamp(rng.normal(dist.mean, dist.stdDev), dist.min, dist.max);
    case 'lognormal':
      return clamp(dist.median * Math.exp(dist.sigma * rng.normal()), undefined, dist.max);
    case 'exponential':
      return clamp(rng.exponential(dist.mean), undefined, dist.max);
    case 'pareto':
      return clamp(dist.scale / Math.pow(1 - rng.float(), 1 / dist.shape), undefined, dist.max);
  }
}

/** Draw a duration given in milliseconds and return integer microseconds, never negative. */
export function sampleDurationUs(distMs: Distribution, rng: Random): number {
  return Math.max(0, Math.round(sample(distMs, rng) * 1_000));
}

/** The distribution's theoretical mean (for tests and reports); Infinity where undefined. */
export function theoreticalMean(dist: Distribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'normal':
      return dist.mean;
    case 'lognormal':
      return dist.median * Math.exp((dist.sigma * dist.sigma) / 2);
    case 'exponential':
      return dist.mean;
    case 'pareto':
      return dist.shape > 1 ? (dist.shape * dist.scale) / (dist.shape - 1) : Infinity;
  }
}

/** Human description, e.g. "uniform(1–5)". */
export function describeDistribution(dist: Distribution): string {
  switch (dist.kind) {
    case 'fixed':
      return `${dist.value}`;
    case 'uniform':
      return `uniform(${dist.min}–${dist.max})`;
    case 'normal':
      return `normal(μ=${dist.mean}, σ=${dist.stdDev})`;
    case 'lognormal':
      return `lognormal(median=${dist.median}, σ=${dist.sigma})`;
    case 'exponential':
      return `exponential(mean=${dist.mean})`;
    case 'pareto':
      return `pareto(scale=${dist.scale}, shape=${dist.shape})`;
  }
}

/** Validate a value that claims to be a distribution; returns an error string or null. */
export function checkDistribution(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'expected a distribution object such as { kind: "fixed", value: 5 }';
  const d = value as Record<string, unknown>;
  const kind = d['kind'];
  const num = (k: string, optional = false): string | null => {
    const v = d[k];
    if (v === undefined && optional) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `field "${k}" must be a finite number`;
    return null;
  };
  const allowed: Record<string, string[]> = {
    fixed: ['value'],
    uniform: ['min', 'max'],
    normal: ['mean', 'stdDev', 'min', 'max'],
    lognormal: ['median', 'sigma', 'max'],
    exponential: ['mean', 'max'],
    pareto: ['scale', 'shape', 'max'],
  };
  if (typeof kind !== 'string' || !(kind in allowed)) {
    return `field "kind" must be one of ${DISTRIBUTION_KINDS.join(', ')}`;
  }
  for (const key of Object.keys(d)) {
    if (key !== 'kind' && !allowed[kind]!.includes(key)) return `unknown field "${key}" for a ${kind} distribution (allowed: ${allowed[kind]!.join(', ')})`;
  }
  let err: string | null = null;
  switch (kind) {
    case 'fixed':
      err = num('value');
      break;
    case 'uniform':
      err = num('min') ?? num('max') ?? ((d['max'] as number) < (d['min'] as number) ? 'uniform needs min <= max' : null);
      break;
    case 'normal':
      err = num('mean') ?? num('stdDev') ?? num('min', true) ?? num('max', true) ?? ((d['stdDev'] as number) < 0 ? 'stdDev must be >= 0' : null);
      break;
    case 'lognormal':
      err = num('median') ?? num('sigma') ?? num('max', true) ?? ((d['median'] as number) <= 0 ? 'median must be > 0' : null);
      break;
    case 'exponential':
      err = num('mean') ?? num('max', true) ?? ((d['mean'] as number) <= 0 ? 'mean must be > 0' : null);
      break;
    case 'pareto':
      err = num('scale') ?? num('shape') ?? num('max', true) ?? ((d['scale'] as number) <= 0 || (d['shape'] as number) <= 0 ? 'scale and shape must be > 0' : null);
      break;
  }
  return err;
}

function clamp(x: number, min: number | undefined, max: number | undefined): number {
  if (min !== undefined && x < min) return min;
  if (max !== undefined && x > max) return max;
  return x;
}
