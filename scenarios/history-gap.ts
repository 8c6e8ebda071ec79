import { defineScenario } from '../src/scenario/types.ts';

/**
 * A second tab opens a thread whose agent is already running: it loads the history, then goes
 * live — and the events emitted between the two are shown nowhere (F6). Here the new tab's
 * ownership look-up is slow (80 ms), and the running agent emits inside that window.
 */
export default defineScenario({
  name: 'history-gap',
  description: 'A tab opens a thread mid-run; events between history load and binding fall in the gap.',
  failureModes: ['F6', 'F17'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    { id: 'first', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }] },
    { id: 'second', user: 'u1', actions: [{ at: 400, do: 'connect', thread: 'A' }] },
  ],
  server: { lookupMs: { kind: 'fixed', value: 80 } },
  agent: { thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 4 }, toolMs: { kind: 'fixed', value: 50 } },
  thresholds: ['lost == 0'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
