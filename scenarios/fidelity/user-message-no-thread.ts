import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity row "user_message without a thread_id: all five events lost". Run with
 * `--router shipped-userMessageAckOnly-startAgentFrames`, so the message reaches the agent
 * handler (through /ws the endpoint's router would only acknowledge it). Without a thread_id the
 * handler skips its bind (websocket_core/agent_handler.py:56–57), the service takes the user's
 * latest thread and skips both its bind and the `broadcasting` call (services/message_handlers.py:
 * 346, 361, 401–405), and the run starts: nothing is bound to the thread, and the bridge's events
 * have no fallback. Five times "No connections found for thread" per run.
 */
export default defineScenario({
  name: 'fidelity-user-message-no-thread',
  description: 'A tab sends user_message without naming its thread, 0–3 ms after connecting.',
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { after: 2, do: 'send', thread: 'A', omitThread: true }] }],
  server: { lookupMs: { kind: 'uniform', min: 5, max: 20 } },
});
