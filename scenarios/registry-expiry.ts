import { defineScenario } from '../src/scenario/types.ts';

/**
 * A long agent run — a research task with slow tools — outlives the connection registry's
 * 180 s TTL. The shipped code's connection maps were TTL caches written once at connect, so
 * a live, healthy socket silently vanished from routing three minutes after it opened (F9).
 */
export default defineScenario({
  name: 'registry-expiry',
  description: 'A run longer than 180 s on a connection opened at t=0: the registry entry expires mid-run.',
  failureModes: ['F9'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 1_000, do: 'send', thread: 'A' }] }],
  agent: { thinkMs: { kind: 'fixed', value: 5_000 }, toolCalls: { kind: 'fixed', value: 4 }, toolMs: { kind: 'fixed', value: 60_000 } },
  thresholds: ['lost == 0'],
  expect: { legacy: 'pass', dynamic: 'pass', shipped: 'fail', guaranteed: 'pass' },
});
