/**
 * GitHub Actions integration, on when GITHUB_ACTIONS=true: one `::error` annotation per failing
 * scenario × router pair (file= the scenario script, so it shows on the pull request), and a
 * markdown summary appended to $GITHUB_STEP_SUMMARY when that is set.
 */
import { appendFileSync } from 'node:fs';
import { failureHeadline, pairOutcomes } from './gate.ts';
import type { GateDocument } from './results-file.ts';

/** Workflow-command data: %, CR and LF are escaped (actions/toolkit's escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values additionally escape ':' and ','. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function isGithubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}

export function annotations(doc: GateDocument): string[] {
  const lines: string[] = [];
  for (const p of pairOutcomes(doc)) {
    if (p.verdict !== 'fail') continue;
    const props = [p.file ? `file=${escapeProperty(p.file)}` : '', `title=${escapeProperty(`threadline: ${p.scenario} × ${p.router} failed`)}`].filter(Boolean).join(',');
    const body = [failureHeadline(p), ...p.failures.slice(0, 5).map((f) => `${f.message}${f.replay ? `\nreplay: ${f.replay}` : ''}`)];
    if (p.failures.length > 5) body.push(`… ${p.failures.length - 5} more in the report`);
    lines.push(`::error ${props}::${escapeData(body.join('\n'))}`);
  }
  if (doc.partial) lines.push(`::warning title=${escapeProperty('threadline: partial results')}::${escapeData('the run was interrupted; the results are partial')}`);
  return lines;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const pct = (x: number | null): string => (x === null || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null): string => (x === null || Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} ms`);

export function stepSummaryMarkdown(doc: GateDocument, reportPath?: string): string {
  const pairs = pairOutcomes(doc);
  const failed = pairs.filter((p) => p.verdict === 'fail');
  const verdict = doc.verdict === 'pass' ? '✅ PASS' : doc.verdict === 'fail' ? '❌ FAIL' : '⚪ UNKNOWN';
  const out: string[] = [];
  out.push(`## threadline: ${verdict}${doc.shard ? ` (shard ${doc.shard.index}/${doc.shard.total})` : ''}${doc.partial ? ' — partial (interrupted)' : ''}`);
  out.push('');
  out.push(`${doc.runs.length} run(s), ${pairs.length} scenario × router pair(s), ${failed.length} failing. Command: \`${doc.command}\``);
  out.push('');
  out.push('| scenario | router | verdict | success | p99 | lost | dup | leak | runs |');
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const p of pairs) {
    const s = p.summary;
    const v = p.verdict === 'pass' ? 'pass' : p.verdict === 'fail' ? '**FAIL**' : 'unknown';
    out.push(`| ${cell(p.scenario)} | ${cell(p.router)} | ${v} | ${pct(s.successRate)} | ${ms(s.latencyMs.p99)} | ${s.counts.lost} | ${s.counts.duplicated} | ${s.counts.leaked} | ${s.runs} |`);
  }
  if (failed.length > 0) {
    out.push('');
    out.push('### Failures');
    for (const p of failed) {
      out.push('');
      out.push(`**${cell(p.scenario)} × ${cell(p.router)}**${p.file ? ` (\`${p.file}\`)` : ''}: ${failureHeadline(p)}`);
      for (const f of p.failures.slice(0, 10)) {
        out.push(`- ${f.message.replace(/\n/g, ' ')}`);
        if (f.replay) out.push(`  \`${f.replay}\``);
      }
      if (p.failures.length > 10) out.push(`- … ${p.failures.length - 10} more`);
    }
  }
  if (doc.baseline && doc.baseline.improvements.length > 0) {
    out.push('');
    out.push(`${doc.baseline.improvements.length} metric(s) improved on the baseline \`${doc.baseline.file}\`.`);
  }
  if (reportPath) {
    out.push('');
    out.push(`Report: \`${reportPath}\``);
  }
  return `${out.join('\n')}\n`;
}

export function appendStepSummary(doc: GateDocument, env: NodeJS.ProcessEnv = process.env, reportPath?: string): boolean {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (!file) return false;
  appendFileSync(file, stepSummaryMarkdown(doc, reportPath));
  return true;
}
