/**
 * The router's observation hooks for a judged run, whatever the transport: router facts and
 * agent productions go into the trace, and to the oracle's ground truth (facts only to explain,
 * productions as the agent side's truth).
 */
import type { Clock } from '../sim/clock.ts';
import type { Trace, TraceFields } from '../sim/trace.ts';
import type { ProducedEvent } from '../router/agents.ts';
import type { GroundTruth } from '../oracle/recorder.ts';

export function observeRouter(truth: GroundTruth, trace: Trace, clock: Pick<Clock, 'now'>): {
  onTrace: (kind: string, fields: TraceFields) => void;
  onProduced: (event: ProducedEvent) => void;
} {
  return {
    onTrace: (kind, fields) => {
      trace.record(clock.now(), kind, fields);
      truth.routerFact(clock.now(), kind, fields);
    },
    onProduced: (event) => {
      trace.record(event.producedAtUs, 'agent.produced', { eid: event.eid, type: event.type, run: event.run.runId, thread: event.run.threadId });
      truth.producedEvent(event);
    },
  };
}
