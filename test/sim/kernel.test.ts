/**
 * Kernel tests: virtual-time scheduler, seeded RNG and distributions.
 */
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/ports/clock.ts';
import { BudgetExceededError, MACROTASK_EVERY, QUIET_TURNS, Scheduler } from '../../src/sim/scheduler.ts';
import { createRandom } from '../../src/sim/rng.ts';
import {
  exponential,
  fixed,
  lognormal,
  normal,
  pareto,
  sample,
  sampleDurationUs,
  theoreticalMean,
  uniform,
  type Distribution,
} from '../../src/sim/distribution.ts';

describe('Scheduler ordering', () => {
  it('runs events by time, then by insertion order at the same instant', async () => {
    const s = new Scheduler({ seed: 1 });
    const log: string[] = [];
    s.at(300, () => log.push(`c@${s.now()}`));
    s.at(100, () => log.push(`a1@${s.now()}`));
    s.at(200, () => log.push(`b@${s.now()}`));
    s.at(100, () => log.push(`a2@${s.now()}`));
    s.setTimer(100, () => {
      log.push(`a3@${s.now()}`);
      // Scheduled at the current instant from inside a callback: runs in the same instant, after the others.
      s.setTimer(0, () => log.push(`a4@${s.now()}`));
    });
    await s.runUntilIdle();
    expect(log).toEqual(['a1@100', 'a2@100', 'a3@100', 'a4@100', 'b@200', 'c@300']);
    expect(s.now()).toBe(300);
    expect(s.pending).toBe(0);
  });

  it('tieBreak reorders same-instant events reproducibly per seed', async () => {
    const orderFor = async (seed: number): Promise<number[]> => {
      const s = new Scheduler({ seed, tieBreak: true });
      const order: number[] = [];
      for (let i = 0; i < 8; i++) s.at(50, () => order.push(i));
      s.at(10, () => order.push(-1)); // earlier instant always first
      await s.runUntilIdle();
      return order;
    };
    const a = await orderFor(7);
    expect(await orderFor(7)).toEqual(a); // same seed, same order
    expect(a[0]).toBe(-1);
    expect(a.slice(1).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const distinct = new Set<string>();
    for (let seed = 0; seed < 20; seed++) distinct.add(JSON.stringify(await orderFor(seed)));
    // 8! orders: 20 seeds must not all agree, and must not all keep insertion order.
    expect(distinct.size).toBeGreaterThan(10);
    expect(distinct.has(JSON.stringify([-1, 0, 1, 2, 3, 4, 5, 6, 7]))).toBe(distinct.size === 1);
  });

  it('interleaves async processes with several awaits deterministically', async () => {
    const s = new Scheduler({ seed: 1 });
    const log: string[] = [];
    const proc = async (name: string, periodUs: number, steps: number): Promise<void> => {
      for (let i = 0; i < steps; i++) {
        await s.sleep(periodUs);
        await Promise.resolve(); // extra continuations must not change the order
        await null;
        log.push(`${s.now()} ${name}${i}`);
      }
    };
    s.at(0, () => proc('A', 300, 3));
    s.at(0, () => proc('B', 200, 4));
    await s.runUntilIdle();
    // At 600 both wake; A's sleep was scheduled first (at 300, B's at 400), so A runs first.
    expect(log).toEqual(['200 B0', '300 A0', '400 B1', '600 A1', '600 B2', '800 B3', '900 A2']);
  });

  it('never fires cancelled timers', async () => {
    const s = new Scheduler({ seed: 1 });
    const fired: string[] = [];
    const t1 = s.setTimer(100, () => fired.push('t1'));
    const t2 = s.setTimer(200, () => fired.push('t2'));
    s.setTimer(100, () => {
      fired.push('canceller');
      s.cancelTimer(t2); // cancel a later timer from a callback
    });
    s.cancelTimer(t1);
    s.cancelTimer(t1); // double cancel is a no-op
    expect(s.pending).toBe(2);
    await s.runUntilIdle();
    expect(fired).toEqual(['canceller']);
    const t3 = s.setTimer(10, () => fired.push('t3'));
    await s.runUntilIdle();
    s.cancelTimer(t3); // cancel after firing is a no-op
    expect(fired).toEqual(['canceller', 't3']);
    expect(s.pending).toBe(0);
  });

  it('lets go of a cancelled timer\'s callback at once, though the event stays queued to its instant', async () => {
    // A load scenario's waits each carry a minute-long give-up timeout that is nearly always
    // cancelled: held until due, their callbacks pinned the waiting code for that minute.
    const s = new Scheduler({ seed: 1 });
    const callback = (): void => {};
    const handle = s.setTimer(60_000_000, callback, 'timeout:wait');
    const held = (): unknown => (handle as unknown as { callback: unknown }).callback;
    expect(held()).toBe(callback);
    s.cancelTimer(handle);
    expect(held()).not.toBe(callback);
    expect(s.pending).toBe(0);
    await s.runUntilIdle();
    expect(s.now()).toBe(0); // an instant whose events were all cancelled is not advanced to
  });

  it('lets sleeps due at one instant and scheduled back to back share an event, in the same order', async () => {
    const s = new Scheduler({ seed: 1 });
    const log: string[] = [];
    const sleeper = async (name: string, us: number): Promise<void> => {
      await s.sleep(us);
      log.push(`${name}@${s.now()}`);
    };
    void sleeper('a', 100);
    void sleeper('b', 100);
    const shared = s.sleep(100);
    expect(shared).toBe(s.sleep(100)); // back to back at one instant: one promise
    expect(s.pending).toBe(4); // still one event per sleep
    // A timer between two sleeps at the instant ends the run of shared sleeps: its callback's
    // continuation must run between theirs, as it would if every sleep were its own event.
    let wake!: () => void;
    void new Promise<void>((resolve) => (wake = resolve)).then(() => log.push(`timer@${s.now()}`));
    s.at(100, () => wake());
    expect(s.sleep(100)).not.toBe(shared);
    void sleeper('c', 100);
    void sleeper('d', 150);
    await s.runUntilIdle();
    expect(log).toEqual(['a@100', 'b@100', 'timer@100', 'c@100', 'd@150']);
    expect(s.eventsRun).toBe(8);
    expect(s.pending).toBe(0);
  });

  it('never shares a sleep that has fired, and keeps every sleep its own event under tieBreak', async () => {
    const s = new Scheduler({ seed: 1 });
    const log: string[] = [];
    s.at(100, () => {
      // The bucket's last sleep at 100 has fired: a new sleep at 100 is a new event after it.
      void s.sleep(0).then(() => log.push('late'));
    });
    const first = s.sleep(100).then(() => log.push('first'));
    await s.runUntilIdle();
    await first;
    expect(log).toEqual(['first', 'late']);

    const orders = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const t = new Scheduler({ seed, tieBreak: true });
      const got: number[] = [];
      const sleeps = [0, 1, 2, 3, 4, 5].map((i) => t.sleep(100).then(() => got.push(i)));
      await t.runUntilIdle();
      await Promise.all(sleeps);
      orders.add(got.join(''));
    }
    expect(orders.size).toBeGreaterThan(1); // each sleep drew its own tie key
  });

  it('timeout rejects exactly at the deadline and resolves when the promise wins', async () => {
    const s = new Scheduler({ seed: 1 });
    const results: string[] = [];
    s.at(1_000, async () => {
      try {
        await s.timeout(new Promise<never>(() => {}), 5_000, 'never');
      } catch (error) {
        expect(error).toBeInstanceOf(TimeoutError);
        expect((error as TimeoutError).atUs).toBe(6_000);
        results.push(`rejected@${s.now()}`);
      }
    });
    s.at(1_000, async () => {
      const value = await s.timeout(
        s.sleep(4_999).then(() => 'ok'),
        5_000,
        'wins',
      );
      results.push(`${value}@${s.now()}`);
    });
    await s.runUntilIdle();
    expect(results).toEqual(['ok@5999', 'rejected@6000']);
    expect(s.pending).toBe(0); // the winner's deadline timer was cancelled
  });

  it('maxEvents stops a runaway run with the budget, the time and the seed in the message', async () => {
    const s = new Scheduler({ seed: 'seed-42', maxEvents: 1_000, label: 'loop' });
    const tick = (): void => {
      s.setTimer(10, tick);
    };
    s.setTimer(0, tick);
    const error = await s.runUntilIdle().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BudgetExceededError);
    const e = error as BudgetExceededError;
    expect(e.budget).toBe('maxEvents');
    expect(e.message).toContain('maxEvents');
    expect(e.message).toContain('seed-42');
    expect(e.message).toContain('t=10 ms'); // event 1001 runs at 1000 × 10 µs
    expect(e.atUs).toBe(10_000);
  });

  it('maxTimeUs stops a run that would pass the time budget', async () => {
    const s = new Scheduler({ seed: 9, maxTimeUs: 1_000_000 });
    const tick = (): void => {
      s.setTimer(300_000, tick);
    };
    s.setTimer(0, tick);
    const error = (await s.runUntilIdle().then(
      () => null,
      (e: unknown) => e,
    )) as BudgetExceededError;
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error.budget).toBe('maxTimeUs');
    expect(error.message).toContain('maxTimeUs');
    expect(error.message).toContain('seed 9');
    expect(error.message).toContain('t=900 ms'); // the last instant reached before 1.2 s
    expect(error.atUs).toBe(900_000);
  });

  it('runUntil(t) runs events up to and including t, then stops at t', async () => {
    const s = new Scheduler({ seed: 1 });
    const log: number[] = [];
    for (const t of [100, 500, 1_000, 1_001, 2_000]) s.at(t, () => log.push(s.now()));
    await s.runUntil(1_000);
    expect(log).toEqual([100, 500, 1_000]);
    expect(s.now()).toBe(1_000);
    await s.runUntil(1_500);
    expect(log).toEqual([100, 500, 1_000, 1_001]);
    expect(s.now()).toBe(1_500); // the clock moves to t even without an event there
    await s.runUntilIdle();
    expect(log).toEqual([100, 500, 1_000, 1_001, 2_000]);
  });
});

