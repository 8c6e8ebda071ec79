/**
 * `threadline run [scenario...]`: every (scenario × router × seed), judged by the oracle,
 * aggregated per scenario and router, gated by thresholds; writes results.json and the HTML
 * report; exit 0 when everything held, 1 when anything failed, 2 for bad input, 130 when
 * interrupted (partial results are written and marked).
 */
import type { Command } from 'commander';
import { parseRouterSpec, RouterSpecError, type RouterConfig } from '../../router/flags.ts';
import { loadScenarioFile, resolveScenarioArgs, ScenarioLoadError, type LoadedScenario } from '../../scenario/load-file.ts';
import { runScenario } from '../../scenario/runner.ts';
import { overallVerdict, summarise } from '../../scenario/aggregate.ts';
import { RESULTS_SCHEMA, type ResultsDocument, type RunResult } from '../../scenario/result.ts';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError, parseNonNegativeInt, parsePositiveInt } from '../errors.ts';
import { createOutput } from '../output.ts';
import { printSummary, replayCommand } from '../summary.ts';
import { emitReport, type ReportFlags } from '../report-output.ts';
import { VERSION } from '../version.ts';

export interface RunFlags extends ReportFlags {
  router: string;
  seed?: string;
  runs?: string;
  json?: boolean;
  transport: string;
  color?: boolean;
}

export const DEFAULT_SCENARIO_DIR = 'scenarios';

export function registerRun(program: Command, argv: readonly string[]): void {
  program
    .command('run')
    .description('run scenario scripts on the simulated network and judge them with the oracle')
    .argument('[scenario...]', 'scenario files, folders or names (default: every script in scenarios/)')
    .option('--router <modes>', 'router mode(s), comma-separated: legacy, dynamic, shipped, guaranteed (flags: mode+flag, mode-flag, mode+flag=N)', 'guaranteed')
    .option('--seed <n>', 'first seed (default: the scenario\'s seeds, else 1)')
    .option('--runs <n>', 'number of seeds: seed .. seed+runs-1', undefined)
    .option('--transport <kind>', 'sim (simulated network) or ws (real sockets on loopback)', 'sim')
    .option('--json', 'print only the results document (JSON) on stdout')
    .option('--report <dir>', 'where reports are written', 'reports')
    .option('--no-report', 'do not write results.json and the HTML report')
    .addHelpText(
      'after',
      `
Examples:
  $ threadline run                                         every scenario, guaranteed router
  $ threadline run scenarios/chat-day.ts --router legacy,dynamic,shipped,guaranteed
  $ threadline run rapid-send --router dynamic --seed 7 --runs 50 --json > results.json
  $ threadline run --router dynamic+bindOnSwitch           one fix, measured alone`,
    )
    .action(async (scenarios: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(scenarios, flags, argv);
    });
}

