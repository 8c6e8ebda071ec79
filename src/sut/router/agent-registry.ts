/**
 * The AgentRegistry of the modelled system: the agent side's emitter, which gets the
 * WebSocketManager injected at start-up — possibly late (F18). Events emitted before the
 * injection are buffered and flushed at injection (guaranteed), or dropped with the log line
 * the status report quotes ("EMISSION BLOCKED").
 *
 * The runs themselves are the backend's (`env.backend`, the harness side): this registry only
 * carries what they emit to the router's routing, as the real bridge did.
 */
import type { Clock } from '../../ports/clock.ts';
import type { AgentEventFrame } from '../../protocol/threadline.ts';

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
  /** The frame that started it: `start_agent` only with the production envelope (shipped). */
  startedBy?: 'user_message' | 'start_agent';
}

export type Emitter = (event: AgentEventFrame, run: RunContext) => void;

export interface AgentRegistryOptions {
  clock: Clock;
  /** Buffer events emitted before injection and flush them at injection (guaranteed), or drop them ("EMISSION BLOCKED"). */
  bufferBeforeInjection: boolean;
  onBlocked: (event: AgentEventFrame) => void;
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

  emit(event: AgentEventFrame, run: RunContext): void {
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
