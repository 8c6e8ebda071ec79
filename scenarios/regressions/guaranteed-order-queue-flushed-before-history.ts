// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      15
// invariant: order
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-order-queue-flushed-before-history.ts --router guaranteed --seed 15
// Fixed: src/sut/router/router.ts afterBind(): the history load and the flushed queue are merged by
// sequence number.
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  server  WebSocket manager injected
//      100 ms  fault   partition (release) all: begins
//      300 ms  t1#1    connect (no thread)
//      300 ms  t1#1    send on A (t1-m1)
//     1.031 s  t1#1    open (server c1)
//     1.031 s  fault   partition (release) all: ends
//     1.071 s  agent   agent_started of run-1 (A)
//     1.071 s  agent   agent_thinking of run-1 (A)
//     1.071 s  agent   tool_executing of run-1 (A)
//     1.071 s  server  bind c1 → A (message)
//     1.071 s  server  run run-1 for t1-m1 on A (from c1)
//     1.096 s  t1#1    ← agent_started of run-1
//     1.096 s  t1#1    ← agent_thinking of run-1
//     1.096 s  t1#1    ← tool_executing of run-1
//     1.097 s  agent   tool_completed of run-1 (A)
//       1.1 s  t1#1    closed 1006 (by the network or the server)
//       1.1 s  fault   drop t1
//     1.101 s  agent   agent_completed of run-1 (A)
//     1.101 s  server  queue agent_completed of run-1 until A is bound
//       1.6 s  t1#2    connect on A
//       1.6 s  t1#2    open (server c2)
//     1.618 s  server  bind c2 → A (handshake)
//     1.638 s  server  resume c2 on A after seq 3: 2 replayed
//     1.645 s  t1#2    ← agent_completed of run-1
//     1.645 s  t1#2    ← agent_started of run-1 (duplicate, not shown)
//     1.645 s  t1#2    ← agent_thinking of run-1 (duplicate, not shown)
//     1.645 s  t1#2    ← tool_executing of run-1 (duplicate, not shown)
//     1.647 s  t1#2    ← tool_completed of run-1
//     1.647 s  ✗       order: tool_completed of run-1 (A) at t1#2
//
// Oracle:
//   tool_completed of run-1 (produced at 1.097 s) reached t1#2 at 1.647 s, after run-1#4, which was
//   produced later
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 15,
  "traceHash": "11c980ac50a4f74f6ee19547f1907900e3a2cabc3d82358f3a9121f178871dd4",
  "invariant": "order",
  "invariants": ["order"],
};

export default defineScenario({
  "name": "guaranteed-order-queue-flushed-before-history",
  "description": "On binding, the pending queue was flushed before the catch-up replay: a newer queued event overtook older history on the same connection.",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [{"at":300,"do":"connect"},{"at":300,"do":"send","thread":"A"},{"at":1100,"do":"drop"}],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":1},
    "toolMs": {"kind":"fixed","value":26},
    "finishMs": {"kind":"fixed","value":4},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":11,"max":30}},
  "server": {"lookupMs":{"kind":"uniform","min":15,"max":20}},
  "client": {"reconnectAfterMs":500},
  "faults": [{"kind":"partition","at":100,"durationMs":931,"then":"release"}],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [15],
  "expect": {"guaranteed":"pass"},
});
