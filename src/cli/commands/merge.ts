/**
 * `threadline merge <results.json...> --out <file>`: combine the results of CI shards (or of
 * any runs) into one results document and one report. The runs are concatenated and
 * re-summarised: counts are added and histograms merged bucket by bucket, so percentiles and
 * success rates are computed from the combined raw data — never averaged across shards.
 * Thresholds are re-evaluated on the combined data, the baseline is compared on it, and JUnit /
 * GitHub outputs describe the whole campaign: the merge job is the gate.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { overallVerdict, summarise } from '../../run/aggregate.ts';
import { RESULTS_SCHEMA, type RunResult } from '../../run/result.ts';
import { UsageError } from '../errors.ts';
import { createOutput } from '../output.ts';
import { printSummary } from '../summary.ts';
import { writeReportTo } from '../report-output.ts';
import { VERSION } from '../../run/version.ts';
import { loadConfig, thresholdsFor } from '../config.ts';
import { applyBaseline, emitGateOutputs, exitCode, planBaseline } from '../finish.ts';
import { readResultsFile, type GateDocument } from '../results-file.ts';

interface MergeFlags {
  out?: string;
  report?: string;
  json?: boolean;
  junit?: string;
  baseline?: string | false;
  updateBaseline?: boolean;
  force?: boolean;
  allowPartial?: boolean;
  config?: string;
}

export function registerMerge(program: Command, argv: readonly string[]): void {
  program
    .command('merge')
    .description('combine results files (CI shards) into one results file and report, merging raw histograms and counts')
    .argument('<results...>', 'results.json files (for example one per shard)')
    .option('--out <file>', 'where the merged results document is written (required)')
    .option('--report <dir>', 'also write the HTML report (index.html and results.json) into this folder')
    .option('--json', 'print the merged document (JSON) on stdout; the summary goes to stderr')
    .option('--junit <file>', 'write JUnit XML for the merged results')
    .option('--baseline <file>', 'compare the merged summary metrics with this baseline')
    .option('--no-baseline', "ignore the config's baseline")
    .option('--update-baseline', 'write the baseline from the merged results (refused when CI is set, unless --force)')
    .option('--force', 'with --update-baseline: write even when CI is set')
    .option('--allow-partial', 'merge even when shards are missing (the result is marked partial)')
    .option('--config <file>', 'config file (thresholds and baseline tolerances)')
    .addHelpText(
      'after',
      `
Shards are checked: each shard k/n must appear once, all with the same n; a run (scenario,
router, seed) found in two files is refused, since counting it twice would skew the results.

Examples:
  $ threadline merge shard-1.json shard-2.json shard-3.json --out merged.json --report reports/merged
  $ threadline merge shards/*.json --out merged.json --junit junit.xml --baseline threadline.baseline.json`,
    )
    .action(async (files: string[], flags: MergeFlags) => {
      process.exitCode = await mergeCommand(files, flags, argv);
    });
}

export async function mergeCommand(files: string[], flags: MergeFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  if (!flags.out) throw new UsageError('merge needs --out <file> for the merged results document, e.g. --out merged.json');
  const config = await loadConfig(flags.config);
  const baselinePlan = planBaseline(flags, config, out);
  const docs = files.map((f) => ({ file: f, doc: readResultsFile(f) }));
  const versions = [...new Set(docs.map((d) => d.doc.version))];
  if (versions.length > 1) out.warn(`threadline: the files come from different threadline versions (${versions.join(', ')}); their numbers may not be comparable`);

  // Shards: the same total everywhere, each index once; missing ones only with --allow-partial.
  let partial = docs.some((d) => d.doc.partial === true);
  const sharded = docs.filter((d) => d.doc.shard);
  if (sharded.length > 0) {
    const total = sharded[0]!.doc.shard!.total;
    const seen = new Map<number, string>();
    for (const { file, doc } of sharded) {
      if (doc.shard!.total !== total) throw new UsageError(`${file} is shard ${doc.shard!.index}/${doc.shard!.total} but ${sharded[0]!.file} is of ${total} shards; merge shards of one campaign`);
      const prev = seen.get(doc.shard!.index);
      if (prev) throw new UsageError(`shard ${doc.shard!.index}/${total} is given twice (${prev} and ${file}); pass each shard once`);
      seen.set(doc.shard!.index, file);
    }
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0) {
      const list = missing.map((i) => `${i}/${total}`).join(', ');
      if (!flags.allowPartial) throw new UsageError(`shard(s) ${list} missing; pass every shard's results, or --allow-partial to merge what there is`);
      out.warn(`threadline: shard(s) ${list} missing; the merged results are partial`);
      partial = true;
    }
  }

  const runs: RunResult[] = [];
  const origin = new Map<string, string>();
  const thresholdSources = new Map<string, string[]>();
  const scenarioFiles: Record<string, string> = {};
  for (const { file, doc } of docs) {
    for (const r of doc.runs) {
      const key = `${r.scenario} × ${r.router} seed ${r.seed}`;
      const prev = origin.get(key);
      if (prev) throw new UsageError(`run ${key} is in both ${prev} and ${file}; merge each run once (are two files from the same shard?)`);
      origin.set(key, file);
      runs.push(r);
    }
    for (const s of doc.summary) {
      const list = thresholdSources.get(s.scenario) ?? [];
      for (const t of s.thresholds) if (!list.includes(t.source)) list.push(t.source);
      thresholdSources.set(s.scenario, list);
    }
    Object.assign(scenarioFiles, doc.scenarioFiles ?? {});
  }
  // Canonical order: scenario, then router in first-seen order, then seed.
  const routerOrder = new Map<string, number>();
  for (const r of runs) if (!routerOrder.has(r.router)) routerOrder.set(r.router, routerOrder.size);
  runs.sort((a, b) => (a.scenario !== b.scenario ? (a.scenario < b.scenario ? -1 : 1) : a.router !== b.router ? routerOrder.get(a.router)! - routerOrder.get(b.router)! : a.seed - b.seed));

  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  const thresholds = new Map(scenarios.map((s) => [s, thresholdsFor(s, thresholdSources.get(s) ?? [], config)]));
  const summary = summarise(runs, thresholds);
  const starts = docs.map((d) => d.doc.startedAt).filter((s): s is string => typeof s === 'string').sort();
  const first = docs[0]!.doc;
  const doc: GateDocument = {
    schema: RESULTS_SCHEMA,
    version: VERSION,
    verdict: partial ? 'fail' : overallVerdict(summary),
    command: first.command.replace(/ --shard \d+\/\d+/, ''),
    ...(starts.length > 0 ? { startedAt: starts[0]! } : {}),
    // Shards run in parallel: the campaign took as long as its slowest shard.
    wallMs: Math.max(0, ...docs.map((d) => d.doc.wallMs)),
    runs,
    summary,
    ...(partial ? { partial: true } : {}),
    scenarioFiles,
  };
  if (first.fuzz !== undefined) doc.fuzz = first.fuzz;

  applyBaseline(doc, baselinePlan, out);
  mkdirSync(dirname(flags.out), { recursive: true });
  const tmp = `${flags.out}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
  renameSync(tmp, flags.out);
  const report = flags.report ? writeReportTo(doc, flags.report) : null;
  if (flags.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
  printSummary(doc, out);
  out.say(`merged ${docs.length} file(s), ${runs.length} run(s): ${flags.out}`);
  if (report) out.say(`report: ${report.htmlPath}`);
  emitGateOutputs(doc, flags.junit ?? config?.junit, out, report?.htmlPath);
  return exitCode(doc, false);
}
