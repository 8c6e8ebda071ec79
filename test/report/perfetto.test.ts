import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { toChromeTrace } from '../../src/report/perfetto.ts';

describe('Chrome trace-event export (--trace-out)', () => {
  it('has a lane per connection, an event per timeline item and paired flow arrows from production to delivery', async () => {
    const { spec } = await loadScenarioFile('scenarios/multi-tab-user.ts');
    const { result } = await runScenario(spec, parseRouterSpec('guaranteed'), 1, { timeline: 'always' });
    const trace = toChromeTrace([result]);
    const lanes = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!['name']);
    expect(lanes).toEqual(['agent', 'router', 't1#1', 't2#1', 't3#1']);
    const instants = trace.traceEvents.filter((e) => e.ph === 'i');
    expect(instants).toHaveLength(result.timeline!.length);
    const starts = trace.traceEvents.filter((e) => e.ph === 's');
    const finishes = trace.traceEvents.filter((e) => e.ph === 'f');
    const deliveries = result.timeline!.filter((i) => i.kind === 'deliver');
    expect(starts).toHaveLength(deliveries.length);
    expect(finishes.map((f) => f.id)).toEqual(starts.map((s) => s.id));
    for (const [i, s] of starts.entries()) {
      expect(s.ts).toBe(deliveries[i]!.fromT);
      expect(finishes[i]!.ts).toBe(deliveries[i]!.t);
      expect(finishes[i]!.ts!).toBeGreaterThanOrEqual(s.ts!);
    }
    expect(JSON.parse(JSON.stringify(trace)).displayTimeUnit).toBe('ms');
  });

  it('run, replay and fuzz write reports and trace files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-out-'));
    const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/threadline', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    const replay = cli('replay', 'scenarios/thread-switch-mid-run.ts', '--router', 'dynamic', '--report', join(dir, 'r'), '--trace-out', join(dir, 'replay.json'));
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/report: .*index\.html/);
    expect(existsSync(join(dir, 'r', 'latest', 'index.html'))).toBe(true);
    const t = JSON.parse(readFileSync(join(dir, 'replay.json'), 'utf8'));
    expect(t.traceEvents.some((e: { ph: string }) => e.ph === 's')).toBe(true);
    const fuzz = cli('fuzz', '--router', 'dynamic', '--runs', '20', '--no-save', '--report', join(dir, 'f'));
    expect(fuzz.status).toBe(1);
    const html = readFileSync(join(dir, 'f', 'latest', 'index.html'), 'utf8');
    expect(html).toContain('Counterexample');
    const results = JSON.parse(readFileSync(join(dir, 'f', 'latest', 'results.json'), 'utf8'));
    expect(results.fuzz.story.length).toBeGreaterThan(0);
  });
});
