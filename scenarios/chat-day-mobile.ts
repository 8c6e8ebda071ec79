import chatDay from './chat-day.ts';
import { defineScenario } from '../src/scenario/types.ts';

/**
 * chat-day on mobile networks: the same 400 users and sessions, but half of the sessions lose
 * the connection once (chat-day: one in twenty). Drops are where client → server requests get
 * lost (F21: a message whose connection closes during its ownership look-up) and where resends
 * could run twice (F22); this prices that gap per mode in docs/findings.md.
 */
export default defineScenario({
  ...chatDay,
  name: 'chat-day-mobile',
  description: 'chat-day with a drop in half of the sessions: prices lost user messages and duplicate runs per mode.',
  failureModes: ['F1', 'F3', 'F4', 'F5', 'F21', 'F22'],
  load: { ...chatDay.load!, dropProbability: 0.5 },
  thresholds: ['lost == 0', 'leaked == 0', 'duplicated == 0', 'requests_lost == 0', 'runs_duplicated == 0'],
  expect: { guaranteed: 'pass' },
});
