// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: flush-on-ready
// found by:  threadline fuzz --router guaranteed --time 25m (default seed 1, run 181,227; an oracle false positive)
// replay:    threadline replay scenarios/regressions/guaranteed-flush-on-ready-in-flight-at-drop.ts --router guaranteed --seed 0
// Fixed in the oracle: on a 5 kB/s link the flushed event was still in flight when the link dropped
// 1 s after readiness; a resume brought it. flush-on-ready is now judged by order only: before a
// resume it is a violation only if the connection had carried a newer event of the thread.
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  server  WebSocket manager injected
//       10 ms  t1#1    send on A (t1-m2)
//     50.3 ms  server  bind c1 → A (message)
//     50.3 ms  server  run run-1 for t1-m1 on A (from c1)
//     55.3 ms  agent   agent_started of run-1 (A)
//     55.3 ms  agent   agent_thinking of run-1 (A)
//     55.3 ms  agent   tool_executing of run-1 (A)
//     60.8 ms  server  bind c1 → A (message)
//     60.8 ms  server  run run-2 for t1-m2 on A (from c1)
//     65.8 ms  agent   agent_started of run-2 (A)
//     65.8 ms  agent   agent_thinking of run-2 (A)
//     65.8 ms  agent   tool_executing of run-2 (A)
//     87.6 ms  t1#1    ← agent_started of run-1
//     87.6 ms  t1#1    ← agent_thinking of run-1
//     87.6 ms  t1#1    ← tool_executing of run-1
//     88.6 ms  t1#1    ← agent_started of run-2
//     88.8 ms  t1#1    ← agent_thinking of run-2
//     90.6 ms  t1#1    ← tool_executing of run-2
//    103.3 ms  agent   tool_completed of run-1 (A)
//    103.3 ms  agent   tool_executing of run-1 (A)
//    113.8 ms  agent   tool_completed of run-2 (A)
//    113.8 ms  agent   tool_executing of run-2 (A)
//    132.1 ms  t1#1    ← tool_completed of run-1
//    133.4 ms  t1#1    ← tool_executing of run-1
//      138 ms  t1#1    ← tool_completed of run-2
//    141.4 ms  t1#1    ← tool_executing of run-2
//    151.3 ms  agent   tool_completed of run-1 (A)
//    151.3 ms  agent   tool_executing of run-1 (A)
//    161.8 ms  agent   tool_completed of run-2 (A)
//    161.8 ms  agent   tool_executing of run-2 (A)
//    181.7 ms  t1#1    ← tool_completed of run-1
//    181.7 ms  t1#1    ← tool_executing of run-1
//    184.5 ms  t1#1    ← tool_completed of run-2
//    184.6 ms  t1#1    ← tool_executing of run-2
//    199.3 ms  agent   tool_completed of run-1 (A)
//    209.8 ms  agent   tool_completed of run-2 (A)
//    228.2 ms  t1#1    ← tool_completed of run-1
//    236.8 ms  t1#1    ← tool_completed of run-2
//    279.3 ms  agent   agent_completed of run-1 (A)
//    289.8 ms  agent   agent_completed of run-2 (A)
//    311.1 ms  t1#1    ← agent_completed of run-1
//    311.1 ms  t1#1    ← agent_completed of run-2
//      400 ms  t2#1    connect (no thread)
//      400 ms  t2#1    open (server c2)
//      400 ms  fault   slow t2
//      700 ms  t1#1    send on A (t1-m3)
//      700 ms  fault   partition (release) all: begins
//      710 ms  t1#1    send on A (t1-m4)
//      720 ms  t1#1    send on A (t1-m5)
//      907 ms  fault   partition (release) all: ends
//    964.1 ms  server  bind c1 → A (message)
//    964.1 ms  server  run run-3 for t1-m3 on A (from c1)
//    969.1 ms  agent   agent_started of run-3 (A)
//    969.1 ms  agent   agent_thinking of run-3 (A)
//    969.1 ms  agent   tool_executing of run-3 (A)
//    970.2 ms  server  bind c1 → A (message)
//    970.2 ms  server  run run-4 for t1-m5 on A (from c1)
//    971.1 ms  server  run run-5 for t1-m4 on A (from c1)
//    975.2 ms  agent   agent_started of run-4 (A)
//    975.2 ms  agent   agent_thinking of run-4 (A)
//    975.2 ms  agent   tool_executing of run-4 (A)
//    976.1 ms  agent   agent_started of run-5 (A)
//    976.1 ms  agent   agent_thinking of run-5 (A)
//    976.1 ms  agent   tool_executing of run-5 (A)
//    994.7 ms  t1#1    ← agent_started of run-3
//    995.9 ms  t1#1    ← agent_thinking of run-3
//    997.7 ms  t1#1    ← tool_executing of run-3
//     1.001 s  t1#1    ← agent_started of run-4
//     1.001 s  t1#1    ← agent_thinking of run-4
//     1.001 s  t1#1    ← tool_executing of run-4
//     1.001 s  t1#1    ← agent_started of run-5
//     1.002 s  t1#1    ← agent_thinking of run-5
//     1.004 s  t1#1    ← tool_executing of run-5
//     1.017 s  agent   tool_completed of run-3 (A)
//     1.017 s  agent   tool_executing of run-3 (A)
//     1.023 s  agent   tool_completed of run-4 (A)
//     1.023 s  agent   tool_executing of run-4 (A)
//     1.024 s  agent   tool_completed of run-5 (A)
//     1.024 s  agent   tool_executing of run-5 (A)
//     1.046 s  t1#1    ← tool_completed of run-3
//     1.049 s  t1#1    ← tool_executing of run-3
//     1.049 s  t1#1    ← tool_completed of run-4
//     1.049 s  t1#1    ← tool_executing of run-4
//     1.051 s  t1#1    ← tool_completed of run-5
//     1.052 s  t1#1    ← tool_executing of run-5
//     1.065 s  agent   tool_completed of run-3 (A)
//     1.065 s  agent   tool_executing of run-3 (A)
//     1.071 s  agent   tool_completed of run-4 (A)
//     1.071 s  agent   tool_executing of run-4 (A)
//     1.072 s  agent   tool_completed of run-5 (A)
//     1.072 s  agent   tool_executing of run-5 (A)
//     1.093 s  t1#1    ← tool_completed of run-3
//     1.098 s  t1#1    ← tool_executing of run-3
//     1.103 s  t1#1    ← tool_completed of run-4
//     1.103 s  t1#1    ← tool_executing of run-4
//     1.103 s  t1#1    ← tool_completed of run-5
//     1.103 s  t1#1    ← tool_executing of run-5
//     1.113 s  agent   tool_completed of run-3 (A)
//     1.119 s  agent   tool_completed of run-4 (A)
//      1.12 s  agent   tool_completed of run-5 (A)
//     1.143 s  t1#1    ← tool_completed of run-3
//     1.151 s  t1#1    ← tool_completed of run-4
//     1.153 s  t1#1    ← tool_completed of run-5
//     1.193 s  agent   agent_completed of run-3 (A)
//     1.199 s  agent   agent_completed of run-4 (A)
//       1.2 s  t2#1    send on A (t2-m1)
//       1.2 s  agent   agent_completed of run-5 (A)
//     1.225 s  t1#1    ← agent_completed of run-3
//     1.231 s  t1#1    ← agent_completed of run-4
//     1.231 s  t1#1    ← agent_completed of run-5
//     1.263 s  server  bind c2 → A (message)
//     1.263 s  server  run run-6 for t2-m1 on A (from c2)
//     1.268 s  agent   agent_started of run-6 (A)
//     1.268 s  agent   agent_thinking of run-6 (A)
//     1.268 s  agent   tool_executing of run-6 (A)
//       1.3 s  t1#1    ← agent_started of run-6
//       1.3 s  …       104 more line(s) left out
//
// Oracle:
//   agent_completed of run-5 (thread A) was produced at 1.2 s while t2#1 was not yet ready for A;
//   t2#1 became ready at 1.293 s (thread_context), but t2#1 stayed open until 2.301 s without it
//   (bound 1 s); it reached t2#2 only at 2.889 s
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "64117aa9926bc4120fb1be309c6b909e3c23eeb56dd53e80fb2d885c07cc7714",
  "invariant": "flush-on-ready",
  "invariants": ["flush-on-ready"],
};

export default defineScenario({
  "name": "guaranteed-flush-on-ready-in-flight-at-drop",
  "description": "Fuzz counterexample (router guaranteed): agent_completed of run-5 (thread A) was produced at 1.2 s while t2#1 was not yet ready for A; t2#1 became ready at 1.293 s (thread_context), but t2#1 stayed open until 2.301 s without it (bound 1 s); it reached t2#2 only at 2.889 s: the ...",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A","count":2,"intervalMs":10},
        {"at":700,"do":"send","thread":"A","count":3,"intervalMs":10},
      ],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":400,"do":"connect"},
        {"at":400,"do":"slow","bytesPerS":5000},
        {"at":1200,"do":"send","thread":"A"},
        {"at":2000,"do":"slow","bytesPerS":1000000000},
        {"at":2300,"do":"send","thread":"A"},
        {"at":2301,"do":"drop"},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":5},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":3},
    "toolMs": {"kind":"fixed","value":48},
    "finishMs": {"kind":"fixed","value":80},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":18,"max":33}},
  "server": {"lookupMs":{"kind":"uniform","min":30,"max":33}},
  "client": {"reconnectAfterMs":500},
  "faults": [{"kind":"partition","at":700,"durationMs":207,"then":"release"}],
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass"},
});
