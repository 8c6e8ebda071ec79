/**
 * The body of a worker thread (booted by bin/worker-thread.mjs): answers each job message with
 * one reply, in order. Loaded scenarios, plug-ins and batch runners are cached per thread,
 * since a worker serves many jobs of the same command.
 */
import { parentPort } from 'node:worker_threads';
import { loadScenarioFile, type LoadedScenario } from '../../scenario/load-file.ts';
import { runScenario } from '../../run/runner.ts';
import { errorResult } from '../../run/error-result.ts';
import { loadServerSource } from '../../run/load-server.ts';
import type { SystemUnderTest } from '../../run/sut.ts';
import { parseRouterSpec } from '../../sut/router/flags.ts';
import { localBatchRunner, type BatchRunner } from '../../check/fuzz.ts';
import type { FuzzBatchJob, JobResult, RunJob, ServerRef, WorkerJob, WorkerReply } from './jobs.ts';

const scenarios = new Map<string, Promise<LoadedScenario>>();
const servers = new Map<string, Promise<SystemUnderTest>>();
const batchRunners = new Map<string, BatchRunner>();

function serverOf(ref: ServerRef): Promise<SystemUnderTest> {
  const key = 'router' in ref ? `router:${ref.router}` : `file:${ref.serverFile}`;
  let sut = servers.get(key);
  if (!sut) {
    sut = 'router' in ref ? Promise.resolve(parseRouterSpec(ref.router)) : loadServerSource(ref.serverFile);
    servers.set(key, sut);
  }
  return sut;
}

async function runJob(job: RunJob): Promise<JobResult> {
  let loaded = scenarios.get(job.scenarioFile);
  if (!loaded) {
    loaded = loadScenarioFile(job.scenarioFile);
    scenarios.set(job.scenarioFile, loaded);
  }
  const { spec } = await loaded;
  const sut = await serverOf(job.server);
  try {
    const { result } = await runScenario(spec, sut, job.seed, { timeline: job.timeline });
    return result;
  } catch (error) {
    // As on the main thread: a run that blows its budget or crashes is a failed run.
    return errorResult(spec.name, sut.name, job.seed, error);
  }
}

async function fuzzBatch(job: FuzzBatchJob): Promise<JobResult> {
  const key = JSON.stringify([job.server, job.focus, job.caseOptions]);
  let runner = batchRunners.get(key);
  if (!runner) {
    runner = localBatchRunner(await serverOf(job.server), job.focus, job.caseOptions);
    batchRunners.set(key, runner);
  }
  return runner(job.seed, job.numRuns);
}

const port = parentPort;
if (!port) throw new Error('src/cli/workers/worker.ts is the body of a worker thread; start it through WorkerPool');
port.on('message', (job: WorkerJob) => {
  const work = job.kind === 'run' ? runJob(job) : fuzzBatch(job);
  work.then(
    (result) => port.postMessage({ ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) } satisfies WorkerReply),
  );
});
