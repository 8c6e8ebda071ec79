import { defineScenario } from '../src/scenario/types.ts';

/**
 * One user, three tabs, two threads: tabs 1 and 3 show thread A, tab 2 shows thread B. Tab 1
 * asks on A; while A's agent runs, tab 2 asks on B, and tab 3 is closed. In the shipped code the
 * service path bound *every* connection of the user to the newest thread (F4), so A's running
 * agent lost its audience, and only the fallback fan-out to all tabs hid it (F11). Closing one
 * tab must change nothing for the others. The fallback fan-out rescues the loss, at the price of
 * showing A's events in tab 2: the report's "stray" count.
 */
export default defineScenario({
  name: 'multi-tab-user',
  description: 'Three tabs, two threads; tab 2 sends on B while A runs; tab 3 closes during the run.',
  failureModes: ['F4', 'F11'],
  users: [{ id: 'u1', threads: ['A', 'B'] }],
  tabs: [
    { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 200, do: 'send', thread: 'A' }, { at: 2_500, do: 'send', thread: 'A' }] },
    { id: 't2', user: 'u1', actions: [{ at: 5, do: 'connect', thread: 'B' }, { at: 450, do: 'send', thread: 'B' }] },
    { id: 't3', user: 'u1', actions: [{ at: 10, do: 'connect', thread: 'A' }, { at: 700, do: 'close' }] },
  ],
  server: { lookupMs: { kind: 'uniform', min: 3, max: 12 } },
  agent: { thinkMs: { kind: 'fixed', value: 150 }, toolCalls: { kind: 'fixed', value: 2 }, toolMs: { kind: 'uniform', min: 200, max: 400 } },
  thresholds: ['lost == 0'],
  // Measured: every mode passes. The shipped user-wide rebinding does move tab 1 to B, but the
  // fallback fan-out to all of the user's tabs hides it — visible as "stray" deliveries
  // (A's events shown to tab 2, which is on B), not as loss.
  // shipped delivers everything here (its sleep and fallback fan-out), but its monitoring hides
  // the routing misses behind the fallback (F12 success masking): honest-monitoring fails.
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
