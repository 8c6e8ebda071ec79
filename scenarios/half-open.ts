import { defineScenario } from '../src/scenario/types.ts';

/**
 * A NAT box forgets the connection: the socket stays "open" on both ends but carries nothing
 * (F10). The client's heartbeat (1 s) notices the missing pong, drops the zombie and
 * reconnects; only a router that can resume by sequence number gives back what fell into the
 * hole.
 */
export default defineScenario({
  name: 'half-open',
  description: 'A link goes half-open mid-run; the client heartbeat detects it and reconnects.',
  failureModes: ['F10'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }, { when: { received: 'agent_thinking' }, after: 5, do: 'half-open' }] }],
  client: { heartbeatMs: 1_000 },
  agent: { thinkMs: { kind: 'fixed', value: 300 }, toolCalls: { kind: 'fixed', value: 3 }, toolMs: { kind: 'fixed', value: 1_200 } },
  thresholds: ['lost == 0'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
