/**
 * The human summary: one line per scenario × router with verdict, success rate, p99 latency and
 * lost / duplicated / leaked counts, then each failure with its first explanation and the
 * command that replays it.
 */
import type { LoadedScenario } from '../scenario/load-file.ts';
import type { ResultsDocument } from '../scenario/result.ts';
import type { Output } from './output.ts';

export function replayCommand(file: string, router: string, seed: number): string {
  return `threadline run ${file} --router ${router} --seed ${seed}`;
}

export function printSummary(doc: ResultsDocument, out: Output, loaded: readonly LoadedScenario[]): void {
  const c = out.chalk;
  const fileOf = new Map(loaded.map((l) => [l.spec.name, l.file]));
  const pct = (x: number): string => (Number.isNaN(x) ? '   n/a' : `${(x * 100).toFixed(1).padStart(5)}%`);
  const ms = (x: number): string => (x === null || Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} ms`);
  out.say(c.bold(`${'scenario'.padEnd(24)} ${'router'.padEnd(12)} verdict  success   (95% CI)        p99        lost  dup  leak  runs`));
  for (const s of doc.summary) {
    const verdict = s.verdict === 'pass' ? c.green('pass   ') : s.verdict === 'fail' ? c.red('FAIL   ') : c.yellow('unknown');
    const ci = `(${pct(s.successRateCi95[0]).trim()}–${pct(s.successRateCi95[1]).trim()})`;
    out.say(
      `${s.scenario.padEnd(24)} ${s.router.padEnd(12)} ${verdict}  ${pct(s.successRate)}  ${ci.padEnd(16)} ${ms(s.latencyMs.p99).padStart(10)}  ${String(s.counts.lost).padStart(5)} ${String(s.counts.duplicated).padStart(4)} ${String(s.counts.leaked).padStart(5)}  ${String(s.runs).padStart(4)}`,
    );
    for (const t of s.thresholds.filter((x) => !x.ok)) out.say(c.red(`    threshold failed: ${t.source} (actual ${Number.isNaN(t.actual) || t.actual === null ? 'no data' : t.actual})`));
  }
  const failing = doc.runs.filter((r) => r.verdict === 'fail');
  if (failing.length > 0) {
    out.say();
    out.say(c.bold(`${failing.length} failing run(s):`));
    for (const r of failing.slice(0, 20)) {
      const v = r.violations[0];
      out.say(`  ${c.red('✗')} ${r.scenario} × ${r.router} seed ${r.seed}: ${r.violationCount} violation(s)`);
      if (v) out.say(`      ${v.invariant}: ${v.explanation}`);
      out.say(c.dim(`      replay: ${replayCommand(fileOf.get(r.scenario) ?? r.scenario, r.router, r.seed)}`));
    }
    if (failing.length > 20) out.say(c.dim(`  … and ${failing.length - 20} more (see results.json)`));
  }
  out.say();
  const verdict = doc.verdict === 'pass' ? c.green.bold('PASS') : doc.verdict === 'fail' ? c.red.bold('FAIL') : c.yellow.bold('UNKNOWN');
  out.say(`${verdict}  ${doc.runs.length} run(s), ${doc.summary.length} scenario × router pair(s), ${(doc.wallMs / 1000).toFixed(1)} s`);
}
