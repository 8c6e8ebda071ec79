import { defineScenario } from '../src/scenario/types.ts';

/**
 * A load balancer restarts: forty connections die at the same instant, mid-run, and every
 * client reconnects at once — faster than any session state could be saved (F15). The server
 * must rebind them all and, where it can, give back what was in flight.
 */
const users = Array.from({ length: 40 }, (_, i) => ({ id: `s${i + 1}`, threads: [`s${i + 1}-a`] }));
export default defineScenario({
  name: 'reconnect-storm',
  description: 'Forty connections killed at once by a partition mid-run; all reconnect immediately.',
  failureModes: ['F15', 'F5'],
  users,
  tabs: users.map((u, i) => ({
    id: `${u.id}-tab`,
    user: u.id,
    actions: [
      { at: i * 3, do: 'connect' as const, thread: u.threads[0]! },
      { at: 200 + i * 3, do: 'send' as const, thread: u.threads[0]! },
    ],
  })),
  faults: [{ kind: 'partition', at: 700, durationMs: 300, then: 'kill' }],
  client: { reconnectAfterMs: 0 },
  agent: { thinkMs: { kind: 'uniform', min: 200, max: 600 }, toolCalls: { kind: 'fixed', value: 2 }, toolMs: { kind: 'uniform', min: 200, max: 500 } },
  thresholds: ['lost == 0', 'success_rate >= 0.99'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
