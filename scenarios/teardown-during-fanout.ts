import { defineScenario } from '../src/scenario/types.ts';

/**
 * F16, teardown inside a handler. Three tabs of one user show thread A; the first sits behind a
 * very slow link, so its unsent bytes pass the server's outbound limit in the middle of a run
 * and the server cuts it off (4008) — inside the loop that fans the event out to A's
 * connections. Code that unbinds the closed connection from the list it is walking, without
 * stepping back, skips the next connection for that event: a healthy tab loses it, and nothing
 * re-delivers it (that tab never reconnects). The slow tab itself resumes.
 *
 * Run with a small outbound limit so the cut-off happens: `--router
 * guaranteed+outboundLimitBytes=1500` passes; `guaranteed+outboundLimitBytes=1500+fanoutSkipsAfterTeardown`
 * fails with no-loss at the second tab.
 */
export default defineScenario({
  name: 'teardown-during-fanout',
  description: 'A slow tab is cut off inside the fan-out loop; the next tab must still get the event.',
  failureModes: ['F16', 'F19'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    { id: 'slow', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 50, do: 'slow', bytesPerS: 200 }, { at: 100, do: 'send', thread: 'A' }] },
    { id: 'fast1', user: 'u1', actions: [{ at: 5, do: 'connect', thread: 'A' }] },
    { id: 'fast2', user: 'u1', actions: [{ at: 10, do: 'connect', thread: 'A' }] },
  ],
  agent: { thinkMs: { kind: 'fixed', value: 100 }, toolCalls: { kind: 'fixed', value: 6 }, toolMs: { kind: 'fixed', value: 100 } },
  deadlineMs: 60_000,
  thresholds: ['lost == 0'],
  // shipped fails here on its own defect (F8: the slow tab's sends time out and are retried).
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
