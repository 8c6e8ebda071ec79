/**
 * The agent backend: the harness's side of `env.backend` (src/ports/server.ts).
 *
 * A run emits agent_started, agent_thinking, any number of tool_executing/tool_completed pairs
 * and agent_completed, with durations drawn from the scenario's agent profile. Every event is
 * reported to `onProduced` (the ground truth) before the server sees it, so what was produced
 * is known whatever the server does with it.
 *
 * Run ids are "run-1", "run-2", ... in start order; they name no thread (F20).
 */
import type { Clock } from '../ports/clock.ts';
import type { Distribution } from '../ports/distribution.ts';
import type { Random } from '../ports/random.ts';
import type { AgentEventType, BackendEvent, BackendPort, BackendRun, RunRequest } from '../ports/server.ts';
import type { ProducedEvent } from '../ports/facts.ts';
export type { ProducedEvent } from '../ports/facts.ts';
import { fixed, sample, sampleDurationUs } from '../sim/distribution.ts';

export interface AgentProfile {
  /** Delay from the run's start to agent_started, ms. */
  startMs: Distribution;
  /** Thinking time before the first tool call, ms. */
  thinkMs: Distribution;
  /** Number of tool calls (rounded down, at least 0). */
  toolCalls: Distribution;
  /** Duration of one tool call, ms. */
  toolMs: Distribution;
  /** Time from the last step to agent_completed, ms. */
  finishMs: Distribution;
}

export const DEFAULT_AGENT_PROFILE: AgentProfile = {
  startMs: fixed(1),
  thinkMs: fixed(200),
  toolCalls: fixed(1),
  toolMs: fixed(300),
  finishMs: fixed(100),
};


export interface AgentBackendOptions {
  clock: Clock;
  rng: Random;
  profile?: AgentProfile;
  /** The ground truth: every produced event, before the server gets it. */
  onProduced?: (event: ProducedEvent) => void;
}

export class AgentBackend implements BackendPort {
  private nextRun = 1;
  private active = 0;

  constructor(private readonly options: AgentBackendOptions) {}

  get activeRuns(): number {
    return this.active;
  }

  startRun(request: RunRequest, onEvent: (event: BackendEvent) => void): BackendRun {
    const runId = `run-${this.nextRun++}`;
    this.active++;
    const done = this.execute(runId, request, onEvent).finally(() => {
      this.active--;
    });
    return { runId, done };
  }

  private async execute(runId: string, request: RunRequest, onEvent: (event: BackendEvent) => void): Promise<void> {
    const { clock, rng } = this.options;
    const profile = this.options.profile ?? DEFAULT_AGENT_PROFILE;
    const onProduced = this.options.onProduced;
    let index = 0;
    const emit = (type: AgentEventType): void => {
      const event: ProducedEvent = { type, runId, index, eid: `${runId}#${index}`, producedAtUs: clock.now(), request };
      index++;
      onProduced?.(event);
      onEvent(event);
    };
    await clock.sleep(sampleDurationUs(profile.startMs, rng));
    emit('agent_started');
    await clock.sleep(sampleDurationUs(profile.thinkMs, rng));
    emit('agent_thinking');
    const tools = Math.max(0, Math.floor(sample(profile.toolCalls, rng)));
    for (let i = 0; i < tools; i++) {
      emit('tool_executing');
      await clock.sleep(sampleDurationUs(profile.toolMs, rng));
      emit('tool_completed');
    }
    await clock.sleep(sampleDurationUs(profile.finishMs, rng));
    emit('agent_completed');
  }
}
