import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../cli/helpers.ts';

// The published package, as a user gets it: `npm pack` (prepack builds dist/ with tsc), install
// the tarball into a scratch project outside the repository, and run the example there — the
// library with plain `node` (no loader), its type declarations with tsc, and the CLI with a
// plug-in file.
describe('the packed package in a scratch project', () => {
  it('installs, imports with plain node, type-checks, and runs the CLI with --server', { timeout: 240_000 }, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'threadline-pack-'));
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const quiet = { cwd: ROOT, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
      execFileSync(npm, ['pack', '--pack-destination', scratch, '--silent'], quiet);
      const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
      expect(tarball, 'npm pack wrote a tarball').toBeDefined();
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      execFileSync(npm, ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline', '--silent'], { ...quiet, cwd: scratch });
      for (const f of ['naive-router.mjs', 'check.mjs', 'typed.ts']) copyFileSync(join(ROOT, 'test', 'api', 'fixtures', f), join(scratch, f));

      // 1. The library in plain Node.
      const out = JSON.parse(execFileSync(process.execPath, ['check.mjs'], { ...quiet, cwd: scratch })) as { verdicts: string[]; firstViolation: string; envelope: string };
      expect(out.verdicts).toEqual(['naive-router:fail', 'guaranteed:pass', 'naive-router:fail', 'guaranteed:pass']);
      expect(out.firstViolation).toBe('no-loss');
      expect(out.envelope).toBe('envelope');

      // 2. The declarations.
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['typed.ts'] }));
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch], quiet);

      // 3. The CLI of the installed package, with the plug-in file and a scenario of the package.
      const bin = join(scratch, 'node_modules', 'threadline', 'bin', 'threadline');
      const r = spawnSync(process.execPath, [bin, 'run', 'node_modules/threadline/scenarios/rapid-send.ts', '--server', 'naive-router.mjs', '--no-report', '--no-color'], { cwd: scratch, encoding: 'utf8', env: cleanEnv() });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/rapid-send\s+naive-router\s+FAIL/);
      expect(r.stdout).toContain('no-loss: agent_started of run-1');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
