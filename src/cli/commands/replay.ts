/**
 * `threadline replay <file>`: re-run a saved case (a fuzz counterexample or any scenario) and
 * print its trace hash and violations. The file's `meta` export gives the defaults (router,
 * seed, the trace hash it had when saved); flags override them.
 *
 * Exit codes: 0 the case now passes; 1 it still fails (or, with --check-determinism, two runs
 * of it diverge); 2 bad usage or a file that does not load.
 *
 * `--check-determinism` runs the case twice with the trace kept and reports the first virtual
 * time at which the traces differ, with the record (kind and fields) on each side.
 */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { CounterexampleMeta } from '../../check/counterexample.ts';
import type { ScenarioSpec } from '../../scenario/types.ts';
import { parseRouterSpec, RouterSpecError, type RouterConfig } from '../../sut/router/flags.ts';
import { ScenarioLoadError } from '../../scenario/load-file.ts';
import { formatUs } from '../../ports/clock.ts';
import { checkDeterminism, describeRecord, loadCase, replayCase, type DeterminismReport, type ReplayOptions } from '../../check/replay.ts';
import type { CaseOutcome } from '../../check/property.ts';
import { buildStory, formatStory } from '../../check/story.ts';
import { EXIT_FAILED, EXIT_OK, UsageError, parseNonNegativeInt } from '../errors.ts';
import { createOutput, type Output } from '../output.ts';
import { VERSION } from '../../run/version.ts';
import { emitReport } from '../report-output.ts';
import { documentForRuns, withTimeline, writeTraceOut } from '../single-run.ts';

export const REPLAY_SCHEMA = 'threadline/replay@1';

export interface ReplayFlags {
  router?: string;
  seed?: string;
  checkDeterminism?: boolean;
  json?: boolean;
  report?: string | false;
  traceOut?: string;
  updateHash?: boolean;
}

export function register(program: Command, argv: readonly string[]): void {
  program
    .command('replay')
    .description('re-run a saved counterexample (or any scenario) and print its trace hash and violations')
    .argument('<file>', 'a scenario file, e.g. scenarios/regressions/<name>.ts')
    .option('--router <mode>', 'router (default: the file\'s meta.router, else guaranteed)')
    .option('--seed <n>', 'simulation seed (default: the file\'s meta.seed, else its first seed, else 1)')
    .option('--check-determinism', 'run twice and report where the traces first diverge (exit 1 if they do)')
    .option('--json', 'print only the replay document (JSON) on stdout')
    .option('--report <dir>', 'where the HTML report of the replay is written (default: reports)')
    .option('--no-report', 'do not write results.json and the HTML report')
    .option('--trace-out <file.json>', "export the run's timeline as Chrome trace-event JSON (opens in Perfetto)")
    .option('--update-hash', "rewrite the file's meta.traceHash with this run's hash — only when every verdict in its `expect` still holds (a hash is a change notice; the verdicts are the check)")
    .addHelpText(
      'after',
      `
Examples:
  $ threadline replay scenarios/regressions/fuzz-dynamic-no-loss-1a2b3c4d.ts
  $ threadline replay scenarios/regressions/fuzz-dynamic-no-loss-1a2b3c4d.ts --router guaranteed
  $ threadline replay scenarios/rapid-send.ts --router dynamic --seed 3 --check-determinism
  $ threadline replay scenarios/regressions/guaranteed-order-stale-binding.ts --update-hash`,
    )
    .action(async (file: string, flags: ReplayFlags) => {
      process.exitCode = await replayCommand(file, flags, argv);
    });
}

