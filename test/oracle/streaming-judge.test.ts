import { describe, expect, it } from 'vitest';
import { GroundTruth } from '../../src/oracle/recorder.ts';
import { judge } from '../../src/oracle/judge.ts';
import { StreamingTruth } from '../../src/oracle/streaming-truth.ts';
import { ViolationLog } from '../../src/oracle/judgement.ts';
import type { GroundTruthObserver, ProducedEvent } from '../../src/ports/facts.ts';
import type { Judgement } from '../../src/oracle/judgement.ts';
import { listScenarioFiles, loadScenarioFile } from '../../src/scenario/load-file.ts';
import { runScenario } from '../../src/run/runner.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';

// The streaming judge (one part per user, judged when the user is done) must give exactly the
// judgement of the whole-run judge: same counts, latencies, violations and their order.

type Recorder = GroundTruthObserver & {
  addOwnership(user: string, threads: readonly string[]): void;
  addTab(id: string, user: string): void;
  producedEvent(event: ProducedEvent): void;
  wireWrite(serverUser: string, eid: string): void;
  routerFact(atUs: number, kind: string, fields: Record<string, unknown>): void;
};

const opts = { resumeWindowUs: 0, deadlineUs: 1_000_000 };
const TYPES = ['agent_started', 'agent_thinking', 'agent_completed'] as const;

function produce(r: Recorder, run: string, atUs: number[], user: string, thread: string, messageId: string): void {
  atUs.forEach((at, i) => r.producedEvent({ eid: `${run}#${i}`, index: i, type: TYPES[i]!, producedAtUs: at, runId: run, request: { userId: user, threadId: thread, messageId } }));
}

function deliver(r: Recorder, tab: string, conn: string, run: string, i: number, user: string, thread: string, atUs: number): void {
  r.received(tab, conn, { kind: 'event', type: TYPES[i]!, user, thread, runId: run, eid: `${run}#${i}`, seq: null, msgId: null }, true, atUs);
}

/**
 * u1 sends, gets its run, closes its tab and is done long before the end; later u1's last event
 * leaks to u2's tab (a copy of a settled user's event), u2 loses one of its own and gets one twice.
 */
function story(r: Recorder, tabFinished: (tab: string) => void): void {
  r.addOwnership('u1', ['A']);
  r.addOwnership('u2', ['C']);
  r.addTab('k1', 'u1');
  r.addTab('k2', 'u2');
  r.connecting('k1', 'k1#1', 'A', 0);
  r.declared('k1', 'A', 'connect', 0);
  r.opened('k1', 'k1#1', 1_000);
  r.connecting('k2', 'k2#1', 'C', 0);
  r.declared('k2', 'C', 'connect', 0);
  r.opened('k2', 'k2#1', 1_000);
  r.sent('k1', 'k1#1', 'k1-m1', 'A', 2_000);
  r.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
  produce(r, 'run-1', [3_000, 4_000, 5_000], 'u1', 'A', 'k1-m1');
  for (let i = 0; i < 3; i++) {
    r.wireWrite('u1', `run-1#${i}`);
    deliver(r, 'k1', 'k1#1', 'run-1', i, 'u1', 'A', 6_000 + i);
  }
  r.closed('k1', 'k1#1', 1000, 'client-close', 10_000);
  tabFinished('k1');
  // u2 keeps going; 3 s later (past the quiet period of 1 s) u1 has been judged.
  r.sent('k2', 'k2#1', 'k2-m1', 'C', 3_000_000);
  r.requested('k2', 'k2#1', 'user_message', 'k2-m1', 'C', 3_000_000);
  produce(r, 'run-2', [3_100_000, 3_200_000, 3_300_000], 'u2', 'C', 'k2-m1');
  deliver(r, 'k2', 'k2#1', 'run-2', 0, 'u2', 'C', 3_150_000);
  deliver(r, 'k2', 'k2#1', 'run-2', 0, 'u2', 'C', 3_160_000); // a duplicate
  deliver(r, 'k2', 'k2#1', 'run-1', 2, 'u1', 'A', 3_170_000); // a leak of u1's (judged) event
  deliver(r, 'k2', 'k2#1', 'run-2', 2, 'u2', 'C', 3_400_000); // run-2#1 is lost
}

function summary(j: Judgement) {
  return { verdict: j.verdict, counts: j.counts, violations: j.violations, violationCounts: j.violationCounts, failed: j.verdict === 'fail' ? j.failed : [], latency: j.latencyUs.toJSON(), interactions: j.interactions, notes: j.notes };
}

