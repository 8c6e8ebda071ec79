/**
 * The commands the report and the CLI's summary offer to copy: replay one failing seed, or
 * re-run a pair's seeds. One source for both (src/cli/gate.ts re-exports these).
 */

/** A word as the shell reads it: bare when safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=+,@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `--router <mode>`, or `--server <file>` when the server under test was a plug-in (`run --server`). */
function sutWords(router: string, serverFile: string | undefined): string {
  return serverFile !== undefined ? `--server ${shellWord(serverFile)}` : `--router ${shellWord(router)}`;
}

/** `threadline run <script> --router <mode> --seed <n>`; `where` is the script path, else the scenario name. */
export function replayCommand(where: string, router: string, seed: number, serverFile?: string): string {
  return `threadline run ${shellWord(where)} ${sutWords(router, serverFile)} --seed ${seed}`;
}

/** Every seed of a pair (for a failure of the aggregate: a threshold, a regression). */
export function pairCommand(where: string, router: string, seeds: readonly number[], serverFile?: string): string {
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  const base = `threadline run ${shellWord(where)} ${sutWords(router, serverFile)}`;
  if (sorted.length === 0) return base;
  const contiguous = sorted.every((s, i) => i === 0 || s === sorted[i - 1]! + 1);
  if (contiguous) return sorted.length === 1 ? `${base} --seed ${sorted[0]}` : `${base} --seed ${sorted[0]} --runs ${sorted.length}`;
  return `${base} --seed <s> (seeds ${sorted.join(', ')})`;
}
