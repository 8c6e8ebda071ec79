import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

// `threadline run --transport ws` runs the same scripts over real loopback sockets and judges
// them with the same oracle: the verdicts match the simulated transport's.
describe('threadline run --transport ws', () => {
  it('reaches the simulated verdicts on real sockets', () => {
    const run = (router: string) =>
      spawnSync(process.execPath, ['bin/threadline', 'run', 'rapid-send', 'late-injection', '--router', router, '--transport', 'ws', '--json', '--no-report'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
    const ok = run('guaranteed');
    expect(ok.status, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc.summary.map((s: { verdict: string }) => s.verdict)).toEqual(['pass', 'pass']);
    const bad = run('dynamic');
    expect(bad.status).toBe(1);
    const lost = JSON.parse(bad.stdout).summary.map((s: { counts: { lost: number } }) => s.counts.lost);
    expect(lost.every((n: number) => n > 0)).toBe(true);
  });

  it('compare fails (exit 1) on a latency figure beyond --latency-tolerance, naming scenario, mode and figure', () => {
    // Tolerance 0: a real socket never matches the simulated latency to the microsecond.
    const r = spawnSync(process.execPath, ['bin/threadline', 'compare', 'rapid-send', '--router', 'guaranteed', '--runs', '1', '--latency-tolerance', '0', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^FIDELITY rapid-send × guaranteed: p50 delivery latency differs beyond ±0%: sim \d+\.\d\d ms, ws \d+\.\d\d ms/m);
    const doc = JSON.parse(r.stdout);
    expect(doc.comparisons[0].fidelity).toMatchObject({ latencyTolerance: 0, ok: false });
    const bad = spawnSync(process.execPath, ['bin/threadline', 'compare', 'rapid-send', '--latency-tolerance', 'lots'], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--latency-tolerance must be a number >= 0');
  });

  it('refuses a bad time scale with exit 2', () => {
    const r = spawnSync(process.execPath, ['bin/threadline', 'run', 'rapid-send', '--transport', 'ws', '--time-scale', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--time-scale must be a number > 0');
  });
});
