import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { runScenario } from '../../src/run/runner.ts';

// The shipped mode held against the public code (netra-systems/zen at f48a9b486): each fact
// the code shows, reproduced by its scenario in scenarios/fidelity/ (docs/router.md cites the
// lines). The tabs speak the production envelope (codecs.envelope), as shipped's router does.
const run = async (name: string, mode: string, seed = 1) => {
  const { spec } = await loadScenarioFile(`scenarios/fidelity/${name}.ts`);
  return runScenario(spec, parseRouterSpec(mode), seed, { keepTrace: true });
};
const logs = (out: Awaited<ReturnType<typeof run>>) => out.trace.records.filter((r) => r.kind === 'router.log').map((r) => String(r.fields['message']));

describe('shipped, held against the public code', () => {
  it('runs with the production envelope: no event ids, so checks that need them are named as not made', async () => {
    const out = await run('start-agent', 'shipped');
    expect(out.result.checksNotMade?.map((c) => c.invariant)).toEqual(expect.arrayContaining(['no-duplicates', 'sequence-contiguity', 'honest-gaps']));
    // Deliveries could only be identified by (run, type, occurrence): the frames carried no eid.
    expect(out.truth.identifiedByOccurrence).toBe(true);
    expect(out.result.counts.delivered).toBe(10);
  });

  it('start_agent, with or without a thread in the URL: nothing lost over 20 seeds (the user-wide bind before the run)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const out = await run('start-agent', 'shipped', seed);
      expect(out.result.counts.lost, `seed ${seed}`).toBe(0);
      expect(out.result.counts.produced, `seed ${seed}`).toBe(10);
    }
  });

  it('user_message without a thread, reaching the handler: nothing binds, all five events lost, 20 of 20 seeds', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const out = await run('user-message-no-thread', 'shipped-userMessageAckOnly-startAgentFrames', seed);
      expect(out.result.counts.produced, `seed ${seed}`).toBe(5);
      expect(out.result.counts.lost, `seed ${seed}`).toBe(5);
      expect(out.result.noConnectionWarnings, `seed ${seed}`).toBe(5);
    }
    // The same tab sending start_agent without a thread: the service takes the user's latest
    // thread and binds every connection of the user before the run — nothing lost.
    expect((await run('user-message-no-thread', 'shipped')).result.counts).toMatchObject({ produced: 5, lost: 0 });
  });

  it("user_message through the endpoint's own router: only \"Message received\", no run — a lost request", async () => {
    const out = await run('user-message-ack-only', 'shipped-startAgentFrames');
    expect(out.result.counts.produced).toBe(0);
    expect(out.result.counts.requestsLost).toBe(1);
    expect(out.truth.routerFacts.filter((f) => f.kind === 'router.ack_only')).toHaveLength(1);
    expect(out.result.violationCounts).toEqual({ 'no-lost-request': 1 });
  });

  it('user_message reaching the agent handler with a thread: AttributeError on the missing broadcasting, no run, no error frame', async () => {
    const out = await run('user-message-ack-only', 'shipped-userMessageAckOnly-startAgentFrames');
    expect(out.result.counts.produced).toBe(0);
    expect(out.result.counts.requestsLost).toBe(1);
    expect(logs(out)).toContain("Error handling user_message for u1: 'WebSocketManager' object has no attribute 'broadcasting'");
    // The per-connection bind went to the shadowing user-keyed method first (manager.py:767 vs 1189).
    expect(logs(out).some((m) => /^No connections found for user c\d+ when updating thread$/.test(m))).toBe(true);
  });

  it('two tabs, start_agent on B 121 ms after A: A loses its other four events, B reaches the tab on A', async () => {
    const out = await run('two-tabs', 'shipped');
    expect(out.result.counts.lost).toBe(4);
    expect(out.result.noConnectionWarnings).toBe(4);
    const lost = out.result.violations.filter((v) => v.invariant === 'no-loss').map((v) => v.messageId);
    expect(lost).toEqual(['run-1#1', 'run-1#2', 'run-1#3', 'run-1#4']);
    // Both tabs got A's agent_started; t1 (showing A) then got all five of B's events.
    const t1 = out.truth.deliveries.filter((d) => d.tab === 't1');
    expect(t1.filter((d) => d.eid === 'run-1#0')).toHaveLength(1);
    expect(t1.filter((d) => d.frameThread === 'B').map((d) => d.eid)).toEqual(['run-2#0', 'run-2#1', 'run-2#2', 'run-2#3', 'run-2#4']);
    expect(out.truth.deliveries.filter((d) => d.tab === 't2' && d.eid === 'run-1#0')).toHaveLength(1);
  });

  it('switch_thread is unknown to the endpoint: acknowledged, never rebinds', async () => {
    const out = await run('switch-unhandled', 'shipped');
    expect(out.truth.routerFacts.filter((f) => f.kind === 'router.switch_unhandled')).toHaveLength(1);
    expect(out.truth.routerFacts.filter((f) => f.kind === 'router.bind' && f.fields['thread'] === 'B')).toHaveLength(0);
    // The tab shows B but, still bound to A, keeps getting A's run (frames naming A) after the switch.
    expect(out.truth.deliveries.filter((d) => d.atUs > 100_000 && d.frameThread === 'A').length).toBeGreaterThan(0);
    expect(out.result.counts.lost).toBe(0);
  });

  it("closing one tab closes the user's other tabs (disconnect_user, 1000): the other tab's answer never comes", async () => {
    const out = await run('close-one-tab', 'shipped');
    const t2 = out.truth.tabs.get('t2')!.conns[0]!;
    expect([t2.closeCode, t2.closeCause]).toEqual([1000, 'remote']);
    expect(out.truth.routerFacts.filter((f) => f.kind === 'router.disconnect_user')).toHaveLength(1);
    expect(out.result.interactions).toMatchObject({ total: 1, succeeded: 0 });
    const without = await run('close-one-tab', 'shipped-closeAllOnDisconnect');
    expect(without.result.interactions).toMatchObject({ total: 1, succeeded: 1 });
  });

  it('the swapped execute_and_persist arguments: observable only through a fallback with the run\'s user', async () => {
    // In shipped itself the swap changes nothing (the handler raises before execute_and_persist).
    const a = await run('swapped-arguments', 'shipped');
    const b = await run('swapped-arguments', 'shipped-swappedExecuteArgs');
    expect(a.result.traceHash).toBe(b.result.traceHash);
    const reached = 'shipped-userMessageAckOnly-startAgentFrames-broadcastingMissing-fallbackOnlyWithUserId';
    const swapped = await run('swapped-arguments', reached);
    expect(swapped.result.counts.lost).toBe(3);
    const straight = await run('swapped-arguments', `${reached}-swappedExecuteArgs`);
    expect(straight.result.counts.lost).toBe(0);
    expect(straight.result.counts.delivered).toBe(3);
  });
});