/** The command; `hooks.onWorld` is the test hook handed to every run (inject nondeterminism). */
export async function replayCommand(file: string, flags: ReplayFlags, argv: readonly string[], hooks: ReplayOptions = {}): Promise<number> {
  const out = createOutput({ json: Boolean(flags.json), argv });
  const startedAtMs = Date.now();
  let loaded;
  try {
    loaded = await loadCase(file);
  } catch (error) {
    if (error instanceof ScenarioLoadError) throw new UsageError(error.message);
    throw error;
  }
  const { spec, meta } = loaded;
  const routerName = flags.router ?? meta.router ?? 'guaranteed';
  const router = parseOneRouter(routerName);
  const seed = flags.seed !== undefined ? parseNonNegativeInt(flags.seed, '--seed') : (meta.seed ?? spec.seeds?.[0] ?? 1);
  // The saved hash belongs to the saved router and seed; compare only when replaying those.
  const expectedHash = meta.traceHash && (meta.router ?? routerName) === router.name && (meta.seed ?? seed) === seed ? meta.traceHash : null;

  let determinism: DeterminismReport | null = null;
  let outcome: CaseOutcome;
  let run;
  if (flags.checkDeterminism) {
    determinism = await checkDeterminism(spec, router, seed, hooks);
    outcome = determinism.outcome;
    run = determinism.run;
  } else {
    ({ outcome, run } = await replayCase(spec, router, seed, hooks));
  }
  const hashMatches = expectedHash === null || outcome.traceHash === null ? null : outcome.traceHash === expectedHash;
  const command = `threadline replay ${loaded.file} --router ${router.name} --seed ${seed}${flags.checkDeterminism ? ' --check-determinism' : ''}`;
  const runs = run ? [withTimeline(run)] : [];
  let reportPaths: { htmlPath: string; jsonPath: string } | null = null;
  if (flags.report !== false && runs.length > 0) {
    const story = formatStory(buildStory(run!), '').map((l) => l.trim());
    const doc = documentForRuns(runs, command, spec.thresholds ?? [], startedAtMs, { fuzz: { file: loaded.file, router: router.name, seed, traceHash: outcome.traceHash, expectedTraceHash: expectedHash, story } });
    reportPaths = emitReport(doc, { report: flags.report ?? 'reports' }, out);
  }
  if (flags.traceOut !== undefined && runs.length > 0) writeTraceOut(flags.traceOut, runs, command);
  const failed = !outcome.ok;
  const diverged = determinism !== null && !determinism.deterministic;

  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        schema: REPLAY_SCHEMA,
        version: VERSION,
        file: loaded.file,
        scenario: spec.name,
        router: router.name,
        seed,
        verdict: outcome.verdict,
        traceHash: outcome.traceHash,
        expectedTraceHash: expectedHash,
        hashMatches,
        invariants: outcome.invariants,
        violationCount: outcome.violationCount,
        violations: outcome.violations.slice(0, 50),
        error: outcome.error,
        ...(reportPaths ? { report: reportPaths.htmlPath } : {}),
        ...(determinism
          ? {
              determinism: {
                deterministic: determinism.deterministic,
                hashes: determinism.hashes,
                records: determinism.records,
                divergence: determinism.divergence,
                error: determinism.error,
              },
            }
          : {}),
      })}\n`,
    );
  } else {
    const c = out.chalk;
    out.say(c.bold(`replay ${loaded.file}: router ${router.name}, seed ${seed}`));
    out.say(`  trace ${outcome.traceHash ?? '(none: the run did not complete)'}`);
    if (hashMatches === true) out.say(c.green('  the trace hash matches the one saved with the case'));
    if (hashMatches === false) {
      out.say(c.yellow(`  the trace hash differs from the one saved with the case (${expectedHash}):`));
      out.say(c.yellow('  the router, the simulator or the scenario changed since it was saved'));
    }
    if (outcome.error !== null) {
      out.say(`  ${c.red('ERROR')} the run did not complete: ${outcome.error}`);
    } else if (failed) {
      out.say(`  ${c.red('FAIL')}  ${outcome.invariants.join(', ')}: ${outcome.violationCount} violation(s)`);
      for (const v of outcome.violations.slice(0, 10)) out.say(`    ${v.invariant}: ${v.explanation}`);
      if (outcome.violations.length > 10) out.say(c.dim(`    … and ${outcome.violationCount - 10} more`));
      if (run) {
        out.say();
        out.say(c.bold('  story (virtual time):'));
        for (const line of formatStory(buildStory(run), '  ')) out.say(line);
      }
    } else {
      out.say(`  ${c.green('PASS')}  every invariant holds (verdict ${outcome.verdict})`);
    }
    if (determinism) {
      out.say();
      if (determinism.deterministic) {
        out.say(c.green(`  deterministic: two runs, identical traces (${determinism.records[0]} records)`));
      } else if (determinism.divergence) {
        const d = determinism.divergence;
        out.say(c.red(`  NONDETERMINISTIC: the traces diverge at t=${formatUs(d.atUs)} (record #${d.index})`));
        out.say(`    run 1: ${describeRecord(d.first)}`);
        out.say(`    run 2: ${describeRecord(d.second)}`);
        out.say(c.dim('    something the simulation reaches read real time, real randomness, or state kept across runs'));
      } else {
        out.say(c.red(`  NONDETERMINISTIC: ${determinism.error ?? 'the runs differ'}`));
      }
    }
  }
  if (flags.updateHash) {
    const updated = await updateSavedHash(loaded.file, spec, meta, router.name, seed, outcome.traceHash, out);
    if (!updated) return EXIT_FAILED;
  }
  if (reportPaths) out.say(`report: ${reportPaths.htmlPath}`);
  if (flags.traceOut !== undefined && runs.length > 0) out.say(`trace: ${flags.traceOut} (Chrome trace-event JSON; open it in Perfetto)`);
  return failed || diverged ? EXIT_FAILED : EXIT_OK;
}

