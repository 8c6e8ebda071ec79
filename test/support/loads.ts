/**
 * chat-million (scenarios/scale/chat-million.ts) cut down to a few users: the scale workload's
 * shape (arrivals, sessions, switches, second tabs, drops) in a run of about a second.
 */
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import type { ScenarioSpec } from '../../src/scenario/types.ts';

const CHAT_MILLION = fileURLToPath(new URL('../../scenarios/scale/chat-million.ts', import.meta.url));

export async function smallChatMillion(users: number): Promise<ScenarioSpec> {
  const { spec } = await loadScenarioFile(CHAT_MILLION);
  return { ...spec, load: { ...spec.load!, users } };
}
