/**
 * The random port: a seeded, splittable stream. The simulation's implementation is sfc32 in
 * `src/sim/rng.ts`; a system under test gets one as `env.rng` and must draw only from it.
 */

export interface Random {
  /** The stream's path, e.g. "seed:7/network/link-3". */
  readonly path: string;
  /** A new independent stream derived from this stream's path and `name`. */
  fork(name: string): Random;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [minInclusive, maxInclusive]. */
  int(minInclusive: number, maxInclusive: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. Throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** Standard normal deviate (Box–Muller, no cached second value: keeps streams simple). */
  normal(mean?: number, stdDev?: number): number;
  /** Exponential deviate with the given mean. */
  exponential(mean: number): number;
}
