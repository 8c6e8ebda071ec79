import { defineScenario } from '../../src/scenario/types.ts';

/**
 * The scale workload: 10,000 users arriving 10 ms apart (Poisson), each with a session of 16–24
 * messages on two threads, switching thread now and then, sometimes with a second tab or a
 * dropped connection — about 1,000,000 agent events in one run, judged. It is the load behind
 * bench/scale.ts's scale_1m_events_* figures; run it with
 * `threadline run chat-million --router guaranteed`. It is not in the main job (it takes
 * minutes), which runs only the scripts directly in scenarios/.
 */
export default defineScenario({
  name: 'chat-million',
  description: 'Scale: 10,000 users, ~1,000,000 agent events in one run, guaranteed router, judged.',
  failureModes: ['F1', 'F3', 'F4', 'F5'],
  users: [],
  tabs: [],
  load: {
    users: 10_000,
    meanArrivalGapMs: 10,
    threadsPerUser: 2,
    messagesPerSession: { kind: 'uniform', min: 16, max: 24 },
    thinkTimeMs: { kind: 'lognormal', median: 2_000, sigma: 0.6, max: 30_000 },
    switchProbability: 0.25,
    rapidFirstSendProbability: 0.25,
    secondTabProbability: 0.15,
    dropProbability: 0.05,
  },
  thresholds: ['lost == 0', 'leaked == 0', 'duplicated == 0'],
  expect: { guaranteed: 'pass' },
});
