/**
 * `simulate`: the public API's one call. Runs scenarios against servers — plug-ins made with
 * `defineServer`, or modes of the built-in router ("guaranteed", "dynamic+bindOnSwitch") — on
 * the simulated network (or real loopback sockets), and returns the results document: the same
 * document `threadline run --json` prints, which the HTML report and `threadline gate` read.
 *
 *     const doc = await simulate({ scenarios: [rapidSend], servers: [myServer], seeds: [1, 2, 3] });
 *     if (doc.verdict === 'fail') console.log(doc.runs[0].violations[0].explanation);
 */
import { isServerPlugin, type ServerPlugin } from '../ports/server.ts';
import { validateScenario } from '../scenario/validate.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import { parseRouterSpec } from '../sut/router/flags.ts';
import { overallVerdict, summarise } from '../run/aggregate.ts';
import { errorResult } from '../run/error-result.ts';
import { RESULTS_SCHEMA, type ResultsDocument, type RunResult } from '../run/result.ts';
import { runScenario } from '../run/runner.ts';
import type { SystemUnderTest } from '../run/sut.ts';
import { VERSION } from '../run/version.ts';
import { writeReport } from '../report/write.ts';

export interface SimulateOptions {
  /** Scenario specs (`defineScenario({...})`); each is validated first. */
  scenarios: ScenarioSpec | readonly ScenarioSpec[];
  /** Servers under test: plug-ins, or built-in router modes by name. Default: the guaranteed router. */
  servers?: ServerPlugin | string | ReadonlyArray<ServerPlugin | string>;
  /** Seeds to run each (scenario, server) with. Default: the scenario's `seeds`, else [1]. */
  seeds?: readonly number[];
  /** 'sim' (default: virtual time, deterministic) or 'ws' (real sockets on loopback). */
  transport?: 'sim' | 'ws';
  /** Write results.json and the HTML report into this folder (default: no report). */
  reportDir?: string;
}

export interface SimulateResult extends ResultsDocument {
  /** Where the report was written, when `reportDir` was given. */
  report?: { htmlPath: string; jsonPath: string };
}

export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  // real-time: the results document's startedAt and wallMs, for people; nothing in a run reads them.
  const started = Date.now();
  const specs = (Array.isArray(options.scenarios) ? options.scenarios : [options.scenarios]) as ScenarioSpec[];
  if (specs.length === 0) throw new TypeError('simulate: give at least one scenario (scenarios: [defineScenario({...})])');
  const checked = specs.map((s, i) => validateScenario(s, `simulate: scenarios[${i}]${typeof s?.name === 'string' ? ` ("${s.name}")` : ''}`));
  const given = options.servers === undefined ? ['guaranteed'] : Array.isArray(options.servers) ? options.servers : [options.servers];
  const suts: SystemUnderTest[] = (given as ReadonlyArray<ServerPlugin | string>).map((s, i) => {
    if (typeof s === 'string') return parseRouterSpec(s);
    if (isServerPlugin(s)) return s;
    throw new TypeError(`simulate: servers[${i}] is neither a router mode (e.g. "guaranteed") nor a plug-in made with defineServer(...)`);
  });
  const transport = options.transport ?? 'sim';
  if (transport !== 'sim' && transport !== 'ws') throw new TypeError(`simulate: transport must be "sim" or "ws", got "${String(transport)}"`);
  const runOne = transport === 'ws' ? (await import('../run/ws-runner.ts')).runScenarioWs : runScenario;
  const runs: RunResult[] = [];
  for (const spec of checked) {
    const seeds = options.seeds ?? spec.seeds ?? [1];
    for (const seed of seeds) {
      for (const sut of suts) {
        try {
          runs.push((await runOne(spec, sut, seed)).result);
        } catch (error) {
          runs.push(errorResult(spec.name, sut.name, seed, error));
        }
      }
    }
  }
  const summary = summarise(runs, new Map(checked.map((s) => [s.name, s.thresholds ?? []])));
  const doc: SimulateResult = {
    schema: RESULTS_SCHEMA,
    version: VERSION,
    verdict: overallVerdict(summary),
    command: `simulate(${checked.map((s) => s.name).join(', ')} × ${suts.map((s) => s.name).join(', ')})`,
    startedAt: new Date(started).toISOString(),
    // real-time: see `started`.
    wallMs: Date.now() - started,
    runs,
    summary,
  };
  if (options.reportDir !== undefined) doc.report = writeReport(doc, options.reportDir);
  return doc;
}
