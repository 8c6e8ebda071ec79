import { defineScenario } from '../src/scenario/types.ts';

/**
 * F24, a resume that replays from the start instead of from the client's position. The tab has
 * received the first events of a run when its link drops; it reconnects 300 ms later and resumes
 * with what it holds. The server must send only what the tab lacks. A server that replays from
 * sequence 0 re-sends everything; the client's msg_id dedup hides the copies from the
 * application, so only a judge that looks at the wire sees it (no-redundant-redelivery).
 *
 * `--router guaranteed+bugResumeFromZero` (a test-only planted bug) fails here.
 */
export default defineScenario({
  name: 'resume-from-position',
  description: 'Drop after a run’s first events, resume 300 ms later: only what the tab lacks may be sent again.',
  failureModes: ['F24', 'F5'],
  users: [{ id: 'u1', threads: ['A'] }],
  tabs: [
    {
      id: 't1',
      user: 'u1',
      reconnectAfterMs: 300,
      actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 50, do: 'send', thread: 'A' }, { when: { received: 'tool_executing' }, after: 20, do: 'drop' }],
    },
  ],
  agent: { thinkMs: { kind: 'fixed', value: 100 }, toolCalls: { kind: 'fixed', value: 3 }, toolMs: { kind: 'fixed', value: 200 } },
  // Without resume the rest of the run never reaches the tab (nothing is owed while it is away,
  // so no loss), and the interaction does not complete: the older modes fail on success_rate.
  thresholds: ['lost == 0', 'success_rate >= 1'],
  expect: { legacy: 'fail', dynamic: 'fail', shipped: 'fail', guaranteed: 'pass' },
});
