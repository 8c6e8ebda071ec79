/**
 * `--junit <file>`: JUnit XML for CI test tabs. One <testsuite> per scenario, one <testcase>
 * per scenario × router mode; a failing pair carries one <failure> whose message is the
 * headline and whose text lists each reason with the command that replays it.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { failureHeadline, pairOutcomes, type PairOutcome } from './gate.ts';
import type { GateDocument } from './results-file.ts';

/** Escape text for XML 1.0: markup characters, and characters XML cannot carry at all. */
export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (c === 0x9 || c === 0xa) out += ch;
    else if (c === 0xd) out += '&#13;';
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) out += '\uFFFD';
    else out += ch;
  }
  return out;
}

const attr = (name: string, value: string | number): string => ` ${name}="${xmlEscape(String(value))}"`;
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function renderJunit(doc: GateDocument): string {
  const pairs = pairOutcomes(doc);
  const byScenario = new Map<string, PairOutcome[]>();
  for (const p of pairs) {
    const list = byScenario.get(p.scenario) ?? [];
    list.push(p);
    byScenario.set(p.scenario, list);
  }
  const failures = pairs.filter((p) => p.verdict === 'fail').length;
  const skipped = pairs.filter((p) => p.verdict === 'unknown').length;
  const totalMs = pairs.reduce((a, p) => a + p.wallMs, 0);
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suitesName = doc.shard ? `threadline (shard ${doc.shard.index}/${doc.shard.total})` : 'threadline';
  lines.push(`<testsuites${attr('name', suitesName)}${attr('tests', pairs.length)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}${attr('time', seconds(totalMs))}>`);
  for (const [scenario, list] of byScenario) {
    const file = list[0]!.file;
    const f = list.filter((p) => p.verdict === 'fail').length;
    const sk = list.filter((p) => p.verdict === 'unknown').length;
    const ms = list.reduce((a, p) => a + p.wallMs, 0);
    lines.push(`  <testsuite${attr('name', scenario)}${attr('tests', list.length)}${attr('failures', f)}${attr('errors', 0)}${attr('skipped', sk)}${attr('time', seconds(ms))}${doc.startedAt ? attr('timestamp', doc.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, '')) : ''}${file ? attr('file', file) : ''}>`);
    if (doc.partial) lines.push(`    <properties><property name="partial" value="true"/></properties>`);
    for (const p of list) {
      const open = `    <testcase${attr('name', `${p.scenario} [${p.router}]`)}${attr('classname', `threadline.${p.scenario}`)}${attr('time', seconds(p.wallMs))}${p.file ? attr('file', p.file) : ''}`;
      if (p.verdict === 'fail') {
        const body = p.failures.map((x) => `${x.message}${x.replay ? `\n  replay: ${x.replay}` : ''}`);
        if (p.moreFailingSeeds > 0) body.push(`… and ${p.moreFailingSeeds} more failing seed(s): ${p.summary.failedSeeds.slice(-p.moreFailingSeeds).join(', ')}`);
        const type = p.failures[0]?.kind ?? 'invariant';
        lines.push(`${open}>`);
        lines.push(`      <failure${attr('message', `${p.scenario} × ${p.router}: ${failureHeadline(p)}`)}${attr('type', type)}>${xmlEscape(body.join('\n'))}</failure>`);
        lines.push('    </testcase>');
      } else if (p.verdict === 'unknown') {
        lines.push(`${open}>`);
        lines.push(`      <skipped${attr('message', 'no run reached a verdict')}/>`);
        lines.push('    </testcase>');
      } else lines.push(`${open}/>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

export function writeJunit(file: string, doc: GateDocument): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, renderJunit(doc));
  renameSync(tmp, file);
}
