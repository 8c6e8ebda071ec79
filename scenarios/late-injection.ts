import { defineScenario } from '../src/scenario/types.ts';

/**
 * A deploy restarts the server; clients reconnect at once, but start-up wires the WebSocket
 * manager into the agent registry (`set_websocket_manager`) only 1.5 s later. Agents started in
 * that window emit into nothing: the null check avoids a crash and logs "EMISSION BLOCKED"
 * (F18). The report called this "medium impact, already has null checks".
 */
export default defineScenario({
  name: 'late-injection',
  description: 'Agent events emitted before set_websocket_manager runs, 1.5 s into start-up.',
  failureModes: ['F18'],
  users: [{ id: 'u1', threads: ['A'] }, { id: 'u2', threads: ['B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }] },
    { id: 't2', user: 'u2', actions: [{ at: 20, do: 'connect', thread: 'B' }, { at: 2_000, do: 'send', thread: 'B' }] },
  ],
  server: { injectionDelayMs: 1_500 },
  agent: { thinkMs: { kind: 'fixed', value: 300 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'fixed', value: 500 } },
  thresholds: ['lost == 0'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
