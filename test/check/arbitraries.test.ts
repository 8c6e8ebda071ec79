import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actionCount, buildCase, fuzzCaseArb, HEALED_BYTES_PER_S, rawCaseArb, type FuzzCase, type RawCase } from '../../src/check/arbitraries.ts';
import { kindOf, type RawEpisode } from '../../src/check/actions.ts';
import { FEATURES, TEMPLATES } from '../../src/check/swarm.ts';
import { agentRunMs } from '../../src/check/profiles.ts';
import { CATCH_UP_WINDOW_MS, FAULT_CUTOFF_MS, LIVENESS_BOUND_MS, MAX_RUN_MS, REGISTRY_TTL_MS, RESUME_WINDOW_MS } from '../../src/check/timing.ts';
import { parseDuration } from '../../src/check/duration.ts';
import { validateScenario } from '../../src/scenario/validate.ts';
import { CATCH_UP_WINDOW_US } from '../../src/sut/router/router.ts';
import { MODE_PRESETS } from '../../src/sut/router/flags.ts';
import type { Action, AgentSpec, TabSpec } from '../../src/scenario/types.ts';
import type { Distribution } from '../../src/sim/distribution.ts';

const SEED = 20_251_128;

describe('fuzzCaseArb: whole scenarios', () => {
  it('every generated spec passes validateScenario, as plain JSON data', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const json = JSON.parse(JSON.stringify(c.spec)) as unknown;
        expect(json).toEqual(c.spec); // plain data: nothing lost in a round trip (replayable)
        validateScenario(json, 'generated');
        expect(c.spec.seeds).toEqual([c.seed]);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('has the stated shape: 1–4 users, 1–3 threads and 1–3 tabs each, a safety phase before the cutoff', () => {
    fc.assert(
      fc.property(fuzzCaseArb(), (c) => {
        const { spec } = c;
        expect(spec.users.length).toBeGreaterThanOrEqual(1);
        expect(spec.users.length).toBeLessThanOrEqual(4);
        for (const u of spec.users) {
          expect(u.threads.length).toBeGreaterThanOrEqual(1);
          expect(u.threads.length).toBeLessThanOrEqual(3);
          const tabs = spec.tabs.filter((t) => t.user === u.id).length;
          expect(tabs).toBeGreaterThanOrEqual(1);
          expect(tabs).toBeLessThanOrEqual(3);
        }
        // The bound is 15 s, plus the latest return of a tab away on purpose (resume-edge).
        const returns = spec.tabs.map(returnAt).filter((x): x is number => x !== null);
        expect(spec.deadlineMs).toBe(LIVENESS_BOUND_MS + Math.max(0, ...returns));
        for (const t of spec.tabs) {
          const times = timed(t.actions).map((x) => x.t);
          const ats = t.actions.filter((a) => a.at !== undefined).map((a) => a.at!);
          expect(ats, 'actions are in time order (a shrunk case reads like a story)').toEqual([...ats].sort((a, b) => a - b));
          expect(times.every((x) => Number.isInteger(x))).toBe(true);
          for (const { a, t: at } of timed(t.actions)) {
            // After the cutoff: the liveness phase's bookkeeping (restore slow links, keep
            // watching) and the templates' episodes, which send, switch, drop and reconnect
            // only — never a new fault on a link, never a close.
            if (at >= FAULT_CUTOFF_MS) {
              const bookkeeping = a.do === 'wait' || (a.do === 'slow' && a.bytesPerS === HEALED_BYTES_PER_S);
              expect(bookkeeping || ['send', 'switch', 'drop', 'reconnect'].includes(a.do), `${a.do} at ${at}`).toBe(true);
            }
          }
          if (t.actions.some((a) => a.do === 'half-open')) expect(spec.client?.heartbeatMs, 'a zombie link needs a heartbeat to be noticed').toBeGreaterThan(0);
        }
        for (const f of spec.faults ?? []) expect(f.at + f.durationMs).toBeLessThanOrEqual(FAULT_CUTOFF_MS);
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('swarm style: runs differ in which kinds of action and fault are switched on', () => {
    const samples = fc.sample(fuzzCaseArb(), { seed: SEED + 2, numRuns: 300 });
    const kinds = (c: FuzzCase) => new Set([...c.spec.tabs.flatMap((t) => t.actions.map((a) => a.do)), ...(c.spec.faults ?? []).map((f) => f.kind)]);
    const seen = new Set(samples.flatMap((c) => [...kinds(c)]));
    for (const k of ['connect', 'send', 'switch', 'close', 'drop', 'reconnect', 'slow', 'half-open', 'partition', 'pause']) expect(seen, k).toContain(k);
    const withDrops = samples.filter((c) => kinds(c).has('drop')).length;
    expect(withDrops).toBeGreaterThan(20);
    expect(withDrops).toBeLessThan(280);
  });

  it('a roll of 0 is a plain send whatever the swarm, so shrinking turns faults into sends', () => {
    const all = { weights: Object.fromEntries(FEATURES.map((f) => [f, 3])) };
    expect(kindOf(0, all)).toBe('send');
    expect(kindOf(0, { weights: {} })).toBe('send');
    expect(kindOf(999, { weights: {} })).toBe('send');
  });

  it('shrinks towards fewer users, tabs, actions and faults, and round small times', () => {
    // A property that fails whenever some tab drops its link in the safety phase: the minimal
    // case is one user with one tab that connects and drops, at 0 ms, with no fault plan and no
    // template. (A drop of an episode shrinks its own way: see the resume-edge test below.)
    const details = fc.check(
      fc.property(fuzzCaseArb(), (c) => !c.spec.tabs.some((t) => t.actions.some((a) => a.do === 'drop' && a.at! < FAULT_CUTOFF_MS))),
      { seed: SEED + 3, numRuns: 500 },
    );
    expect(details.failed).toBe(true);
    const { spec } = details.counterexample![0];
    expect(spec.users).toHaveLength(1);
    expect(spec.users[0]!.threads).toEqual(['A']);
    expect(spec.tabs).toHaveLength(1);
    expect(spec.tabs[0]!.actions).toEqual([{ at: 0, do: 'connect' }, { at: 0, do: 'drop' }]);
    expect(spec.faults).toBeUndefined();
    expect(spec.deadlineMs).toBe(LIVENESS_BOUND_MS);
    expect(spec.agent).toMatchObject({ toolCalls: { kind: 'fixed', value: 0 } });
    expect(actionCount(spec)).toBe(2);
    expect(details.counterexample![0].seed).toBe(0);
  });

  it('never lets a tab close while a fault may still hold its frames (fair to any router)', () => {
    // A close right after a drop would throw away frames the network lost; the generator drops it.
    const c = buildCase({
      users: [{ threads: 1, tabs: [{ connectAt: 0, connectThread: 0, actions: [raw('drop', 100), raw('close', 150), raw('close', 1_500)] }] }],
      swarm: { weights: { drop: 1, close: 1 } },
      faults: [],
      agent: { startMs: fixed(0), thinkMs: fixed(0), toolCalls: fixed(0), toolMs: fixed(0), finishMs: fixed(0) },
      network: {},
      server: { lookup: 0, lookupSpread: 0, injectionDelay: 0 },
      reconnectAfterMs: 500,
      heartbeatMs: 1_000,
      tieBreak: false,
      seed: 0,
    });
    expect(c.spec.tabs[0]!.actions.map((a) => `${a.do}@${a.at}`)).toEqual(['connect@0', 'drop@100', 'close@1500']);
  });
});

describe('templates: the time scales where the subtle bugs live', () => {
  // One sample for every shape: 2,000 cases, fixed seed. Each shape must occur in at least 1 %
  // of them; the thresholds are set above what the generator produces with the template off
  // (the shapes 1, 2, 3 and 5 never occur then; a drop inside a look-up after a plain message
  // does in about 1 %, by chance in the safety phase), and below what it does with it (see
  // docs/fuzzing.md for the measured shares).
  const N = 2_000;
  const samples = fc.sample(fuzzCaseArb(), { seed: SEED + 10, numRuns: N });
  const share = (pred: (c: FuzzCase) => boolean) => samples.filter(pred).length / N;

  it('the generator follows the router: catch-up 5 s, resume window 120 s, registry TTL 180 s', () => {
    expect(CATCH_UP_WINDOW_MS).toBe(CATCH_UP_WINDOW_US / 1_000);
    expect(CATCH_UP_WINDOW_MS).toBe(5_000);
    expect(RESUME_WINDOW_MS).toBe(MODE_PRESETS.guaranteed.resumeWindowMs);
    expect(RESUME_WINDOW_MS).toBe(120_000);
    expect(REGISTRY_TTL_MS).toBe(MODE_PRESETS.shipped.registryTtlMs);
    expect(REGISTRY_TTL_MS).toBe(180_000);
  });

  it('swarm style: each template is on in about a quarter of the runs', () => {
    const raws = fc.sample(rawCaseArb(), { seed: SEED + 11, numRuns: N });
    for (const t of TEMPLATES) {
      const on = raws.filter((r) => (r.templates?.[t] ?? 0) > 0).length / N;
      expect(on, t).toBeGreaterThan(0.18);
      expect(on, t).toBeLessThan(0.32);
    }
    // Restricting the features switches templates off unless they are named.
    const plain = fc.sample(fuzzCaseArb({ features: ['drop', 'switch'] }), { seed: SEED + 12, numRuns: 300 });
    for (const c of plain) {
      expect(c.spec.deadlineMs).toBe(LIVENESS_BOUND_MS);
      expect(c.spec.tabs.every((t) => timed(t.actions).every(({ a, t: at }) => at < FAULT_CUTOFF_MS || a.do === 'wait' || a.do === 'slow'))).toBe(true);
    }
  });

  it('with every template off a case is the plain safety-phase case: nothing after the cutoff but bookkeeping, 15 s bound, 10 min budget', () => {
    const raws = fc.sample(rawCaseArb(), { seed: SEED + 13, numRuns: 400 });
    let changed = 0;
    for (const r of raws) {
      const off = buildCase({ ...r, templates: {} });
      expect(off.spec.deadlineMs).toBe(LIVENESS_BOUND_MS);
      expect(off.spec.maxDurationMs).toBe(MAX_RUN_MS);
      expect(off.spec.tabs.every((t) => t.reconnectAfterMs === undefined)).toBe(true);
      for (const t of off.spec.tabs) for (const { a, t: at } of timed(t.actions)) if (at >= FAULT_CUTOFF_MS) expect(a.do === 'wait' || a.do === 'slow').toBe(true);
      if (JSON.stringify(buildCase(r)) !== JSON.stringify(off)) changed++;
    }
    // ... and with them on, most cases get some template (each on in a quarter of the runs).
    expect(changed / raws.length).toBeGreaterThan(0.5);
  });

  it('1. idle gaps longer than the catch-up window (5–30 s), a run, then more traffic', () => {
    const gaps = samples.flatMap((c) => c.spec.tabs.flatMap((t) => idleGaps(t)));
    expect(gaps.length).toBeGreaterThan(0);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(share((c) => c.spec.tabs.some((t) => idleGaps(t).length > 0))).toBeGreaterThanOrEqual(0.05);
  });

  it('2. a drop, then back just inside (110–120 s) and just beyond (120–135 s) the resume window, also within ±100 ms of it', () => {
    const explicit = samples.flatMap((c) => c.spec.tabs.filter((t) => t.reconnectAfterMs === null).flatMap(awayTimes));
    const inside = (g: number) => g > 110_000 && g < RESUME_WINDOW_MS;
    const beyond = (g: number) => g > RESUME_WINDOW_MS && g < 135_000;
    expect(share((c) => c.spec.tabs.some((t) => t.reconnectAfterMs === null && awayTimes(t).some(inside)))).toBeGreaterThanOrEqual(0.02);
    expect(share((c) => c.spec.tabs.some((t) => t.reconnectAfterMs === null && awayTimes(t).some(beyond)))).toBeGreaterThanOrEqual(0.02);
    expect(explicit.some((g) => Math.abs(g - RESUME_WINDOW_MS) <= 100 && g !== RESUME_WINDOW_MS)).toBe(true);
    // Every explicit return of such a tab is in the stated range: nothing else sets it.
    for (const g of explicit) expect(g >= 110_000 && g <= 135_000, `away ${g} ms`).toBe(true);
    // The same times as the tab's own reconnect delay, after a drop.
    const auto = samples.flatMap((c) => c.spec.tabs.filter((t) => typeof t.reconnectAfterMs === 'number' && t.actions.some((a) => a.do === 'drop')).map((t) => t.reconnectAfterMs as number));
    expect(auto.some(inside)).toBe(true);
    expect(auto.some(beyond)).toBe(true);
    // The bound covers the wait: an event produced while the tab was away can reach it only on its return.
    for (const c of samples) for (const t of c.spec.tabs) {
      const back = returnAt(t);
      if (back !== null) expect(c.spec.deadlineMs!).toBeGreaterThanOrEqual(LIVENESS_BOUND_MS + back);
    }
  });

  it('3. runs longer than the registry TTL (180 s) on a connection alive throughout, within the case budget', () => {
    const long = (c: FuzzCase) => agentRunMs(c.spec.agent as Required<AgentSpec>) > REGISTRY_TTL_MS;
    const alive = (c: FuzzCase) => c.spec.tabs.some((t) => t.actions.some((a) => a.do === 'send') && !t.actions.some((a) => ['drop', 'reconnect', 'close', 'half-open'].includes(a.do)) && !killedByPartition(c, t.id));
    expect(share((c) => long(c) && alive(c))).toBeGreaterThanOrEqual(0.05);
    for (const c of samples) {
      const runMs = agentRunMs(c.spec.agent as Required<AgentSpec>);
      const last = Math.max(...c.spec.tabs.map((t) => timed(t.actions).at(-1)!.t), ...c.spec.tabs.map((t) => returnAt(t) ?? 0));
      expect(c.spec.maxDurationMs!, 'the budget covers the last action and a whole run after it').toBeGreaterThanOrEqual(last + runMs);
      expect(c.spec.maxDurationMs!).toBeGreaterThanOrEqual(MAX_RUN_MS);
    }
  });

  it('4. a drop during an ownership look-up: a message, then a drop 1 … look-up − 1 ms later, and the client reconnects by itself', () => {
    const f = share((c) => c.spec.tabs.some((t) => {
      const ts = timed(t.actions);
      const auto = (t.reconnectAfterMs === undefined ? c.spec.client?.reconnectAfterMs : t.reconnectAfterMs) ?? 500;
      // A message on an open link (not the one right after a reconnect: that is shape 5).
      return auto !== null && auto <= 1_000 && ts.some((x, i) => i > 0 && x.a.do === 'drop' && ts[i - 1]!.a.do === 'send' && ts[i - 2]?.a.do !== 'reconnect' && x.t - ts[i - 1]!.t >= 1 && x.t - ts[i - 1]!.t < lowest(c.spec.server?.lookupMs));
    }));
    expect(f).toBeGreaterThanOrEqual(0.05);
  });

  it('5. reconnect and send at 0 ms (after: 0), and the variant where the link drops again during that look-up (F21)', () => {
    const rs = (t: TabSpec) => t.actions.findIndex((a, i) => a.do === 'reconnect' && t.actions[i + 1]?.do === 'send' && t.actions[i + 1]!.after === 0);
    expect(share((c) => c.spec.tabs.some((t) => rs(t) >= 0))).toBeGreaterThanOrEqual(0.05);
    const f21 = share((c) => c.spec.tabs.some((t) => {
      const i = rs(t);
      const drop = i >= 0 ? t.actions[i + 2] : undefined;
      // The message goes out when the new link opens (after the handshake); the drop comes within its look-up.
      const handshake = lowest(c.spec.network?.handshakeMs);
      return drop?.do === 'drop' && drop.after !== undefined && drop.after > handshake && drop.after < handshake + lowest(c.spec.server?.lookupMs);
    }));
    expect(f21).toBeGreaterThanOrEqual(0.05);
  });

  it('an episode starts only once its tab has settled: after the recovery from its last drop', () => {
    const base: RawCase = {
      users: [{ threads: 1, tabs: [{ connectAt: 0, connectThread: 0, actions: [raw('drop', 1_900)] }] }],
      swarm: { weights: { drop: 1, close: 1 } },
      faults: [],
      agent: { startMs: fixed(0), thinkMs: fixed(0), toolCalls: fixed(0), toolMs: fixed(0), finishMs: fixed(0) },
      network: { handshakeMs: fixed(5) },
      server: { lookup: 20, lookupSpread: 0, injectionDelay: 0 },
      reconnectAfterMs: 1_000,
      heartbeatMs: 1_000,
      tieBreak: false,
      seed: 0,
      episodes: [episode({ lookupPoint: 500 })],
      longRun: { toolCalls: 1, overMs: 0 },
    };
    const lookup = buildCase({ ...base, templates: { 'drop-in-lookup': 1 } }).spec.tabs[0]!.actions;
    // Drop at 1.9 s + reconnect delay 1 s + 300 ms margin = 3.2 s; then the message, and a drop 10 ms into its 20 ms look-up.
    expect(lookup.map((a) => `${a.do}@${a.at}`)).toEqual(['connect@0', 'drop@1900', 'send@3200', 'drop@3210']);
    // resume-edge needs a calm tab (its reconnect delay changes): this one dropped already.
    expect(buildCase({ ...base, templates: { 'resume-edge': 1 } }).spec.tabs[0]!.actions).toHaveLength(2);
    const calm = buildCase({ ...base, users: [{ threads: 1, tabs: [{ connectAt: 0, connectThread: 0, actions: [] }] }], templates: { 'resume-edge': 1, 'long-run': 1 } }).spec;
    expect(calm.tabs[0]).toMatchObject({ reconnectAfterMs: null, actions: [{ at: 0, do: 'connect' }, { at: 2_000, do: 'send' }, { at: 2_000, do: 'drop' }, { at: 122_000, do: 'reconnect' }] });
    expect(calm.deadlineMs).toBe(LIVENESS_BOUND_MS + 122_000);
    // long-run: one tool call of 181 s.
    expect(agentRunMs(calm.agent as Required<AgentSpec>)).toBe(REGISTRY_TTL_MS + 1_000);
    const reconnect = buildCase({ ...base, templates: { 'reconnect-send': 1 } }).spec.tabs[0]!.actions;
    expect(reconnect.slice(2)).toEqual([{ at: 3_200, do: 'reconnect' }, { after: 0, do: 'send', thread: 'A' }, { after: 5 + 10, do: 'drop' }]);
  });

  it('shrinks a resume-edge counterexample to one tab just inside the window', () => {
    // A property that fails whenever a tab comes back by an explicit reconnect 110–120 s after
    // its drop: the minimal case is a single tab, its message, the drop and the reconnect
    // 119.999 s later (the window's edge; the offset shrinks towards exactly 120 s).
    const details = fc.check(
      fc.property(fuzzCaseArb(), (c) => !c.spec.tabs.some((t) => t.reconnectAfterMs === null && awayTimes(t).some((g) => g > 110_000 && g < RESUME_WINDOW_MS))),
      { seed: SEED + 14, numRuns: 2_000 },
    );
    expect(details.failed).toBe(true);
    const { spec } = details.counterexample![0];
    expect(spec.tabs).toHaveLength(1);
    expect(spec.tabs[0]!.actions.map((a) => a.do)).toEqual(['connect', 'send', 'drop', 'reconnect']);
    expect(awayTimes(spec.tabs[0]!)).toEqual([RESUME_WINDOW_MS - 1]);
    expect(spec.faults).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads 500ms, 30s, 5m, 1h, 1m30s and 1.5m', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5m')).toBe(90_000);
  });
  it('refuses anything else', () => {
    for (const bad of ['', '30', 's', '10x', '-5s', '5 m', '1m-3s']) expect(parseDuration(bad), bad).toBeNull();
  });
});

function fixed(value: number) {
  return { kind: 'fixed' as const, value };
}

/** A raw action whose roll picks `kind` under a swarm of only {drop, close} at weight 1 (send weight 3). */
function raw(kind: 'drop' | 'close', offset: number) {
  // Kinds in order: send (3), close (1), drop (1): total 5 → rolls 600–799 close, 800–999 drop.
  return { offset, roll: kind === 'close' ? 700 : 900, thread: 0, other: 0, withThread: false, count: 1, rate: 20_000 };
}

/** Each action with the time it runs (`at`, or the previous action's time + `after`; bursts take their intervals). */
function timed(actions: readonly Action[]): Array<{ a: Action; t: number }> {
  let t = 0;
  return actions.map((a) => {
    if (a.at !== undefined) t = Math.max(t, a.at);
    t += a.after ?? 0;
    const here = { a, t };
    if (a.do === 'send' && (a.count ?? 1) > 1) t += ((a.count ?? 1) - 1) * (a.intervalMs ?? 0);
    return here;
  });
}

/** Idle gaps over the catch-up window that end in a message or switch and are followed by more traffic. */
function idleGaps(tab: TabSpec): number[] {
  const ts = timed(tab.actions);
  const traffic = (a: Action) => a.do === 'send' || a.do === 'switch';
  const out: number[] = [];
  for (let i = 1; i < ts.length; i++) {
    const gap = ts[i]!.t - ts[i - 1]!.t;
    if (gap > CATCH_UP_WINDOW_MS && traffic(ts[i]!.a) && ts.slice(i + 1).some((x) => traffic(x.a))) out.push(gap);
  }
  return out;
}

/** For each explicit reconnect that follows a drop: how long after the drop it came, ms. */
function awayTimes(tab: TabSpec): number[] {
  const ts = timed(tab.actions);
  const out: number[] = [];
  ts.forEach((x, i) => {
    if (x.a.do !== 'reconnect') return;
    const drop = ts.slice(0, i).reverse().find((y) => y.a.do === 'drop');
    if (drop) out.push(x.t - drop.t);
  });
  return out;
}

/** When a tab with its own reconnect delay comes back from its drop, ms (null: an ordinary tab). */
function returnAt(tab: TabSpec): number | null {
  if (tab.reconnectAfterMs === undefined) return null;
  const ts = timed(tab.actions);
  const drop = ts.findLast((x) => x.a.do === 'drop');
  if (tab.reconnectAfterMs === null) return ts.findLast((x) => x.a.do === 'reconnect')?.t ?? null;
  return drop ? drop.t + tab.reconnectAfterMs : null;
}

function killedByPartition(c: FuzzCase, tab: string): boolean {
  return (c.spec.faults ?? []).some((f) => f.kind === 'partition' && f.then === 'kill' && (f.tabs === undefined || f.tabs.includes(tab)));
}

/** The shortest value of a generated (fixed or uniform) distribution. */
function lowest(d: Distribution | undefined): number {
  if (d === undefined) return 0;
  return d.kind === 'fixed' ? d.value : d.kind === 'uniform' ? d.min : 0;
}

function episode(overrides: Partial<RawEpisode> = {}): RawEpisode {
  return { roll: 0, offset: 0, thread: 0, idleMs: 5_001, thenMs: 0, thenSwitch: false, thenThread: 0, edgeMs: 0, auto: false, dropAfterMs: 0, follow: false, lookupPoint: 0, dropAgain: true, withThread: false, ...overrides };
}
