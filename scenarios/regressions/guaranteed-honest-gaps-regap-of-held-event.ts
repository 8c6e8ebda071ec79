// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: honest-gaps
// found by:  threadline fuzz --router guaranteed --seed 7 (the fuzz test), after honest-gaps was added
// replay:    threadline replay scenarios/regressions/guaranteed-honest-gaps-regap-of-held-event.ts --router guaranteed --seed 0
// Fixed: a resume re-announces an out-of-order notice only for events the client does not say it
// holds (resume.have): the tab had received the event on a later connection (src/sut/router/router.ts
// onResume).
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  t1#1    send on B (t1-m2)
//        0 µs  t2#1    send on A (t2-m1)
//        0 µs  agent   agent_started of run-1 (A)
//        0 µs  agent   agent_started of run-2 (B)
//        0 µs  agent   agent_started of run-3 (A)
//        0 µs  agent   agent_thinking of run-1 (A)
//        0 µs  agent   agent_thinking of run-2 (B)
//        0 µs  agent   agent_thinking of run-3 (A)
//        0 µs  agent   agent_completed of run-1 (A)
//        0 µs  agent   agent_completed of run-2 (B)
//        0 µs  agent   agent_completed of run-3 (A)
//        0 µs  server  WebSocket manager injected
//        0 µs  server  bind c1 → A (message)
//        0 µs  server  run run-1 for t1-m1 on A (from c1)
//        0 µs  server  bind c1 → B (message)
//        0 µs  server  run run-2 for t1-m2 on B (from c1)
//        0 µs  server  bind c2 → A (message)
//        0 µs  server  run run-3 for t2-m1 on A (from c2)
//        0 µs  t2#1    ← agent_started of run-1
//        0 µs  t2#1    ← agent_started of run-3
//        0 µs  t1#1    ← agent_started of run-1
//        0 µs  t1#1    ← agent_started of run-2
//        0 µs  t2#1    ← agent_thinking of run-1
//        0 µs  t2#1    ← agent_thinking of run-3
//        0 µs  t1#1    ← agent_thinking of run-1
//        0 µs  t1#1    ← agent_thinking of run-2
//        0 µs  t2#1    ← agent_completed of run-1
//        0 µs  t2#1    ← agent_completed of run-3
//        0 µs  t1#1    ← agent_completed of run-1
//        0 µs  t1#1    ← agent_completed of run-2
//      100 ms  t1#1    closed 1000 (the client reconnects)
//      100 ms  t1#2    connect on A
//      100 ms  t1#2    open (server c3)
//      100 ms  t1#1    send on A (t1-m3)
//      100 ms  agent   agent_started of run-4 (A)
//      100 ms  agent   agent_thinking of run-4 (A)
//      100 ms  agent   agent_completed of run-4 (A)
//      100 ms  server  bind c1 → A (message)
//      100 ms  server  run run-4 for t1-m3 on A (from c1)
//      100 ms  server  resume c3 on A after seq 5: 1 replayed
//      100 ms  server  resume c3 on B after seq 3: 0 replayed
//      100 ms  server  bind c3 → A (handshake)
//      100 ms  t1#2    ← agent_started of run-3 (duplicate, not shown)
//      100 ms  t1#2    ← agent_thinking of run-3 (duplicate, not shown)
//      100 ms  t1#2    ← agent_completed of run-3
//      100 ms  t2#1    ← agent_started of run-4
//      100 ms  t1#2    ← agent_started of run-4
//      100 ms  t2#1    ← agent_thinking of run-4
//      100 ms  t1#2    ← agent_thinking of run-4
//      100 ms  t2#1    ← agent_completed of run-4
//      100 ms  t1#2    ← agent_completed of run-4
//      100 ms  t1#2    ← gap notice (out_of_order) for 1 event(s)
//      100 ms  t1#2    ← gap notice (out_of_order) for 1 event(s)
//         2 s  t1#2    closed 1000 (the client reconnects)
//         2 s  t1#3    connect on A
//         2 s  t1#3    open (server c4)
//         2 s  t1#3    send on A (t1-m4)
//         2 s  agent   agent_started of run-5 (A)
//         2 s  agent   agent_thinking of run-5 (A)
//         2 s  agent   agent_completed of run-5 (A)
//         2 s  server  resume c4 on A after seq 9: 0 replayed
//         2 s  server  bind c4 → A (message)
//         2 s  server  run run-5 for t1-m4 on A (from c4)
//         2 s  server  resume c4 on B after seq 3: 0 replayed
//         2 s  t2#1    ← agent_started of run-5
//         2 s  t1#3    ← agent_started of run-5
//         2 s  t2#1    ← agent_thinking of run-5
//         2 s  t1#3    ← agent_thinking of run-5
//         2 s  t2#1    ← agent_completed of run-5
//         2 s  t1#3    ← agent_completed of run-5
//
// Oracle:
//   a gap notice (out_of_order, seq 2–2 of thread A) reached t1#3 at 2 s naming agent_started of
//   run-3, which t1 already had since 100 ms (on t1#2)
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "9aa70cecd2e58a7a34feda1b29041bb8c8a7ee071276e1b42acf2bd7908981e0",
  "invariant": "honest-gaps",
  "invariants": ["honest-gaps"],
};

export default defineScenario({
  "name": "guaranteed-honest-gaps-regap-of-held-event",
  "description": "Fuzz counterexample (router guaranteed): a resume re-announced as out_of_order an event the tab had received since",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A"},
        {"at":0,"do":"send","thread":"B"},
        {"at":100,"do":"send","thread":"A"},
        {"at":100,"do":"reconnect"},
        {"at":2000,"do":"reconnect"},
        {"after":0,"do":"send","thread":"A"},
      ],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect"},{"at":0,"do":"send","thread":"A"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":0}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