export async function runCommand(args: string[], flags: RunFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  const routers = parseRouters(flags.router);
  if (flags.transport !== 'sim' && flags.transport !== 'ws') throw new UsageError(`unknown transport "${flags.transport}": use sim or ws`);
  if (flags.transport === 'ws') throw new UsageError('--transport ws is not available in this build yet; use --transport sim');
  const firstSeed = flags.seed !== undefined ? parseNonNegativeInt(flags.seed, '--seed') : undefined;
  const runsCount = flags.runs !== undefined ? parsePositiveInt(flags.runs, '--runs') : undefined;
  const files = wrapLoad(() => resolveScenarioArgs(args, DEFAULT_SCENARIO_DIR));
  const loaded: LoadedScenario[] = [];
  for (const f of files) loaded.push(await wrapLoadAsync(() => loadScenarioFile(f)));
  if (loaded.length === 0) throw new UsageError('no scenario scripts found; pass files or add scripts to scenarios/');

  const work: Array<{ scenario: LoadedScenario; router: RouterConfig; seed: number }> = [];
  for (const scenario of loaded) {
    const seeds = seedList(scenario, firstSeed, runsCount);
    for (const router of routers) for (const seed of seeds) work.push({ scenario, router, seed });
  }

  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  const wallStart = Date.now();
  const runs: RunResult[] = [];
  try {
    for (let i = 0; i < work.length; i++) {
      if (interrupted) break;
      const { scenario, router, seed } = work[i]!;
      out.progress(i, work.length, `${scenario.spec.name} × ${router.name} seed ${seed}`);
      try {
        const { result } = await runScenario(scenario.spec, router, seed);
        runs.push(result);
      } catch (error) {
        // A run that blows its budget or crashes is a failure of that run, with the reason.
        runs.push(errorResult(scenario.spec.name, router.name, seed, error));
      }
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    out.endProgress();
  }

  const thresholds = new Map(loaded.map((l) => [l.spec.name, l.spec.thresholds ?? []]));
  const summary = summarise(runs, thresholds);
  const doc: ResultsDocument = {
    schema: RESULTS_SCHEMA,
    version: VERSION,
    verdict: interrupted ? 'fail' : overallVerdict(summary),
    command: reproduceCommand(files, flags, firstSeed, runsCount),
    startedAt: new Date(wallStart).toISOString(),
    wallMs: Date.now() - wallStart,
    runs,
    summary,
    ...(interrupted ? { partial: true } : {}),
  };
  const reportPaths = emitReport(doc, flags, out);
  if (flags.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
  printSummary(doc, out, loaded);
  if (reportPaths) out.say(`report: ${reportPaths.htmlPath}`);
  if (interrupted) {
    out.warn(`interrupted: ${runs.length} of ${work.length} runs finished; partial results written${reportPaths ? ` to ${reportPaths.jsonPath}` : ''}`);
    return EXIT_INTERRUPTED;
  }
  return doc.verdict === 'fail' ? EXIT_FAILED : EXIT_OK;
}

export function parseRouters(value: string): RouterConfig[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError('--router needs at least one mode: legacy, dynamic, shipped, guaranteed');
  try {
    return names.map(parseRouterSpec);
  } catch (error) {
    if (error instanceof RouterSpecError) throw new UsageError(error.message);
    throw error;
  }
}

function seedList(scenario: LoadedScenario, firstSeed: number | undefined, runs: number | undefined): number[] {
  if (firstSeed === undefined && runs === undefined && scenario.spec.seeds && scenario.spec.seeds.length > 0) return scenario.spec.seeds;
  const start = firstSeed ?? 1;
  return Array.from({ length: runs ?? 1 }, (_, i) => start + i);
}

function reproduceCommand(files: string[], flags: RunFlags, seed: number | undefined, runs: number | undefined): string {
  const parts = ['threadline', 'run', ...files, '--router', flags.router];
  if (seed !== undefined) parts.push('--seed', String(seed));
  if (runs !== undefined) parts.push('--runs', String(runs));
  return parts.join(' ');
}

function errorResult(scenario: string, router: string, seed: number, error: unknown): RunResult {
  const message = error instanceof Error ? error.message : String(error);
  const empty = { count: 0, sum: 0, min: 0, max: 0, buckets: [] };
  return {
    scenario,
    router,
    seed,
    verdict: 'fail',
    traceHash: '',
    traceRecords: 0,
    simulatedUs: 0,
    wallMs: 0,
    counts: { produced: 0, owed: 0, delivered: 0, lost: 0, duplicated: 0, leaked: 0, outOfOrder: 0, late: 0, droppedExplicit: 0, misrouted: 0, stray: 0 },
    interactions: { total: 0, succeeded: 0, abandoned: 0 },
    violations: [{ invariant: 'timeliness', messageId: null, connectionId: null, atUs: 0, explanation: `the run did not complete: ${message}` }],
    violationCount: 1,
    latencyUs: empty,
    monitoring: { counters: {}, dropsByReason: {}, histograms: { connectToBindUs: empty, queueWaitUs: empty, queueDepth: empty, sendLatencyUs: empty } },
    noConnectionWarnings: 0,
    faults: [],
    error: message,
  };
}

function wrapLoad<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
}

async function wrapLoadAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
}

export { replayCommand };
