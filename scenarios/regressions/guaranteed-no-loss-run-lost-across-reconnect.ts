// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: no-loss
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-no-loss-run-lost-across-reconnect.ts --router guaranteed --seed 0
// Fixed: the client names its session in the handshake (tab-client.ts); the router delivers a run to
// the connection that now carries its thread for that session, taken over on resume (router.ts
// carry()/originOf(), connection.ts, agent-registry.ts RunContext.carrier).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t2#1    connect (no thread)
//        0 µs  t2#1    open (server c2)
//        0 µs  t3#1    connect (no thread)
//        0 µs  t3#1    open (server c3)
//        0 µs  t1#1    send on B (t1-m1)
//        0 µs  t1#1    send on A (t1-m2)
//        0 µs  agent   agent_started of run-1 (B)
//        0 µs  agent   agent_started of run-2 (A)
//        0 µs  agent   agent_thinking of run-1 (B)
//        0 µs  agent   tool_executing of run-1 (B)
//        0 µs  agent   agent_thinking of run-2 (A)
//        0 µs  agent   tool_executing of run-2 (A)
//        0 µs  server  WebSocket manager injected
//        0 µs  server  bind c1 → B (message)
//        0 µs  server  run run-1 for t1-m1 on B (from c1)
//        0 µs  server  bind c1 → A (message)
//        0 µs  server  run run-2 for t1-m2 on A (from c1)
//        0 µs  server  No connections found for thread B (agent_started of run-1); sent to c1 anyway
//        0 µs  server  No connections found for thread B (agent_thinking of run-1); sent to c1 anyway
//        0 µs  server  No connections found for thread B (tool_executing of run-1); sent to c1 anyway
//        0 µs  t1#1    ← agent_started of run-1
//        0 µs  t1#1    ← agent_started of run-2
//        0 µs  t1#1    ← agent_thinking of run-1
//        0 µs  t1#1    ← tool_executing of run-1
//        0 µs  t1#1    ← agent_thinking of run-2
//        0 µs  t1#1    ← tool_executing of run-2
//        5 ms  agent   tool_completed of run-1 (B)
//        5 ms  agent   tool_completed of run-2 (A)
//        5 ms  server  No connections found for thread B (tool_completed of run-1); sent to c1 anyway
//        5 ms  t1#1    ← tool_completed of run-1
//        5 ms  t1#1    ← tool_completed of run-2
//      100 ms  t1#1    closed 1000 (the client reconnects)
//      100 ms  t1#2    connect on A
//      100 ms  t1#2    open (server c4)
//      100 ms  server  bind c4 → A (handshake)
//      100 ms  server  resume c4 on B after seq 4: 0 replayed
//      100 ms  server  resume c4 on A after seq 4: 0 replayed
//      100 ms  t1#2    ← agent_started of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← agent_thinking of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← tool_executing of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← tool_completed of run-2 (duplicate, not shown)
//      101 ms  agent   agent_completed of run-1 (B)
//      101 ms  agent   agent_completed of run-2 (A)
//      101 ms  server  queue agent_completed of run-1 until B is bound
//      101 ms  t1#2    ← agent_completed of run-2
//      101 ms  ✗       no-loss: agent_completed of run-1 (B) never reached t1#2
//    60.101 s  server  queue drops agent_completed of run-1 (queue_expired)
//
// Oracle:
//   agent_completed of run-1 (thread B) produced at 101 ms; t1#2 started run-1 and was owed its
//   events (it had since moved to A); it waited in the pending queue and was dropped (queue_expired)
//   at 60.101 s without a gap notice reaching t1#2
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "cff95165b0cfb85e580f28ab1956930c2c5f1a46539cdf1dd6e5280a906d679f",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
};

export default defineScenario({
  "name": "guaranteed-no-loss-run-lost-across-reconnect",
  "description": "Run-scoped delivery was tied to the connection that sent the message: after the tab reconnected, the run's later events waited in the queue for a binding that never came.",
  "users": [{"id":"u1","threads":["A","B"]},{"id":"u2","threads":["C"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"B"},
        {"at":0,"do":"send","thread":"A"},
        {"at":100,"do":"reconnect"},
      ],
    },
    {"id":"t2","user":"u1","actions":[{"at":0,"do":"connect"}]},
    {"id":"t3","user":"u2","actions":[{"at":0,"do":"connect"}]},
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":1},
    "toolMs": {"kind":"fixed","value":5},
    "finishMs": {"kind":"fixed","value":96},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":0}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
