/**
 * `threadline report <results.json> [--out dir]`: re-render the HTML report from a results
 * document (a CI artifact, a merged shard campaign, an older run) without running anything.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { createOutput } from '../output.ts';
import { hasHtmlReport, writeReportTo } from '../report-output.ts';
import { readResultsFile } from '../results-file.ts';
import { printSummary } from '../summary.ts';

export function registerReport(program: Command, argv: readonly string[]): void {
  program
    .command('report')
    .description('re-render the HTML report from a results file')
    .argument('<results.json>', 'a results document written by threadline run or merge (--json output works too)')
    .option('--out <dir>', 'folder for index.html and results.json (default: the folder of the results file)')
    .option('--summary', 'also print the text summary')
    .addHelpText(
      'after',
      `
Examples:
  $ threadline report reports/latest/results.json                 rewrite reports/latest/index.html
  $ threadline report merged.json --out reports/campaign          report of merged CI shards
  $ threadline run rapid-send --json --no-report > r.json && threadline report r.json --out /tmp/r`,
    )
    .action(async (file: string, flags: { out?: string; summary?: boolean }) => {
      const out = createOutput({ json: false, argv });
      if (!hasHtmlReport()) throw new UsageError('the HTML report module is not part of this build; use the results.json directly');
      const doc = readResultsFile(file);
      const dir = flags.out ?? dirname(file);
      const paths = writeReportTo(doc, dir);
      if (flags.summary) printSummary(doc, out);
      out.say(`report: ${paths.htmlPath}${resolve(paths.jsonPath) !== resolve(file) ? ` (with ${paths.jsonPath})` : ''}`);
      process.exitCode = 0;
    });
}
