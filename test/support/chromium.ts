/**
 * The browser the report's tests run in. By default Chromium comes from the devDependency
 * `@sparticuz/chromium`, which ships a headless build inside the npm package (unpacked to the
 * OS temp folder on first use, about 2-4 s), so `npm ci && npm test` needs nothing outside npm
 * and every machine tests against the same browser. `THREADLINE_CHROMIUM=/path/to/chrome`
 * overrides it (a system Chromium, a newer build); a path that does not exist is an error,
 * never a skip.
 */
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ENV = 'THREADLINE_CHROMIUM';

// Flags for a closed network and a root user: no sandbox (root), no GPU, and no background
// connections (they are refused here, many at a time, and slow the start).
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function chromiumExecutable(): Promise<{ path: string; source: string }> {
  const override = process.env[CHROMIUM_ENV];
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`${CHROMIUM_ENV}=${override}: no such file; unset it to use the packaged browser (@sparticuz/chromium)`);
    return { path: override, source: CHROMIUM_ENV };
  }
  const packaged = (await import('@sparticuz/chromium')).default;
  return { path: await packaged.executablePath(), source: '@sparticuz/chromium' };
}

export async function launchChromium(): Promise<Browser> {
  const exe = await chromiumExecutable();
  try {
    return await chromium.launch({ executablePath: exe.path, args: ARGS });
  } catch (err) {
    throw new Error(`could not start Chromium from ${exe.source} (${exe.path}): ${(err as Error).message.split('\n')[0]}`);
  }
}
