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

  it('refuses a bad time scale with exit 2', () => {
    const r = spawnSync(process.execPath, ['bin/threadline', 'run', 'rapid-send', '--transport', 'ws', '--time-scale', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--time-scale must be a number > 0');
  });
});
