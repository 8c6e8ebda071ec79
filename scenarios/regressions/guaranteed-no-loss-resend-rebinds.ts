// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      908275
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed --seed 7 (after acks and the client outbox were added)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-resend-rebinds.ts --router guaranteed --seed 908275
// Fixed: a message resent from the outbox after a reconnect carries `resend: true`, and the
// server starts (or re-acknowledges) its run without rebinding the connection: the tab had
// reconnected showing A, the resend of its earlier message on B moved c4 to B, and A's run
// lost its last event (src/sut/router/router.ts onUserMessage, src/world/tab-client.ts resendUnacked).
// Now passes: meta.traceHash is the trace of the fixed router.
//
// Story before the fix (virtual time; fails on the router without the fix):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t3#1    connect on C
//        0 µs  t3#1    open (server c3)
//        0 µs  t2#1    send on A (t2-m1)
//        0 µs  t3#1    send on C (t3-m1)
//        0 µs  t3#1    send on C (t3-m2)
//        0 µs  t3#1    send on C (t3-m3)
//        0 µs  server  WebSocket manager injected
//       10 ms  t2#1    send on A (t2-m2)
//       35 ms  server  bind c3 → C (handshake)
//     50.3 ms  server  bind c3 → C (message)
//     50.3 ms  server  run run-1 for t3-m3 on C (from c3)
//     51.3 ms  agent   agent_started of run-1 (C)
//     60.8 ms  server  run run-2 for t3-m1 on C (from c3)
//     61.8 ms  agent   agent_started of run-2 (C)
//     64.4 ms  server  run run-3 for t3-m2 on C (from c3)
//     65.4 ms  agent   agent_started of run-3 (C)
//     68.8 ms  server  bind c2 → A (message)
//     68.8 ms  server  run run-4 for t2-m1 on A (from c2)
//     69.8 ms  agent   agent_started of run-4 (A)
//     70.3 ms  agent   agent_thinking of run-1 (C)
//     70.3 ms  agent   tool_executing of run-1 (C)
//     70.3 ms  server  bind c2 → A (message)
//     70.3 ms  server  run run-5 for t2-m2 on A (from c2)
//     71.3 ms  agent   agent_started of run-5 (A)
//     80.8 ms  agent   agent_thinking of run-2 (C)
//     80.8 ms  agent   tool_executing of run-2 (C)
//     81.1 ms  t3#1    ← agent_started of run-1
//     84.4 ms  agent   agent_thinking of run-3 (C)
//     84.4 ms  agent   tool_executing of run-3 (C)
//     88.8 ms  agent   agent_thinking of run-4 (A)
//     88.8 ms  agent   tool_executing of run-4 (A)
//     90.3 ms  agent   agent_thinking of run-5 (A)
//     90.3 ms  agent   tool_executing of run-5 (A)
//     90.4 ms  t3#1    ← agent_started of run-2
//     92.7 ms  t3#1    ← agent_started of run-3
//    100.1 ms  t3#1    ← agent_thinking of run-1
//    100.1 ms  t3#1    ← tool_executing of run-1
//    100.3 ms  t2#1    ← agent_started of run-4
//    103.2 ms  t2#1    ← agent_started of run-5
//    104.1 ms  t3#1    ← agent_thinking of run-2
//    107.9 ms  t3#1    ← tool_executing of run-2
//    115.8 ms  t3#1    ← agent_thinking of run-3
//    115.8 ms  t3#1    ← tool_executing of run-3
//    117.7 ms  t2#1    ← agent_thinking of run-4
//    117.7 ms  t2#1    ← tool_executing of run-4
//    117.7 ms  t2#1    ← agent_thinking of run-5
//    121.5 ms  t2#1    ← tool_executing of run-5
//    167.3 ms  agent   tool_completed of run-1 (C)
//    167.3 ms  agent   tool_executing of run-1 (C)
//    177.8 ms  agent   tool_completed of run-2 (C)
//    177.8 ms  agent   tool_executing of run-2 (C)
//    181.4 ms  agent   tool_completed of run-3 (C)
//    181.4 ms  agent   tool_executing of run-3 (C)
//    185.8 ms  agent   tool_completed of run-4 (A)
//    185.8 ms  agent   tool_executing of run-4 (A)
//    187.3 ms  agent   tool_completed of run-5 (A)
//    187.3 ms  agent   tool_executing of run-5 (A)
//    196.4 ms  t3#1    ← tool_completed of run-1
//    196.4 ms  t3#1    ← tool_executing of run-1
//      202 ms  t3#1    ← tool_completed of run-2
//    210.2 ms  t3#1    ← tool_executing of run-2
//    211.5 ms  t2#1    ← tool_completed of run-4
//    212.3 ms  t3#1    ← tool_completed of run-3
//    212.3 ms  t3#1    ← tool_executing of run-3
//      218 ms  t2#1    ← tool_executing of run-4
//      218 ms  t2#1    ← tool_completed of run-5
//      218 ms  t2#1    ← tool_executing of run-5
//    264.3 ms  agent   tool_completed of run-1 (C)
//    264.3 ms  agent   tool_executing of run-1 (C)
//    274.8 ms  agent   tool_completed of run-2 (C)
//    274.8 ms  agent   tool_executing of run-2 (C)
//    278.4 ms  agent   tool_completed of run-3 (C)
//    278.4 ms  agent   tool_executing of run-3 (C)
//    282.9 ms  agent   tool_completed of run-4 (A)
//    282.9 ms  agent   tool_executing of run-4 (A)
//    284.3 ms  agent   tool_completed of run-5 (A)
//    284.3 ms  agent   tool_executing of run-5 (A)
//    294.1 ms  t3#1    ← tool_completed of run-1
//    296.6 ms  t3#1    ← tool_executing of run-1
//    296.6 ms  t3#1    ← tool_completed of run-2
//    307.1 ms  t3#1    ← tool_executing of run-2
//    307.1 ms  t3#1    ← tool_completed of run-3
//    307.1 ms  t3#1    ← tool_executing of run-3
//    315.3 ms  t2#1    ← tool_completed of run-4
//    315.3 ms  t2#1    ← tool_executing of run-4
//    315.3 ms  t2#1    ← tool_completed of run-5
//    316.6 ms  t2#1    ← tool_executing of run-5
//    361.3 ms  agent   tool_completed of run-1 (C)
//    371.8 ms  agent   tool_completed of run-2 (C)
//    375.4 ms  agent   tool_completed of run-3 (C)
//    379.9 ms  agent   tool_completed of run-4 (A)
//    381.3 ms  agent   tool_completed of run-5 (A)
//    390.1 ms  t3#1    ← tool_completed of run-1
//    401.4 ms  t2#1    ← tool_completed of run-4
//    403.4 ms  t3#1    ← tool_completed of run-2
//    405.6 ms  t2#1    ← tool_completed of run-5
//    408.2 ms  t3#1    ← tool_completed of run-3
//    460.3 ms  agent   agent_completed of run-1 (C)
//    470.8 ms  agent   agent_completed of run-2 (C)
//    474.4 ms  agent   agent_completed of run-3 (C)
//    478.9 ms  agent   agent_completed of run-4 (A)
//    480.3 ms  agent   agent_completed of run-5 (A)
//    486.2 ms  t3#1    ← agent_completed of run-1
//      500 ms  t1#1    send on A (t1-m1)
//      503 ms  t3#1    ← agent_completed of run-2
//      503 ms  t3#1    ← agent_completed of run-3
//    508.6 ms  t2#1    ← agent_completed of run-4
//    508.6 ms  t2#1    ← agent_completed of run-5
//    558.3 ms  server  bind c1 → A (message)
//    558.3 ms  server  run run-6 for t1-m1 on A (from c1)
//    559.3 ms  agent   agent_started of run-6 (A)
//    578.3 ms  agent   agent_thinking of run-6 (A)
//    578.3 ms  agent   tool_executing of run-6 (A)
//    586.3 ms  t1#1    ← agent_started of run-4
//    968.3 ms  ✗       no-loss: agent_completed of run-6 (A) never reached t2#2
//    968.3 ms  …       92 more line(s) left out
//
// Oracle:
//   agent_completed of run-6 (thread A) produced at 968.3 ms; t2#2 had declared A at 900 ms; but the
//   server routed it to c1 while c4 was bound to B; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 908275,
  "traceHash": "97ff1321a6b9ec7f0758ee86e867636ea5a2072b94d6d9eb15b81abc1f5388c4",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
  "fuzzSeed": 7,
  "runs": 183,
  "numShrinks": 129,
};

