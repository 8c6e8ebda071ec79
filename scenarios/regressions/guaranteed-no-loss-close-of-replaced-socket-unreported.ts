// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      197275
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-close-of-replaced-socket-unreported.ts --router guaranteed --seed 197275
// Fixed: src/world/tab-client.ts onClose(): a replaced socket's close is still reported to the ground
// truth (the trace is unchanged; only the judgement was wrong).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original code (an oracle false positive, not a router bug)):
//        0 µs  t1#1    connect on A
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  server  WebSocket manager injected
//      4.4 ms  server  bind c1 → A (handshake)
//      327 ms  t1#2    connect on A
//      327 ms  t1#2    open (server c3)
//    329.3 ms  server  bind c3 → A (handshake)
//      400 ms  t2#1    send on A (t2-m1)
//      410 ms  t2#1    send on A (t2-m2)
//    423.1 ms  agent   agent_started of run-1 (A)
//    423.1 ms  server  bind c2 → A (message)
//    423.1 ms  server  run run-1 for t2-m1 on A (from c2)
//    434.4 ms  agent   agent_started of run-2 (A)
//    434.4 ms  server  bind c2 → A (message)
//    434.4 ms  server  run run-2 for t2-m2 on A (from c2)
//    442.5 ms  t2#1    ← agent_started of run-1
//    442.8 ms  t1#2    ← agent_started of run-1
//      454 ms  t1#2    ← agent_started of run-2
//    454.4 ms  t2#1    ← agent_started of run-2
//    511.1 ms  agent   agent_thinking of run-1 (A)
//    522.4 ms  agent   agent_thinking of run-2 (A)
//    530.6 ms  t2#1    ← agent_thinking of run-1
//    530.8 ms  t1#2    ← agent_thinking of run-1
//    541.9 ms  t1#2    ← agent_thinking of run-2
//    542.3 ms  t2#1    ← agent_thinking of run-2
//    597.1 ms  agent   agent_completed of run-1 (A)
//    608.4 ms  agent   agent_completed of run-2 (A)
//    608.4 ms  ✗       no-loss: agent_completed of run-2 (A) never reached t1#1
//    616.2 ms  t1#2    ← agent_completed of run-1
//      617 ms  t2#1    ← agent_completed of run-1
//    627.5 ms  t2#1    ← agent_completed of run-2
//      630 ms  t1#2    closed 1000 (the user closed the tab)
//
// Oracle:
//   agent_completed of run-2 (thread A) produced at 608.4 ms; t1#1 had declared A at 327 ms; but the
//   server routed it to c2, c3 while c1 was bound to A; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 197275,
  "traceHash": "d34eed62d126c4f7ad94d4394ed582fa5eccba1da485b23dd7b117eecd943abb",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-close-of-replaced-socket-unreported",
  "description": "Ground truth: a tab that closed and reconnected before the close completed never reported the old connection closed, so the oracle counted it open and owed it events.",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect","thread":"A"},
        {"at":326,"do":"close"},
        {"at":327,"do":"reconnect"},
        {"at":628,"do":"close"},
      ],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [{"at":0,"do":"connect"},{"at":400,"do":"send","thread":"A","count":2,"intervalMs":10}],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":88},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":86},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":19,"max":20}},
  "server": {"lookupMs":{"kind":"uniform","min":2,"max":5}},
  "client": {"reconnectAfterMs":0},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [197275],
  "expect": {"guaranteed":"pass"},
});
