import { defineScenario } from '../src/scenario/types.ts';

/**
 * The monitoring says all is well while nobody received anything. The shipped code counted
 * test-prefixed thread ids as delivered and reported partial fan-out as success (F12). Here a
 * QA user starts a run on a test-prefixed thread and closes the tab at once, so the run's
 * events find no connection at all; another user works normally meanwhile. The router's own
 * "delivered" counter must agree with what went onto the wire: honest monitoring is an
 * invariant, not a nicety.
 */
export default defineScenario({
  name: 'success-masking',
  description: 'Events for a test-prefixed thread that no connection holds: does the router count them as delivered?',
  failureModes: ['F12'],
  users: [{ id: 'qa', threads: ['test_thread_1'] }, { id: 'u1', threads: ['A'] }],
  tabs: [
    { id: 'qa-tab', user: 'qa', actions: [{ at: 0, do: 'connect', thread: 'test_thread_1' }, { at: 50, do: 'send', thread: 'test_thread_1' }, { at: 60, do: 'close' }] },
    { id: 'u1-tab', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }] },
  ],
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
