import { defineScenario } from '../src/scenario/types.ts';

/**
 * F20, a run id resolved to the wrong thread. The tab starts a run on A and switches to B while
 * the agent is still working; a second tab stays on A. A bridge that looks the thread up from
 * the run id when each event is emitted — and, for a run id that does not name its thread
 * ("run-<n>" rather than "thread_<id>_run_<n>"), falls back to the thread the starting
 * connection is bound to *now* — labels the rest of A's run as B: the tab on A loses it and
 * the tab on B shows A's events under B (thread isolation).
 *
 * No mode has the defect by default; `--router guaranteed+resolveThreadFromRunId` (or any mode
 * with +resolveThreadFromRunId) fails here with thread-isolation and no-loss.
 */
export default defineScenario({
  name: 'run-id-wrong-thread',
  description: 'Switch mid-run: events whose thread is resolved from a plain run id at emission land on the new thread.',
  failureModes: ['F20', 'F3'],
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }, { when: { received: 'tool_executing' }, after: 5, do: 'switch', thread: 'B' }] },
    { id: 't2', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }] },
  ],
  agent: { thinkMs: { kind: 'fixed', value: 50 }, toolCalls: { kind: 'fixed', value: 2 }, toolMs: { kind: 'fixed', value: 200 } },
  server: { lookupMs: { kind: 'fixed', value: 5 } },
  thresholds: ['lost == 0', 'misrouted == 0'],
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'pass', guaranteed: 'pass' },
});
