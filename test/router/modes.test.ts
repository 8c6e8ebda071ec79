import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import type { ScenarioSpec, TabSpec } from '../../src/scenario/types.ts';

// Each mode's known gap, and each shipped defect measured alone (as a flag on top of dynamic),
// on the simulated network. guaranteed runs the same schedules and loses nothing.

function spec(tabs: TabSpec[], extra: Partial<ScenarioSpec> = {}): ScenarioSpec {
  return validateScenario(
    {
      name: 'mode-test',
      description: 'inline',
      users: [
        { id: 'u1', threads: ['A', 'B'] },
        { id: 'u2', threads: ['C'] },
      ],
      tabs,
      agent: { startMs: { kind: 'fixed', value: 1 }, thinkMs: { kind: 'fixed', value: 50 }, toolCalls: { kind: 'fixed', value: 1 }, toolMs: { kind: 'fixed', value: 100 }, finishMs: { kind: 'fixed', value: 20 } },
      network: { latencyMs: { kind: 'fixed', value: 2 }, handshakeMs: { kind: 'fixed', value: 2 } },
      ...extra,
    },
    'inline',
  );
}

async function run(s: ScenarioSpec, router: string) {
  return (await runScenario(s, parseRouterSpec(router), 1)).result;
}

const sendWithoutHandshakeThread = spec([{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { at: 100, do: 'send', thread: 'A' }] }], {
  server: { lookupMs: { kind: 'fixed', value: 10 } },
});
const raceAfterConnect = spec([{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { after: 1, do: 'send', thread: 'A' }] }], {
  server: { lookupMs: { kind: 'fixed', value: 20 } },
});

describe('legacy', () => {
  it('loses a first run whose thread was not in the handshake; binds only at connect', async () => {
    const r = await run(sendWithoutHandshakeThread, 'legacy');
    expect(r.counts.produced).toBe(5); // the run did start: all five events were produced, and lost
    expect(r.counts.lost).toBe(r.counts.produced);
    expect(r.noConnectionWarnings).toBe(r.counts.produced);
    const ok = await run(spec([{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }] }]), 'legacy');
    expect(ok.verdict).toBe('pass');
  });
});

describe('dynamic', () => {
  it('loses exactly the events emitted inside the association window', async () => {
    const r = await run(raceAfterConnect, 'dynamic');
    // agent_started is emitted 1 ms after the run starts; the association lands 20 ms after the message.
    expect(r.counts.lost).toBe(1);
    expect(r.violations[0]!.messageId).toBe('run-1#0');
    expect(r.violations[0]!.explanation).toMatch(/No connections found for thread A/);
    const noLatency = await run({ ...raceAfterConnect, server: { lookupMs: { kind: 'fixed', value: 0 } } }, 'dynamic');
    expect(noLatency.verdict).toBe('pass');
  });
  it('binds on message where legacy does not: only the first event falls in the window', async () => {
    const r = await run(sendWithoutHandshakeThread, 'dynamic');
    expect(r.counts.produced).toBe(5);
    expect(r.counts.lost).toBe(1);
    expect(r.violations[0]!.messageId).toBe('run-1#0');
  });
});

