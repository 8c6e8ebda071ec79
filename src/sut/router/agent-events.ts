/**
 * The agent side's frames: the backend produced an event of a run, and the router hands it to
 * the AgentRegistry as the agent's frame. On the way it notes which runs are still emitting
 * (the catch-up on binding replays them whole) and which events were produced before the
 * WebSocket manager was injected (routed late, to the bindings they were owed to: F18).
 */
import type { BackendEvent } from '../../ports/server.ts';
import type { AgentRegistry, RunContext } from './agent-registry.ts';
import type { RouterFlags } from './flags.ts';
import { EVENT_MARKS, type MarkedEventFrame } from './event-marks.ts';

export class AgentEvents {
  /** Ids of the runs still emitting (catch-up). */
  private readonly liveRuns = new Set<string>();
  /** Events produced before the WebSocket manager was injected, not yet routed (buffered, F18). */
  private readonly producedUnwired = new Set<string>();

  constructor(
    private readonly flags: RouterFlags,
    private readonly registry: AgentRegistry,
  ) {}

  /** The backend produced an event of `run`: hand it to the registry as the agent side's frame. */
  produced(produced: BackendEvent, run: RunContext): void {
    if (this.flags.bufferBeforeInjection && !this.registry.isWired) this.producedUnwired.add(produced.eid);
    if (produced.type === 'agent_started') this.liveRuns.add(run.runId);
    if (produced.type === 'agent_completed') this.liveRuns.delete(run.runId);
    // Every field the frame will get is declared here: `seq` and `msg_id` (set by the stream log
    // and the routing; JSON leaves them out while unset, and they keep their place last) and the
    // router's marks (a symbol key: never on the wire). Added later, they would cost every frame
    // an out-of-object property store.
    const event: MarkedEventFrame = { type: produced.type, user_id: run.userId, thread_id: run.threadId, run_id: run.runId, ts: produced.producedAtUs, eid: produced.eid, seq: undefined, msg_id: undefined, [EVENT_MARKS]: 0 };
    this.registry.emit(event, run);
  }

  /** Has this run started and not completed? */
  isLive(runId: string): boolean {
    return this.liveRuns.has(runId);
  }

  /** Was this event produced before the injection and not routed yet? It is routed now: forgotten. */
  takeUnwired(eid: string): boolean {
    return this.producedUnwired.delete(eid);
  }
}
