import { defineScenario } from '../src/scenario/types.ts';

/**
 * A working day's worth of realistic traffic, compressed to the busy hours: 400 users arrive
 * as a Poisson process (one every 15 s on average, so about 100 minutes of arrivals); each opens
 * the chat on one of their two threads and runs a session of 1–6 messages with lognormal think
 * times, switches thread now and then, sometimes opens a second tab, and sometimes loses the
 * connection once. One user in four types their first message within 5 ms of the page opening.
 * Ownership look-ups and network latency are lognormal with tails. This is the workload behind
 * the success rates in docs/findings.md — the status report's table, measured.
 */
export default defineScenario({
  name: 'chat-day',
  description: 'Realistic load: 400 users arriving over ~100 min, chat sessions with switches, second tabs and drops.',
  failureModes: ['F1', 'F3', 'F4', 'F5'],
  users: [],
  tabs: [],
  load: {
    users: 400,
    meanArrivalGapMs: 15_000,
    threadsPerUser: 2,
    messagesPerSession: { kind: 'uniform', min: 1, max: 6 },
    thinkTimeMs: { kind: 'lognormal', median: 8_000, sigma: 0.8, max: 120_000 },
    switchProbability: 0.25,
    rapidFirstSendProbability: 0.25,
    secondTabProbability: 0.15,
    dropProbability: 0.05,
  },
  network: {
    handshakeMs: { kind: 'lognormal', median: 30, sigma: 0.5, max: 2_000 },
    latencyMs: { kind: 'lognormal', median: 20, sigma: 0.6, max: 3_000 },
  },
  server: { lookupMs: { kind: 'lognormal', median: 8, sigma: 0.9, max: 1_000 } },
  agent: {
    startMs: { kind: 'uniform', min: 1, max: 20 },
    thinkMs: { kind: 'lognormal', median: 1_500, sigma: 0.6 },
    toolCalls: { kind: 'uniform', min: 0, max: 4 },
    toolMs: { kind: 'lognormal', median: 1_200, sigma: 0.8, max: 60_000 },
    finishMs: { kind: 'uniform', min: 50, max: 400 },
  },
  thresholds: ['lost == 0', 'leaked == 0', 'duplicated == 0'],
  expect: { guaranteed: 'pass' },
});
