import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity fact "closing one tab closes all of the user's tabs": the endpoint's cleanup calls
 * disconnect_user (routes/websocket.py:427), which closes every connection of the user with 1000
 * (websocket_core/manager.py:1457–1462). Tab 2 is in the middle of a run when tab 1 closes; a
 * 1000 close is normal, so tab 2 does not reconnect, and the rest of its run is lost.
 */
export default defineScenario({
  name: 'fidelity-close-one-tab',
  description: 'A user closes one of two tabs while the other waits for an answer.',
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 150, do: 'close' }] },
    { id: 't2', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'B' }, { at: 10, do: 'send', thread: 'B' }] },
  ],
  agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'fixed', value: 300 }, finishMs: { kind: 'fixed', value: 100 } },
});
