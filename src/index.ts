/**
 * threadline's public API, for scenario scripts outside this repository
 * (`import { defineScenario } from 'threadline'`) and for programmatic use.
 */
export { defineScenario } from './scenario/types.ts';
export type { ScenarioSpec, TabSpec, UserSpec, Action, LoadSpec, FaultSpec, Verdict } from './scenario/types.ts';
export { fixed, uniform, normal, lognormal, exponential, pareto, type Distribution } from './sim/distribution.ts';
export { runScenario, type RunOptions, type RunOutput } from './run/runner.ts';
export { validateScenario, ScenarioError } from './scenario/validate.ts';
export { loadScenarioFile } from './scenario/load-file.ts';
export { parseRouterSpec, MODES, MODE_PRESETS, type RouterFlags, type RouterMode } from './sut/router/flags.ts';
export { summarise } from './run/aggregate.ts';
export type { ResultsDocument, RunResult, Summary } from './run/result.ts';
