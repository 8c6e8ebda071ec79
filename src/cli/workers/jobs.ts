/**
 * What the CLI's worker threads do, as plain messages (structured-cloned, so no functions and
 * no classes cross): a `run` job is one (scenario file, server, seed) run, judged, answered
 * with its RunResult; a `fuzz-batch` job is one fast-check batch of the property search,
 * answered with what the batch found. A worker rebuilds what it needs from names (a scenario
 * file, a router spec such as "dynamic+bindOnSwitch", a plug-in file), so its run is the run
 * the main thread would have made: same inputs, same trace, same hash.
 */
import type { RunResult } from '../../run/result.ts';
import type { BatchResult } from '../../check/fuzz.ts';
import type { FuzzCaseOptions } from '../../check/arbitraries.ts';
import type { InvariantName } from '../../oracle/judge.ts';

/** The server under test by name: a router spec, or a plug-in file (run --server). */
export type ServerRef = { router: string } | { serverFile: string };

export interface RunJob {
  kind: 'run';
  scenarioFile: string;
  server: ServerRef;
  seed: number;
  timeline: 'always' | 'failing';
}

export interface FuzzBatchJob {
  kind: 'fuzz-batch';
  server: ServerRef;
  focus: InvariantName[];
  caseOptions: FuzzCaseOptions;
  seed: number;
  numRuns: number;
}

export type WorkerJob = RunJob | FuzzBatchJob;
export type JobResult = RunResult | BatchResult;

export type WorkerReply = { ok: true; result: JobResult } | { ok: false; message: string; stack?: string };
