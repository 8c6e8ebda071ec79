import { defineScenario } from '../src/scenario/types.ts';

/**
 * A client sends a user_message that carries a stale `user_id` (a shared browser profile, a
 * cached store from a previous login). The shipped router read the user id for the fallback
 * fan-out from the message itself: when the thread's binding missed, the events went to every
 * tab of the user named in the payload — another person (F11, trust in payload). No mode may
 * ever deliver one user's events to another user. Held against the public code (0.2) that
 * defect is not there — its handlers use the JWT's user — so it is the flag trustPayloadUserId,
 * off in shipped: `--router shipped+trustPayloadUserId-fallbackOnlyWithUserId` (trust, and a fallback that reaches the named user) leaks here.
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
  // shipped passes: the public code's handlers take the user from the JWT, not from the frame
  // (websocket_core/handlers.py:956–980); the leak is measured alone as shipped+trustPayloadUserId-fallbackOnlyWithUserId.
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'pass', guaranteed: 'pass' },
});
