// threadline fuzz counterexample — a replayable regression scenario.
// router:    dynamic
// seed:      0
// invariant: no-loss
// found by:  threadline fuzz --router dynamic --seed 1 --runs 200 (after 1 run(s), 46 shrink(s))
// replay:    threadline replay scenarios/regressions/fuzz-dynamic-no-loss-5147312a.ts --router dynamic --seed 0
//
// Story (virtual time):
//        0 µs  t1#1    connect (no thread)
//        0 µs  t1#1    open (server c1)
//        0 µs  t1#1    send on A (t1-m1)
//        0 µs  server  WebSocket manager injected
//       84 µs  agent   agent_started of run-1 (A)
//       84 µs  agent   agent_thinking of run-1 (A)
//       84 µs  agent   agent_completed of run-1 (A)
//       84 µs  server  run run-1 for t1-m1 on A (from c1)
//       84 µs  server  No connections found for thread A (agent_started of run-1)
//       84 µs  server  No connections found for thread A (agent_thinking of run-1)
//       84 µs  server  No connections found for thread A (agent_completed of run-1)
//       84 µs  ✗       no-loss: agent_started of run-1 (A) never reached t1#1
//       84 µs  ✗       no-loss: agent_thinking of run-1 (A) never reached t1#1
//       84 µs  ✗       no-loss: agent_completed of run-1 (A) never reached t1#1
//       86 µs  server  bind c1 → A (message)
//
// Oracle:
//   agent_started of run-1 (thread A) produced at 84 µs; t1#1 had declared A at 0 µs; but when it
//   was routed the server had c1 not bound to any thread: "No connections found for thread A"; the
//   server bound c1 to A only at 86 µs; no queue held it
import { defineScenario } from '../../src/scenario/types.ts';

export const meta = {
  "router": "dynamic",
  "seed": 0,
  "traceHash": "9f25d706fa6d5cfc249f7c307cb147891643167e4736db586283720ca6613ab6",
  "invariant": "no-loss",
  "invariants": ["no-loss"],
  "fuzzSeed": 1,
  "runs": 1,
  "numShrinks": 46,
};

export default defineScenario({
  "name": "fuzz-dynamic-no-loss-5147312a",
  "description": "Fuzz counterexample (router dynamic): agent_started of run-1 (thread A) produced at 84 µs; t1#1 had declared A at 0 µs; but when it was routed the server had c1 not bound to any thread: \"No connections found for thread A\"; the server bound c1 to A only at 86 µs; no queue hel...",
  "users": [{"id":"u1","threads":["A"]}],
  "tabs": [{"id":"t1","user":"u1","actions":[{"at":0,"do":"connect"},{"at":0,"do":"send","thread":"A"}]}],
  "agent": {
    "startMs": {"kind":"fixed","value":0},
    "thinkMs": {"kind":"fixed","value":0},
    "toolCalls": {"kind":"fixed","value":0},
    "toolMs": {"kind":"fixed","value":0},
    "finishMs": {"kind":"fixed","value":0},
  },
  "network": {"handshakeMs":{"kind":"fixed","value":0},"latencyMs":{"kind":"fixed","value":0}},
  "server": {"lookupMs":{"kind":"uniform","min":0,"max":1}},
  "client": {"reconnectAfterMs":500},
  "deadlineMs": 15000,
  "maxDurationMs": 600000,
  "seeds": [0],
  "expect": {"guaranteed":"pass","dynamic":"fail"},
});
