import { defineScenario } from '../../src/scenario/types.ts';

/**
 * Fidelity row "start_agent, with or without a thread: 0/20 lost". `shipped`'s tabs send
 * start_agent, the only frame that reaches the agent handler through /ws. The service binds
 * every connection of the user to the thread before the run (update_connection_thread(user_id,
 * …), services/message_handlers.py:152–161, then sleep(0.01)): the first message right after
 * connecting loses nothing, with or without a thread in the URL.
 */
export default defineScenario({
  name: 'fidelity-start-agent',
  description: 'Two tabs send start_agent 0–3 ms after connecting, one with a thread in the URL, one without.',
  users: [{ id: 'u1', threads: ['A'] }, { id: 'u2', threads: ['B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { after: 1, do: 'send', thread: 'A' }] },
    { id: 't2', user: 'u2', actions: [{ at: 0, do: 'connect' }, { after: 3, do: 'send', thread: 'B' }] },
  ],
  server: { lookupMs: { kind: 'uniform', min: 5, max: 20 } },
  thresholds: ['lost == 0'],
});
