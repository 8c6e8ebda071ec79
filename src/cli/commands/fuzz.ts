/**
 * `threadline fuzz`: property search. fast-check generates whole scenarios (users, tabs,
 * actions with timings, agent and network profiles, a swarm-style fault plan, the simulation
 * seed), the simulator runs each against the router, the oracle judges it. The first failing
 * case is shrunk to a minimal one, saved as a replayable scenario in scenarios/regressions/,
 * and told as a story.
 *
 * Exit codes: 0 no counterexample; 1 counterexample found; 2 bad usage; 130 interrupted
 * (the runs tried so far are reported).
 */
import type { Command } from 'commander';
import { parseRouterSpec, RouterSpecError, MODES, type RouterConfig } from '../../sut/router/flags.ts';
import type { SystemUnderTest } from '../../run/sut.ts';
import { loadServerOrUsage } from '../cli-support.ts';
import type { ServerRef } from '../workers/jobs.ts';
import { fuzz, DEFAULT_BATCH, DEFAULT_RUNS, type BatchResult, type FuzzReport } from '../../check/fuzz.ts';
import { WorkerPool } from '../workers/pool.ts';
import { defaultWorkers, parseWorkers } from '../workers/run-many.ts';
import { actionCount } from '../../check/arbitraries.ts';
import { buildStory, formatStory } from '../../check/story.ts';
import { evaluateCase } from '../../check/property.ts';
import { counterexampleName, counterexampleSpec, DEFAULT_SAVE_DIR, replayCommandFor, saveCounterexample, type CounterexampleMeta } from '../../check/counterexample.ts';
import { parseDuration } from '../../check/duration.ts';
import { FAULT_CUTOFF_MS, LIVENESS_BOUND_MS } from '../../check/timing.ts';
import { INVARIANT_NAMES, type InvariantName } from '../../oracle/judge.ts';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError, parseNonNegativeInt, parsePositiveInt } from '../errors.ts';
import { createOutput } from '../output.ts';
import { VERSION } from '../../run/version.ts';
import { emitReport } from '../report-output.ts';
import { documentForRuns, withTimeline, writeTraceOut } from '../single-run.ts';

export const FUZZ_SCHEMA = 'threadline/fuzz@1';

export interface FuzzFlags {
  router?: string;
  server?: string;
  runs?: string;
  time?: string;
  seed: string;
  json?: boolean;
  save: string | false;
  report?: string | false;
  traceOut?: string;
  invariant?: string;
  workers?: string;
}

export function register(program: Command, argv: readonly string[]): void {
  program
    .command('fuzz')
    .description('property search: generate scenarios until an invariant fails, shrink the case, save it as a replayable scenario')
    .option('--router <mode>', `one router: ${MODES.join(', ')} (flags: mode+flag, mode-flag, mode+flag=N) (default: guaranteed)`)
    .option('--server <file>', "search your own server instead: a plug-in file (defineServer) or an unmodified ws server file (see docs/own-server.md); every counterexample is run twice and must give the same hash before it is saved")
    .option('--runs <n>', `generated runs to try (default ${DEFAULT_RUNS} when --time is not given)`)
    .option('--time <duration>', 'search for this long: 30s, 5m, 1h, 1m30s (with --runs: whichever comes first)')
    .option('--seed <n>', 'seed of the search (fast-check); the same seed tries the same cases', '1')
    .option('--invariant <names>', `search only for violations of these invariants (comma-separated: ${INVARIANT_NAMES.join(', ')})`)
    .option('--workers <n>', `worker threads that run batches of the search side by side (default: the cores available, here ${defaultWorkers()}); the first counterexample is the one a single worker finds`)
    .option('--json', 'print only one JSON document (the counterexample, its shrink count, replay command, saved path, runs tried)')
    .option('--save <dir>', 'where the counterexample scenario is written', DEFAULT_SAVE_DIR)
    .option('--no-save', 'do not write the counterexample file')
    .option('--report <dir>', 'where the HTML report of the search is written (default: reports)')
    .option('--no-report', 'do not write results.json and the HTML report')
    .option('--trace-out <file.json>', "export the counterexample's timeline as Chrome trace-event JSON (opens in Perfetto)")
    .addHelpText(
      'after',
      `
Each run: every action and fault happens in the first ${FAULT_CUTOFF_MS / 1000} s (the safety phase); then the
network heals and no fault is injected (the liveness phase). Every oracle invariant must hold:
each owed event arrives within ${LIVENESS_BOUND_MS / 1000} s of production, or is dropped explicitly with a gap notice.

Examples:
  $ threadline fuzz --router dynamic --runs 200 --seed 1
  $ threadline fuzz --router guaranteed --time 5m --seed 7
  $ threadline fuzz --router shipped --json --no-save > counterexample.json
  $ threadline fuzz --server examples/chat-server/racy.js --runs 200   your own ws server, unmodified
  $ threadline replay scenarios/regressions/<name>.ts --check-determinism`,
    )
    .action(async (flags: FuzzFlags) => {
      process.exitCode = await fuzzCommand(flags, argv);
    });
}

