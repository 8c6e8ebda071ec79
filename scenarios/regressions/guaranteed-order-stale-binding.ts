// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      115604
// invariant: order
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-order-stale-binding.ts --router guaranteed --seed 115604
// Fixed: new flag orderedBinding (on in guaranteed): bindings take effect in the order the client sent
// the frames (src/sut/router/flags.ts, connection.ts bindRequests/bindApplied, router.ts bindNow).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect on A
//        0 µs  t2#1    open (server c2)
//        0 µs  t1#1    send on B (t1-m1)
//        0 µs  t1#1    send on A (t1-m2)
//        0 µs  t2#1    send on A (t2-m1)
//        0 µs  server  WebSocket manager injected
//        1 ms  agent   agent_started of run-1 (A)
//        1 ms  agent   agent_started of run-3 (A)
//        1 ms  agent   agent_started of run-2 (B)
//        1 ms  agent   agent_thinking of run-3 (A)
//        1 ms  agent   agent_thinking of run-1 (A)
//        1 ms  agent   agent_thinking of run-2 (B)
//        1 ms  agent   agent_completed of run-2 (B)
//        1 ms  agent   agent_completed of run-1 (A)
//        1 ms  agent   agent_completed of run-3 (A)
//        1 ms  server  bind c1 → A (message)
//        1 ms  server  run run-1 for t1-m2 on A (from c1)
//        1 ms  server  bind c2 → A (handshake)
//        1 ms  server  bind c1 → B (message)
//        1 ms  server  run run-2 for t1-m1 on B (from c1)
//        1 ms  server  bind c2 → A (message)
//        1 ms  server  run run-3 for t2-m1 on A (from c2)
//        1 ms  t1#1    ← agent_started of run-1
//        1 ms  t1#1    ← agent_started of run-2
//        1 ms  t2#1    ← agent_started of run-1
//        1 ms  t2#1    ← agent_started of run-3
//        1 ms  t1#1    ← agent_thinking of run-1
//        1 ms  t1#1    ← agent_thinking of run-2
//        1 ms  t2#1    ← agent_thinking of run-3
//        1 ms  t2#1    ← agent_thinking of run-1
//        1 ms  t2#1    ← agent_completed of run-1
//        1 ms  t2#1    ← agent_completed of run-3
//        1 ms  t1#1    ← agent_completed of run-2
//        1 ms  t1#1    ← agent_completed of run-1
//      100 ms  t1#1    send on A (t1-m3)
//      101 ms  agent   agent_started of run-4 (A)
//      101 ms  agent   agent_thinking of run-4 (A)
//      101 ms  agent   agent_completed of run-4 (A)
//      101 ms  server  bind c1 → A (message)
//      101 ms  server  run run-4 for t1-m3 on A (from c1)
//      101 ms  t1#1    ← agent_started of run-3
//      101 ms  t1#1    ← agent_thinking of run-3
//      101 ms  t1#1    ← agent_completed of run-3
//      101 ms  t2#1    ← agent_started of run-4
//      101 ms  t1#1    ← agent_started of run-4
//      101 ms  t2#1    ← agent_thinking of run-4
//      101 ms  t1#1    ← agent_thinking of run-4
//      101 ms  t1#1    ← agent_completed of run-4
//      101 ms  t2#1    ← agent_completed of run-4
//      101 ms  ✗       order: agent_started of run-3 (A) at t1#1
//      101 ms  ✗       order: agent_thinking of run-3 (A) at t1#1
//
// Oracle:
//   agent_started of run-3 (produced at 1 ms) reached t1#1 at 101 ms, after run-1#2, which was
//   produced later
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 115604,
  "traceHash": "68c2c56d83742e51da35233f86fd86dde84bb1834e1eed98562cad75d4a425ef",
  "invariant": "order",
  "invariants": ["order"],
};

export default defineScenario({
  "name": "guaranteed-order-stale-binding",
  "description": "Two quick frames from one connection each bound after their own ownership look-up; the look-up that finished last won, leaving the connection bound to the older thread.",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"B"},
        {"at":0,"do":"send","thread":"A"},
        {"at":100,"do":"send","thread":"A"},
      ],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect","thread":"A"},{"at":0,"do":"send","thread":"A"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":1}},
  "client": {"reconnectAfterMs":500},
  "tieBreak": true,
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [115604],
  "expect": {"guaranteed":"pass"},
});