function parseOneRouter(value: string): RouterConfig {
  try {
    return parseRouterSpec(value);
  } catch (error) {
    if (error instanceof RouterSpecError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `--update-hash`: a saved trace hash may be refreshed only after showing that the case still
 * judges the same: every verdict its `expect` states is re-checked first. The hash is then
 * replaced in the file's text, nothing else changes.
 */
async function updateSavedHash(file: string, spec: ScenarioSpec, meta: Partial<CounterexampleMeta>, routerName: string, seed: number, hash: string | null, out: Output): Promise<boolean> {
  if (!meta.traceHash) throw new UsageError(`${file}: --update-hash needs a meta export with a traceHash (a saved counterexample)`);
  if ((meta.router ?? routerName) !== routerName || (meta.seed ?? seed) !== seed) {
    throw new UsageError(`${file}: --update-hash replays the saved router and seed (${meta.router}, ${meta.seed}); drop --router/--seed`);
  }
  if (hash === null) {
    out.warn(`threadline: ${file}: the run did not complete; the hash was not updated`);
    return false;
  }
  for (const [mode, expected] of Object.entries(spec.expect ?? {})) {
    const { outcome } = await replayCase(spec, parseRouterSpec(mode), seed);
    if (outcome.verdict !== expected) {
      out.warn(`threadline: ${file}: ${mode} now gives ${outcome.verdict}, the file expects ${expected}; the hash was not updated (${outcome.violations[0]?.explanation ?? outcome.error ?? ''})`);
      return false;
    }
  }
  if (hash === meta.traceHash) return true;
  const text = readFileSync(file, 'utf8');
  if (!text.includes(meta.traceHash)) throw new UsageError(`${file}: the saved hash ${meta.traceHash} is not in the file's text; edit meta.traceHash by hand`);
  writeFileSync(file, text.split(meta.traceHash).join(hash));
  out.warn(`hash updated: ${file} (${meta.traceHash.slice(0, 12)}… → ${hash.slice(0, 12)}…); every stated verdict holds: ${Object.entries(spec.expect ?? {}).map(([m, v]) => `${m} ${v}`).join(', ') || 'none stated'}`);
  return true;
}