describe('Scheduler draining (microtask turns, no macrotask per instant)', () => {
  const hops = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await null;
  };

  it('finishes a continuation of up to QUIET_TURNS − 1 pure hops before time advances', async () => {
    const s = new Scheduler({ seed: 1 });
    const seen: number[] = [];
    s.at(100, async () => {
      await hops(QUIET_TURNS - 1); // no kernel call in between
      seen.push(s.now());
    });
    s.at(101, () => seen.push(-s.now())); // the next instant, 1 µs later
    await s.runUntilIdle();
    expect(seen).toEqual([100, -101]);
  });

  it('keeps draining while the chain calls the kernel, however long it is', async () => {
    const s = new Scheduler({ seed: 1 });
    const seen: number[] = [];
    s.at(100, async () => {
      for (let i = 0; i < 50; i++) {
        await hops(QUIET_TURNS - 1);
        seen.push(s.now()); // a kernel call every QUIET_TURNS − 1 hops keeps the drain open
      }
    });
    s.at(101, () => seen.push(-s.now()));
    await s.runUntilIdle();
    expect(seen.slice(0, 50)).toEqual(Array(50).fill(100));
    expect(seen[50]).toBe(-101);
  });

  it('the documented limit: a chain of more pure hops than QUIET_TURNS ends after time advanced, the same way every run', async () => {
    const once = async (): Promise<number[]> => {
      const s = new Scheduler({ seed: 1 });
      const seen: number[] = [];
      s.at(100, async () => {
        await hops(QUIET_TURNS + 2);
        seen.push(s.now());
      });
      s.at(101, () => seen.push(-s.now()));
      await s.runUntilIdle();
      return seen;
    };
    const first = await once();
    expect(first).toEqual([-101, 101]); // not drained before 101: it reads the later instant
    expect(await once()).toEqual(first);
  });

  it('takes a macrotask turn every MACROTASK_EVERY drains, so real I/O is not starved', async () => {
    const s = new Scheduler({ seed: 1 });
    let immediateAt = -1;
    setImmediate(() => (immediateAt = s.now()));
    for (let i = 1; i <= 3 * MACROTASK_EVERY; i++) s.at(i, () => undefined);
    await s.runUntilIdle();
    // The run's start is itself a macrotask turn; the immediate queued before it runs then or
    // at the first safety turn, never after the run.
    expect(immediateAt).toBeGreaterThanOrEqual(0);
    expect(immediateAt).toBeLessThanOrEqual(MACROTASK_EVERY);
  });

  it('does not move the clock to an instant whose events were all cancelled', async () => {
    const s = new Scheduler({ seed: 1 });
    const seen: number[] = [];
    const a = s.at(100, () => seen.push(s.now()));
    const b = s.at(100, () => seen.push(s.now()));
    s.at(200, () => seen.push(s.now()));
    s.cancelTimer(a);
    s.cancelTimer(b);
    await s.runUntil(150);
    expect(s.now()).toBe(150);
    expect(seen).toEqual([]);
    await s.runUntilIdle();
    expect(seen).toEqual([200]);
  });

  it('runs events scheduled at the current instant from a continuation as a further batch at that instant', async () => {
    const s = new Scheduler({ seed: 1 });
    const seen: string[] = [];
    s.at(100, async () => {
      await null;
      s.at(100, () => seen.push(`again ${s.now()}`));
    });
    s.at(150, () => seen.push(`later ${s.now()}`));
    await s.runUntilIdle();
    expect(seen).toEqual(['again 100', 'later 150']);
  });
});

