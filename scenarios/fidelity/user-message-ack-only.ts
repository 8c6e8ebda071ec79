import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity row "user_message through the endpoint's own MessageRouter: no run starts".
 * Run with `--router shipped-startAgentFrames` (the tab sends user_message, not start_agent):
 * the endpoint's built-in UserMessageHandler claims user_message before any AgentMessageHandler
 * and answers "Message received" (netra-systems/zen f48a9b486, websocket_core/handlers.py:507–515,
 * 546–565, first match at 975–980): no run, no error. The oracle's no-lost-request fires.
 */
export default defineScenario({
  name: 'fidelity-user-message-ack-only',
  description: 'A tab sends user_message right after connecting; the real endpoint only acknowledges it.',
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { after: 2, do: 'send', thread: 'A' }] }],
  server: { lookupMs: { kind: 'uniform', min: 5, max: 20 } },
});
