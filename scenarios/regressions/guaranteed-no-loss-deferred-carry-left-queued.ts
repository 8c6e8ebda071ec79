// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      568809
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed --time 10m (default seed 1), after the resume=1 deferral
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-deferred-carry-left-queued.ts --router guaranteed --seed 568809
// Fixed: a carry deferred while the connection's resume was pending now also hands it the run's
// events that waited in the pending queue meanwhile; they had waited for a binding of their thread
// that never came (src/sut/router/router.ts flushCarried, pending-queue.ts take).
//
// Story after the fix (virtual time):
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c1)
//        0 µs  server  WebSocket manager injected
//      100 ms  fault   server paused 1000 ms: begins
//      504 ms  t1#1    connect on B
//      504 ms  t1#1    closed 1000 (the client reconnects)
//      504 ms  t1#2    connect on C
//      504 ms  t1#1    send on C (t1-m1)
//       1.1 s  t1#2    open (server c2)
//       1.1 s  t1#2    send on A (t1-m2)
//       1.1 s  fault   server paused 1000 ms: ends
//     1.102 s  agent   agent_started of run-1 (C)
//     1.102 s  server  run run-1 for t1-m1 on C (from c2)
//     1.102 s  server  queue agent_started of run-1 until C is bound
//     1.103 s  server  resume c2 on B after seq 0: 0 replayed
//     1.103 s  agent   agent_thinking of run-1 (C)
//     1.103 s  agent   agent_completed of run-1 (C)
//     1.103 s  server  queue agent_thinking of run-1 until C is bound
//     1.103 s  server  queue agent_completed of run-1 until C is bound
//     1.104 s  agent   agent_started of run-2 (A)
//     1.104 s  server  bind c2 → A (message)
//     1.104 s  server  run run-2 for t1-m2 on A (from c2)
//     1.104 s  t1#2    ← agent_started of run-2
//     1.104 s  t1#2    send on B (t1-m3)
//     1.104 s  agent   agent_started of run-3 (B)
//     1.104 s  server  bind c2 → B (message)
//     1.104 s  server  run run-3 for t1-m3 on B (from c2)
//     1.104 s  t1#2    ← agent_started of run-3
//     1.105 s  agent   agent_thinking of run-2 (A)
//     1.105 s  agent   agent_completed of run-2 (A)
//     1.105 s  server  queue agent_thinking of run-2 until A is bound
//     1.105 s  server  queue agent_completed of run-2 until A is bound
//     1.105 s  agent   agent_thinking of run-3 (B)
//     1.105 s  agent   agent_completed of run-3 (B)
//     1.105 s  t1#2    ← agent_thinking of run-3
//     1.105 s  t1#2    ← agent_completed of run-3
//     1.105 s  server  resume c2 on C after seq 0: 3 replayed
//     1.105 s  server  No connections found for thread C (agent_started of run-1); sent to c2 anyway
//     1.105 s  server  No connections found for thread C (agent_thinking of run-1); sent to c2 anyway
//     1.105 s  server  No connections found for thread C (agent_completed of run-1); sent to c2 anyway
//     1.105 s  server  No connections found for thread A (agent_thinking of run-2); sent to c2 anyway
//     1.105 s  server  No connections found for thread A (agent_completed of run-2); sent to c2 anyway
//     1.105 s  t1#2    ← agent_started of run-1
//     1.105 s  t1#2    ← agent_thinking of run-1
//     1.105 s  t1#2    ← agent_completed of run-1
//     1.105 s  t1#2    ← agent_thinking of run-2
//     1.105 s  t1#2    ← agent_completed of run-2
//
// Oracle:
//   agent_thinking of run-2 (thread A) produced at 1.105 s; t1#2 started run-2 and was owed its
//   events (it had since moved to B); it waited in the pending queue and was dropped (queue_expired)
//   at 61.105 s without a gap notice reaching t1#2
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 568809,
  "traceHash": "a245c531924e3b1419f369b4f8ee79df84670e334687371708b575eb5ca392fe",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-deferred-carry-left-queued",
  "description": "Fuzz counterexample (router guaranteed): agent_thinking of run-2 (thread A) produced at 1.105 s; t1#2 started run-2 and was owed its events (it had since moved to B); it waited in the pending queue and was dropped (queue_expired) at 61.105 s without a gap notice reaching t1#2",
  "users": [{"id":"u1","threads":["A","B","C"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":504,"do":"connect","thread":"B"},
        {"at":504,"do":"send","thread":"C"},
        {"at":504,"do":"reconnect"},
        {"at":1100,"do":"send","thread":"A"},
        {"at":1104,"do":"send","thread":"B"},
      ],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":1},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"uniform","min":0,"max":4}},
  "client": {"reconnectAfterMs":500},
  "faults": [{"kind":"pause","at":100,"durationMs":1000}],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [568809],
  "expect": {"guaranteed":"pass"},
});
