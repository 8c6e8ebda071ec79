import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/ports/clock.ts';
import { RealClock } from '../../src/real/real-clock.ts';

const clocks: RealClock[] = [];
const make = (timeScale = 1): RealClock => {
  const c = new RealClock({ timeScale });
  clocks.push(c);
  return c;
};
afterEach(() => {
  for (const c of clocks.splice(0)) c.dispose();
});

describe('RealClock', () => {
  it('counts integer µs that never decrease, scaled by timeScale', async () => {
    const c = make(0.1);
    const a = c.now();
    await new Promise((r) => setTimeout(r, 20));
    const b = c.now();
    expect(Number.isInteger(b)).toBe(true);
    expect(b).toBeGreaterThanOrEqual(a);
    // 20 ms of wall time at 0.1 is about 200 ms of virtual time.
    expect(b - a).toBeGreaterThanOrEqual(150_000);
    expect(b - a).toBeLessThan(1_000_000);
    expect(() => new RealClock({ timeScale: 0 })).toThrow(/timeScale/);
  });

  it('fires timers no earlier than due, in (due, creation) order, with sub-millisecond precision', async () => {
    const c = make(1);
    const fired: Array<{ label: string; late: number }> = [];
    const scheduled: Array<{ label: string; due: number; n: number }> = [];
    const set = (us: number, label: string): void => {
      const due = c.now() + us;
      scheduled.push({ label, due, n: scheduled.length });
      c.setTimer(us, () => fired.push({ label, late: c.now() - due }));
    };
    set(3_000, 'c');
    set(300, 'a1');
    set(300, 'a2');
    set(1_200, 'b');
    const cancelled = c.setTimer(500, () => fired.push({ label: 'never', late: 0 }));
    c.cancelTimer(cancelled);
    await c.sleep(5_000);
    // The order the due times imply (real time passes between the calls above: on a loaded
    // machine 'a2' may be due after 'c'), ties by creation.
    const expected = [...scheduled].sort((x, y) => x.due - y.due || x.n - y.n).map((x) => x.label);
    expect(fired.map((f) => f.label)).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set(['a1', 'a2', 'b', 'c']));
    for (const f of fired) expect(f.late).toBeGreaterThanOrEqual(0);
    // The spin phase keeps timers within a fraction of a millisecond on an idle machine; the
    // bound is loose because test files run in parallel on a loaded CI machine.
    expect(Math.max(...fired.map((f) => f.late))).toBeLessThan(50_000);
  });

  it('timeout settles like the promise or rejects with TimeoutError at the deadline', async () => {
    const c = make(0.5);
    await expect(c.timeout(c.sleep(100), 10_000)).resolves.toBeUndefined();
    const err = await c.timeout(new Promise(() => {}), 2_000, 'answer').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).message).toMatch(/answer timed out after 2 ms/);
  });

  it('advanceTo jumps to the next timer; rebase restarts at 0 keeping remaining delays; dispose stops everything', async () => {
    const c = make(1);
    let fired = false;
    c.setTimer(60_000_000, () => (fired = true));
    expect(c.nextDueUs()).toBeGreaterThan(59_000_000);
    c.advanceTo(c.nextDueUs()!);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(true);
    expect(c.skipped).toBeGreaterThan(59_000_000);
    c.setTimer(10_000_000, () => {});
    c.rebase();
    expect(c.now()).toBeLessThan(1_000);
    expect(c.nextDueUs()).toBeGreaterThan(9_000_000);
    expect(c.nextDueUs()).toBeLessThanOrEqual(10_000_000);
    c.dispose();
    let late = false;
    c.setTimer(0, () => (late = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(late).toBe(false);
    expect(c.pending).toBe(0);
  });

  it('reports a throwing timer instead of crashing', async () => {
    const c = make(1);
    c.setTimer(0, () => {
      throw new Error('boom');
    }, 'bad');
    await c.sleep(1_000);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]!.label).toBe('bad');
  });
});
