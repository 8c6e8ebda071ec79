import { describe, expect, it } from 'vitest';
import { GroundTruth } from '../../src/oracle/recorder.ts';
import { judge } from '../../src/oracle/judge.ts';

// Hand-built truths for client → server requests (FAILURE-MODES invariant 14): each new
// invariant must fire on a made-up history that has the defect, and stay quiet on one that
// does not.

function world(): GroundTruth {
  const t = new GroundTruth();
  t.addOwnership('u1', ['A', 'B']);
  t.addTab('k1', 'u1');
  t.connecting('k1', 'k1#1', 'A', 0);
  t.declared('k1', 'A', 'connect', 0);
  t.opened('k1', 'k1#1', 1_000);
  t.serverConnection('k1', 'k1#1', 'c1');
  return t;
}

function startRun(t: GroundTruth, run: string, messageId: string, atUs: number): void {
  t.producedEvent({ eid: `${run}#0`, index: 0, type: 'agent_started', producedAtUs: atUs, runId: run, request: { userId: 'u1', threadId: 'A', messageId } });
}

const opts = { resumeWindowUs: 0, deadlineUs: 30_000_000 };

describe('no-lost-request', () => {
  it('a message that started a run, or was refused with an error the client saw, is answered', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
    startRun(t, 'run-1', 'k1-m1', 10_000);
    t.requested('k1', 'k1#1', 'user_message', 'k1-m2', 'Z', 3_000);
    t.refused('k1', 'k1#1', 'k1-m2', 'forbidden', 9_000);
    const j = judge(t, opts);
    expect(j.counts).toMatchObject({ requests: 2, requestsLost: 0, runsDuplicated: 0 });
    expect(j.violationCounts['no-lost-request']).toBeUndefined();
  });

  it('fires on a message with no run and no error, and says where it went', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
    t.routerFact(3_000, 'router.user_message', { conn: 'c1', thread: 'A', msg: 'k1-m1' });
    t.routerFact(5_000, 'router.close', { conn: 'c1' });
    t.closed('k1', 'k1#1', 1006, 'remote', 5_000);
    const j = judge(t, opts);
    expect(j.counts.requestsLost).toBe(1);
    expect(j.violationCounts).toMatchObject({ 'no-lost-request': 1 });
    const v = j.violations.find((x) => x.invariant === 'no-lost-request')!;
    expect(v.messageId).toBe('k1-m1');
    expect(v.explanation).toBe('user_message k1-m1 (thread A) reached the server on c1 at 3 ms; c1 closed at 5 ms before the look-up finished; no run, no error; the client did not resend');
  });

  it('fires on a message typed offline that the client dropped; a run past the deadline is late, not answered', () => {
    const t = world();
    t.closed('k1', 'k1#1', 1006, 'remote', 1_500);
    t.requested('k1', null, 'user_message', 'k1-m1', 'A', 2_000);
    t.requested('k1', 'k1#1', 'user_message', 'k1-m2', 'A', 2_500);
    startRun(t, 'run-1', 'k1-m2', 2_500 + 31_000_000);
    const j = judge(t, opts);
    expect(j.counts.requestsLost).toBe(2);
    const texts = j.violations.filter((v) => v.invariant === 'no-lost-request').map((v) => v.explanation);
    expect(texts[0]).toContain('the tab was offline and the client dropped it');
    expect(texts[1]).toBe("user_message k1-m2 (thread A) made by k1 at 2.5 ms was answered only at 31.003 s, 31 s later; the deadline is 30 s");
  });

  it('excuses a message whose tab the user closed before anything answered it', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
    t.closed('k1', 'k1#1', 1000, 'client-close', 2_500);
    expect(judge(t, opts).counts.requestsLost).toBe(0);
  });

  it('judges switches only where the server acknowledges them, and excuses superseded ones', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'switch_thread', 'k1-s1', 'B', 2_000);
    let j = judge(t, opts);
    expect(j.counts).toMatchObject({ requestsLost: 0, requestsNotJudged: 1 });
    expect(j.notes.join(' ')).toMatch(/1 switch_thread request\(s\) not judged/);

    t.capabilities('k1', 'k1#1', { acks: true, resumeWindowMs: null });
    j = judge(t, opts);
    expect(j.counts).toMatchObject({ requestsLost: 1, requestsNotJudged: 0 });
    expect(j.violations.find((v) => v.invariant === 'no-lost-request')!.explanation).toContain('no acknowledgement, no error');

    t.declared('k1', 'A', 'switch', 3_000); // the user moved on before any ack
    expect(judge(t, opts).counts.requestsLost).toBe(0);
  });
});

describe('no-duplicate-run', () => {
  it('fires when a resend starts a second run for the same message id', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
    startRun(t, 'run-1', 'k1-m1', 5_000);
    t.resent('k1', 'k1#2', 'k1-m1', 600_000);
    startRun(t, 'run-2', 'k1-m1', 610_000);
    const j = judge(t, opts);
    expect(j.counts.runsDuplicated).toBe(1);
    expect(j.violationCounts['no-duplicate-run']).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'no-duplicate-run')!.explanation).toBe(
      'user_message k1-m1 (thread A) started 2 runs: run-1 at 5 ms, run-2 at 610 ms; the client resent it on k1#2 at 600 ms, and the server ran the resend again instead of recognising its id',
    );
  });

  it('a resend the server recognised (one run) is fine', () => {
    const t = world();
    t.requested('k1', 'k1#1', 'user_message', 'k1-m1', 'A', 2_000);
    startRun(t, 'run-1', 'k1-m1', 5_000);
    t.resent('k1', 'k1#2', 'k1-m1', 600_000);
    t.acked('k1', 'k1#2', 'k1-m1', 'run-1', true, 601_000);
    expect(judge(t, opts).counts).toMatchObject({ runsDuplicated: 0, requestsLost: 0 });
  });
});

describe('no-lost-request excuses', () => {
  it('a request made after the user closed the tab, or kept in an outbox while the tab stayed offline', () => {
    const t = world();
    t.closed('k1', 'k1#1', 1000, 'client-close', 1_500);
    t.requested('k1', null, 'user_message', 'k1-m1', 'A', 2_000);
    expect(judge(t, opts).counts.requestsLost).toBe(0);

    const u = world();
    u.capabilities('k1', 'k1#1', { acks: true, resumeWindowMs: null });
    u.closed('k1', 'k1#1', 1006, 'remote', 1_500);
    u.requested('k1', null, 'user_message', 'k1-m1', 'A', 2_000);
    expect(judge(u, opts).counts.requestsLost).toBe(0); // never reconnected: still shown as unsent
    u.connecting('k1', 'k1#2', 'A', 3_000);
    u.opened('k1', 'k1#2', 4_000);
    const j = judge(u, opts); // it reconnected, and the outbox never wrote it: lost
    expect(j.counts.requestsLost).toBe(1);
    expect(j.violations[0]!.explanation).toContain('the client kept it in its outbox but never wrote it on a later connection');
  });
});