describe('Random', () => {
  it('gives the same numbers for the same path', () => {
    const a = createRandom(123).fork('net').fork('link/L1');
    const b = createRandom(123).fork('net/link/L1'); // same path spelled at once
    expect(a.path).toBe(b.path);
    const xs = Array.from({ length: 100 }, () => a.float());
    const ys = Array.from({ length: 100 }, () => b.float());
    expect(xs).toEqual(ys);
    expect(createRandom(124).fork('net').float()).not.toBe(createRandom(123).fork('net').float());
  });

  it('keeps forks independent: drawing from one stream does not change another', () => {
    const reference = createRandom(5).fork('B');
    const expected = Array.from({ length: 50 }, () => reference.int(0, 1_000_000));
    const root = createRandom(5);
    const streamA = root.fork('A');
    for (let i = 0; i < 10_000; i++) streamA.float();
    const streamB = root.fork('B');
    streamA.float();
    expect(Array.from({ length: 50 }, () => streamB.int(0, 1_000_000))).toEqual(expected);
  });

  it('int, pick and shuffle stay in range', () => {
    const r = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const x = r.int(-2, 2);
      expect(x).toBeGreaterThanOrEqual(-2);
      expect(x).toBeLessThanOrEqual(2);
      seen.add(x);
    }
    expect(seen.size).toBe(5);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.pick([])).toThrow(RangeError);
    expect(() => r.int(3, 2)).toThrow(RangeError);
  });
});