export default defineScenario({
  "name": "guaranteed-no-loss-resend-rebinds",
  "description": "Fuzz counterexample (router guaranteed): agent_completed of run-6 (thread A) produced at 968.3 ms; t2#2 had declared A at 900 ms; but the server routed it to c1 while c4 was bound to B; no queue held it",
  "users": [{"id":"u1","threads":["A","B"]},{"id":"u2","threads":["C"]}],
  "tabs": [
    {"id":"t1","user":"u1","actions":[{"at":0,"do":"connect"},{"at":500,"do":"send","thread":"A"}]},
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A","count":2,"intervalMs":10},
        {"at":842,"do":"send","thread":"B"},
        {"at":900,"do":"reconnect","thread":"A"},
      ],
    },
    {
      "id": "t3",
      "user": "u2",
      "actions": [
        {"at":0,"do":"connect","thread":"C"},
        {"at":0,"do":"send","thread":"C"},
        {"at":0,"do":"send","thread":"C"},
        {"at":0,"do":"send","thread":"C"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":1},
    "thinkMs": {"kind":"fixed","value":19},
    "toolCalls": {"kind":"fixed","value":3},
    "toolMs": {"kind":"fixed","value":97},
    "finishMs": {"kind":"fixed","value":99},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":20,"max":33}},
  "server": {"lookupMs":{"kind":"uniform","min":23,"max":43}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [908275],
  "expect": {"guaranteed":"pass"},
});
