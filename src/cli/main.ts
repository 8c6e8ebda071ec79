/**
 * The threadline command line (commander). Each command lives in `commands/`; this file wires
 * them, maps errors to exit codes, and prints bad usage as one line naming the fix.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';
import { VERSION } from './version.ts';
import { registerRun } from './commands/run.ts';
import { registerList } from './commands/list.ts';
import { registerOptionalCommands } from './optional.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('threadline')
    .description('Deterministic timing and chaos harness for a WebSocket router that routes agent events to chat threads.')
    .version(VERSION)
    .option('--no-color', 'disable colour (also NO_COLOR=1)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true);
  registerRun(program, argv);
  registerList(program, argv);
  await registerOptionalCommands(program, argv);
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      // commander already printed "error: ..." with a suggestion.
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`threadline: ${error.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`threadline: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILED;
  }
}