export async function fuzzCommand(flags: FuzzFlags, argv: readonly string[]): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  const startedAtMs = Date.now();
  if (flags.server !== undefined && flags.router !== undefined) throw new UsageError('--server and --router both name the server under test; give one');
  const router: SystemUnderTest = flags.server !== undefined ? await loadServerOrUsage(flags.server) : parseOneRouter(flags.router ?? 'guaranteed');
  const serverRef: ServerRef = flags.server !== undefined ? { serverFile: flags.server } : { router: router.name };
  const sutFlag = flags.server !== undefined ? `--server ${flags.server}` : `--router ${router.name}`;
  const seed = parseNonNegativeInt(flags.seed, '--seed');
  let timeMs: number | undefined;
  if (flags.time !== undefined) {
    const ms = parseDuration(flags.time);
    if (ms === null || ms <= 0) throw new UsageError(`--time must be a duration such as 30s, 5m, 1h or 1m30s, got "${flags.time}"`);
    timeMs = ms;
  }
  const runs = flags.runs !== undefined ? parsePositiveInt(flags.runs, '--runs') : timeMs === undefined ? DEFAULT_RUNS : undefined;
  const invariants = flags.invariant === undefined ? [] : parseInvariants(flags.invariant);
  const workers = parseWorkers(flags.workers);
  const c = out.chalk;
  const limit = [runs !== undefined ? `up to ${runs} runs` : '', timeMs !== undefined ? `for ${flags.time}` : ''].filter(Boolean).join(', ');
  out.say(c.bold(`threadline fuzz: ${flags.server !== undefined ? "server" : "router"} ${router.name}, seed ${seed}, ${limit}${invariants.length > 0 ? `, only ${invariants.join(', ')}` : ''}${workers > 1 ? `, ${workers} workers` : ''}`));

  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSigint);
  let report: FuzzReport;
  // More workers than batches would only start threads that get no work.
  const batches = runs === undefined ? Infinity : Math.ceil(runs / DEFAULT_BATCH);
  const pool = workers > 1 && batches > 1 ? new WorkerPool(Math.min(workers, batches)) : null;
  try {
    report = await fuzz({
      ...(pool
        ? {
            parallel: {
              concurrency: pool.size,
              runBatch: async (batchSeed: number, numRuns: number) =>
                (await pool.run({ kind: 'fuzz-batch', server: serverRef, focus: invariants, caseOptions: {}, seed: batchSeed, numRuns })) as BatchResult,
            },
          }
        : {}),
      router,
      seed,
      ...(runs !== undefined ? { runs } : {}),
      ...(timeMs !== undefined ? { timeMs } : {}),
      ...(invariants.length > 0 ? { invariants } : {}),
      shouldStop: () => interrupted,
      onProgress: (tried) => out.progress(tried, runs ?? tried, `${tried} runs, no counterexample yet`),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    out.endProgress();
    await pool?.close();
  }

  const found = report.counterexample;
  let path: string | null = null;
  let replay: string | null = null;
  let story: string[] = [];
  if (found) {
    const { outcome } = found;
    const invariant = outcome.invariant ?? 'error';
    const explanation = outcome.error !== null ? `the run did not complete: ${outcome.error}` : (outcome.violations[0]?.explanation ?? 'no explanation');
    story = found.run ? formatStory(buildStory(found.run), '  ') : [];
    const name = counterexampleName(router.name, invariant, found.case);
    // A case the guaranteed router passes is a fair demand: record that in the regression too.
    const alsoExpect: Partial<Record<'guaranteed', 'pass'>> = {};
    if (router.name !== 'guaranteed' && (await evaluateCase(found.case, parseRouterSpec('guaranteed'))).outcome.verdict === 'pass') alsoExpect.guaranteed = 'pass';
    const spec = counterexampleSpec(found.case, name, router.name, explanation, alsoExpect);
    if (flags.server !== undefined) {
      // A server of the user's own: the case must replay to the same trace before it is saved.
      const again = [await evaluateCase(found.case, router), await evaluateCase(found.case, router)].map((e) => e.outcome.traceHash);
      if (again[0] !== outcome.traceHash || again[1] !== outcome.traceHash) {
        out.warn(
          `${c.red('✗')} the counterexample is not deterministic: the same case gave trace ${outcome.traceHash}, then ${again[0]} and ${again[1]}. ` +
            `Something in ${flags.server} reads real time or randomness threadline does not virtualise, or keeps state between runs; not saved.`,
        );
        return EXIT_FAILED;
      }
    }
    const meta: CounterexampleMeta = {
      router: router.name,
      seed: found.case.seed,
      traceHash: outcome.traceHash,
      invariant,
      invariants: outcome.invariants,
      fuzzSeed: seed,
      runs: report.runs,
      numShrinks: found.numShrinks,
    };
    const foundBy = `threadline fuzz ${sutFlag} --seed ${seed}${runs !== undefined ? ` --runs ${runs}` : ''}${timeMs !== undefined ? ` --time ${flags.time}` : ''}`;
    if (flags.save !== false) {
      path = saveCounterexample(flags.save, { spec, meta, story, explanation, foundBy, ...(flags.server !== undefined ? { serverFile: flags.server } : {}) });
      replay = replayCommandFor(path, router.name, found.case.seed, flags.server);
    }

    const doc = fuzzDocument(report, { spec, meta, path, replay, story, explanation, actions: actionCount(spec) });
    const shrunkRuns = found.run ? [withTimeline(found.run)] : [];
    const reportPaths = writeSearchReport(flags, out, shrunkRuns, foundBy, startedAtMs, doc);
    if (flags.traceOut !== undefined && shrunkRuns.length > 0) writeTraceOut(flags.traceOut, shrunkRuns, foundBy);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ...doc, ...(reportPaths ? { report: reportPaths.htmlPath } : {}) })}\n`);
    } else {
      out.say(`${c.red('✗')} counterexample after ${report.runs} run(s), shrunk ${found.numShrinks} time(s): ${c.bold(outcome.invariants.join(', '))} (${outcome.violationCount || 1} violation(s), ${actionCount(spec)} actions)`);
      out.say(`  search seed ${seed}, simulation seed ${found.case.seed}, trace ${outcome.traceHash ?? '(none: the run did not complete)'}`);
      if (path) out.say(`  saved:  ${path}`);
      out.say(`  replay: ${replay ?? `(not saved; rerun with --save <dir> to write it)`}`);
      out.say();
      out.say(c.bold('  story (virtual time):'));
      for (const line of story) out.say(line);
      out.say();
      out.say(`  ${c.bold('oracle:')} ${invariant}: ${explanation}`);
      out.say();
      out.say(`${c.red.bold('FAIL')}  counterexample found after ${report.runs} run(s), ${(report.wallMs / 1000).toFixed(1)} s`);
    }
    if (reportPaths) out.say(`report: ${reportPaths.htmlPath}`);
    if (flags.traceOut !== undefined && shrunkRuns.length > 0) out.say(`trace: ${flags.traceOut} (Chrome trace-event JSON; open it in Perfetto)`);
    return EXIT_FAILED;
  }

  const command = `threadline fuzz ${sutFlag} --seed ${seed}${runs !== undefined ? ` --runs ${runs}` : ''}${timeMs !== undefined ? ` --time ${flags.time}` : ''}`;
  const passDoc = fuzzDocument(report, null);
  const reportPaths = writeSearchReport(flags, out, [], command, startedAtMs, passDoc);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...passDoc, ...(reportPaths ? { report: reportPaths.htmlPath } : {}) })}\n`);
  if (reportPaths) out.say(`report: ${reportPaths.htmlPath}`);
  if (interrupted) {
    out.warn(`interrupted after ${report.runs} run(s): no counterexample so far`);
    return EXIT_INTERRUPTED;
  }
  out.say(`${c.green.bold('PASS')}  ${report.runs} run(s), no counterexample (router ${router.name}, seed ${seed}), ${(report.wallMs / 1000).toFixed(1)} s, ${Math.round((report.runs / Math.max(1, report.wallMs)) * 1000)} runs/s`);
  return EXIT_OK;
}

