/**
 * What a team's server gets for `import { startAgentRun } from '#agent-backend'` inside a
 * threadline run: the harness's agent engine (the backend port), so every event the server is
 * handed is recorded as ground truth. Outside a run the server's own '#agent-backend' module
 * (its package.json "imports" entry) is used as it is; examples/agent-backend.js is one.
 *
 * The contract, the same for both: `startAgentRun({ userId, threadId, messageId }, onEvent)`
 * returns `{ runId, done }` at once and calls `onEvent({ type, runId, index, eid, producedAtUs })`
 * for each event of the run, in order, never synchronously inside the call.
 */
import type { BackendEvent, BackendRun, RunRequest } from '../ports/server.ts';
import { activeContext } from './context.ts';

export function startAgentRun(request: RunRequest, onEvent: (event: BackendEvent) => void): BackendRun {
  const context = activeContext('startAgentRun()');
  const env = context.serverEnv;
  if (!env) throw new Error("startAgentRun(): called while the server module was still loading; start agent runs from a connection's handlers");
  for (const key of ['userId', 'threadId', 'messageId'] as const) {
    if (typeof request?.[key] !== 'string') throw new TypeError(`startAgentRun(): request.${key} must be a string, got ${typeof request?.[key]}`);
  }
  return env.backend.startRun({ userId: request.userId, threadId: request.threadId, messageId: request.messageId }, (event) => {
    try {
      onEvent(event);
    } catch (error) {
      context.fail(error, 'startAgentRun onEvent callback');
    }
  });
}

export default { startAgentRun };

// For require('#agent-backend') from CommonJS (src/host/agent-backend-require.cjs).
(globalThis as Record<symbol, unknown>)[Symbol.for('threadline.simulated-agent-backend')] = { startAgentRun };
