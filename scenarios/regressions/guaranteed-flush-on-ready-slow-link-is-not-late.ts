// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      365065
// invariant: flush-on-ready
// found by:  threadline fuzz --router guaranteed --time 10m --seed 11 (an oracle false positive)
// replay:    threadline replay scenarios/regressions/guaranteed-flush-on-ready-slow-link-is-not-late.ts --router guaranteed --seed 365065
// Fixed in the oracle, not the router: on a 5 kB/s link the flush on ready took 1 s to arrive.
// On its own connection a held event is judged by order (before any event produced after
// readiness), not by a time bound; before a resume only if its connection carried something newer.
//
// Story after the fix (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  server  WebSocket manager injected
//       10 ms  t1#1    send on A (t1-m2)
//       10 ms  t1#1    send on A (t1-m3)
//       20 ms  t1#1    send on A (t1-m4)
//       20 ms  t1#1    send on A (t1-m5)
//       20 ms  t1#1    send on A (t1-m6)
//     42.6 ms  server  bind c1 → A (message)
//     42.6 ms  server  run run-1 for t1-m1 on A (from c1)
//     44.6 ms  agent   agent_started of run-1 (A)
//       46 ms  server  bind c1 → A (message)
//       46 ms  server  run run-2 for t1-m2 on A (from c1)
//       46 ms  server  bind c1 → A (message)
//       46 ms  server  run run-3 for t1-m3 on A (from c1)
//       48 ms  agent   agent_started of run-2 (A)
//       48 ms  agent   agent_started of run-3 (A)
//     53.8 ms  t1#1    ← agent_started of run-1
//     55.4 ms  server  bind c1 → A (message)
//     55.4 ms  server  run run-4 for t1-m4 on A (from c1)
//     57.4 ms  agent   agent_started of run-4 (A)
//     57.8 ms  server  bind c1 → A (message)
//     57.8 ms  server  run run-5 for t1-m5 on A (from c1)
//     57.8 ms  server  bind c1 → A (message)
//     57.8 ms  server  run run-6 for t1-m6 on A (from c1)
//     59.8 ms  agent   agent_started of run-5 (A)
//     59.8 ms  agent   agent_started of run-6 (A)
//     65.5 ms  t1#1    ← agent_started of run-2
//     65.5 ms  t1#1    ← agent_started of run-3
//     72.5 ms  t1#1    ← agent_started of run-4
//     77.4 ms  t1#1    ← agent_started of run-5
//     77.4 ms  t1#1    ← agent_started of run-6
//    240.6 ms  agent   agent_thinking of run-1 (A)
//      244 ms  agent   agent_thinking of run-2 (A)
//      244 ms  agent   agent_thinking of run-3 (A)
//    252.7 ms  t1#1    ← agent_thinking of run-1
//    253.4 ms  agent   agent_thinking of run-4 (A)
//    254.7 ms  t1#1    ← agent_thinking of run-2
//    254.7 ms  t1#1    ← agent_thinking of run-3
//    255.8 ms  agent   agent_thinking of run-5 (A)
//    255.8 ms  agent   agent_thinking of run-6 (A)
//    268.3 ms  t1#1    ← agent_thinking of run-4
//    272.4 ms  t1#1    ← agent_thinking of run-5
//    274.3 ms  t1#1    ← agent_thinking of run-6
//    274.6 ms  agent   agent_completed of run-1 (A)
//      278 ms  agent   agent_completed of run-2 (A)
//      278 ms  agent   agent_completed of run-3 (A)
//    287.4 ms  agent   agent_completed of run-4 (A)
//    289.8 ms  agent   agent_completed of run-5 (A)
//    289.8 ms  agent   agent_completed of run-6 (A)
//    294.4 ms  t1#1    ← agent_completed of run-1
//    294.4 ms  t1#1    ← agent_completed of run-2
//    298.5 ms  t1#1    ← agent_completed of run-3
//    299.4 ms  t1#1    ← agent_completed of run-4
//    302.2 ms  t1#1    ← agent_completed of run-5
//    302.2 ms  t1#1    ← agent_completed of run-6
//      400 ms  t3#1    connect (no thread)
//      400 ms  t3#1    open (server c2)
//      400 ms  t3#1    send on A (t3-m1)
//      400 ms  t3#1    send on A (t3-m2)
//      400 ms  t3#1    send on A (t3-m3)
//      410 ms  t3#1    send on A (t3-m4)
//      420 ms  t3#1    send on A (t3-m5)
//    437.8 ms  server  bind c2 → A (message)
//    437.8 ms  server  run run-7 for t3-m1 on A (from c2)
//    437.8 ms  server  bind c2 → A (message)
//    437.8 ms  server  run run-8 for t3-m2 on A (from c2)
//    439.8 ms  agent   agent_started of run-7 (A)
//    439.8 ms  agent   agent_started of run-8 (A)
//    442.4 ms  server  bind c2 → A (message)
//    442.4 ms  server  run run-9 for t3-m3 on A (from c2)
//    444.4 ms  agent   agent_started of run-9 (A)
//    448.7 ms  t1#1    ← agent_started of run-7
//    450.5 ms  t3#1    ← agent_started of run-1
//      453 ms  server  bind c2 → A (message)
//      453 ms  server  run run-10 for t3-m4 on A (from c2)
//      453 ms  server  bind c2 → A (message)
//      453 ms  server  run run-11 for t3-m5 on A (from c2)
//      455 ms  agent   agent_started of run-10 (A)
//      455 ms  agent   agent_started of run-11 (A)
//    456.5 ms  t3#1    ← agent_started of run-2
//    456.5 ms  t3#1    ← agent_started of run-3
//    456.5 ms  t3#1    ← agent_started of run-4
//    456.5 ms  t3#1    ← agent_started of run-5
//    456.5 ms  t3#1    ← agent_started of run-6
//    456.5 ms  t3#1    ← agent_thinking of run-1
//    456.6 ms  t3#1    ← agent_thinking of run-2
//    456.6 ms  t3#1    ← agent_thinking of run-3
//    456.6 ms  t3#1    ← agent_thinking of run-4
//    456.6 ms  t3#1    ← agent_thinking of run-5
//    457.6 ms  t3#1    ← agent_thinking of run-6
//    457.6 ms  t3#1    ← agent_completed of run-1
//    457.6 ms  t3#1    ← agent_completed of run-2
//    457.6 ms  t3#1    ← agent_completed of run-3
//    457.6 ms  t3#1    ← agent_completed of run-4
//    457.6 ms  t3#1    ← agent_completed of run-5
//    457.7 ms  t3#1    ← agent_completed of run-6
//    457.7 ms  t3#1    ← agent_started of run-7
//      459 ms  t3#1    ← agent_started of run-8
//      459 ms  t3#1    ← agent_started of run-9
//    459.9 ms  t1#1    ← agent_started of run-8
//      464 ms  t1#1    ← agent_started of run-9
//      464 ms  t1#1    ← agent_started of run-10
//    467.1 ms  t1#1    ← agent_started of run-11
//    468.8 ms  t3#1    ← agent_started of run-10
//    468.8 ms  t3#1    ← agent_started of run-11
//    635.8 ms  agent   agent_thinking of run-7 (A)
//    635.8 ms  agent   agent_thinking of run-8 (A)
//    640.4 ms  agent   agent_thinking of run-9 (A)
//    642.3 ms  t3#1    ← agent_thinking of run-7
//    649.6 ms  t3#1    ← agent_thinking of run-8
//      651 ms  agent   agent_thinking of run-10 (A)
//      651 ms  agent   agent_thinking of run-11 (A)
//    655.7 ms  t1#1    ← agent_thinking of run-7
//    655.7 ms  t1#1    ← agent_thinking of run-8
//    656.1 ms  t1#1    ← agent_thinking of run-9
//    658.2 ms  t3#1    ← agent_thinking of run-9
//      660 ms  t3#1    ← agent_thinking of run-10
//      660 ms  …       100 more line(s) left out
//
// Oracle:
//   agent_completed of run-13 (thread A) was produced at 1.5 s while t2#1 was not yet ready for A;
//   t2#1 became ready at 1.559 s (thread_context), but the event reached t2#1 only at 2.567 s, 1.008
//   s later (bound 1 s)
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 365065,
  "traceHash": "47f6daa6f9c3f520066658b3ab22f8ca4e0c9a1606228ddd4075e1932bb34c8e",
  "invariant": "flush-on-ready",
  "invariants": ["flush-on-ready"],
};

