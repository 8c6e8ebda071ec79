import { defineScenario } from '../src/scenario/types.ts';

/**
 * A user asks the agent something on thread A, and while the agent is running a tool switches
 * to thread B and asks something there. The status report judged this "low impact: thread
 * association happens when the next message arrives" — but the next message moves the
 * association to B, and the rest of A's run, which the user started and is still waiting for,
 * finds no connection for A (F3).
 */
export default defineScenario({
  name: 'thread-switch-mid-run',
  description: 'Switch from thread A to B between tool_executing and tool_completed, then send on B while A still runs.',
  failureModes: ['F3'],
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [
    {
      id: 't1',
      user: 'u1',
      actions: [
        { at: 0, do: 'connect', thread: 'A' },
        { after: 100, do: 'send', thread: 'A' },
        { when: { received: 'tool_executing' }, after: 20, do: 'switch', thread: 'B' },
        { after: 30, do: 'send', thread: 'B' },
      ],
    },
  ],
  server: { lookupMs: { kind: 'uniform', min: 2, max: 6 } },
  agent: { thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 3 }, toolMs: { kind: 'uniform', min: 300, max: 600 } },
  thresholds: ['lost == 0'],
  // shipped passes: the fallback fan-out sends A's orphaned events to all of the user's tabs.
  // shipped delivers everything here (its sleep and fallback fan-out), but its monitoring hides
  // the routing misses behind the fallback (F12 success masking): honest-monitoring fails.
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
