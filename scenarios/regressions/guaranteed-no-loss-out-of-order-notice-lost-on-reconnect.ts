// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      10
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-out-of-order-notice-lost-on-reconnect.ts --router guaranteed --seed 10
// Fixed: src/sut/router/router.ts onResume() + ws-manager.ts wasGappedTo(): out-of-order notices given to
// a tab's session are announced again when that session resumes the thread (idempotent).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router (no-loss, order) and on the router with the out-of-order gap rule but without this fix):
//        0 µs  server  WebSocket manager injected
//      100 ms  t1#1    connect on A
//      100 ms  t1#1    send on A (t1-m1)
//      100 ms  fault   server paused 600 ms: begins
//      200 ms  t2#1    connect (no thread)
//      200 ms  t2#1    closed 1000 (the client reconnects)
//      200 ms  t2#2    connect (no thread)
//      700 ms  t1#1    open (server c1)
//      700 ms  t2#2    open (server c2)
//      700 ms  t2#2    send on A (t2-m1)
//      700 ms  fault   server paused 600 ms: ends
//    706.4 ms  server  bind c1 → A (handshake)
//    715.5 ms  agent   agent_started of run-1 (A)
//    715.5 ms  server  bind c1 → A (message)
//    715.5 ms  server  run run-1 for t1-m1 on A (from c1)
//    723.4 ms  agent   agent_started of run-2 (A)
//    723.4 ms  server  bind c2 → A (message)
//    723.4 ms  server  run run-2 for t2-m1 on A (from c2)
//    733.6 ms  t1#1    ← agent_started of run-1
//    737.8 ms  t1#1    ← agent_started of run-2
//    739.3 ms  t2#2    ← agent_started of run-1
//    739.3 ms  t2#2    ← agent_started of run-2
//    772.5 ms  agent   agent_thinking of run-1 (A)
//    772.5 ms  agent   tool_executing of run-1 (A)
//    780.4 ms  agent   agent_thinking of run-2 (A)
//    780.4 ms  agent   tool_executing of run-2 (A)
//    785.6 ms  t1#1    ← agent_thinking of run-1
//    786.5 ms  t2#2    ← agent_thinking of run-1
//    787.4 ms  t1#1    ← tool_executing of run-1
//    789.7 ms  t2#2    ← tool_executing of run-1
//      800 ms  t2#2    send on B (t2-m2)
//    801.6 ms  t2#2    ← agent_thinking of run-2
//    801.6 ms  t2#2    ← tool_executing of run-2
//    803.8 ms  t1#1    ← agent_thinking of run-2
//    803.8 ms  t1#1    ← tool_executing of run-2
//    826.5 ms  agent   tool_completed of run-1 (A)
//    826.5 ms  agent   tool_executing of run-1 (A)
//    827.5 ms  agent   agent_started of run-3 (B)
//    827.5 ms  server  bind c2 → B (message)
//    827.5 ms  server  run run-3 for t2-m2 on B (from c2)
//    834.4 ms  agent   tool_completed of run-2 (A)
//    834.4 ms  agent   tool_executing of run-2 (A)
//    839.4 ms  t2#2    ← tool_completed of run-1
//    839.4 ms  t2#2    ← tool_executing of run-1
//    846.1 ms  t2#2    ← agent_started of run-3
//    846.1 ms  t2#2    ← tool_completed of run-2
//    846.1 ms  t2#2    ← tool_executing of run-2
//    846.5 ms  t1#1    ← tool_completed of run-1
//    846.5 ms  t1#1    ← tool_executing of run-1
//    846.5 ms  t1#1    ← tool_completed of run-2
//    856.4 ms  t1#1    ← tool_executing of run-2
//    880.5 ms  agent   tool_completed of run-1 (A)
//    880.5 ms  agent   tool_executing of run-1 (A)
//    884.5 ms  agent   agent_thinking of run-3 (B)
//    884.5 ms  agent   tool_executing of run-3 (B)
//    888.4 ms  agent   tool_completed of run-2 (A)
//    888.4 ms  agent   tool_executing of run-2 (A)
//    899.1 ms  t1#1    ← tool_completed of run-1
//    899.1 ms  t1#1    ← tool_executing of run-1
//    900.4 ms  t2#2    ← agent_thinking of run-3
//    903.5 ms  t2#2    ← tool_executing of run-3
//    903.5 ms  t2#2    ← tool_completed of run-2
//    903.5 ms  t2#2    ← tool_executing of run-2
//    911.4 ms  t1#1    ← tool_completed of run-2
//    911.4 ms  t1#1    ← tool_executing of run-2
//    934.5 ms  agent   tool_completed of run-1 (A)
//    938.5 ms  agent   tool_completed of run-3 (B)
//    938.5 ms  agent   tool_executing of run-3 (B)
//    955.5 ms  ✗       no-loss: agent_completed of run-1 (A) never reached t2#2
//    955.5 ms  …       63 more line(s) left out
//
// Oracle:
//   agent_completed of run-1 (thread A) produced at 955.5 ms; t2#2 had declared A at 955 ms; but the
//   server routed it to c1 while c2 was bound to B; the server bound c2 to A only at 979.6 ms; no
//   queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 10,
  "traceHash": "04e6f9e684eab3ffb1efcddf3f6071db4961ac19453fe5ccceae47e1d25a6acd",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-out-of-order-notice-lost-on-reconnect",
  "description": "A gap notice for an event that could not be sent in order sat below the client's resume position; lost in flight with a reconnect, neither the event nor its notice ever reached the tab.",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [{"at":100,"do":"connect","thread":"A"},{"at":100,"do":"send","thread":"A"}],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":200,"do":"connect"},
        {"at":200,"do":"reconnect"},
        {"at":700,"do":"send","thread":"A"},
        {"at":800,"do":"send","thread":"B"},
        {"at":955,"do":"send","thread":"A"},
        {"at":1000,"do":"reconnect","thread":"B"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":57},
    "toolCalls": {"kind":"fixed","value":3},
    "toolMs": {"kind":"fixed","value":54},
    "finishMs": {"kind":"fixed","value":21},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":4,"max":24}},
  "server": {"lookupMs":{"kind":"uniform","min":5,"max":13}},
  "client": {"reconnectAfterMs":500},
  "faults": [{"kind":"pause","at":100,"durationMs":600}],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [10],
  "expect": {"guaranteed":"pass"},
});