describe('distributions (20,000 samples, fixed seeds)', () => {
  const N = 20_000;
  const draw = (dist: Distribution, seed = 1): number[] => {
    const r = createRandom(seed).fork('dist');
    return Array.from({ length: N }, () => sample(dist, r));
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const quantile = (xs: number[], q: number): number => xs.slice().sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
  const within = (actual: number, expected: number, relTol: number): void => {
    expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThan(relTol);
  };

  it('fixed is constant', () => {
    expect(new Set(draw(fixed(3))).size).toBe(1);
    expect(draw(fixed(3))[0]).toBe(3);
  });

  it('uniform: mean and quartile within 1%, bounds respected', () => {
    const xs = draw(uniform(2, 6));
    within(mean(xs), 4, 0.01);
    within(quantile(xs, 0.25), 3, 0.02);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...xs)).toBeLessThan(6);
  });

  it('normal: mean within 1%, standard deviation within 3%, clamps honoured', () => {
    const xs = draw(normal(10, 2));
    within(mean(xs), 10, 0.01);
    const sd = Math.sqrt(mean(xs.map((x) => (x - 10) ** 2)));
    within(sd, 2, 0.03);
    const clamped = draw(normal(10, 2, 9, 11));
    expect(Math.min(...clamped)).toBe(9);
    expect(Math.max(...clamped)).toBe(11);
  });

  it('lognormal: median within 3%, mean within 3% of exp(sigma²/2)·median', () => {
    const d = lognormal(5, 0.5);
    const xs = draw(d);
    within(quantile(xs, 0.5), 5, 0.03);
    within(mean(xs), theoreticalMean(d), 0.03);
  });

  it('exponential: mean within 3%, median within 3% of mean·ln 2', () => {
    const xs = draw(exponential(4));
    within(mean(xs), 4, 0.03);
    within(quantile(xs, 0.5), 4 * Math.LN2, 0.03);
  });

  it('pareto: P(X > 2·scale) ≈ 2^-shape (±0.01), never below scale, mean within 5%', () => {
    const d = pareto(2, 3);
    const xs = draw(d);
    const tail = xs.filter((x) => x > 4).length / N;
    expect(Math.abs(tail - 2 ** -3)).toBeLessThan(0.01);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2);
    within(mean(xs), theoreticalMean(d), 0.05);
  });

  it('sampleDurationUs gives non-negative integer microseconds', () => {
    const r = createRandom(3);
    for (let i = 0; i < 1_000; i++) {
      const us = sampleDurationUs(normal(0.5, 1), r);
      expect(Number.isInteger(us)).toBe(true);
      expect(us).toBeGreaterThanOrEqual(0);
    }
    expect(sampleDurationUs(fixed(2.5), r)).toBe(2_500);
  });
});
