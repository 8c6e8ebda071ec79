/**
 * The commands the report offers to copy: replay one failing seed, or re-run a pair's seeds.
 * The same text as the CLI's summary prints (src/cli/gate.ts replayCommand / pairCommand; a
 * test keeps the two equal) — written here because src/report does not import src/cli.
 */

/** A word as the shell reads it: bare when safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=+,@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `threadline run <script> --router <mode> --seed <n>`; `where` is the script path, else the scenario name. */
export function replayCommand(where: string, router: string, seed: number): string {
  return `threadline run ${shellWord(where)} --router ${shellWord(router)} --seed ${seed}`;
}

/** Every seed of a pair (for a failure of the aggregate: a threshold, a regression). */
export function pairCommand(where: string, router: string, seeds: readonly number[]): string {
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  const base = `threadline run ${shellWord(where)} --router ${shellWord(router)}`;
  if (sorted.length === 0) return base;
  const contiguous = sorted.every((s, i) => i === 0 || s === sorted[i - 1]! + 1);
  if (contiguous) return sorted.length === 1 ? `${base} --seed ${sorted[0]}` : `${base} --seed ${sorted[0]} --runs ${sorted.length}`;
  return `${base} --seed <s> (seeds ${sorted.join(', ')})`;
}
