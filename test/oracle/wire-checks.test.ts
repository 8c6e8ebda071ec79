import { describe, expect, it } from 'vitest';
import { GroundTruth } from '../../src/oracle/recorder.ts';
import { judge } from '../../src/oracle/judge.ts';
import type { AgentEventType } from '../../src/protocol/threadline.ts';
import type { EventFact } from '../../src/ports/codec.ts';

// Hand-built wire histories for the invariants that catch what resume and client-side dedup
// paper over (FAILURE-MODES 4, 15, 16, 17). Each fires on a history with the defect and stays
// quiet on the correct one.

const TYPES: AgentEventType[] = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];

function world(): GroundTruth {
  const t = new GroundTruth();
  t.addOwnership('u1', ['A', 'B']);
  t.addTab('k1', 'u1');
  t.connecting('k1', 'k1#1', 'A', 0);
  t.declared('k1', 'A', 'connect', 0);
  t.opened('k1', 'k1#1', 1_000);
  t.serverConnection('k1', 'k1#1', 'c1');
  t.sent('k1', 'k1#1', 'k1-m1', 'A', 2_000);
  return t;
}

/** Events of run-1 on A with stream sequence numbers 1..n, produced at the given times. */
function produce(t: GroundTruth, atUs: number[]): EventFact[] {
  return atUs.map((at, i) => {
    t.producedEvent({ eid: `run-1#${i}`, index: i, type: TYPES[i]!, producedAtUs: at, runId: 'run-1', request: { userId: 'u1', threadId: 'A', messageId: 'k1-m1' } });
    return { kind: 'event', type: TYPES[i]!, user: 'u1', thread: 'A', runId: 'run-1', eid: `run-1#${i}`, seq: i + 1, msgId: `u1:A:${i + 1}` };
  });
}

const opts = { resumeWindowUs: 120_000_000, deadlineUs: 30_000_000 };
const count = (t: GroundTruth, inv: string): number => judge(t, opts).violationCounts[inv as 'no-loss'] ?? 0;

describe('flush-on-ready', () => {
  it('a held event delivered right after thread_context is fine; one that waits for a later resume is not', () => {
    const good = world();
    const ev = produce(good, [3_000, 4_000]);
    good.threadContext('k1', 'k1#1', 'A', 2, 10_000); // position 2: both were produced before readiness
    ev.forEach((e, i) => good.received('k1', 'k1#1', e, true, 10_000 + i));
    expect(count(good, 'flush-on-ready')).toBe(0);

    const bad = world();
    const ev2 = produce(bad, [3_000, 4_000, 20_000]);
    bad.threadContext('k1', 'k1#1', 'A', 2, 10_000);
    // Nothing flushed; a newer live event gets through; 3 s later a resume replays the held two.
    bad.received('k1', 'k1#1', ev2[2]!, true, 21_000);
    bad.closed('k1', 'k1#1', 1006, 'remote', 3_000_000);
    bad.connecting('k1', 'k1#2', 'A', 3_100_000);
    bad.opened('k1', 'k1#2', 3_200_000);
    bad.received('k1', 'k1#2', ev2[0]!, true, 3_300_000);
    bad.received('k1', 'k1#2', ev2[1]!, true, 3_300_001);
    const j = judge(bad, opts);
    expect(j.violationCounts['flush-on-ready']).toBe(2);
    expect(j.counts.lateFlushes).toBe(2);
    expect(j.violations.find((v) => v.invariant === 'flush-on-ready')!.explanation).toContain('k1#1 became ready at 10 ms (thread_context), but k1#1 carried run-1#2 (seq 3), produced after readiness, at 21 ms, but never this one; it reached k1#2 only at 3.3 s');
    expect(j.counts.lost).toBe(0); // resume delivered it: no-loss alone would have passed this run
  });

  it('an event after the position thread_context announced is live, not held: late only because the notice was', () => {
    const t = world();
    const ev = produce(t, [3_000, 4_000]);
    // The server declared readiness at position 1 (before the second event); the notice reached
    // the client only at 10 ms, and the link then lost the second event, which a resume brought.
    t.threadContext('k1', 'k1#1', 'A', 1, 10_000);
    t.received('k1', 'k1#1', ev[0]!, true, 10_001);
    t.closed('k1', 'k1#1', 1006, 'remote', 3_000_000);
    t.connecting('k1', 'k1#2', 'A', 3_100_000);
    t.opened('k1', 'k1#2', 3_200_000);
    t.received('k1', 'k1#2', ev[1]!, true, 3_300_000);
    expect(count(t, 'flush-on-ready')).toBe(0);
  });

  it('a held event may be slow, but never overtaken by a newer live event, on its connection or before a resume', () => {
    // A slow link: the flushed event arrives 3 s after thread_context, still before anything newer.
    const slow = world();
    const ev = produce(slow, [3_000, 20_000]);
    slow.threadContext('k1', 'k1#1', 'A', 1, 10_000);
    slow.received('k1', 'k1#1', ev[0]!, true, 3_010_000);
    slow.received('k1', 'k1#1', ev[1]!, true, 3_020_000);
    expect(count(slow, 'flush-on-ready')).toBe(0);
    // Overtaken: the live event (seq 2, produced after readiness) arrives before the held one.
    const over = world();
    const ev2 = produce(over, [3_000, 20_000]);
    over.threadContext('k1', 'k1#1', 'A', 1, 10_000);
    over.received('k1', 'k1#1', ev2[1]!, true, 21_000);
    over.received('k1', 'k1#1', ev2[0]!, true, 22_000);
    const j = judge(over, opts);
    expect(j.violationCounts['flush-on-ready']).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'flush-on-ready')!.explanation).toContain('run-1#1 (seq 2), produced after readiness, reached k1#1 first, at 21 ms');
    // On a later connection: fine if this one carried nothing newer (the flush may have been in
    // flight on a slow link); a violation if it had carried a newer event of the thread.
    for (const [newer, expected] of [[false, 0], [true, 1]] as const) {
      const t = world();
      const e = produce(t, [3_000, 20_000]);
      t.threadContext('k1', 'k1#1', 'A', 1, 10_000);
      if (newer) t.received('k1', 'k1#1', e[1]!, true, 21_000);
      t.closed('k1', 'k1#1', 1006, 'remote', 2_000_000);
      t.connecting('k1', 'k1#2', 'A', 2_100_000);
      t.opened('k1', 'k1#2', 2_200_000);
      t.received('k1', 'k1#2', e[0]!, true, 2_300_000);
      if (!newer) t.received('k1', 'k1#2', e[1]!, true, 2_300_001);
      expect(count(t, 'flush-on-ready'), `newer event on k1#1: ${newer}`).toBe(expected);
    }
  });
});

