/**
 * Commands contributed by other modules (fuzz, replay, report, merge, serve, probe, proxy).
 * Each module exports `register(program, argv)`; this list is the one place that names them.
 */
import type { Command } from 'commander';
import * as serve from './commands/serve.ts';
import * as probe from './commands/probe.ts';
import * as proxy from './commands/proxy.ts';
import * as fuzz from './commands/fuzz.ts';
import * as replay from './commands/replay.ts';

export async function registerOptionalCommands(program: Command, argv: readonly string[]): Promise<void> {
  const modules: Array<{ register: (program: Command, argv: readonly string[]) => void | Promise<void> }> = [serve, probe, proxy, fuzz, replay];
  for (const m of modules) await m.register(program, argv);
}
