/** `threadline list`: the scenarios with their descriptions and the failure modes they express. */
import type { Command } from 'commander';
import { loadScenarioFile, resolveScenarioArgs, ScenarioLoadError } from '../../scenario/load-file.ts';
import { UsageError } from '../errors.ts';
import { createOutput } from '../output.ts';
import { DEFAULT_SCENARIO_DIR } from './run.ts';

export function registerList(program: Command, argv: readonly string[]): void {
  program
    .command('list')
    .description('list the scenarios with their descriptions')
    .argument('[dir...]', 'scenario folders or files', [])
    .option('--json', 'print the list as JSON')
    .addHelpText('after', '\nExamples:\n  $ threadline list\n  $ threadline list scenarios/regressions')
    .action(async (dirs: string[], flags: { json?: boolean }) => {
      const out = createOutput({ json: Boolean(flags.json), argv });
      let files: string[];
      try {
        files = resolveScenarioArgs(dirs, DEFAULT_SCENARIO_DIR);
      } catch (error) {
        if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
        throw error;
      }
      const items = [];
      for (const f of files) {
        try {
          const { file, spec } = await loadScenarioFile(f);
          items.push({ name: spec.name, file, description: spec.description, failureModes: spec.failureModes ?? [], expect: spec.expect ?? {} });
        } catch (error) {
          if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
          throw error;
        }
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        return;
      }
      for (const i of items) {
        out.say(`${out.chalk.bold(i.name.padEnd(24))} ${i.description}`);
        out.say(out.chalk.dim(`${''.padEnd(24)} ${i.file}${i.failureModes.length ? `  [${i.failureModes.join(', ')}]` : ''}`));
      }
    });
}