describe('shipped defects, each alone on top of dynamic', () => {
  it('F2 handlerBindNoop: the handler-path binding silently does nothing', async () => {
    const r = await run(sendWithoutHandshakeThread, 'dynamic+handlerBindNoop');
    expect(r.counts.produced).toBe(5);
    expect(r.counts.lost).toBe(r.counts.produced);
  });

  it('F4 serviceBindUserWide: a second tab sending on B moves the first tab off A mid-run', async () => {
    const tabs: TabSpec[] = [
      { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 10, do: 'send', thread: 'A' }] },
      { id: 't2', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'B' }, { at: 30, do: 'send', thread: 'B' }] },
    ];
    const s = spec(tabs);
    expect((await run(s, 'dynamic')).verdict).toBe('pass');
    const r = await run(s, 'dynamic+serviceBindUserWide');
    expect(r.counts.lost).toBeGreaterThan(0);
    expect(r.violations.every((v) => v.connectionId === 't1#1')).toBe(true);
    // The shipped fallback fan-out hides it (at the price of strays).
    const hidden = await run(s, 'dynamic+serviceBindUserWide+fallbackFanout');
    expect(hidden.counts.lost).toBe(0);
    expect(hidden.counts.stray).toBeGreaterThan(0);
  });

  it('F11 fallbackFanout with trustPayloadUserId leaks another user\'s events', async () => {
    const s = spec(
      [
        { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { after: 1, do: 'send', thread: 'A', payloadUser: 'u2' }] },
        { id: 't2', user: 'u2', actions: [{ at: 0, do: 'connect', thread: 'C' }] },
      ],
      { server: { lookupMs: { kind: 'fixed', value: 20 } } },
    );
    expect((await run(s, 'dynamic+fallbackFanout')).counts.leaked).toBe(0);
    const r = await run(s, 'dynamic+fallbackFanout+trustPayloadUserId');
    expect(r.counts.leaked).toBeGreaterThan(0);
    expect(r.violations.find((v) => v.invariant === 'no-leakage')!.connectionId).toBe('t2#1');
  });

  it('F9 registryTtlMs: a live socket vanishes from routing after the TTL', async () => {
    const s = spec([{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 100, do: 'send', thread: 'A' }] }], {
      agent: { thinkMs: { kind: 'fixed', value: 2_000 }, toolCalls: { kind: 'fixed', value: 0 }, finishMs: { kind: 'fixed', value: 10 } },
    });
    expect((await run(s, 'dynamic+registryTtlMs=1000')).counts.lost).toBe(2); // thinking and completed
    expect((await run(s, 'dynamic')).verdict).toBe('pass');
  });

  it('F8 send timeouts retried without ids duplicate on a slow link', async () => {
    const s = spec([{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 10, do: 'slow', bytesPerS: 80 }, { at: 20, do: 'send', thread: 'A' }] }], { deadlineMs: 120_000 });
    const r = await run(s, 'dynamic+sendTimeoutMs=2000+sendRetries=2+sendBackoffMs=500');
    expect(r.counts.duplicated).toBeGreaterThan(0);
    expect(r.monitoring.counters['sendRetries']).toBeGreaterThan(0);
    expect((await run(s, 'dynamic')).counts.duplicated).toBe(0);
  });

  it('F12 successMasking: the router reports deliveries that never went onto the wire', async () => {
    const s = validateScenario(
      {
        name: 'masking',
        description: 'inline',
        users: [{ id: 'qa', threads: ['test_1'] }, { id: 'u1', threads: ['A'] }],
        tabs: [
          { id: 'q', user: 'qa', actions: [{ at: 0, do: 'connect', thread: 'test_1' }, { at: 50, do: 'send', thread: 'test_1' }, { at: 55, do: 'close' }] },
          { id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect', thread: 'A' }, { at: 50, do: 'send', thread: 'A' }] },
        ],
      },
      'inline',
    );
    expect((await run(s, 'dynamic')).verdict).toBe('pass');
    const r = await run(s, 'dynamic+successMasking');
    // Both figures lie: test-thread events count as delivered, and their misses are not counted.
    expect(r.violationCounts).toEqual({ 'honest-monitoring': 2 });
    expect(r.violations[0]!.explanation).toMatch(/reports \d+ events delivered, but only/);
    expect(r.violations[1]!.explanation).toMatch(/counts 0 routing misses, but its own routing log shows [1-9]/);
  });

  it('the 10 ms propagation sleep hides the race only when the look-up is faster than the sleep', async () => {
    const fast = { ...raceAfterConnect, server: { lookupMs: { kind: 'fixed' as const, value: 5 } } };
    expect((await run(fast, 'dynamic')).counts.lost).toBe(1);
    expect((await run(fast, 'dynamic+propagationSleepMs=10')).counts.lost).toBe(0);
    expect((await run(raceAfterConnect, 'dynamic+propagationSleepMs=10')).counts.lost).toBe(1);
  });
});

describe('guaranteed', () => {
  it('loses nothing in every schedule above', async () => {
    for (const s of [sendWithoutHandshakeThread, raceAfterConnect]) {
      const r = await run(s, 'guaranteed');
      expect(r.verdict).toBe('pass');
      expect(r.counts.lost).toBe(0);
    }
  });
  it('each of its fixes is needed: without the readiness wait or the queue, the race comes back', async () => {
    expect((await run(raceAfterConnect, 'guaranteed-awaitBindBeforeRun-pendingQueue-runScopedDelivery-eventIds')).counts.lost).toBeGreaterThan(0);
  });
});
