/** Helpers shared by the CLI commands (scenario and --server loading, flag parsing, secrets). */
import { existsSync, readFileSync } from 'node:fs';
import { fixed, uniform, type Distribution } from '../sim/distribution.ts';
import { loadScenarioFile, resolveScenarioArgs, ScenarioLoadError, type LoadedScenario } from '../scenario/load-file.ts';
import { parseJsonFile, UsageError } from './errors.ts';
import { loadServerSource, ServerLoadError } from '../run/load-server.ts';
import type { ServerPlugin } from '../ports/server.ts';
import type { OwnServerSource } from '../host/own-server.ts';

export function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${file}: ${what} file does not exist`);
  return parseJsonFile(readFileSync(file, 'utf8'), file, what);
}

/** "10" → fixed(10); "5-20" → uniform(5, 20) (milliseconds). */
export function parseMsDistribution(value: string, flag: string): Distribution {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value.trim());
  if (!m) throw new UsageError(`${flag} must be a number of ms ("10") or a range ("5-20"), got "${value}"`);
  const lo = Number(m[1]);
  if (m[2] === undefined) return fixed(lo);
  const hi = Number(m[2]);
  if (hi < lo) throw new UsageError(`${flag}: the range "${value}" must be low-high`);
  return uniform(lo, hi);
}

export function parsePositiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!(value.trim() !== '' && Number.isFinite(n) && n > 0)) throw new UsageError(`${flag} must be a number > 0, got "${value}"`);
  return n;
}

export async function loadOneScenario(arg: string): Promise<LoadedScenario> {
  try {
    const files = resolveScenarioArgs([arg], 'scenarios');
    if (files.length !== 1) throw new UsageError(`"${arg}" names ${files.length} scenarios; give one scenario file or name`);
    return await loadScenarioFile(files[0]!);
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
}

export async function loadScenarios(args: string[]): Promise<LoadedScenario[]> {
  try {
    const files = resolveScenarioArgs(args, 'scenarios');
    const out: LoadedScenario[] = [];
    for (const f of files) out.push(await loadScenarioFile(f));
    return out;
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
}

/** The secret from --secret or THREADLINE_SECRET, or null. */
export function secretFrom(flag: string | undefined): string | null {
  if (flag !== undefined && flag !== '') return flag;
  const env = process.env['THREADLINE_SECRET'];
  return env !== undefined && env !== '' ? env : null;
}

/** A --server file (a plug-in, or an unmodified server); a bad one is a usage error (exit 2) naming the fix. */
export async function loadServerOrUsage(file: string): Promise<ServerPlugin | OwnServerSource> {
  try {
    return await loadServerSource(file);
  } catch (error) {
    if (error instanceof ServerLoadError) throw new UsageError(error.message);
    throw error;
  }
}
