/**
 * `threadline run [scenario...]`: every (scenario × router × seed), judged by the oracle,
 * aggregated per scenario and router, gated by thresholds and an optional baseline; writes
 * results.json and the HTML report, and optionally JUnit XML and GitHub annotations. Exit 0
 * when everything held, 1 when anything failed, 2 for bad input, 130 when interrupted
 * (partial results are written and marked).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RouterConfig } from '../../sut/router/flags.ts';
import { loadScenarioFile, resolveScenarioArgs, ScenarioLoadError, type LoadedScenario } from '../../scenario/load-file.ts';
import { runScenario, type SimWorld } from '../../run/runner.ts';
import type { ScenarioSpec } from '../../scenario/types.ts';
import { overallVerdict, summarise } from '../../run/aggregate.ts';
import { RESULTS_SCHEMA, type RunResult } from '../../run/result.ts';
import { EXIT_INTERRUPTED, UsageError, jsonErrorLocation, parseNonNegativeInt, parsePositiveInt } from '../errors.ts';
import { createOutput } from '../output.ts';
import { liveProgress } from '../live-progress.ts';
import { printSummary, replayCommand } from '../summary.ts';
import { emitReport } from '../report-output.ts';
import { writeTraceOut } from '../single-run.ts';
import { errorResult } from '../../run/error-result.ts';
import { defaultWorkers, parseWorkers, runMany } from '../workers/run-many.ts';
import { loadServerOrUsage } from '../cli-support.ts';
import type { SystemUnderTest } from '../../run/sut.ts';
import type { ServerPlugin } from '../../ports/server.ts';
import { VERSION } from '../../run/version.ts';
import { loadConfig, thresholdsFor } from '../config.ts';
import { DEFAULT_ROUTER, parseRouters } from '../routers.ts';
import { parseShard, selectShard, type ShardSpec } from '../shard.ts';
import { applyBaseline, emitGateOutputs, exitCode, planBaseline } from '../finish.ts';
import type { GateDocument } from '../results-file.ts';

export interface RunFlags {
  router?: string;
  server?: string;
  seed?: string;
  runs?: string;
  json?: boolean;
  transport: string;
  timeScale?: string;
  report?: string | false;
  junit?: string;
  traceOut?: string;
  baseline?: string | false;
  updateBaseline?: boolean;
  force?: boolean;
  shard?: string;
  config?: string;
  color?: boolean;
  workers?: string;
}

export const DEFAULT_SCENARIO_DIR = 'scenarios';

function parseTimeScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1_000) throw new UsageError(`--time-scale must be a number > 0 (1 = real time, 0.25 = four times faster), got "${value}"`);
  return n;
}
export const DEFAULT_REPORT_DIR = 'reports';

export function registerRun(program: Command, argv: readonly string[]): void {
  program
    .command('run')
    .description('run scenario scripts on the simulated network and judge them with the oracle')
    .argument('[scenario...]', 'scenario files, folders or names (default: every script in scenarios/)')
    .option('--router <modes>', `router mode(s), comma-separated: legacy, dynamic, shipped, guaranteed; a mode with flag changes: mode+flag, mode-flag, mode+flag=N (default: ${DEFAULT_ROUTER})`)
    .option('--server <file>', 'put your own server under test: a plug-in file whose default export is defineServer(...) (see docs/library.md); replaces --router')
    .option('--seed <n>', "first seed (default: the scenario's seeds, else 1)")
    .option('--runs <n>', 'number of seeds: seed .. seed+runs-1')
    .option('--transport <kind>', 'sim (simulated network) or ws (real sockets on loopback, real time)', 'sim')
    .option('--time-scale <factor>', 'with --transport ws: virtual time = real time / factor (default 0.25; 1 = real time)')
    .option('--json', 'print only the results document (JSON) on stdout; the summary goes to stderr')
    .option('--report <dir>', `where reports are written (default: ${DEFAULT_REPORT_DIR})`)
    .option('--no-report', 'do not write results.json and the HTML report')
    .option('--junit <file>', 'write JUnit XML: one testcase per scenario × router')
    .option('--trace-out <file.json>', 'export every run\'s timeline as Chrome trace-event JSON (opens in Perfetto): a lane per connection, flow arrows for messages')
    .option('--baseline <file>', 'compare summary metrics with this baseline; a regression fails the run')
    .option('--no-baseline', "ignore the config's baseline")
    .option('--update-baseline', 'write the baseline file from this run instead of comparing (refused when CI is set, unless --force)')
    .option('--force', 'with --update-baseline: write even when CI is set')
    .option('--shard <k/n>', 'run only shard k of n: a stable split of the (scenario, seed) units for CI matrices; combine with threadline merge (which also makes the GitHub annotations)')
    .option('--workers <n>', `worker threads to spread the runs over (default: the cores available, here ${defaultWorkers()}); the results are the serial ones, in the same order; --transport ws runs one at a time`)
    .option('--config <file>', 'config file (default: threadline.config.json or threadline.config.ts in the current folder)')
    .addHelpText(
      'after',
      `
Exit codes: 0 all held, 1 an invariant, threshold or baseline check failed, 2 bad usage or input,
130 interrupted (Ctrl-C: the partial results are written).

Examples:
  $ threadline run                                         every scenario, guaranteed router
  $ threadline run scenarios/chat-day.ts --router legacy,dynamic,shipped,guaranteed
  $ threadline run rapid-send --router dynamic --seed 7 --runs 50 --json > results.json
  $ threadline run --router dynamic+bindOnSwitch           one fix, measured alone
  $ threadline run rapid-send --server ./my-server.ts      your own server, through the plug-in seam
  $ threadline run --runs 20 --baseline threadline.baseline.json --junit reports/junit.xml
  $ threadline run --runs 20 --baseline threadline.baseline.json --update-baseline
  $ threadline run --runs 200 --shard 2/4 --json --no-report > shard-2.json   (then: threadline merge)`,
    )
    .action(async (scenarios: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(scenarios, flags, argv);
    });
}

export async function runCommand(args: string[], flags: RunFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  const config = await loadConfig(flags.config);
  if (flags.server !== undefined && flags.router !== undefined) throw new UsageError('--server and --router both name the server under test; give one (--server ./my-server.ts, or --router guaranteed)');
  const routerText = flags.server !== undefined ? `--server ${flags.server}` : (flags.router ?? config?.router ?? DEFAULT_ROUTER);
  const routers: SystemUnderTest[] = flags.server !== undefined ? [await loadServerOrUsage(flags.server)] : parseRouters(routerText);
  if (flags.transport !== 'sim' && flags.transport !== 'ws') throw new UsageError(`unknown transport "${flags.transport}": use sim or ws`);
  const timeScale = flags.timeScale !== undefined ? parseTimeScale(flags.timeScale) : undefined;
  if (flags.workers !== undefined && flags.transport === 'ws' && parseWorkers(flags.workers) > 1) {
    throw new UsageError('--workers: --transport ws runs one at a time (real-time runs side by side would slow each other and skew the latency they measure); drop --workers or use --transport sim');
  }
  const workers = flags.transport === 'ws' ? 1 : parseWorkers(flags.workers);
  if (timeScale !== undefined && flags.transport !== 'ws') throw new UsageError('--time-scale applies to --transport ws only');
  // Real sockets are loaded only when asked for: the simulated path never touches real I/O.
  const runOne = flags.transport === 'ws'
    ? await (async () => {
        const { runScenarioWs } = await import('../../run/ws-runner.ts');
        return (spec: ScenarioSpec, router: SystemUnderTest, seed: number) =>
          runScenarioWs(spec, router, seed, { ...(timeScale === undefined ? {} : { timeScale }), ...(flags.traceOut ? { timeline: 'always' as const } : {}) });
      })()
    : (spec: ScenarioSpec, router: SystemUnderTest, seed: number, onWorld?: (world: SimWorld) => void) =>
        runScenario(spec, router, seed, { ...(flags.traceOut ? { timeline: 'always' as const } : {}), ...(onWorld ? { onWorld } : {}) });
  const firstSeed = flags.seed !== undefined ? parseNonNegativeInt(flags.seed, '--seed') : config?.seed;
  const runsCount = flags.runs !== undefined ? parsePositiveInt(flags.runs, '--runs') : config?.runs;
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const reportRoot = flags.report === false ? false : (flags.report ?? config?.report ?? DEFAULT_REPORT_DIR);
  const junit = flags.junit ?? config?.junit;
  const baselinePlan = planBaseline(flags, config, out);

  const scenarioArgs = args.length > 0 ? args : (config?.scenarios ?? []);
  const files = wrapLoad(() => resolveScenarioArgs(scenarioArgs, DEFAULT_SCENARIO_DIR));
  const loaded: LoadedScenario[] = [];
  for (const f of files) loaded.push(await wrapLoadAsync(() => loadScenarioFile(f), f));
  if (loaded.length === 0) throw new UsageError('no scenario scripts found; pass files or add scripts to scenarios/');
  const byName = new Map<string, LoadedScenario>();
  for (const l of loaded) {
    const other = byName.get(l.spec.name);
    if (other && other.file !== l.file) throw new UsageError(`two scenario scripts are named "${l.spec.name}": ${other.file} and ${l.file}; scenario names must be unique`);
    byName.set(l.spec.name, l);
  }
  const scenarios = [...byName.values()];

  // Work units: (scenario, seed), every router of a unit together; a shard takes a stable subset.
  const units = scenarios.flatMap((scenario) => seedList(scenario, firstSeed, runsCount).map((seed) => ({ scenario: scenario.spec.name, seed, loaded: scenario })));
  const mine = selectShard(units, shard);
  const work: Array<{ scenario: LoadedScenario; router: SystemUnderTest; seed: number }> = [];
  for (const unit of mine) for (const router of routers) work.push({ scenario: unit.loaded, router, seed: unit.seed });

  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      out.endProgress();
      out.warn('threadline: interrupted twice; stopped without writing results');
      process.exit(EXIT_INTERRUPTED);
    }
    interrupted = true;
    out.endProgress();
    out.warn('threadline: interrupted; finishing the current run and writing the partial results (Ctrl-C again to stop at once)');
  };
  process.on('SIGINT', onSigint);
  const wallStart = Date.now();
  const runs: RunResult[] = [];
  let localDone = 0; // runs finished in this thread (the progress line's count)
  const shardText = shard ? ` (shard ${shard.index}/${shard.total}: ${mine.length} of ${units.length} scenario × seed units)` : '';
  out.warn(`threadline: ${work.length} run(s): ${scenarios.length} scenario(s) × ${routers.length} router(s)${shardText}`);
  try {
    runs.push(
      ...(await runMany(work, {
        workers,
        local: async ({ scenario, router, seed }) => {
          // A long simulated run shows its virtual time and events on the progress line.
          const live = liveProgress(out, localDone, work.length, `${scenario.spec.name} × ${router.name} seed ${seed}`);
          try {
            return (await runOne(scenario.spec, router, seed, live.onWorld)).result;
          } catch (error) {
            // A run that blows its budget or crashes is a failure of that run, with the reason.
            return errorResult(scenario.spec.name, router.name, seed, error);
          } finally {
            live.stop();
            localDone++;
          }
        },
        job: ({ scenario, router, seed }) => ({
          kind: 'run',
          scenarioFile: scenario.file,
          server: flags.server !== undefined ? { serverFile: flags.server } : { router: router.name },
          seed,
          timeline: flags.traceOut ? 'always' : 'failing',
        }),
        failed: ({ scenario, router, seed }, error) => errorResult(scenario.spec.name, router.name, seed, error),
        stopped: () => interrupted,
        onStart: (i, { scenario, router, seed }, done) => out.progress(done, work.length, `${scenario.spec.name} × ${router.name} seed ${seed}`),
      })),
    );
  } finally {
    out.endProgress();
  }

  const thresholds = new Map(scenarios.map((l) => [l.spec.name, thresholdsFor(l.spec.name, l.spec.thresholds ?? [], config)]));
  const summary = summarise(runs, thresholds);
  const doc: GateDocument = {
    schema: RESULTS_SCHEMA,
    version: VERSION,
    verdict: interrupted ? 'fail' : overallVerdict(summary),
    command: reproduceCommand(scenarios.map((s) => s.file), routerText, firstSeed, runsCount, shard),
    startedAt: new Date(wallStart).toISOString(),
    wallMs: Date.now() - wallStart,
    runs,
    summary,
    ...(shard ? { shard: { index: shard.index, total: shard.total } } : {}),
    ...(interrupted ? { partial: true } : {}),
    scenarioFiles: Object.fromEntries(scenarios.map((s) => [s.spec.name, s.file])),
    ...(flags.server !== undefined ? { serverFiles: Object.fromEntries(routers.map((r) => [r.name, flags.server!])) } : {}),
  };
  try {
    applyBaseline(doc, baselinePlan, out);
    const reportPaths = emitReport(doc, { report: reportRoot }, out);
    if (flags.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
    printSummary(doc, out);
    if (reportPaths) out.say(`report: ${reportPaths.htmlPath}`);
    if (flags.traceOut !== undefined) {
      const exported = writeTraceOut(flags.traceOut, doc.runs, doc.command);
      out.say(`trace: ${flags.traceOut} (${exported} run(s); Chrome trace-event JSON, opens in Perfetto)`);
    }
    emitGateOutputs(doc, junit, out, reportPaths?.htmlPath);
    if (interrupted) out.warn(`threadline: interrupted: ${runs.length} of ${work.length} runs finished; partial results written${reportPaths ? ` to ${reportPaths.jsonPath}` : flags.json ? ' to stdout' : ''}`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return exitCode(doc, interrupted);
}

export { parseRouters };

function seedList(scenario: LoadedScenario, firstSeed: number | undefined, runs: number | undefined): number[] {
  if (firstSeed === undefined && runs === undefined && scenario.spec.seeds && scenario.spec.seeds.length > 0) return [...new Set(scenario.spec.seeds)];
  const start = firstSeed ?? 1;
  return Array.from({ length: runs ?? 1 }, (_, i) => start + i);
}

function reproduceCommand(files: string[], router: string, seed: number | undefined, runs: number | undefined, shard: ShardSpec | undefined): string {
  // `router` is the --router text, or "--server <file>" for a plug-in.
  const parts = ['threadline', 'run', ...files, ...(router.startsWith('--server ') ? router.split(' ') : ['--router', router])];
  if (seed !== undefined) parts.push('--seed', String(seed));
  if (runs !== undefined) parts.push('--runs', String(runs));
  if (shard) parts.push('--shard', `${shard.index}/${shard.total}`);
  return parts.join(' ');
}


function wrapLoad<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
}

async function wrapLoadAsync<T>(fn: () => Promise<T>, file: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(withJsonLine(error.message, file));
    throw error;
  }
}

/** A JSON scenario's syntax error names a character position; name the line and column too. */
function withJsonLine(message: string, file: string): string {
  const m = /^(.*?): not valid JSON: (.*?)(?: in JSON)? at position (\d+)(.*)$/.exec(message);
  if (!m || !existsSync(file)) return message;
  const where = jsonErrorLocation(readFileSync(file, 'utf8'), new Error(`at position ${m[3]}`));
  return `${m[1]}:${where.replace(/^line (\d+) column (\d+)$/, '$1:$2')}: syntax error (not valid JSON): ${m[2]}`;
}

export { replayCommand };
