// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-buffered-event-routed-by-late-bindings.ts --router guaranteed --seed 0
// Fixed: src/sut/router/router.ts route(): an event buffered before injection also goes to every
// connection bound to its thread at some time since it was produced (connection.ts bindHistory, kept
// only until injection).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect on B
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t2#1    send on B (t2-m1)
//        0 µs  agent   agent_started of run-1 (B)
//        0 µs  agent   agent_thinking of run-1 (B)
//        0 µs  agent   agent_completed of run-1 (B)
//        0 µs  server  bind c1 → B (handshake)
//        0 µs  server  bind c2 → B (message)
//        0 µs  server  run run-1 for t2-m1 on B (from c2)
//        0 µs  ✗       no-loss: agent_started of run-1 (B) never reached t1#1
//        0 µs  ✗       no-loss: agent_thinking of run-1 (B) never reached t1#1
//        0 µs  ✗       no-loss: agent_completed of run-1 (B) never reached t1#1
//      100 ms  t1#1    send on A (t1-m1)
//      100 ms  agent   agent_started of run-2 (A)
//      100 ms  agent   agent_thinking of run-2 (A)
//      100 ms  agent   agent_completed of run-2 (A)
//      100 ms  server  bind c1 → A (message)
//      100 ms  server  run run-2 for t1-m1 on A (from c1)
//      101 ms  server  WebSocket manager injected
//      101 ms  t2#1    ← agent_started of run-1
//      101 ms  t2#1    ← agent_thinking of run-1
//      101 ms  t2#1    ← agent_completed of run-1
//      101 ms  t1#1    ← agent_started of run-2
//      101 ms  t1#1    ← agent_thinking of run-2
//      101 ms  t1#1    ← agent_completed of run-2
//
// Oracle:
//   agent_started of run-1 (thread B) produced at 0 µs; t1#1 had declared B at 0 µs; but the server
//   routed it to c2 while c1 was bound to B; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "47ee822b12adf38727006dd5ae77f55b252b08bc002bf4becb625e2a981c482d",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-buffered-event-routed-by-late-bindings",
  "description": "Late injection (F18): events buffered before the WebSocket manager was injected were routed by the bindings at injection time, missing a tab that was bound to their thread when they were produced and has moved on since.",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [{"at":0,"do":"connect","thread":"B"},{"at":100,"do":"send","thread":"A"}],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect"},{"at":0,"do":"send","thread":"B"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":0},"injectionDelayMs":101},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
