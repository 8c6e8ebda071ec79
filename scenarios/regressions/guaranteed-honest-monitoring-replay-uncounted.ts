// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      281956
// invariant: honest-monitoring
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-honest-monitoring-replay-uncounted.ts --router guaranteed --seed 281956
// Fixed: src/sut/router/ws-manager.ts reportDelivered() counts an event once, the first time a frame of it
// is written to a connection of its user, on every path; router.ts replay() reports its writes.
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  server  WebSocket manager injected
//        0 µs  ✗       honest-monitoring: counters at
//      700 ms  t1#1    send on A (t1-m1)
//      700 ms  t1#1    send on B (t1-m2)
//    719.8 ms  agent   agent_started of run-1 (B)
//    719.8 ms  agent   agent_thinking of run-1 (B)
//    719.8 ms  server  bind c1 → B (message)
//    719.8 ms  server  run run-1 for t1-m2 on B (from c1)
//    722.8 ms  t1#1    ← agent_started of run-1
//    722.8 ms  t1#1    ← agent_thinking of run-1
//    723.6 ms  agent   agent_started of run-2 (A)
//    723.6 ms  agent   agent_thinking of run-2 (A)
//    723.6 ms  server  bind c1 → A (message)
//    723.6 ms  server  run run-2 for t1-m1 on A (from c1)
//    726.6 ms  t1#1    ← agent_started of run-2
//    726.6 ms  t1#1    ← agent_thinking of run-2
//    797.8 ms  agent   agent_completed of run-1 (B)
//    797.8 ms  server  No connections found for thread B (agent_completed of run-1); sent to c1 anyway
//      800 ms  t1#1    closed 1000 (the client reconnects)
//      800 ms  t1#2    connect on B
//      800 ms  t1#2    open (server c2)
//    801.6 ms  agent   agent_completed of run-2 (A)
//    801.6 ms  server  queue agent_completed of run-2 until A is bound
//    805.1 ms  server  bind c2 → B (handshake)
//    808.1 ms  t1#2    ← agent_started of run-1 (duplicate, not shown)
//    808.1 ms  t1#2    ← agent_thinking of run-1 (duplicate, not shown)
//    808.1 ms  t1#2    ← agent_completed of run-1
//    814.1 ms  server  resume c2 on B after seq 2: 1 replayed
//    820.4 ms  server  resume c2 on A after seq 2: 1 replayed
//    823.4 ms  t1#2    ← agent_completed of run-2
//    60.802 s  server  queue drops agent_completed of run-2 (queue_expired)
//
// Oracle:
//   the router reports 5 events delivered, but only 6 of 6 produced events were written to a
//   connection of their user
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 281956,
  "traceHash": "b45e1dc6e191bf0c7397f19442a09d98717767ae9556f3889b20d9ec77ab91a2",
  "invariant": "honest-monitoring",
  "invariants": ["honest-monitoring"],
};

export default defineScenario({
  "name": "guaranteed-honest-monitoring-replay-uncounted",
  "description": "Honest monitoring: events that reached the client only through a resume replay or catch-up were not counted as delivered by the router.",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":700,"do":"send","thread":"A"},
        {"at":700,"do":"send","thread":"B"},
        {"at":800,"do":"reconnect"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":78},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":3}},
  "server": {"lookupMs":{"kind":"uniform","min":1,"max":21}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [281956],
  "expect": {"guaranteed":"pass"},
});
