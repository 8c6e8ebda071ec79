/** The scenario's agent profile with the defaults filled in (every transport runs the same agent). */
import { DEFAULT_AGENT_PROFILE, type AgentProfile } from '../world/backend.ts';
import type { ScenarioSpec } from './types.ts';

export function agentProfileOf(spec: ScenarioSpec): AgentProfile {
  const a = spec.agent ?? {};
  return {
    startMs: a.startMs ?? DEFAULT_AGENT_PROFILE.startMs,
    thinkMs: a.thinkMs ?? DEFAULT_AGENT_PROFILE.thinkMs,
    toolCalls: a.toolCalls ?? DEFAULT_AGENT_PROFILE.toolCalls,
    toolMs: a.toolMs ?? DEFAULT_AGENT_PROFILE.toolMs,
    finishMs: a.finishMs ?? DEFAULT_AGENT_PROFILE.finishMs,
  };
}
