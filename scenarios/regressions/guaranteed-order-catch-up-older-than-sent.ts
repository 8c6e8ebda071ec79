// threadline fuzz counterexample — a replayable regression scenario.
// router:    guaranteed
// seed:      0
// invariant: order
// found by:  threadline fuzz --router guaranteed (this change)
// replay:    threadline replay scenarios/regressions/guaranteed-order-catch-up-older-than-sent.ts --router guaranteed --seed 0
// Fixed: src/sut/router/ws-manager.ts sendEvent(): an event that could only arrive after a newer one of
// its thread is announced in a gap notice instead (explicit, counted as out_of_order).
// Now passes: meta.traceHash is the trace of the fixed router, so replay also notices any later
// change.
//
// Story before the fix (virtual time; fails on the original guaranteed router):
//        0 µs  t1#1    connect on A
//        0 µs  t2#1    connect (no thread)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  t2#1    send on A (t2-m1)
//        0 µs  server  WebSocket manager injected
//        1 ms  t1#1    open (server c1)
//        1 ms  t2#1    open (server c2)
//        1 ms  t1#1    send on B (t1-m2)
//        1 ms  agent   agent_started of run-1 (A)
//        1 ms  agent   agent_started of run-2 (A)
//        1 ms  agent   agent_thinking of run-1 (A)
//        1 ms  agent   agent_thinking of run-2 (A)
//        1 ms  agent   agent_started of run-3 (B)
//        1 ms  agent   agent_completed of run-1 (A)
//        1 ms  agent   agent_completed of run-2 (A)
//        1 ms  agent   agent_thinking of run-3 (B)
//        1 ms  agent   agent_completed of run-3 (B)
//        1 ms  server  bind c1 → A (handshake)
//        1 ms  server  bind c1 → A (message)
//        1 ms  server  run run-1 for t1-m1 on A (from c1)
//        1 ms  server  bind c2 → A (message)
//        1 ms  server  run run-2 for t2-m1 on A (from c2)
//        1 ms  server  bind c1 → B (message)
//        1 ms  server  run run-3 for t1-m2 on B (from c1)
//        1 ms  t1#1    ← agent_started of run-1
//        1 ms  t1#1    ← agent_started of run-2
//        1 ms  t2#1    ← agent_started of run-1
//        1 ms  t2#1    ← agent_started of run-2
//        1 ms  t2#1    ← agent_thinking of run-1
//        1 ms  t2#1    ← agent_thinking of run-2
//        1 ms  t1#1    ← agent_thinking of run-1
//        1 ms  t1#1    ← agent_started of run-3
//        1 ms  t2#1    ← agent_completed of run-1
//        1 ms  t2#1    ← agent_completed of run-2
//        1 ms  t1#1    ← agent_completed of run-1
//        1 ms  t1#1    ← agent_thinking of run-3
//        1 ms  t1#1    ← agent_completed of run-3
//      100 ms  t1#1    send on A (t1-m3)
//      100 ms  agent   agent_started of run-4 (A)
//      100 ms  agent   agent_thinking of run-4 (A)
//      100 ms  agent   agent_completed of run-4 (A)
//      100 ms  server  bind c1 → A (message)
//      100 ms  server  run run-4 for t1-m3 on A (from c1)
//      100 ms  t1#1    ← agent_thinking of run-2
//      100 ms  t1#1    ← agent_completed of run-2
//      100 ms  t1#1    ← agent_started of run-4
//      100 ms  t2#1    ← agent_started of run-4
//      100 ms  t1#1    ← agent_thinking of run-4
//      100 ms  t2#1    ← agent_thinking of run-4
//      100 ms  t1#1    ← agent_completed of run-4
//      100 ms  t2#1    ← agent_completed of run-4
//      100 ms  ✗       order: agent_thinking of run-2 (A) at t1#1
//
// Oracle:
//   agent_thinking of run-2 (produced at 1 ms) reached t1#1 at 100 ms, after run-1#2, which was
//   produced later
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "guaranteed",
  "seed": 0,
  "traceHash": "b4d9241f54ec3ce98a27a36f07f3e87d5cfa353f5573c9df0b636a397d552093",
  "invariant": "order",
  "invariants": ["order"],
};

export default defineScenario({
  "users": [{"id":"u1","threads":["A","B"]}],
  "tabs": [
    {
      "id": "t1",
      "user": "u1",
      "actions": [
        {"at":0,"do":"connect","thread":"A"},
        {"at":0,"do":"send","thread":"A"},
        {"at":1,"do":"send","thread":"B"},
        {"at":100,"do":"send","thread":"A"},
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
  "network": {"handshakeMs":{"kind":"fixed","value":1},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"fixed","value":0}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "name": "guaranteed-order-catch-up-older-than-sent",
  "description": "A catch-up on re-binding sent a thread's events older than ones the connection already had (another tab's run, after this tab's own run).",
  "expect": {"guaranteed":"pass"},
});
