// The package build (`npm run build`, run by prepack): src/ → dist/ as JavaScript with type
// declarations (tsconfig.build.json), plus the report's browser scripts, which are inlined into
// reports as they are and so are copied, not compiled (src/report/client.ts reads them).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const from = new URL('../src/report/browser/', import.meta.url);
const to = new URL('../dist/report/browser/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const f of readdirSync(from)) if (f.endsWith('.js')) copyFileSync(new URL(f, from), new URL(f, to));
