/**
 * A verdict and the one rule that combines verdicts (runs into a summary, summaries into a
 * mode's row or a whole document). Every place that shows or gates on a combined verdict uses
 * `combineVerdicts`, so the CLI's exit code, the report's cards and JUnit never disagree.
 *
 * - `fail`: an invariant or a threshold failed somewhere;
 * - `pass`: something was judged and nothing failed; parts where nothing was owed (`unknown`)
 *   neither help nor hurt;
 * - `unknown`: nothing was judged at all (empty, or every part unknown).
 */
export type Verdict = 'pass' | 'fail' | 'unknown';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'unknown'];

export function combineVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let anyPass = false;
  for (const v of verdicts) {
    if (v === 'fail') return 'fail';
    if (v === 'pass') anyPass = true;
  }
  return anyPass ? 'pass' : 'unknown';
}
