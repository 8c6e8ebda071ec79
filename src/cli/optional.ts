/**
 * Commands contributed by other modules (fuzz, replay, report, merge, serve, probe, proxy).
 * Each module exports `register(program, argv)`; this list is the one place that names them.
 */
import type { Command } from 'commander';

export async function registerOptionalCommands(program: Command, argv: readonly string[]): Promise<void> {
  const modules: Array<{ register: (program: Command, argv: readonly string[]) => void | Promise<void> }> = [];
  for (const m of modules) await m.register(program, argv);
}
