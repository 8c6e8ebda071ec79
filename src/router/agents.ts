/**
 * The agent side: AgentRegistry (gets the WebSocketManager injected, possibly late in
 * start-up) and ExecutionEngine (validates `run_id`, runs an agent for a thread and emits
 * agent_started, agent_thinking, any number of tool_executing/tool_completed pairs, and
 * agent_completed, with durations drawn from the agent profile).
 *
 * `onProduced` is the harness's view of the agent side's ground truth: every event the agent
 * produced, with the run's true origin. The oracle reads it; routing never does.
 */
import type { Clock } from '../sim/clock.ts';
import { type Distribution, fixed, sample, sampleDurationUs } from '../sim/distribution.ts';
import type { Random } from '../sim/rng.ts';
import type { AgentEventFrame, AgentEventType } from '../protocol.ts';

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

export interface RunContext {
  runId: string;
  /** The user the router believes the run belongs to (the payload's, under trustPayloadUserId). */
  userId: string;
  threadId: string;
  /** Connection that sent the user message (run-scoped delivery). */
  originConnectionId: string;
  /** Run-scoped delivery across reconnects: the router's key of (user, session, thread) whose
   *  carrier connection receives this run's events. Absent: the origin connection. */
  carrier?: string;
  /** Client id of the user message that started the run. */
  messageId: string;
}

export interface ProducedEvent {
  readonly eid: string;
  readonly index: number;
  readonly type: AgentEventType;
  readonly run: RunContext;
  readonly producedAtUs: number;
}

export type Emitter = (event: AgentEventFrame, run: RunContext) => void;

export interface AgentRegistryOptions {
  clock: Clock;
  /** Buffer events emitted before injection and flush them at injection (guaranteed), or drop them ("EMISSION BLOCKED"). */
  bufferBeforeInjection: boolean;
  onBlocked: (event: AgentEventFrame) => void;
  onProduced: (event: ProducedEvent) => void;
}

export class AgentRegistry {
  private emitter: Emitter | null = null;
  private readonly buffered: Array<{ event: AgentEventFrame; run: RunContext }> = [];
  injectedAtUs: number | null = null;

  constructor(private readonly options: AgentRegistryOptions) {}

  /** The start-up wiring the report calls `set_websocket_manager`. */
  setWebSocketManager(emitter: Emitter): void {
    this.emitter = emitter;
    this.injectedAtUs = this.options.clock.now();
    const pending = this.buffered.splice(0);
    for (const { event, run } of pending) emitter(event, run);
  }

  get isWired(): boolean {
    return this.emitter !== null;
  }

  emit(event: AgentEventFrame, run: RunContext, index: number): void {
    this.options.onProduced({ eid: event.eid, index, type: event.type, run, producedAtUs: this.options.clock.now() });
    if (this.emitter) {
      this.emitter(event, run);
    } else if (this.options.bufferBeforeInjection) {
      this.buffered.push({ event, run });
    } else {
      // The null check the report mentions: no crash, but the event is gone.
      this.options.onBlocked(event);
    }
  }
}

const RUN_ID = /^run-[0-9]+$/;

export class ExecutionEngine {
  private nextRun = 1;
  readonly active = new Map<string, RunContext>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Random,
    private readonly registry: AgentRegistry,
    private readonly profile: AgentProfile,
  ) {}

  newRunId(): string {
    return `run-${this.nextRun++}`;
  }

  /** Validates the run id (not the thread: thread ids are for routing only, as the report says). */
  validateRunId(runId: string): boolean {
    return RUN_ID.test(runId);
  }

  /** Run the agent to completion, emitting its events. Resolves when agent_completed is emitted. */
  async execute(run: RunContext): Promise<void> {
    if (!this.validateRunId(run.runId)) throw new Error(`ExecutionEngine: invalid run_id "${run.runId}"`);
    this.active.set(run.runId, run);
    let index = 0;
    const emit = (type: AgentEventType): void => {
      const event: AgentEventFrame = {
        type,
        user_id: run.userId,
        thread_id: run.threadId,
        run_id: run.runId,
        ts: this.clock.now(),
        eid: `${run.runId}#${index}`,
      };
      this.registry.emit(event, run, index++);
    };
    const p = this.profile;
    await this.clock.sleep(sampleDurationUs(p.startMs, this.rng));
    emit('agent_started');
    await this.clock.sleep(sampleDurationUs(p.thinkMs, this.rng));
    emit('agent_thinking');
    const tools = Math.max(0, Math.floor(sample(p.toolCalls, this.rng)));
    for (let i = 0; i < tools; i++) {
      emit('tool_executing');
      await this.clock.sleep(sampleDurationUs(p.toolMs, this.rng));
      emit('tool_completed');
    }
    await this.clock.sleep(sampleDurationUs(p.finishMs, this.rng));
    emit('agent_completed');
    this.active.delete(run.runId);
  }
}
