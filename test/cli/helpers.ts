/**
 * End-to-end helpers: spawn the real `bin/threadline` (node, tsx) in a temporary folder with a
 * clean environment, and tiny scenario files that run in milliseconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'threadline');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment with every variable that changes the CLI's behaviour removed. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k === 'CI' || k === 'NO_COLOR' || k === 'FORCE_COLOR' || k.startsWith('GITHUB_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'TEST') delete env[k];
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function start(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): { child: ChildProcess; done: Promise<CliResult>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

export function cli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return start(args, options).done;
}

export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `threadline-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * "quick-send": the first message 3 ms after connect while the ownership look-up takes
 * 5–20 ms — lost under legacy (no bind on message), delivered under guaranteed.
 */
export function quickSend(name = 'quick-send', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: 'first message right after connect, before the thread association exists',
    users: [{ id: 'u1', threads: ['A'] }],
    tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { after: 3, do: 'send', thread: 'A' }] }],
    server: { lookupMs: { kind: 'uniform', min: 5, max: 20 } },
    agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'uniform', min: 5, max: 15 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'uniform', min: 5, max: 10 } },
    thresholds: ['lost == 0'],
    ...extra,
  };
}

/** "calm": a tab connects bound to its thread and sends later: holds under every mode. */
export function calm(name = 'calm', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: 'connect with the thread in the handshake, send later',
    users: [{ id: 'u1', threads: ['A'] }],
    tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 50, do: 'send', thread: 'A' }] }],
    ...extra,
  };
}

export function writeJson(dir: string, file: string, value: unknown): string {
  const path = join(dir, file);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

/** A folder with scenarios/quick-send.json and scenarios/calm.json. */
export function scenarioProject(label: string): { dir: string; cleanup: () => void } {
  const t = tempDir(label);
  writeJson(t.dir, 'scenarios/quick-send.json', quickSend());
  writeJson(t.dir, 'scenarios/calm.json', calm());
  return t;
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;

/** Bad input: exactly one line on stderr, starting with "threadline:". */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${stderr}`);
  if (!lines[0]!.startsWith('threadline: ')) throw new Error(`expected "threadline: ...", got: ${lines[0]}`);
  return lines[0]!;
}
