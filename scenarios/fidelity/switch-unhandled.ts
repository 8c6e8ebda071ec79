import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity row "switch_thread: never rebinds". "switch_thread" is no message type the endpoint
 * knows: it is answered `{"type":"ack","received_type":"switch_thread"}` and nothing changes
 * (websocket_core/handlers.py:918–927); the service's handle_switch_thread, were it reached,
 * raises on the missing `broadcasting` before its rebind (services/message_handlers.py:544).
 * The tab that switched to B keeps its binding to A: A's later events keep arriving at a tab
 * that shows B (stray), and nothing of B would reach it.
 */
export default defineScenario({
  name: 'fidelity-switch-unhandled',
  description: 'A tab starts a run on A and switches to B while it runs.',
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 5, do: 'send', thread: 'A' }, { at: 100, do: 'switch', thread: 'B' }] }],
  agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'fixed', value: 300 }, finishMs: { kind: 'fixed', value: 100 } },
});
