/**
 * Load generators: expand a `load` block into concrete users and tabs, reproducibly from the
 * seed (stream "load"). Users arrive as a Poisson process; each runs a chat session: connect
 * (on a thread, as a chat page does), send, wait for the agent to complete (or give up after a
 * minute, as a person would), think, sometimes switch thread, sometimes open a second tab,
 * sometimes lose the connection; then close.
 */
import { sample } from '../sim/distribution.ts';
import type { Random } from '../sim/rng.ts';
import type { Action, LoadSpec, TabSpec, UserSpec } from './types.ts';

/** A person waits this long for an answer before typing again anyway. */
export const GIVE_UP_WAITING_MS = 60_000;

export function expandLoad(load: LoadSpec, rng: Random): { users: UserSpec[]; tabs: TabSpec[] } {
  const users: UserSpec[] = [];
  const tabs: TabSpec[] = [];
  let atMs = 0;
  for (let i = 1; i <= load.users; i++) {
    const r = rng.fork(`user-${i}`);
    atMs += r.exponential(load.meanArrivalGapMs);
    const id = `lu${i}`;
    const threads = Array.from({ length: load.threadsPerUser }, (_, j) => `${id}-t${j + 1}`);
    users.push({ id, threads });
    let current = threads[0]!;
    const actions: Action[] = [{ at: round(atMs), do: 'connect', thread: current }];
    const messages = Math.max(1, Math.round(sample(load.messagesPerSession, r)));
    for (let m = 0; m < messages; m++) {
      if (m > 0 && threads.length > 1 && r.chance(load.switchProbability)) {
        current = r.pick(threads.filter((t) => t !== current));
        actions.push({ after: round(sample(load.thinkTimeMs, r) / 2), do: 'switch', thread: current });
      }
      const first = m === 0;
      const delay = first && r.chance(load.rapidFirstSendProbability) ? r.float() * 5 : sample(load.thinkTimeMs, r);
      actions.push({ after: round(delay), do: 'send', thread: current });
      if (m === 0 && r.chance(load.dropProbability)) {
        actions.push({ after: round(50 + r.float() * 500), do: 'drop' });
      }
      actions.push({ when: { received: 'agent_completed', timeoutMs: GIVE_UP_WAITING_MS }, after: 0, do: 'wait' });
    }
    actions.push({ after: round(sample(load.thinkTimeMs, r)), do: 'close' });
    tabs.push({ id: `${id}-tab1`, user: id, actions });
    if (threads.length > 1 && r.chance(load.secondTabProbability)) {
      const other = threads[1]!;
      tabs.push({
        id: `${id}-tab2`,
        user: id,
        actions: [
          { at: round(atMs + 1_000 + r.float() * 10_000), do: 'connect', thread: other },
          { after: round(sample(load.thinkTimeMs, r)), do: 'send', thread: other },
          { when: { received: 'agent_completed', timeoutMs: GIVE_UP_WAITING_MS }, after: round(sample(load.thinkTimeMs, r)), do: 'close' },
        ],
      });
    }
  }
  return { users, tabs };
}

function round(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
