/**
 * `--shard k/n`: a stable split of the campaign's work units so a CI matrix can run it in
 * parallel. A work unit is one (scenario, seed); every router mode of that unit runs in the same
 * shard. Units are sorted by scenario name, then seed, and dealt round-robin: unit i goes to
 * shard (i mod n) + 1. The split depends only on the scenario names and seeds, never on file
 * paths, machine, clock or the order arguments were given in, so every machine of a matrix
 * computes the same partition; together the n shards cover every unit exactly once.
 */
import { UsageError } from './errors.ts';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

export function parseShard(value: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--shard must look like k/n (for example 1/4), got "${value}"`);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1) throw new UsageError(`--shard ${value}: the number of shards must be at least 1`);
  if (index < 1 || index > total) throw new UsageError(`--shard ${value}: k must be between 1 and ${total} (shards are numbered 1..n)`);
  return { index, total };
}

export interface WorkUnit {
  scenario: string;
  seed: number;
}

export function compareUnits(a: WorkUnit, b: WorkUnit): number {
  if (a.scenario !== b.scenario) return a.scenario < b.scenario ? -1 : 1;
  return a.seed - b.seed;
}

/** The units of shard `spec` (all units when spec is undefined), in the canonical order. */
export function selectShard<T extends WorkUnit>(units: readonly T[], spec: ShardSpec | undefined): T[] {
  const sorted = [...units].sort(compareUnits);
  if (!spec) return sorted;
  return sorted.filter((_, i) => i % spec.total === spec.index - 1);
}
