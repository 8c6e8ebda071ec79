import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity fact "the handler's swapped arguments": process_user_message_with_notifications calls
 * execute_and_persist(supervisor, text, user_id, …) against its signature (supervisor, user_id,
 * text, …) (services/message_processing.py:40–42 vs 49–51), so the run's context user is the
 * message text. Where is that observable? Not in `shipped` itself: its tabs send start_agent,
 * and a user_message with a thread raises on the missing `broadcasting` before execute_and_persist
 * runs. Through the one event path that uses the run's user — the fallback fan-out of a frame
 * with a user id — it is: with the handler reached and frames carrying the run's user
 * (`shipped-userMessageAckOnly-startAgentFrames-broadcastingMissing-fallbackOnlyWithUserId`) the
 * connection is never bound (F2), every event misses, and the fallback goes to a user named after
 * the text: all lost. Without the swap (the same, `-swappedExecuteArgs`) the fallback reaches
 * the tab: nothing lost.
 */
export default defineScenario({
  name: 'fidelity-swapped-arguments',
  description: 'A tab sends user_message; only agent_thinking has a fallback, and the swap sends it to nobody.',
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 5, do: 'send', thread: 'A' }] }],
  agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'fixed', value: 50 }, toolCalls: { kind: 'fixed', value: 0 }, finishMs: { kind: 'fixed', value: 20 } },
});
