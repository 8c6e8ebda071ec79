import { defineScenario } from '../src/scenario/types.ts';

/**
 * One of two tabs on the same thread sits behind a very slow link (100 bytes/s: a congested
 * mobile connection): each event frame takes about two seconds to leave the server's send
 * buffer. The shipped code timed sends out after 2 s and sent the same bytes again, up to
 * twice, with no message id (F8) — so the slow tab gets duplicates it cannot recognise, and
 * out-of-order events. The fast tab must not be held up (F19).
 */
export default defineScenario({
  name: 'slow-consumer',
  description: 'A 100 B/s tab next to a fast tab on the same thread; sends time out after 2 s and are retried.',
  failureModes: ['F8', 'F19'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    { id: 'slow', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 50, do: 'slow', bytesPerS: 100 }, { at: 100, do: 'send', thread: 'A' }] },
    { id: 'fast', user: 'u1', actions: [{ at: 5, do: 'connect', thread: 'A' }] },
  ],
  agent: { thinkMs: { kind: 'fixed', value: 500 }, toolCalls: { kind: 'fixed', value: 2 }, toolMs: { kind: 'fixed', value: 800 } },
  deadlineMs: 60_000,
  thresholds: ['duplicated == 0', 'lost == 0'],
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
