import { describe, expect, it } from 'vitest';
import { GroundTruth } from '../../src/oracle/recorder.ts';
import type { AgentEventType } from '../../src/ports/server.ts';

// A protocol without event ids (the production envelope): the recorder identifies each
// delivery by its (run, type) on its connection. Hand-built truths, each rule on its own.
const TYPES: AgentEventType[] = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'tool_executing', 'tool_completed', 'agent_completed'];

function world(producedAtUs: (i: number) => number) {
  const t = new GroundTruth();
  for (const tab of ['k1', 'k2']) {
    t.addTab(tab, 'u1');
    t.connecting(tab, `${tab}#1`, 'A', 0);
    t.opened(tab, `${tab}#1`, 1);
  }
  TYPES.forEach((type, i) => t.producedEvent({ eid: `run-1#${i}`, index: i, type, runId: 'run-1', request: { userId: 'u1', threadId: 'A', messageId: 'k1-m1' }, producedAtUs: producedAtUs(i) }));
  const deliver = (tab: string, type: AgentEventType, atUs: number): void =>
    t.received(tab, `${tab}#1`, { kind: 'event', type, runId: 'run-1', thread: 'A', user: null, eid: null, seq: null, msgId: null }, true, atUs);
  return { t, deliver, eids: (tab: string) => t.deliveries.filter((d) => d.tab === tab).map((d) => d.eid) };
}

describe('identifying deliveries without event ids', () => {
  it('a burst of a whole run, all produced before the first frame arrives, is identified in order', () => {
    const w = world((i) => 10 + i);
    for (const type of TYPES) w.deliver('k1', type, 1_000);
    expect(w.eids('k1')).toEqual(TYPES.map((_, i) => `run-1#${i}`));
    expect(w.t.identifiedByOccurrence).toBe(true);
  });

  it("a connection that joins midway gets the current event, not the run's first of that type", () => {
    const w = world((i) => i * 1_000);
    // k2 is bound only after the second tool_executing (#4) was produced.
    w.deliver('k2', 'tool_executing', 4_100);
    w.deliver('k2', 'tool_completed', 5_100);
    w.deliver('k2', 'agent_completed', 6_100);
    expect(w.eids('k2')).toEqual(['run-1#4', 'run-1#5', 'run-1#6']);
  });

  it('a frame whose events the connection already had is a copy of the last one (a duplicate)', () => {
    const w = world((i) => i * 1_000);
    w.deliver('k1', 'agent_started', 100);
    w.deliver('k1', 'agent_started', 200);
    expect(w.eids('k1')).toEqual(['run-1#0', 'run-1#0']);
  });

  it('a run nothing was recorded for (a probe) keeps the k-th-frame key the probe infers from', () => {
    const t = new GroundTruth();
    t.addTab('k1', 'u1');
    t.connecting('k1', 'k1#1', 'A', 0);
    for (let i = 0; i < 2; i++) t.received('k1', 'k1#1', { kind: 'event', type: 'tool_executing', runId: 'r9', thread: 'A', user: null, eid: null, seq: null, msgId: null }, true, 10 + i);
    expect(t.deliveries.map((d) => d.eid)).toEqual(['r9|tool_executing|1', 'r9|tool_executing|2']);
  });
});
