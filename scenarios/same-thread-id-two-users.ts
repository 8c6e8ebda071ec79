import { defineScenario } from '../src/scenario/types.ts';

/**
 * F25, two users own threads with the same id. Thread ids are scoped per user: alice's "t1" and
 * bob's "t1" are different threads. Both run an agent on their "t1" at the same time, each with
 * a second tab open on it; a router that keyed streams, bindings or queues by the thread id
 * alone would mix them (bob's tabs would see alice's events: no-leakage). Every mode keys by
 * (user, thread), so none may leak here; the guaranteed mode must also lose nothing.
 *
 * `--router guaranteed+bugThreadKeyedRouting` (a test-only planted bug: routing by thread id
 * alone) fails here with no-leakage: alice's events reach bob's tabs.
 */
export default defineScenario({
  name: 'same-thread-id-two-users',
  description: 'Two users both own a thread "t1" and run agents on it at once: nothing of one reaches the other.',
  failureModes: ['F25'],
  users: [
    { id: 'alice', threads: ['t1', 't2'] },
    { id: 'bob', threads: ['t1'] },
  ],
  tabs: [
    { id: 'a1', user: 'alice', actions: [{ at: 0, do: 'connect', thread: 't1' }, { at: 50, do: 'send', thread: 't1' }, { at: 400, do: 'send', thread: 't1' }] },
    { id: 'a2', user: 'alice', actions: [{ at: 0, do: 'connect', thread: 't1' }, { at: 200, do: 'switch', thread: 't2' }, { at: 300, do: 'switch', thread: 't1' }] },
    { id: 'b1', user: 'bob', actions: [{ at: 0, do: 'connect', thread: 't1' }, { at: 52, do: 'send', thread: 't1' }, { at: 401, do: 'send', thread: 't1' }] },
    { id: 'b2', user: 'bob', actions: [{ at: 20, do: 'connect', thread: 't1' }, { at: 250, do: 'drop' }] },
  ],
  server: { lookupMs: { kind: 'uniform', min: 2, max: 8 } },
  thresholds: ['leaked == 0', 'misrouted == 0'],
  // shipped leaks nothing here either, but fails on no-lost-request: b2's drop makes the real
  // endpoint call disconnect_user, which closes b1 too (1000, so b1 does not reconnect) and b1's
  // second message finds no connection (closeAllOnDisconnect; shipped-closeAllOnDisconnect passes).
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
