/**
 * threadline's public API.
 *
 *     import { simulate, defineScenario, defineServer, codecs } from 'threadline';
 *
 * - `defineScenario({...})`: a scenario script (users, tabs and their actions, faults, expectations);
 * - `defineServer((env) => server, { codec })`: a server under test, reaching the world only
 *   through `env` (clock, rng, listen, authenticate, users, backend, log, settings);
 * - `codecs`: the built-in wire protocols (`threadline`, `envelope`), or write your own `Codec`;
 * - `simulate({ scenarios, servers, seeds })`: run and judge; returns the results document.
 *
 * docs/library.md walks through a complete example.
 */
export { simulate, type SimulateOptions, type SimulateResult } from './api/simulate.ts';
export { defineScenario } from './scenario/types.ts';
export type { ScenarioSpec, TabSpec, UserSpec, Action, LoadSpec, FaultSpec, Verdict } from './scenario/types.ts';
export { defineServer, isServerPlugin, AGENT_EVENT_TYPES } from './ports/server.ts';
export type {
  AgentEventType,
  BackendEvent,
  BackendPort,
  BackendRun,
  DefineServerOptions,
  MonitoringSnapshot,
  ReportedMonitoring,
  RunRequest,
  ServerEnv,
  ServerFactory,
  ServerInstance,
  ServerLog,
  ServerMetrics,
  ServerPlugin,
  ServerSettings,
  ShutdownOptions,
} from './ports/server.ts';
export type { HandshakeInfo, SocketLike } from './ports/socket.ts';
export { CloseCode } from './ports/socket.ts';
export type { Clock, TimerHandle } from './ports/clock.ts';
export type { Random } from './ports/random.ts';
export type { ClientIntent, Codec, CodecCarries, ConnectParams, EventFact, ServerFact } from './ports/codec.ts';
export { codecs, codecNamed } from './world/codecs/index.ts';
export { fixed, uniform, normal, lognormal, exponential, pareto, type Distribution } from './sim/distribution.ts';
export { runScenario, type RunOptions, type RunOutput } from './run/runner.ts';
export type { SystemUnderTest } from './run/sut.ts';
export { validateScenario, ScenarioError } from './scenario/validate.ts';
export { loadScenarioFile } from './scenario/load-file.ts';
export { loadServerFile } from './run/load-server.ts';
export { routerServer } from './sut/router/plugin.ts';
export { parseRouterSpec, MODES, MODE_PRESETS, type RouterFlags, type RouterMode } from './sut/router/flags.ts';
export { summarise } from './run/aggregate.ts';
export type { ResultsDocument, RunResult, Summary } from './run/result.ts';
export type { CheckNotMade } from './oracle/checks-not-made.ts';
