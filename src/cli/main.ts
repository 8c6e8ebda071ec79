/**
 * The threadline command line (commander). Each command lives in `commands/`; this file wires
 * them, maps errors to exit codes, and prints bad usage as one line naming the fix.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';
import { VERSION } from '../run/version.ts';
import { registerRun } from './commands/run.ts';
import { registerList } from './commands/list.ts';
import { registerReport } from './commands/report.ts';
import { registerMerge } from './commands/merge.ts';
import { registerOptionalCommands } from './optional.ts';
import { setReportWriter } from './report-output.ts';
import { updateLatest, writeReport } from '../report/write.ts';

setReportWriter(writeReport, updateLatest);

/**
 * Commander's error text ("error: unknown option '--jsn'\n(Did you mean --json?)") as one
 * line that names the fix: "threadline: unknown option '--jsn' (did you mean --json?); see
 * `threadline run --help`".
 */
export function oneLineError(text: string, commandPath: string): string {
  const parts = text
    .trim()
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  let line = (parts[0] ?? 'bad usage').replace(/^error:\s*/, '');
  for (const extra of parts.slice(1)) {
    const m = /^\(Did you mean (.*)\?\)$/.exec(extra);
    line += m ? ` (did you mean ${m[1]}?)` : `; ${extra}`;
  }
  return `threadline: ${line}; see \`${commandPath} --help\`\n`;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export async function main(argv: string[]): Promise<number> {
  // `threadline run --help | head`: a closed pipe ends the output quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK);
      throw error;
    });
  }
  const program = new Command();
  program
    .name('threadline')
    .description('Deterministic timing and chaos harness for a WebSocket router that routes agent events to chat threads.')
    .version(VERSION)
    .option('--no-color', 'disable colour (also NO_COLOR=1; FORCE_COLOR=1 forces it)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Exit codes: 0 all held; 1 an invariant, threshold or baseline check failed; 2 bad usage or bad
input; 130 interrupted. A threadline.config.json (or .ts) in the current folder holds defaults.

Examples:
  $ threadline list
  $ threadline run --router legacy,guaranteed
  $ threadline run rapid-send --runs 20 --junit junit.xml --baseline threadline.baseline.json
  $ threadline merge shard-*.json --out merged.json --report reports/merged
  $ threadline report merged.json --out reports/merged`,
    );
  registerRun(program, argv);
  registerList(program, argv);
  registerReport(program, argv);
  registerMerge(program, argv);
  await registerOptionalCommands(program, argv);
  const all = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(all)];
  for (const cmd of all(program)) {
    cmd.exitOverride();
    cmd.configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(oneLineError(s, commandPath(cmd))),
    });
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help' && error.exitCode === 0) return EXIT_OK; // `threadline help run`
      // Printed above as one line (outputError); `threadline` without a command shows the help
      // on stderr ("commander.help"): bad usage as well.
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