/**
 * The story and then `more`, recorded once whole and once streaming; the two judgements must
 * be the same. `tabsFinish`: the tabs report their scripts finished, so u1 is judged mid-run.
 */
function judgedBothWays(more: (r: Recorder) => void, tabsFinish: boolean): { whole: GroundTruth; streaming: StreamingTruth; judgement: Judgement } {
  const whole = new GroundTruth();
  story(whole, () => {});
  more(whole);
  const streaming = new StreamingTruth(opts);
  story(streaming, (tab) => (tabsFinish ? streaming.tabFinished(tab) : undefined));
  more(streaming);
  const judgement = judge(whole, opts);
  expect(summary(streaming.finish())).toEqual(summary(judgement));
  return { whole, streaming, judgement };
}

/** Router facts as `kind@atUs`, in the order given. */
const factOrder = (fs: readonly { kind: string; atUs: number }[]): string[] => fs.map((f) => `${f.kind}@${f.atUs}`);

describe('the streaming judge', () => {
  it('judges a user who is done while the run goes on, and the run as the whole-run judge does', () => {
    const whole = new GroundTruth();
    story(whole, () => {});
    const streaming = new StreamingTruth(opts);
    story(streaming, (tab) => streaming.tabFinished(tab));
    expect(streaming.settledDuringRun).toBe(1); // u1, before its event leaked
    const a = judge(whole, opts);
    const b = streaming.finish();
    expect(summary(b)).toEqual(summary(a));
    expect(a.violationCounts).toEqual({ 'no-duplicates': 1, 'no-leakage': 1, 'no-loss': 1 });
    // The leaked copy of a judged user's event is still named for what it was.
    expect(b.violations.find((v) => v.invariant === 'no-leakage')!.explanation).toContain('agent_completed of run-1 belongs to user u1');
  });

  it("counts a fact about a user already judged, and says so, instead of dropping it silently", () => {
    const s = new StreamingTruth(opts);
    story(s, (tab) => s.tabFinished(tab));
    s.wireWrite('u1', 'run-1#0'); // the server writes u1's event again, long after u1 left
    const j = s.finish();
    expect(j.notes.some((n) => n.includes('1 fact(s) about 1 user(s) arrived after their part of the run had been judged'))).toBe(true);
  });

  it('keeps nothing of a judged user but its runs: facts that arrive for it are late', () => {
    const s = new StreamingTruth(opts);
    story(s, (tab) => s.tabFinished(tab));
    s.opened('k1', 'k1#1', 4_000_000);
    expect(s.finish().notes.join(' ')).toContain('arrived after their part of the run had been judged');
  });

  it("puts a server connection's facts, held until its user is known, back in the run's order", () => {
    // A bind of c2 before any tab was told its id (no router.open names its user), then a route
    // of u2's event; only then does k2 learn it is c2. The explanations read facts in order.
    const facts = (r: Recorder): void => {
      r.routerFact(1_500, 'router.bind', { conn: 'c2', thread: 'C', via: 'handshake' });
      r.routerFact(3_100_000, 'router.route', { eid: 'run-2#1', thread: 'C', to: [], missed: true });
      r.serverConnection('k2', 'k2#1', 'c2');
    };
    const { whole, streaming } = judgedBothWays(facts, true);
    // u2's part is kept for the timeline (it has violations): its facts in the run's order.
    expect(factOrder(streaming.keptTruth().routerFacts)).toEqual(factOrder(whole.routerFacts));
    expect(factOrder(whole.routerFacts)).toEqual(['router.bind@1500', 'router.route@3100000']);
  });

  it("files a run under the user GroundTruth gives it: a message typed offline has no send, so the request's user", () => {
    // k1 (u1) types a message offline that names u2; the outbox resends it later. With no send
    // record the event's true user is the request's (u2), and it is owed to u2's tab k2.
    const offline = (r: Recorder): void => {
      r.requested('k1', null, 'user_message', 'k1-m9', 'C', 3_500_000);
      r.resent('k1', 'k1#1', 'k1-m9', 3_600_000);
      produce(r, 'run-9', [3_700_000, 3_800_000, 3_900_000], 'u2', 'C', 'k1-m9');
      for (let i = 0; i < 3; i++) deliver(r, 'k2', 'k2#1', 'run-9', i, 'u2', 'C', 3_950_000 + i);
    };
    const { judgement: a } = judgedBothWays(offline, false); // u1 stays active, so its part is still there for the request
    // run-9's three events were owed to u2's tab and delivered there (not strays).
    const before = new GroundTruth();
    story(before, () => {});
    const b = judge(before, opts).counts;
    expect([a.counts.owed - b.owed, a.counts.delivered - b.delivered, a.counts.stray - b.stray]).toEqual([3, 3, 0]);
  });

  it('learns a server connection from a request that arrived on it, when no tab was told its id', () => {
    const facts = (r: Recorder): void => {
      r.routerFact(1_500, 'router.bind', { conn: 'c2', thread: 'C', via: 'handshake' });
      r.routerFact(3_000_500, 'router.user_message', { conn: 'c2', msg: 'k2-m1', thread: 'C' });
    };
    const { streaming } = judgedBothWays(facts, true);
    expect(factOrder(streaming.keptTruth().routerFacts)).toEqual(['router.bind@1500', 'router.user_message@3000500']);
  });

  it('merges keyed violation logs in key order, with complete counts and the first violation of each invariant', () => {
    const a = new ViolationLog(2);
    const b = new ViolationLog(2);
    const v = (invariant: 'no-loss' | 'order', id: string) => ({ invariant, messageId: id, connectionId: null, atUs: 0, explanation: id });
    a.add(v('no-loss', 'a1'), [0, 5, 0]);
    a.add(v('order', 'a2'), [1, 9, 1]);
    a.add(v('order', 'a3'), [1, 12, 1]);
    b.add(v('no-loss', 'b1'), [0, 2, 0]);
    b.add(v('order', 'b2'), [1, 3, 1]);
    const m = ViolationLog.merge([a, b], 3);
    expect(m.total).toBe(5);
    expect(m.counts).toEqual({ 'no-loss': 2, order: 3 });
    expect(m.detailed.map((x) => x.messageId)).toEqual(['b1', 'a1', 'b2']);
    expect(m.order).toEqual(['no-loss', 'order']);
  });

  it('gives every shipped scenario the whole-run judgement (seed 1, every mode)', { timeout: 60_000 }, async () => {
    let differ = 0;
    for (const dir of ['scenarios', 'scenarios/regressions', 'scenarios/fidelity']) {
      for (const file of listScenarioFiles(dir)) {
        const { spec } = await loadScenarioFile(file);
        if (spec.name.startsWith('chat-day')) continue; // below, with users settling as the day goes
        for (const mode of ['legacy', 'dynamic', 'shipped', 'guaranteed']) {
          const whole = (await runScenario(spec, parseRouterSpec(mode), 1, { judging: 'whole' })).result;
          const streamed = (await runScenario(spec, parseRouterSpec(mode), 1, { judging: 'streaming' })).result;
          const pick = (r: typeof whole) => [r.verdict, r.counts, r.violations, r.violationCounts, r.latencyUs, r.interactions, r.traceHash];
          if (JSON.stringify(pick(whole)) !== JSON.stringify(pick(streamed))) differ++;
          expect(pick(streamed), `${spec.name} × ${mode}`).toEqual(pick(whole));
        }
      }
    }
    expect(differ).toBe(0);
  });

  it('judges a day of users coming and going as they leave, with the same judgement (chat-day)', { timeout: 60_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/chat-day.ts');
    for (const mode of ['legacy', 'guaranteed']) {
      let recorder: unknown;
      const streamed = (await runScenario(spec, parseRouterSpec(mode), 1, { onWorld: (w) => (recorder = w.world.recorder) })).result;
      const whole = (await runScenario(spec, parseRouterSpec(mode), 1, { judging: 'whole' })).result;
      // A load scenario is judged streaming by default; most of its 400 users are judged before the end.
      expect(recorder).toBeInstanceOf(StreamingTruth);
      expect((recorder as StreamingTruth).settledDuringRun).toBeGreaterThan(300);
      expect([streamed.verdict, streamed.counts, streamed.violations, streamed.violationCounts, streamed.latencyUs, streamed.interactions, streamed.traceHash]).toEqual([whole.verdict, whole.counts, whole.violations, whole.violationCounts, whole.latencyUs, whole.interactions, whole.traceHash]);
      // A failing streamed day still has a timeline: its first users with violations.
      // …and says whose facts it shows: the first 20 of the users judged with violations.
      if (streamed.verdict === 'fail') {
        expect(streamed.timeline?.some((i) => i.kind === 'lost')).toBe(true);
        expect(streamed.timelineScope).toMatch(/^the first 20 of \d+ users judged with violations/);
        expect(new Set(streamed.timeline!.filter((i) => i.user !== undefined && i.kind !== 'lost').map((i) => i.user)).size).toBeLessThanOrEqual(20);
      }
    }
  });
});
