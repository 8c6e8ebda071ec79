// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      711242
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed --time 10m (default seed 1), after the first deferred-carry fix
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-deferred-carry-routed-elsewhere.ts --router guaranteed --seed 711242
// Fixed: a carry deferred while the connection's resume was pending also replays, from the stream
// log, what the carried runs emitted meanwhile to other connections bound to their thread
// (src/sut/router/router.ts flushCarried).
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  server  WebSocket manager injected
//      351 µs  agent   agent_started of run-1 (A)
//      351 µs  agent   agent_thinking of run-1 (A)
//      351 µs  agent   agent_completed of run-1 (A)
//      351 µs  server  bind c1 → A (message)
//      351 µs  server  run run-1 for t1-m1 on A (from c1)
//      351 µs  t1#1    ← agent_started of run-1
//      351 µs  t1#1    ← agent_thinking of run-1
//      351 µs  t1#1    ← agent_completed of run-1
//      100 ms  fault   server paused 1000 ms: begins
//      504 ms  t2#1    connect on B
//      504 ms  t2#1    closed 1000 (the client reconnects)
//      504 ms  t2#2    connect on C
//      504 ms  t2#1    send on C (t2-m1)
//       1.1 s  t2#2    open (server c2)
//       1.1 s  t2#2    send on A (t2-m2)
//       1.1 s  fault   server paused 1000 ms: ends
//     1.104 s  agent   agent_started of run-2 (C)
//     1.104 s  agent   agent_thinking of run-2 (C)
//     1.104 s  agent   agent_completed of run-2 (C)
//     1.104 s  server  run run-2 for t2-m1 on C (from c2)
//     1.104 s  server  queue agent_started of run-2 until C is bound
//     1.104 s  server  queue agent_thinking of run-2 until C is bound
//     1.104 s  server  queue agent_completed of run-2 until C is bound
//     1.104 s  t2#2    send on B (t2-m3)
//     1.104 s  server  resume c2 on B after seq 0: 0 replayed
//     1.105 s  agent   agent_started of run-3 (B)
//     1.105 s  agent   agent_thinking of run-3 (B)
//     1.105 s  agent   agent_completed of run-3 (B)
//     1.105 s  server  bind c2 → B (message)
//     1.105 s  server  run run-3 for t2-m3 on B (from c2)
//     1.105 s  t2#2    ← agent_started of run-3
//     1.105 s  t2#2    ← agent_thinking of run-3
//     1.105 s  t2#2    ← agent_completed of run-3
//     1.105 s  agent   agent_started of run-4 (A)
//     1.105 s  agent   agent_thinking of run-4 (A)
//     1.105 s  agent   agent_completed of run-4 (A)
//     1.105 s  server  run run-4 for t2-m2 on A (from c2)
//     1.105 s  t2#2    ← agent_started of run-1
//     1.105 s  t2#2    ← agent_thinking of run-1
//     1.105 s  t2#2    ← agent_completed of run-1
//     1.105 s  t1#1    ← agent_started of run-4
//     1.105 s  t1#1    ← agent_thinking of run-4
//     1.105 s  t1#1    ← agent_completed of run-4
//     1.108 s  server  resume c2 on C after seq 0: 3 replayed
//     1.108 s  server  No connections found for thread C (agent_started of run-2); sent to c2 anyway
//     1.108 s  server  No connections found for thread C (agent_thinking of run-2); sent to c2 anyway
//     1.108 s  server  No connections found for thread C (agent_completed of run-2); sent to c2 anyway
//     1.108 s  t2#2    ← agent_started of run-2
//     1.108 s  t2#2    ← agent_thinking of run-2
//     1.108 s  t2#2    ← agent_completed of run-2
//     1.108 s  t2#2    ← agent_started of run-4
//     1.108 s  t2#2    ← agent_thinking of run-4
//     1.108 s  t2#2    ← agent_completed of run-4
//
// Oracle:
//   agent_started of run-4 (thread A) produced at 1.105 s; t2#2 started run-4 and was owed its
//   events (it had since moved to B); but the server routed it to c1 while c2 was bound to B; the
//   server never bound c2 to A; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 711242,
  "traceHash": "6ae580c72d5990787c128e855db3a91b5fc8882615d5a31e54f42a82c8dd4de8",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-deferred-carry-routed-elsewhere",
  "description": "Fuzz counterexample (router guaranteed): agent_started of run-4 (thread A) produced at 1.105 s; t2#2 started run-4 and was owed its events (it had since moved to B); but the server routed it to c1 while c2 was bound to B; the server never bound c2 to A; no queue held it",
  "users": [{"id":"u1","threads":["A","B","C"]}],
  "tabs": [
    {"id":"t1","user":"u1","actions":[{"at":0,"do":"connect"},{"at":0,"do":"send","thread":"A"}]},
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":504,"do":"connect","thread":"B"},
        {"at":504,"do":"send","thread":"C"},
        {"at":504,"do":"reconnect"},
        {"at":1100,"do":"send","thread":"A"},
        {"at":1104,"do":"send","thread":"B"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"uniform","min":0,"max":5}},
  "client": {"reconnectAfterMs":500},
  "faults": [{"kind":"pause","at":100,"durationMs":1000}],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [711242],
  "expect": {"guaranteed":"pass"},
});