describe('no-redundant-redelivery', () => {
  function reconnected(): { t: GroundTruth; ev: EventFact[] } {
    const t = world();
    const ev = produce(t, [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_500);
    t.received('k1', 'k1#1', ev[1]!, true, 4_500);
    t.closed('k1', 'k1#1', 1006, 'remote', 4_800);
    t.connecting('k1', 'k1#2', 'A', 6_000);
    t.opened('k1', 'k1#2', 7_000);
    t.resumed('k1', 'k1#2', { A: 2 }, { A: [[1, 2]] }, 7_000);
    return { t, ev };
  }

  it('a resume that replays only what the client lacks has no redundant copies', () => {
    const { t, ev } = reconnected();
    t.received('k1', 'k1#2', ev[2]!, true, 8_000);
    const j = judge(t, opts);
    expect(j.counts).toMatchObject({ redeliveries: 0, redundantRedeliveries: 0 });
    expect(j.verdict).toBe('pass');
  });

  it('fires on copies the resume said the client holds, even when its msg_id dedup hid them', () => {
    const { t, ev } = reconnected();
    // Resume from sequence 0: all three again; the client drops the first two by msg_id.
    t.received('k1', 'k1#2', ev[0]!, false, 8_000);
    t.received('k1', 'k1#2', ev[1]!, false, 8_001);
    t.received('k1', 'k1#2', ev[2]!, true, 8_002);
    const j = judge(t, opts);
    expect(j.counts).toMatchObject({ redeliveries: 2, redundantRedeliveries: 2, duplicated: 0, lost: 0 });
    expect(j.violationCounts['no-redundant-redelivery']).toBe(2);
    expect(j.violations[0]!.explanation).toBe(
      'agent_started of run-1 (thread A, seq 1) reached k1#2 again at 8 ms; k1 had it since 3.5 ms (on k1#1), and its resume at 7 ms said it holds seq 1 (last_seq 2); the client dropped the copy by msg_id, which hides a replay from the wrong position',
    );
  });

  it('a copy the server could not know about (no resume said so) is counted, not a violation', () => {
    const t = world();
    const ev = produce(t, [3_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_500);
    t.closed('k1', 'k1#1', 1006, 'remote', 3_600);
    t.connecting('k1', 'k1#2', 'A', 6_000);
    t.opened('k1', 'k1#2', 7_000);
    t.received('k1', 'k1#2', ev[0]!, false, 8_000);
    const j = judge(t, opts);
    expect(j.counts).toMatchObject({ redeliveries: 1, redundantRedeliveries: 0 });
    expect(j.violationCounts['no-redundant-redelivery']).toBeUndefined();
  });
});

describe('honest-gaps', () => {
  it('fires when a gap notice names an event the tab already has', () => {
    const t = world();
    const ev = produce(t, [3_000, 4_000]);
    t.received('k1', 'k1#1', ev[0]!, true, 3_500);
    t.gap('k1', 'k1#1', { kind: 'gap', thread: 'A', fromSeq: 1, toSeq: 2, reason: 'queue_expired', eids: ['run-1#0', 'run-1#1'] }, 9_000);
    const j = judge(t, opts);
    expect(j.violationCounts['honest-gaps']).toBe(1);
    expect(j.counts.dishonestGaps).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'honest-gaps')!.explanation).toBe(
      'a gap notice (queue_expired, seq 1–2 of thread A) reached k1#1 at 9 ms naming agent_started of run-1 (seq 1), which k1 already had since 3.5 ms (on k1#1)',
    );
    // Naming only the event it never got is honest.
    const u = world();
    const ev2 = produce(u, [3_000, 4_000]);
    u.received('k1', 'k1#1', ev2[0]!, true, 3_500);
    u.gap('k1', 'k1#1', { kind: 'gap', thread: 'A', fromSeq: 2, toSeq: 2, reason: 'queue_expired', eids: ['run-1#1'] }, 9_000);
    expect(count(u, 'honest-gaps')).toBe(0);
  });

  it('fires when a gap range covers a sequence number the tab holds, whatever eids it names', () => {
    const t = world();
    const ev = produce(t, [3_000, 4_000, 5_000]);
    t.received('k1', 'k1#1', ev[1]!, true, 4_500); // seq 2
    // Seq 1 and 3 expired; one notice 1–3 names only them, but its range covers seq 2 too.
    t.gap('k1', 'k1#1', { kind: 'gap', thread: 'A', fromSeq: 1, toSeq: 3, reason: 'queue_expired', eids: ['run-1#0', 'run-1#2'] }, 9_000);
    const j = judge(t, opts);
    expect(j.violationCounts['honest-gaps']).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'honest-gaps')!.explanation).toContain('covering agent_thinking of run-1 (seq 2), which k1 already had since 4.5 ms');
  });
});