export default defineScenario({
  "name": "guaranteed-flush-on-ready-slow-link-is-not-late",
  "description": "Fuzz counterexample (router guaranteed): agent_completed of run-13 (thread A) was produced at 1.5 s while t2#1 was not yet ready for A; t2#1 became ready at 1.559 s (thread_context), but the event reached t2#1 only at 2.567 s, 1.008 s later (bound 1 s): the held event was not f...",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A","count":2,"intervalMs":10},
        {"at":0,"do":"send","thread":"A","count":2,"intervalMs":10},
        {"at":0,"do":"send","thread":"A"},
        {"at":0,"do":"send","thread":"A"},
      ],
    },
    {
      "id": "t2",
      "user": "u1",
      "actions": [
        {"at":700,"do":"connect"},
        {"at":700,"do":"slow","bytesPerS":5000},
        {"at":1500,"do":"send","thread":"A"},
        {"at":2000,"do":"slow","bytesPerS":1000000000},
      ],
    },
    {
      "id": "t3",
      "user": "u1",
      "actions": [
        {"at":400,"do":"connect"},
        {"at":400,"do":"send","thread":"A"},
        {"at":400,"do":"send","thread":"A"},
        {"at":400,"do":"send","thread":"A","count":3,"intervalMs":10},
        {"at":1213,"do":"send","thread":"A","count":2,"intervalMs":10},
      ],
    },
  ],
  "agent": {
    "startMs": {"kind":"fixed","value":2},
    "thinkMs": {"kind":"fixed","value":196},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":34},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"uniform","min":6,"max":21}},
  "server": {"lookupMs":{"kind":"fixed","value":25}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [365065],
  "expect": {"guaranteed":"pass"},
});
