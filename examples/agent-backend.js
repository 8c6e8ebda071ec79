// The agent backend of the example chat servers, for running them for real
// (`node examples/chat-server/racy.js`): each run emits agent_started, agent_thinking, one or
// two tool calls and agent_completed over about a second of real time.
//
// Inside `threadline run --server ...` the servers' `import ... from '#agent-backend'` is mapped
// to threadline's agent engine instead (same contract), so every event is ground truth.
//
// Contract: startAgentRun({ userId, threadId, messageId }, onEvent) returns { runId, done } at
// once and calls onEvent({ type, runId, index, eid, producedAtUs }) for each event, in order,
// never synchronously inside the call.
import { performance } from 'node:perf_hooks';

let runs = 0;

export function startAgentRun(request, onEvent) {
  const runId = `run-${++runs}`;
  const tools = 1 + (runs % 2);
  const types = ['agent_started', 'agent_thinking'];
  for (let i = 0; i < tools; i++) types.push('tool_executing', 'tool_completed');
  types.push('agent_completed');
  let index = 0;
  const done = new Promise((resolve) => {
    const next = () => {
      const type = types[index];
      onEvent({ type, runId, index, eid: `${runId}#${index}`, producedAtUs: Math.round(performance.now() * 1000) });
      index++;
      if (index < types.length) setTimeout(next, type === 'agent_started' ? 5 : 150);
      else resolve();
    };
    setTimeout(next, 1);
  });
  void request;
  return { runId, done };
}
