// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      63323
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-resume-skips-unseen-thread.ts --router guaranteed --seed 63323
// Fixed: src/world/tab-client.ts: resume names every thread the tab showed or wrote to, from 0 where
// it has seen nothing yet.
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t3#1    connect (no thread)
//        0 µs  t3#1    open (server c3)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  t1#1    send on B (t1-m2)
//        0 µs  server  WebSocket manager injected
//       44 µs  agent   agent_started of run-1 (B)
//       44 µs  agent   agent_thinking of run-1 (B)
//       44 µs  agent   agent_completed of run-1 (B)
//       44 µs  server  bind c1 → B (message)
//       44 µs  server  run run-1 for t1-m2 on B (from c1)
//       44 µs  t1#1    ← agent_started of run-1
//       44 µs  t1#1    ← agent_thinking of run-1
//       44 µs  t1#1    ← agent_completed of run-1
//        1 ms  fault   half-open t1
//      1.2 ms  agent   agent_started of run-2 (A)
//      1.2 ms  agent   agent_thinking of run-2 (A)
//      1.2 ms  agent   agent_completed of run-2 (A)
//      1.2 ms  server  bind c1 → A (message)
//      1.2 ms  server  run run-2 for t1-m1 on A (from c1)
//      1.2 ms  ✗       no-loss: agent_started of run-2 (A) never reached t1#1
//      1.2 ms  ✗       no-loss: agent_thinking of run-2 (A) never reached t1#1
//      1.2 ms  ✗       no-loss: agent_completed of run-2 (A) never reached t1#1
//         2 s  t1#1    closed 4009 (no pong: heartbeat timeout)
//       2.5 s  t1#2    connect on B
//       2.5 s  t1#2    open (server c4)
//       2.5 s  server  resume c4 on B after seq 3: 0 replayed
//     2.501 s  server  bind c4 → B (handshake)
//     2.501 s  t1#2    ← agent_started of run-1 (duplicate, not shown)
//     2.501 s  t1#2    ← agent_thinking of run-1 (duplicate, not shown)
//     2.501 s  t1#2    ← agent_completed of run-1 (duplicate, not shown)
//
// Oracle:
//   agent_started of run-2 (thread A) produced at 1.2 ms; t1#1 started run-2 and was owed its events
//   (it had since moved to B); the server wrote it to c1 at 1.2 ms, but the connection closed (4009)
//   at 2 s before it arrived and the resume did not recover it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 63323,
  "traceHash": "09a5ac7fe79a31978aa43a877988a6ca02f02fe97695a1c80d4ded0d3fe279f6",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-resume-skips-unseen-thread",
  "description": "After a reconnect the client resumed only threads it had already seen a sequence number on: a run it started, whose frames all fell into the dead link, was never replayed (F14).",
  "users": [{"id":"u1","threads":["A","B"]},{"id":"u2","threads":["C"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A"},
        {"at":0,"do":"send","thread":"B"},
        {"at":1,"do":"half-open"},
        {"at":6000,"do":"wait"},
      ],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect"}]},
    {"id":"t3","user":"u2","actions":[{"at":0,"do":"connect"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"uniform","min":0,"max":2}},
  "client": {"reconnectAfterMs":500,"heartbeatMs":1000},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [63323],
  "expect": {"guaranteed":"pass"},
});
