import { defineScenario } from '../src/scenario/types.ts';

/**
 * A client sends a user_message that carries a stale `user_id` (a shared browser profile, a
 * cached store from a previous login). The shipped router read the user id for the fallback
 * fan-out from the message itself: when the thread's binding missed, the events went to every
 * tab of the user named in the payload — another person (F11, trust in payload). No mode may
 * ever deliver one user's events to another user.
 */
export default defineScenario({
  name: 'payload-user-leak',
  description: 'A user_message with a foreign user_id in its payload, sent before the thread is bound.',
  failureModes: ['F11', 'F1'],
  users: [{ id: 'alice', threads: ['alice-1'] }, { id: 'bob', threads: ['bob-1'] }],
  tabs: [
    { id: 'alice-tab', user: 'alice', actions: [{ at: 0, do: 'connect' }, { after: 1, do: 'send', thread: 'alice-1', payloadUser: 'bob' }] },
    { id: 'bob-tab', user: 'bob', actions: [{ at: 0, do: 'connect', thread: 'bob-1' }] },
  ],
  server: { lookupMs: { kind: 'fixed', value: 30 } },
  thresholds: ['leaked == 0'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
