/**
 * What run and merge do once the results document exists: the baseline (compare, or write with
 * --update-baseline), JUnit XML, GitHub annotations and step summary, and the exit code.
 */
import { existsSync } from 'node:fs';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError } from './errors.ts';
import { buildBaseline, compareWithBaseline, DEFAULT_TOLERANCES, readBaseline, writeBaseline, type BaselineFile, type Tolerance } from './baseline.ts';
import type { ThreadlineConfig } from './config.ts';
import { annotations, appendStepSummary, isGithubActions } from './github.ts';
import { writeJunit } from './junit.ts';
import type { Output } from './output.ts';
import type { GateDocument } from './results-file.ts';

export interface GateFlags {
  baseline?: string | false;
  updateBaseline?: boolean;
  force?: boolean;
  junit?: string;
  json?: boolean;
}

export interface BaselinePlan {
  file: string | null;
  update: boolean;
  previous: BaselineFile | null;
  tolerances: Record<string, Tolerance | null>;
}

/** CI is set to something other than "", "0" or "false". */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['CI'];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Decide what happens with the baseline before anything runs, so a bad baseline path, a
 * malformed baseline or a refused update costs nothing (exit 2 at once).
 */
export function planBaseline(flags: GateFlags, config: ThreadlineConfig | null, out: Output, env: NodeJS.ProcessEnv = process.env): BaselinePlan {
  const explicit = typeof flags.baseline === 'string';
  const file = flags.baseline === false ? null : (flags.baseline ?? config?.baseline.file ?? null);
  const update = Boolean(flags.updateBaseline);
  const tolerances = { ...DEFAULT_TOLERANCES, ...(config?.baseline.tolerances ?? {}) };
  if (update && !file) throw new UsageError('--update-baseline needs a file: add --baseline <file> (or "baseline": { "file": ... } in the config)');
  if (update && inCi(env) && !flags.force) {
    throw new UsageError(`--update-baseline will not write ${file} while CI is set: baselines change by a deliberate commit; run it locally, or add --force`);
  }
  if (!file) return { file: null, update: false, previous: null, tolerances };
  if (update) {
    let previous: BaselineFile | null = null;
    if (existsSync(file)) {
      try {
        previous = readBaseline(file);
      } catch (error) {
        out.warn(`threadline: replacing the unreadable baseline: ${(error as Error).message}`);
      }
    }
    return { file, update, previous, tolerances };
  }
  if (!existsSync(file) && !explicit) {
    out.warn(`threadline: no baseline at ${file} yet (from ${config?.file}); not compared. Create it with --update-baseline`);
    return { file: null, update: false, previous: null, tolerances };
  }
  return { file, update, previous: readBaseline(file), tolerances };
}

/** Compare with the baseline (a regression makes the verdict "fail"), or write it. */
export function applyBaseline(doc: GateDocument, plan: BaselinePlan, out: Output): void {
  if (!plan.file) return;
  if (doc.partial) {
    out.warn(`threadline: the results are partial; the baseline ${plan.file} was ${plan.update ? 'not updated' : 'not compared'}`);
    return;
  }
  if (plan.update) {
    const next = buildBaseline(doc.summary, { version: doc.version, command: doc.command }, plan.previous);
    writeBaseline(plan.file, next);
    const kept = next.pairs.length - doc.summary.length;
    out.warn(`baseline written: ${plan.file} (${doc.summary.length} pair(s) from this run${kept > 0 ? `, ${kept} kept from before` : ''})`);
    return;
  }
  const comparison = compareWithBaseline(plan.file, plan.previous!, doc.summary, plan.tolerances);
  doc.baseline = comparison;
  if (comparison.regressions.length > 0) doc.verdict = 'fail';
}

/** JUnit XML and the GitHub Actions outputs. */
export function emitGateOutputs(doc: GateDocument, junit: string | undefined, out: Output, reportPath?: string): void {
  if (junit) {
    writeJunit(junit, doc);
    out.warn(`junit: ${junit}`);
  }
  if (isGithubActions()) {
    // Workflow commands are read from stdout and stderr alike; under --json stdout is the document.
    // A shard is not the gate: the merge of all shards annotates, once per failing pair.
    if (!doc.shard) for (const line of annotations(doc)) out.say(line);
    appendStepSummary(doc, process.env, reportPath);
  }
}

export function exitCode(doc: GateDocument, interrupted: boolean): number {
  if (interrupted) return EXIT_INTERRUPTED;
  return doc.verdict === 'fail' ? EXIT_FAILED : EXIT_OK;
}