describe('sequence-contiguity', () => {
  it('after thread_context a ready connection gets every sequence number, or a gap notice first', () => {
    const ok = world();
    const ev = produce(ok, [3_000, 4_000, 5_000]);
    ok.threadContext('k1', 'k1#1', 'A', 0, 2_500);
    ev.forEach((e, i) => ok.received('k1', 'k1#1', e, true, 3_500 + i * 1_000));
    expect(count(ok, 'sequence-contiguity')).toBe(0);

    const hole = world();
    const ev2 = produce(hole, [3_000, 4_000, 5_000]);
    hole.threadContext('k1', 'k1#1', 'A', 0, 2_500);
    hole.received('k1', 'k1#1', ev2[0]!, true, 3_500);
    hole.received('k1', 'k1#1', ev2[2]!, true, 5_500); // seq 2 skipped, no notice
    const j = judge(hole, opts);
    expect(j.violationCounts['sequence-contiguity']).toBe(1);
    expect(j.violations.find((v) => v.invariant === 'sequence-contiguity')!.explanation).toBe('k1#1 received seq 3 of thread A at 5.5 ms after seq 1; seq 2 never reached k1 and no gap notice named it');

    const noticed = world();
    const ev3 = produce(noticed, [3_000, 4_000, 5_000]);
    noticed.threadContext('k1', 'k1#1', 'A', 0, 2_500);
    noticed.received('k1', 'k1#1', ev3[0]!, true, 3_500);
    noticed.gap('k1', 'k1#1', { kind: 'gap', thread: 'A', fromSeq: 2, toSeq: 2, reason: 'queue_overflow', eids: ['run-1#1'] }, 4_500);
    noticed.received('k1', 'k1#1', ev3[2]!, true, 5_500);
    expect(count(noticed, 'sequence-contiguity')).toBe(0);
  });
});
