// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: order
// found by:  threadline fuzz --router guaranteed --seed 21 --time 90s (after 18264 run(s), 108 shrink(s))
// replay:    threadline replay scenarios/regressions/guaranteed-order-partial-run-on-resume.ts --router guaranteed --seed 0
// Found when the oracle began judging order per tab across its connections (with resume the
// application sees one stream per tab). A resume replayed only the events after the client's
// position, so a run the tab had not followed arrived as its last event first, and its earlier
// events came with a later catch-up, after it: out of the run's order.
// Fixed: a resume replays whole runs (src/sut/router/router.ts onResume), and the client keeps a
// sequence number a gap notice declared skipped as skipped (src/world/tab-client.ts).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the earlier guaranteed router):
//
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
//      100 ms  t1#2    connect on B
//      100 ms  t1#2    open (server c3)
//      100 ms  server  bind c3 → B (handshake)
//      100 ms  server  resume c3 on A after seq 5: 1 replayed
//      100 ms  server  resume c3 on B after seq 3: 0 replayed
//      100 ms  t1#2    ← agent_started of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← agent_thinking of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← agent_completed of run-2 (duplicate, not shown)
//      100 ms  t1#2    ← agent_completed of run-3
//      200 ms  t1#2    closed 1000 (the client reconnects)
//      200 ms  t1#3    connect on A
//      200 ms  t1#3    open (server c4)
//      200 ms  server  bind c4 → A (handshake)
//      200 ms  server  resume c4 on A after seq 6: 0 replayed
//      200 ms  server  resume c4 on B after seq 3: 0 replayed
//      200 ms  t1#3    ← agent_started of run-1 (duplicate, not shown)
//      200 ms  t1#3    ← agent_started of run-3
//      200 ms  t1#3    ← agent_thinking of run-1 (duplicate, not shown)
//      200 ms  t1#3    ← agent_thinking of run-3
//      200 ms  t1#3    ← agent_completed of run-1 (duplicate, not shown)
//      200 ms  t1#3    ← agent_completed of run-3 (duplicate, not shown)
//      200 ms  ✗       order: agent_started of run-3 (A) at t1#3
//      200 ms  ✗       order: agent_thinking of run-3 (A) at t1#3
//
// Oracle:
//   agent_started of run-3 (produced at 0 µs) reached t1#3 at 200 ms, after run-3#2, which was
//   produced later (order is judged per tab across its connections)
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "9b1407cc4845ed8cf8162c60c0658daea2d1a65fed7a13cef92e05f48ed97314",
  "invariant": "order",
  "invariants": ["order"],
  "fuzzSeed": 21,
  "runs": 18264,
  "numShrinks": 108,
};

export default defineScenario({
  "name": "guaranteed-order-partial-run-on-resume",
  "description": "Fuzz counterexample (router guaranteed): agent_started of run-3 (produced at 0 µs) reached t1#3 at 200 ms, after run-3#2, which was produced later (order is judged per tab across its connections)",
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect"},
        {"at":0,"do":"send","thread":"A"},
        {"at":0,"do":"send","thread":"B"},
        {"at":100,"do":"reconnect"},
        {"at":200,"do":"reconnect","thread":"A"},
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
