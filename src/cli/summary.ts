/**
 * The human summary: one line per scenario × router with verdict, success rate (95% Wilson
 * interval), p99 latency and lost / duplicated / leaked counts; under a failing pair each
 * reason (failed threshold, baseline regression with old → new); then each failing run with
 * its first explanation and the command that replays it; then the verdict line.
 */
import type { ResultsDocument } from '../run/result.ts';
import { pairOutcomes, replayCommand } from './gate.ts';
import type { Output } from './output.ts';
import type { GateDocument } from './results-file.ts';

export { replayCommand };

const MAX_FAILING_RUNS = 20;

const isMissing = (x: number | null | undefined): boolean => x === null || x === undefined || Number.isNaN(x);

export function printSummary(doc: GateDocument | ResultsDocument, out: Output): void {
  const gdoc = doc as GateDocument;
  const c = out.chalk;
  const pct = (x: number | null): string => (isMissing(x) ? '   n/a' : `${(x! * 100).toFixed(1).padStart(5)}%`);
  const ms = (x: number | null): string => (isMissing(x) ? 'n/a' : `${x!.toFixed(1)} ms`);
  const pairs = pairOutcomes(gdoc);
  if (pairs.length > 0) {
    out.say(c.bold(`${'scenario'.padEnd(24)} ${'router'.padEnd(12)} verdict  success   (95% CI)        p99        lost  dup  leak  runs`));
  }
  for (const p of pairs) {
    const s = p.summary;
    const verdict = p.verdict === 'pass' ? c.green('pass   ') : p.verdict === 'fail' ? c.red('FAIL   ') : c.yellow('unknown');
    const ci = `(${pct(s.successRateCi95[0]).trim()}–${pct(s.successRateCi95[1]).trim()})`;
    out.say(
      `${s.scenario.padEnd(24)} ${s.router.padEnd(12)} ${verdict}  ${pct(s.successRate)}  ${ci.padEnd(16)} ${ms(s.latencyMs.p99).padStart(10)}  ${String(s.counts.lost).padStart(5)} ${String(s.counts.duplicated).padStart(4)} ${String(s.counts.leaked).padStart(5)}  ${String(s.runs).padStart(4)}`,
    );
    for (const f of p.failures) {
      if (f.kind === 'threshold') out.say(c.red(`    ${f.message}`));
      if (f.kind === 'baseline') out.say(c.red(`    ${f.message}`));
    }
  }
  const failing = doc.runs.filter((r) => r.verdict === 'fail');
  if (failing.length > 0) {
    out.say();
    out.say(c.bold(`${failing.length} failing run(s):`));
    for (const r of failing.slice(0, MAX_FAILING_RUNS)) {
      const v = r.violations[0];
      out.say(`  ${c.red('✗')} ${r.scenario} × ${r.router} seed ${r.seed}: ${r.error !== undefined ? 'did not complete' : `${r.violationCount} violation(s)${byInvariant(r.violationCounts)}`}`);
      if (r.error !== undefined) out.say(`      ${r.error}`);
      else if (v) out.say(`      ${v.invariant}: ${v.explanation}`);
      out.say(c.dim(`      replay: ${replayCommand(gdoc.scenarioFiles?.[r.scenario] ?? r.scenario, r.router, r.seed, gdoc.serverFiles?.[r.router])}`));
    }
    if (failing.length > MAX_FAILING_RUNS) out.say(c.dim(`  … and ${failing.length - MAX_FAILING_RUNS} more (see results.json)`));
  }
  const b = gdoc.baseline;
  if (b) {
    out.say();
    if (b.regressions.length === 0) out.say(`${c.green('baseline held')}: no regression against ${b.file}`);
    else {
      out.say(c.bold(c.red(`${b.regressions.length} regression(s) against the baseline ${b.file} (each under its pair above)`)));
    }
    if (b.improvements.length > 0) out.say(c.dim(`  ${b.improvements.length} metric(s) improved; refresh the baseline with --update-baseline to keep them`));
    if (b.newPairs.length > 0) out.say(c.dim(`  not in the baseline (not compared): ${b.newPairs.join(', ')}`));
    if (b.runsDiffer.length > 0) out.say(c.dim(`  runs differ from the baseline, counts scaled: ${b.runsDiffer.join('; ')}`));
  }
  out.say();
  const verdict = doc.partial ? c.yellow.bold('PARTIAL') : doc.verdict === 'pass' ? c.green.bold('PASS') : doc.verdict === 'fail' ? c.red.bold('FAIL') : c.yellow.bold('UNKNOWN');
  const shard = doc.shard ? `, shard ${doc.shard.index}/${doc.shard.total}` : '';
  const partial = doc.partial ? c.yellow(' (interrupted, or shards missing: not a verdict)') : '';
  out.say(`${verdict}  ${doc.runs.length} run(s), ${pairs.length} scenario × router pair(s)${shard}, ${(doc.wallMs / 1000).toFixed(1)} s${partial}`);
}

/** " (no-loss 1970, order 3)": the true count per invariant, when the results file has them. */
function byInvariant(counts: Partial<Record<string, number>> | undefined): string {
  const parts = Object.entries(counts ?? {}).map(([k, n]) => `${k} ${n}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
