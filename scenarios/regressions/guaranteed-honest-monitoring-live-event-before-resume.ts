// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: honest-monitoring
// found by:  threadline fuzz --router guaranteed --seed 2 (after the resume=1 handshake)
// replay:    threadline replay scenarios/regressions/guaranteed-honest-monitoring-live-event-before-resume.ts --router guaranteed --seed 0
// Fixed: a connection that announced a resume takes no live events until the resume is handled
// (a resent message's run was carried to it first, so the whole replay became out-of-order gaps);
// and an event announced in a gap notice no longer counts as sent when it is attempted again
// (src/sut/router/router.ts carry, ws-manager.ts sendEvent).
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  fault   slow t1
//        0 µs  server  WebSocket manager injected
//      700 ms  t1#1    send on A (t1-m1)
//      709 ms  agent   agent_started of run-1 (A)
//      709 ms  server  bind c1 → A (message)
//      709 ms  server  run run-1 for t1-m1 on A (from c1)
//      710 ms  t1#1    send on A (t1-m2)
//      719 ms  agent   agent_started of run-2 (A)
//      719 ms  server  bind c1 → A (message)
//      719 ms  server  run run-2 for t1-m2 on A (from c1)
//      720 ms  t1#1    send on A (t1-m3)
//      729 ms  agent   agent_started of run-3 (A)
//      729 ms  server  bind c1 → A (message)
//      729 ms  server  run run-3 for t1-m3 on A (from c1)
//    754.6 ms  t1#1    ← agent_started of run-1
//      800 ms  t1#1    closed 1006 (by the network or the server)
//      800 ms  fault   drop t1
//      847 ms  agent   agent_thinking of run-1 (A)
//      847 ms  agent   tool_executing of run-1 (A)
//      847 ms  server  queue agent_thinking of run-1 until A is bound
//      847 ms  server  queue tool_executing of run-1 until A is bound
//      848 ms  agent   tool_completed of run-1 (A)
//      848 ms  server  queue tool_completed of run-1 until A is bound
//      857 ms  agent   agent_thinking of run-2 (A)
//      857 ms  agent   tool_executing of run-2 (A)
//      857 ms  server  queue agent_thinking of run-2 until A is bound
//      857 ms  server  queue tool_executing of run-2 until A is bound
//      858 ms  agent   tool_completed of run-2 (A)
//      858 ms  server  queue tool_completed of run-2 until A is bound
//      867 ms  agent   agent_thinking of run-3 (A)
//      867 ms  agent   tool_executing of run-3 (A)
//      867 ms  server  queue agent_thinking of run-3 until A is bound
//      867 ms  server  queue tool_executing of run-3 until A is bound
//      868 ms  agent   tool_completed of run-3 (A)
//      868 ms  server  queue tool_completed of run-3 until A is bound
//      880 ms  agent   agent_completed of run-1 (A)
//      880 ms  server  queue agent_completed of run-1 until A is bound
//      890 ms  agent   agent_completed of run-2 (A)
//      890 ms  server  queue agent_completed of run-2 until A is bound
//      900 ms  t1#2    connect on A
//      900 ms  t1#2    open (server c2)
//      900 ms  agent   agent_completed of run-3 (A)
//      900 ms  server  queue agent_completed of run-3 until A is bound
//      909 ms  server  resume c2 on A after seq 1: 14 replayed
//      909 ms  t1#2    ← agent_started of run-2
//      909 ms  t1#2    ← agent_started of run-3
//      909 ms  t1#2    ← agent_thinking of run-1
//      909 ms  t1#2    ← tool_executing of run-1
//      909 ms  t1#2    ← tool_completed of run-1
//      909 ms  t1#2    ← agent_thinking of run-2
//      909 ms  t1#2    ← tool_executing of run-2
//      909 ms  t1#2    ← tool_completed of run-2
//      909 ms  t1#2    ← agent_thinking of run-3
//      909 ms  t1#2    ← tool_executing of run-3
//      909 ms  t1#2    ← tool_completed of run-3
//      909 ms  t1#2    ← agent_completed of run-1
//      909 ms  t1#2    ← agent_completed of run-2
//      909 ms  t1#2    ← agent_completed of run-3
//      918 ms  server  bind c2 → A (handshake)
//         2 s  fault   slow t1
//
// Oracle:
//   the router reports 15 events delivered, but only 4 of 15 produced events were written to a
//   connection of their user
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "6208157e0d7c724dd79f96b57d28870279e9a223299bcc37df649dfc49c23a5d",
  "invariant": "honest-monitoring",
  "invariants": ["honest-monitoring"],
};

export default defineScenario({
  "name": "guaranteed-honest-monitoring-live-event-before-resume",
  "description": "Fuzz counterexample (router guaranteed): the router reports 15 events delivered, but only 4 of 15 produced events were written to a connection of their user (failures counted as success: success masking)",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"slow","bytesPerS":5000},
        {"at":700,"do":"send","thread":"A","count":3,"intervalMs":10},
        {"at":800,"do":"drop"},
        {"at":2000,"do":"slow","bytesPerS":1000000000},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":138},
    "toolCalls": {"kind":"fixed","value":1},
    "toolMs": {"kind":"fixed","value":1},
    "finishMs": {"kind":"fixed","value":32},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":9}},
  "client": {"reconnectAfterMs":100},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
