import { defineScenario } from '../src/scenario/types.ts';

/**
 * Mobile users lose the connection while the agent works. Tab 1 drops during a tool call and
 * its client reconnects after 500 ms — inside the resume window; tab 2 drops and comes back
 * only 150 s later (a laptop lid closed) — outside the 120 s window. Without resume, whatever
 * was produced while away is gone and the run never completes on screen; with resume, tab 1
 * gets everything and tab 2 gets an explicit gap notice instead of silence (F5, F14).
 */
export default defineScenario({
  name: 'reconnect-mid-run',
  description: 'Drop during a run; reconnect inside (0.5 s) and outside (150 s) the resume window.',
  failureModes: ['F5', 'F14'],
  users: [{ id: 'u1', threads: ['A'] }, { id: 'u2', threads: ['B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }, { when: { received: 'tool_executing' }, after: 900, do: 'drop' }] },
    {
      id: 't2',
      user: 'u2',
      reconnectAfterMs: null,
      actions: [
        { at: 0, do: 'connect', thread: 'B' },
        { at: 100, do: 'send', thread: 'B' },
        { when: { received: 'tool_executing' }, after: 10, do: 'drop' },
        { after: 150_000, do: 'reconnect' },
      ],
    },
  ],
  agent: { thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 3 }, toolMs: { kind: 'fixed', value: 1_000 } },
  thresholds: ['success_rate >= 0.5'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
