/**
 * --workers: runs and fuzz batches spread over worker threads give the serial results — the
 * same runs in the same order with the same hashes, and the same first counterexample.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { fuzz, type BatchResult } from '../../src/check/fuzz.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { WorkerPool } from '../../src/cli/workers/pool.ts';

mkdirSync('.threadline-tmp', { recursive: true });
const dir = mkdtempSync(join('.threadline-tmp', 'workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'threadline', ...args, '--no-color']);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
}

/** The results document without its wall-clock fields (which differ between any two runs). */
const withoutWallClock = (doc: unknown): string => JSON.stringify(doc, (k, v: unknown) => (k === 'wallMs' || k === 'startedAt' ? undefined : v));

describe('run --workers', () => {
  it('writes the results document of a serial run: same runs, order, verdicts and hashes', async () => {
    const args = ['run', 'scenarios/rapid-send.ts', 'scenarios/multi-tab-user.ts', 'scenarios/thread-switch-mid-run.ts', '--router', 'legacy,dynamic,guaranteed', '--runs', '3', '--json', '--no-report'];
    const serial = await cli(...args, '--workers', '1');
    const parallel = await cli(...args, '--workers', '2');
    expect(parallel.code).toBe(serial.code);
    const a = JSON.parse(serial.stdout) as { runs: { traceHash: string }[] };
    const b = JSON.parse(parallel.stdout) as { runs: { traceHash: string }[] };
    expect(a.runs).toHaveLength(27);
    expect(new Set(a.runs.map((r) => r.traceHash)).size).toBeGreaterThan(20); // distinct runs, not one repeated
    expect(withoutWallClock(b)).toBe(withoutWallClock(a));
  });

  it('runs a --server plug-in in the workers too', async () => {
    const args = ['run', 'scenarios/rapid-send.ts', '--server', 'examples/naive-router.ts', '--runs', '4', '--json', '--no-report'];
    const serial = await cli(...args, '--workers', '1');
    const parallel = await cli(...args, '--workers', '2');
    expect(serial.code).toBe(1); // the naive router's race
    expect(withoutWallClock(JSON.parse(parallel.stdout))).toBe(withoutWallClock(JSON.parse(serial.stdout)));
  });

  it('refuses a bad --workers, and --workers with --transport ws, with the fix in the message', async () => {
    const bad = await cli('run', 'scenarios/rapid-send.ts', '--workers', 'many', '--no-report');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be a whole number from 1 to 256/);
    const ws = await cli('run', 'scenarios/rapid-send.ts', '--transport', 'ws', '--workers', '2', '--no-report');
    expect(ws.code).toBe(2);
    expect(ws.stderr).toMatch(/--transport ws runs one at a time/);
  });
});

describe('fuzz --workers', () => {
  it('finds the counterexample of the serial search: same batch, case, shrinks, hash and run count', async () => {
    // In batches of 10, shipped's honest-monitoring misreport is found at run 53 of seed 4, in
    // batch 5: the batches around it run side by side on the two workers.
    const router = parseRouterSpec('shipped');
    const options = { router, seed: 4, runs: 300, batchSize: 10, invariants: ['honest-monitoring' as const] };
    const serial = await fuzz(options);
    const pool = new WorkerPool(2);
    try {
      const parallel = await fuzz({
        ...options,
        parallel: {
          concurrency: 2,
          runBatch: async (seed, numRuns) => (await pool.run({ kind: 'fuzz-batch', server: { router: 'shipped' }, focus: ['honest-monitoring'], caseOptions: {}, seed, numRuns })) as BatchResult,
        },
      });
      expect(serial.counterexample).not.toBeNull();
      expect(serial.runs).toBeGreaterThan(10); // not in the first batch
      expect(parallel.runs).toBe(serial.runs);
      expect(parallel.counterexample!.batchSeed).toBe(serial.counterexample!.batchSeed);
      expect(parallel.counterexample!.numShrinks).toBe(serial.counterexample!.numShrinks);
      expect(parallel.counterexample!.case).toEqual(serial.counterexample!.case);
      expect(parallel.counterexample!.outcome.traceHash).toBe(serial.counterexample!.outcome.traceHash);
    } finally {
      await pool.close();
    }
  });

  it('takes batch results in order: a later failing batch that answers first does not win', async () => {
    const router = parseRouterSpec('guaranteed');
    const real = await fuzz({ router: parseRouterSpec('dynamic'), seed: 1, runs: 100, invariants: ['no-loss'] });
    const found = real.counterexample!.case;
    const answered: number[] = [];
    // Batch seeds in order: 1 passes, 2 fails slowly, 3 fails at once.
    const plan = new Map<number, { delayMs: number; fails: boolean }>();
    const runBatch = (seed: number, numRuns: number): Promise<BatchResult> => {
      const index = plan.size;
      const step = plan.get(seed) ?? { delayMs: [5, 40, 0][index] ?? 0, fails: index >= 1 };
      plan.set(seed, step);
      return new Promise((resolve) =>
        setTimeout(() => {
          answered.push(index);
          resolve({ numRuns, counterexample: step.fails ? { ...found, seed: found.seed + index } : null, numShrinks: index });
        }, step.delayMs),
      );
    };
    const report = await fuzz({ router, seed: 9, runs: 30, batchSize: 10, parallel: { runBatch, concurrency: 3 } });
    expect(answered.slice(0, 2)).toEqual([2, 0]); // batch 2 answered before batch 1
    expect(report.counterexample!.numShrinks).toBe(1); // but batch 1's counterexample is the one
    expect(report.counterexample!.case.seed).toBe(found.seed + 1);
    expect(report.runs).toBe(20);
  });
});

describe('the pool', () => {
  it('reports a job that throws with its message and keeps serving', async () => {
    const pool = new WorkerPool(1);
    try {
      await expect(pool.run({ kind: 'run', scenarioFile: join(dir, 'missing.ts'), server: { router: 'guaranteed' }, seed: 1, timeline: 'failing' })).rejects.toThrow(/missing\.ts/);
      const ok = await pool.run({ kind: 'run', scenarioFile: 'scenarios/rapid-send.ts', server: { router: 'guaranteed' }, seed: 1, timeline: 'failing' });
      expect((ok as { verdict: string }).verdict).toBe('pass');
    } finally {
      await pool.close();
    }
  });
});

