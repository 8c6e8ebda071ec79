/** The five agent events of a run, in lifecycle order: started, thinking, (tool pairs)*, completed. */
export const AGENT_EVENT_TYPES = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'] as const;
export type AgentEventType = (typeof AGENT_EVENT_TYPES)[number];
