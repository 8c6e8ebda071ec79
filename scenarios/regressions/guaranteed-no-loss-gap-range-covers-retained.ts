// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed, with the long time scales of the swarm (resume at 120 s, 180 s runs)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-gap-range-covers-retained.ts --router guaranteed --seed 0
// Fixed: a replay announces dropped (expired) events in one gap notice per run of consecutive
// sequence numbers; one notice from the first to the last dropped one covered a retained event in
// between, which the client then discarded as skipped (src/sut/router/router.ts replay).
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect on D
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t1#1    send on D (t1-m1)
//        0 µs  t2#1    send on D (t2-m1)
//        0 µs  t2#1    send on E (t2-m2)
//        0 µs  agent   agent_started of run-1 (D)
//        0 µs  agent   agent_started of run-2 (D)
//        0 µs  agent   agent_started of run-3 (E)
//        0 µs  agent   agent_thinking of run-1 (D)
//        0 µs  agent   tool_executing of run-1 (D)
//        0 µs  agent   agent_thinking of run-2 (D)
//        0 µs  agent   tool_executing of run-2 (D)
//        0 µs  agent   agent_thinking of run-3 (E)
//        0 µs  agent   tool_executing of run-3 (E)
//        0 µs  server  WebSocket manager injected
//        0 µs  server  bind c1 → D (handshake)
//        0 µs  server  bind c1 → D (message)
//        0 µs  server  run run-1 for t1-m1 on D (from c1)
//        0 µs  server  bind c2 → D (message)
//        0 µs  server  run run-2 for t2-m1 on D (from c2)
//        0 µs  server  bind c2 → E (message)
//        0 µs  server  run run-3 for t2-m2 on E (from c2)
//        0 µs  t1#1    ← agent_started of run-1
//        0 µs  t1#1    ← agent_started of run-2
//        0 µs  t2#1    ← agent_started of run-2
//        0 µs  t2#1    ← agent_started of run-3
//        0 µs  t1#1    ← agent_thinking of run-1
//        0 µs  t1#1    ← tool_executing of run-1
//        0 µs  t1#1    ← agent_thinking of run-2
//        0 µs  t1#1    ← tool_executing of run-2
//        0 µs  t2#1    ← agent_thinking of run-2
//        0 µs  t2#1    ← tool_executing of run-2
//        0 µs  t2#1    ← agent_thinking of run-3
//        0 µs  t2#1    ← tool_executing of run-3
//      100 ms  t1#1    send on D (t1-m2)
//      100 ms  agent   agent_started of run-4 (D)
//      100 ms  agent   agent_thinking of run-4 (D)
//      100 ms  agent   tool_executing of run-4 (D)
//      100 ms  server  bind c1 → D (message)
//      100 ms  server  run run-4 for t1-m2 on D (from c1)
//      100 ms  t1#1    ← agent_started of run-4
//      100 ms  t1#1    ← agent_thinking of run-4
//      100 ms  t1#1    ← tool_executing of run-4
//         2 s  t1#1    closed 1006 (by the network or the server)
//         2 s  fault   drop t1
//    60.334 s  agent   tool_completed of run-1 (D)
//    60.334 s  agent   tool_executing of run-1 (D)
//    60.334 s  agent   tool_completed of run-2 (D)
//    60.334 s  agent   tool_executing of run-2 (D)
//    60.334 s  agent   tool_completed of run-3 (E)
//    60.334 s  agent   tool_executing of run-3 (E)
//    60.334 s  server  queue tool_completed of run-1 until D is bound
//    60.334 s  server  queue tool_executing of run-1 until D is bound
//    60.334 s  server  No connections found for thread D (tool_completed of run-2); sent to c2 anyway
//    60.334 s  server  No connections found for thread D (tool_executing of run-2); sent to c2 anyway
//    60.334 s  t2#1    ← tool_completed of run-2
//    60.334 s  t2#1    ← tool_executing of run-2
//    60.334 s  t2#1    ← tool_completed of run-3
//    60.334 s  t2#1    ← tool_executing of run-3
//    60.434 s  agent   tool_completed of run-4 (D)
//    60.434 s  agent   tool_executing of run-4 (D)
//    60.434 s  server  queue tool_completed of run-4 until D is bound
//    60.434 s  server  queue tool_executing of run-4 until D is bound
//   120.334 s  server  queue drops tool_completed of run-1 (queue_expired)
//   120.334 s  server  queue drops tool_executing of run-1 (queue_expired)
//   120.434 s  server  queue drops tool_completed of run-4 (queue_expired)
//   120.434 s  server  queue drops tool_executing of run-4 (queue_expired)
//   120.668 s  agent   tool_completed of run-1 (D)
//   120.668 s  agent   tool_executing of run-1 (D)
//   120.668 s  agent   tool_completed of run-2 (D)
//   120.668 s  agent   tool_executing of run-2 (D)
//   120.668 s  agent   tool_completed of run-3 (E)
//   120.668 s  agent   tool_executing of run-3 (E)
//   120.668 s  server  queue tool_completed of run-1 until D is bound
//   120.668 s  server  queue tool_executing of run-1 until D is bound
//   120.668 s  server  No connections found for thread D (tool_completed of run-2); sent to c2 anyway
//   120.668 s  server  No connections found for thread D (tool_executing of run-2); sent to c2 anyway
//   120.668 s  t2#1    ← tool_completed of run-2
//   120.668 s  t2#1    ← tool_executing of run-2
//   120.668 s  t2#1    ← tool_completed of run-3
//   120.668 s  t2#1    ← tool_executing of run-3
//   120.768 s  agent   tool_completed of run-4 (D)
//   120.768 s  agent   tool_executing of run-4 (D)
//   120.768 s  server  queue tool_completed of run-4 until D is bound
//   120.768 s  server  queue tool_executing of run-4 until D is bound
//     121.5 s  t1#2    connect on D
//     121.5 s  t1#2    open (server c3)
//     121.5 s  server  resume c3 on D after seq 9: 12 replayed
//     121.5 s  server  bind c3 → D (handshake)
//     121.5 s  t1#2    ← tool_completed of run-2
//     121.5 s  t1#2    ← tool_executing of run-2
//     121.5 s  t1#2    ← tool_completed of run-1
//     121.5 s  t1#2    ← tool_executing of run-1
//     121.5 s  t1#2    ← tool_completed of run-2
//     121.5 s  t1#2    ← tool_executing of run-2
//     121.5 s  t1#2    ← tool_completed of run-4
//     121.5 s  t1#2    ← tool_executing of run-4
//     121.5 s  t1#2    ← gap notice (queue_expired) for 2 event(s)
//     121.5 s  t1#2    ← gap notice (queue_expired) for 2 event(s)
//   181.002 s  agent   tool_completed of run-1 (D)
//   181.002 s  agent   tool_completed of run-2 (D)
//   181.002 s  agent   tool_completed of run-3 (E)
//   181.002 s  agent   agent_completed of run-1 (D)
//   181.002 s  agent   agent_completed of run-2 (D)
//   181.002 s  agent   agent_completed of run-3 (E)
//   181.002 s  t1#2    ← tool_completed of run-1
//   181.002 s  t1#2    ← tool_completed of run-2
//   181.002 s  t2#1    ← tool_completed of run-2
//   181.002 s  t2#1    ← tool_completed of run-3
//   181.002 s  t1#2    ← agent_completed of run-1
//   181.002 s  t1#2    ← agent_completed of run-2
//   181.002 s  t2#1    ← agent_completed of run-2
//   181.002 s  t2#1    ← agent_completed of run-3
//   181.102 s  agent   tool_completed of run-4 (D)
//   181.102 s  agent   agent_completed of run-4 (D)
//   181.102 s  t1#2    ← tool_completed of run-4
//   181.102 s  t1#2    ← agent_completed of run-4
//
// Oracle:
//   tool_completed of run-2 (thread D) produced at 60.334 s; tab t1 had declared D at 100 ms; but
//   the tab had no open connection and did not get it after reconnecting
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "69a92b560886eca678daa4627a7c10cc264d1a72afbe43cc928361dfd7bc20dc",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-gap-range-covers-retained",
  "description": "Fuzz counterexample (router guaranteed): one gap notice covered retained events between expired ones",
  "users": [{"id":"u1","threads":["D","E"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "reconnectAfterMs": null,
      "actions": [
        {"at":0,"do":"connect","thread":"D"},
        {"at":0,"do":"send","thread":"D"},
        {"at":100,"do":"send","thread":"D"},
        {"at":2000,"do":"drop"},
        {"at":121500,"do":"reconnect"},
      ],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [{"at":0,"do":"connect"},{"at":0,"do":"send","thread":"D"},{"at":0,"do":"send","thread":"E"}],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":3},
    "toolMs": {"kind":"fixed","value":60334},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":0}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 200000,
  "maxDurationMs": 1000000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