interface FoundDoc {
  spec: unknown;
  meta: CounterexampleMeta;
  path: string | null;
  replay: string | null;
  story: string[];
  explanation: string;
  actions: number;
}

function fuzzDocument(report: FuzzReport, found: FoundDoc | null): Record<string, unknown> {
  const c = report.counterexample;
  return {
    schema: FUZZ_SCHEMA,
    version: VERSION,
    router: report.router,
    seed: report.seed,
    verdict: c ? 'fail' : 'pass',
    runs: report.runs,
    wallMs: Math.round(report.wallMs),
    counterexample:
      c && found
        ? {
            invariant: found.meta.invariant,
            invariants: found.meta.invariants,
            explanation: found.explanation,
            numShrinks: c.numShrinks,
            actions: found.actions,
            seed: c.case.seed,
            traceHash: c.outcome.traceHash,
            path: found.path,
            replay: found.replay,
            violations: c.outcome.violations.slice(0, 20),
            violationCount: c.outcome.violationCount,
            error: c.outcome.error,
            story: found.story.map((l) => l.trim()),
            spec: found.spec,
          }
        : null,
  };
}

/** The search's report: the shrunk run (timeline and all) and the counterexample's story. */
function writeSearchReport(flags: FuzzFlags, out: ReturnType<typeof createOutput>, runs: ReturnType<typeof withTimeline>[], command: string, startedAtMs: number, fuzzDoc: Record<string, unknown>) {
  if (flags.report === false) return null;
  const doc = documentForRuns(runs, command, [], startedAtMs, { fuzz: fuzzDoc['counterexample'] ?? { verdict: fuzzDoc['verdict'], runs: fuzzDoc['runs'], router: fuzzDoc['router'], seed: fuzzDoc['seed'] } });
  if (runs.length === 0) doc.verdict = fuzzDoc['verdict'] === 'pass' ? 'pass' : 'fail';
  return emitReport(doc, { report: flags.report ?? 'reports' }, out);
}


function parseOneRouter(value: string): RouterConfig {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== 1) throw new UsageError(`fuzz searches one router at a time; got "${value}" (run it once per mode)`);
  try {
    return parseRouterSpec(names[0]!);
  } catch (error) {
    if (error instanceof RouterSpecError) throw new UsageError(error.message);
    throw error;
  }
}

function parseInvariants(value: string): InvariantName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`--invariant needs at least one name: ${INVARIANT_NAMES.join(', ')}`);
  for (const n of names) {
    if (!(INVARIANT_NAMES as readonly string[]).includes(n)) throw new UsageError(`--invariant: unknown invariant "${n}": use ${INVARIANT_NAMES.join(', ')}`);
  }
  return names as InvariantName[];
}
