/**
 * Terminal output: colour decided in the documented order of precedence — `--no-color`, then
 * `NO_COLOR`, then `FORCE_COLOR`, then whether the stream is a terminal — and progress shown
 * only on a terminal, never in CI logs. With `--json`, stdout carries only the JSON document
 * and everything human goes to stderr.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Output {
  chalk: ChalkInstance;
  /** Human text (stdout, or stderr under --json). */
  say(line?: string): void;
  /** Diagnostics (always stderr). */
  warn(line: string): void;
  /** Progress on a terminal only. */
  progress(done: number, total: number, label: string): void;
  endProgress(): void;
  json: boolean;
}

export function colourLevel(argv: readonly string[], env: NodeJS.ProcessEnv, isTty: boolean): 0 | 1 | 2 | 3 {
  if (argv.includes('--no-color')) return 0;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  return isTty ? 1 : 0;
}

/** Progress only on a terminal, and never when CI is set (CI logs are often pseudo-terminals). */
export function progressEnabled(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  const ci = env['CI'];
  return isTty && (ci === undefined || ci === '' || ci === '0' || ci.toLowerCase() === 'false');
}

export function createOutput(options: { json: boolean; argv: readonly string[] }): Output {
  const humanStream = options.json ? process.stderr : process.stdout;
  const level = colourLevel(options.argv, process.env, Boolean(humanStream.isTTY));
  const chalk = new Chalk({ level });
  const showProgress = progressEnabled(process.env, Boolean(process.stderr.isTTY));
  const started = Date.now();
  let shown = false;
  return {
    chalk,
    json: options.json,
    say: (line = '') => humanStream.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    progress(done, total, label) {
      if (!showProgress) return;
      const elapsedS = (Date.now() - started) / 1000;
      const etaS = done > 0 ? (elapsedS / done) * (total - done) : NaN;
      const width = 24;
      const filled = Math.round((done / Math.max(1, total)) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      process.stderr.write(`\r${bar} ${done}/${total} ${Number.isFinite(etaS) ? `eta ${etaS.toFixed(0)}s` : ''} ${label}`.padEnd(100).slice(0, 100));
      shown = true;
    },
    endProgress() {
      if (shown) process.stderr.write(`\r${' '.repeat(100)}\r`);
      shown = false;
    },
  };
}
