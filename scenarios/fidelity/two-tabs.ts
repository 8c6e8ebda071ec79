import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity row "two tabs": tab 2 sends start_agent on B 121 ms after tab 1 did on A. The
 * user-wide bind (services/message_handlers.py:152–161) moves both tabs to B: both got A's
 * agent_started, then A's other four events find no connection on A ("No connections found for
 * thread A", websocket_core/manager.py:1235; no user fallback, the bridge's frames carry no user
 * id), and B's events also reach the tab showing A.
 */
export default defineScenario({
  name: 'fidelity-two-tabs',
  description: 'Two tabs of one user start runs on threads A and B 121 ms apart.',
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 10, do: 'send', thread: 'A' }] },
    { id: 't2', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'B' }, { at: 131, do: 'send', thread: 'B' }] },
  ],
  agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'fixed', value: 200 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'fixed', value: 300 }, finishMs: { kind: 'fixed', value: 100 } },
  server: { lookupMs: { kind: 'fixed', value: 5 } },
});
