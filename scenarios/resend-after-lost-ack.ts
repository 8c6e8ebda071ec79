import { defineScenario } from '../src/scenario/types.ts';

/**
 * F22, a resend that starts the same run twice. The server accepts a message and starts its
 * run, but the link drops before the acknowledgement arrives; the client's outbox resends the
 * message after reconnecting. A server that does not recognise the message id runs it again
 * (two agent runs, two answers in the thread). Guaranteed deduplicates by message id within a
 * stated window and acknowledges the resend with the run it already started; run-scoped
 * delivery and resume bring that run's events to the new connection.
 *
 * `--router guaranteed+messageDedupWindowMs=0` (dedup off) fails here with no-duplicate-run.
 */
export default defineScenario({
  name: 'resend-after-lost-ack',
  description: 'The ack of an accepted message is lost with its connection; the resend must not start a second run.',
  failureModes: ['F22', 'F5'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    {
      id: 't1',
      user: 'u1',
      actions: [
        { at: 0, do: 'connect', thread: 'A' },
        { at: 100, do: 'send', thread: 'A' },
        // The message arrives at 105 ms; the server acknowledges it and starts the run at 110 ms
        // (look-up 5 ms); the run's first event is produced at 111 ms; the ack would arrive at
        // 115 ms. The drop at 113 ms lands 2 ms after the first event and 2 ms before the ack:
        // both are in flight, on either transport (a real socket adds a fraction of a ms).
        { after: 13, do: 'drop' },
      ],
    },
  ],
  network: { handshakeMs: { kind: 'fixed', value: 2 }, latencyMs: { kind: 'fixed', value: 5 } },
  server: { lookupMs: { kind: 'fixed', value: 5 } },
  thresholds: ['requests_lost == 0', 'runs_duplicated == 0'],
  expect: { guaranteed: 'pass' },
});
