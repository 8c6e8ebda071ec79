import { defineScenario } from '../src/scenario/types.ts';

/**
 * F21, a user message accepted by the socket but never acted on. A mobile tab reconnects and
 * the user sends at once; the link drops again 12 ms later, while the server's ownership
 * look-up for that message (20 ms) is still running. The server then discards the message (its
 * connection is gone), starts no run and sends no error; without acknowledgements the client
 * believes it was sent and never resends it. Guaranteed acknowledges every accepted message; the
 * client keeps unacknowledged ones in an outbox and resends them after its next reconnect, and
 * the server deduplicates by message id.
 */
export default defineScenario({
  name: 'request-lost-on-drop',
  description: 'Reconnect, send at once, drop again during the ownership look-up: the message must run or be refused.',
  failureModes: ['F21', 'F15'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    {
      id: 't1',
      user: 'u1',
      actions: [
        { at: 0, do: 'connect', thread: 'A' },
        { at: 100, do: 'reconnect' },
        { after: 0, do: 'send', thread: 'A' },
        { after: 12, do: 'drop' },
      ],
    },
  ],
  network: { handshakeMs: { kind: 'fixed', value: 2 }, latencyMs: { kind: 'fixed', value: 2 } },
  server: { lookupMs: { kind: 'fixed', value: 20 } },
  thresholds: ['requests_lost == 0', 'runs_duplicated == 0'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
