// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      999994
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-stale-binding-skips-catch-up.ts --router guaranteed --seed 999994
// Fixed: src/sut/router/router.ts bindNow(): a stale binding keeps the newer binding but replays the
// thread's recent history. (Introduced by the first orderedBinding fix and found by the fuzzer; passes
// on the original router.)
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the router with orderedBinding but without the stale catch-up):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  t1#1    send on A (t1-m2)
//        0 µs  server  WebSocket manager injected
//       39 ms  agent   agent_started of run-1 (A)
//       39 ms  agent   agent_thinking of run-1 (A)
//       39 ms  agent   tool_executing of run-1 (A)
//       39 ms  server  bind c1 → A (message)
//       39 ms  server  run run-1 for t1-m1 on A (from c1)
//     50.8 ms  t1#1    ← agent_started of run-1
//     50.8 ms  t1#1    ← agent_thinking of run-1
//     50.8 ms  t1#1    ← tool_executing of run-1
//       52 ms  agent   agent_started of run-2 (A)
//       52 ms  agent   agent_thinking of run-2 (A)
//       52 ms  agent   tool_executing of run-2 (A)
//       52 ms  server  bind c1 → A (message)
//       52 ms  server  run run-2 for t1-m2 on A (from c1)
//     63.9 ms  t1#1    ← agent_started of run-2
//     63.9 ms  t1#1    ← agent_thinking of run-2
//     63.9 ms  t1#1    ← tool_executing of run-2
//      100 ms  t2#1    connect on A
//      100 ms  t2#1    open (server c2)
//      100 ms  t2#1    send on A (t2-m1)
//    141.1 ms  server  bind c2 → A (handshake)
//      153 ms  t2#1    ← agent_started of run-1
//      153 ms  t2#1    ← agent_thinking of run-1
//      153 ms  t2#1    ← tool_executing of run-1
//      153 ms  t2#1    ← agent_started of run-2
//      153 ms  t2#1    ← agent_thinking of run-2
//      153 ms  t2#1    ← tool_executing of run-2
//    154.6 ms  agent   agent_started of run-3 (A)
//    154.6 ms  agent   agent_thinking of run-3 (A)
//    154.6 ms  agent   tool_executing of run-3 (A)
//    154.6 ms  server  bind c2 → A (message)
//    154.6 ms  server  run run-3 for t2-m1 on A (from c2)
//    165.6 ms  t1#1    ← agent_started of run-3
//    166.2 ms  t2#1    ← agent_started of run-3
//    166.4 ms  t2#1    ← agent_thinking of run-3
//    166.4 ms  t2#1    ← tool_executing of run-3
//    166.5 ms  t1#1    ← agent_thinking of run-3
//    166.6 ms  t1#1    ← tool_executing of run-3
//      250 ms  agent   tool_completed of run-1 (A)
//      250 ms  agent   tool_executing of run-1 (A)
//    261.6 ms  t2#1    ← tool_completed of run-1
//    261.6 ms  t2#1    ← tool_executing of run-1
//    261.6 ms  t1#1    ← tool_completed of run-1
//    261.6 ms  t1#1    ← tool_executing of run-1
//      263 ms  agent   tool_completed of run-2 (A)
//      263 ms  agent   tool_executing of run-2 (A)
//    274.3 ms  t2#1    ← tool_completed of run-2
//    274.4 ms  t2#1    ← tool_executing of run-2
//    274.6 ms  t1#1    ← tool_completed of run-2
//    274.6 ms  t1#1    ← tool_executing of run-2
//    365.6 ms  agent   tool_completed of run-3 (A)
//    365.6 ms  agent   tool_executing of run-3 (A)
//      377 ms  t2#1    ← tool_completed of run-3
//    377.3 ms  t1#1    ← tool_completed of run-3
//    377.3 ms  t1#1    ← tool_executing of run-3
//    377.5 ms  t2#1    ← tool_executing of run-3
//      400 ms  t1#1    send on B (t1-m3)
//      410 ms  t1#1    send on B (t1-m4)
//    448.5 ms  agent   agent_started of run-4 (B)
//    448.5 ms  agent   agent_thinking of run-4 (B)
//    448.5 ms  agent   tool_executing of run-4 (B)
//    448.5 ms  server  bind c1 → B (message)
//    448.5 ms  server  run run-4 for t1-m3 on B (from c1)
//      460 ms  t1#1    ← agent_started of run-4
//    900.6 ms  ✗       no-loss: agent_completed of run-5 (B) never reached t2#2
//    900.6 ms  …       122 more line(s) left out
//
// Oracle:
//   agent_completed of run-5 (thread B) produced at 900.6 ms; t2#2 had declared B at 900 ms; but the
//   server routed it to c3 while c4 was bound to A; the server never bound c4 to B; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 999994,
  "traceHash": "a9047f4d9328d1f789d0e0f3737c063e536ca0e1273d6ce5dad58a032ee1dcca",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A"},
        {"at":0,"do":"send","thread":"A"},
        {"at":400,"do":"send","thread":"B","count":2,"intervalMs":10},
      ],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":100,"do":"connect","thread":"A"},
        {"at":100,"do":"send","thread":"A"},
        {"at":900,"do":"send","thread":"B"},
        {"at":1000,"do":"send","thread":"A"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":2},
    "toolMs": {"kind":"fixed","value":211},
    "finishMs": {"kind":"fixed","value":11},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":11,"max":12}},
  "server": {"lookupMs":{"kind":"uniform","min":27,"max":47}},
  "client": {"reconnectAfterMs":0},
  "faults": [
    {"kind":"partition","at":500,"durationMs":1,"then":"kill"},
    {"kind":"partition","at":900,"durationMs":100,"then":"release"},
  ],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [999994],
  "name": "guaranteed-no-loss-stale-binding-skips-catch-up",
  "description": "With orderedBinding, a stale binding was skipped entirely, so the events of the thread the client showed in between were never caught up.",
  "expect": {"guaranteed":"pass"},
});
