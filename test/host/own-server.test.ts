/**
 * A team's own, unmodified ws server inside the simulation (src/host/): the examples through
 * the CLI as a user runs them (the 'ws' mapping is the CLI's module hook, so these spawn
 * bin/threadline), determinism, escapes, and the virtual globals and timers in isolation.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/sim/scheduler.ts';
import { createRandom } from '../../src/sim/rng.ts';
import { installVirtualGlobals, VIRTUAL_EPOCH_MS, virtualGlobalsInstalled } from '../../src/host/globals.ts';
import { VirtualTimers } from '../../src/host/virtual-timers.ts';
import { WebSocketServer } from '../../src/host/ws.ts';
import { variant } from './variants.ts';

interface Doc {
  verdict: string;
  runs: Array<{ scenario: string; seed: number; verdict: string; traceHash: string; counts: { lost: number }; violations: Array<{ invariant: string; explanation: string }>; error?: string }>;
}

function cli(...args: string[]): { code: number; doc: Doc | null; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/threadline', ...args, '--json', '--no-report', '--no-color'], { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  let doc: Doc | null = null;
  try {
    doc = JSON.parse(r.stdout) as Doc;
  } catch {
    doc = null;
  }
  return { code: r.status ?? -1, doc, stderr: r.stderr };
}

describe('examples/chat-server, unmodified, in the simulation', () => {
  it('racy.js loses the first message\'s events (no-loss, "No connections found"); fixed.js delivers them', () => {
    const racy = cli('run', 'rapid-send', '--server', 'examples/chat-server/racy.js', '--runs', '5');
    expect(racy.code).toBe(1);
    expect(racy.doc!.runs.every((r) => r.verdict === 'fail')).toBe(true);
    const v = racy.doc!.runs[0]!.violations[0]!;
    expect(v.invariant).toBe('no-loss');
    expect(v.explanation).toMatch(/agent_started of run-1 \(thread A\).*the server wrote it to no connection of u1/);
    const fixed = cli('run', 'rapid-send', '--server', 'examples/chat-server/fixed.js', '--runs', '5');
    expect(fixed.code).toBe(0);
    expect(fixed.doc!.runs.every((r) => r.verdict === 'pass' && r.counts.lost === 0)).toBe(true);
  });

  it('is deterministic: the same hashes twice over 200 seeds, on one worker and on two', () => {
    for (const file of ['examples/chat-server/racy.js', 'examples/chat-server/fixed.js']) {
      const a = cli('run', 'rapid-send', '--server', file, '--runs', '200', '--workers', '1');
      const b = cli('run', 'rapid-send', '--server', file, '--runs', '200', '--workers', '2');
      const hashes = (d: Doc | null) => d!.runs.map((r) => r.traceHash);
      expect(hashes(a.doc)).toHaveLength(200);
      expect(new Set(hashes(a.doc)).size).toBeGreaterThan(150); // the seeds differ
      expect(hashes(b.doc)).toEqual(hashes(a.doc));
    }
  }, 240_000);

  it('runs a server whose WebSocketServer sits on an HTTP server ({ server }): its listen() is simulated, not an escape', () => {
    const r = cli('run', 'rapid-send', '--server', variant('http-server'), '--runs', '3');
    expect(r.code).toBe(0);
    expect(r.doc!.runs.every((run) => run.verdict === 'pass' && run.error === undefined)).toBe(true);
  });

  it("runs a CommonJS server (require('ws'), require('#agent-backend')), afresh each run and deterministically", () => {
    const a = cli('run', 'rapid-send', '--server', 'test/host/fixtures/cjs/server.js', '--runs', '10', '--workers', '1');
    const b = cli('run', 'rapid-send', '--server', 'test/host/fixtures/cjs/server.js', '--runs', '10', '--workers', '2');
    expect(a.doc!.runs.every((r) => r.verdict === 'fail' && r.violations[0]?.invariant === 'no-loss')).toBe(true); // its race
    // Fresh each run: the mapped backend numbers runs from 1 in every seed's run.
    expect(a.doc!.runs.every((r) => /of run-1 /.test(r.violations[0]!.explanation))).toBe(true);
    expect(b.doc!.runs.map((r) => r.traceHash)).toEqual(a.doc!.runs.map((r) => r.traceHash));
  });

  it("runs a server that takes upgrades itself ({ noServer }, handleUpgrade from the HTTP server's 'upgrade')", () => {
    const r = cli('run', 'rapid-send', 'multi-tab-user', '--server', variant('no-server'), '--runs', '2');
    expect(r.code).toBe(0);
    expect(r.doc!.runs).toHaveLength(4);
    expect(r.doc!.runs.every((run) => run.verdict === 'pass' && run.error === undefined)).toBe(true);
  });

  it('runs a file that exports a start function instead of starting on import', () => {
    const r = cli('run', 'rapid-send', '--server', 'test/host/fixtures/exports-start.js');
    // It never starts agent runs, so the run's events are lost — but it connected and ran.
    expect(r.doc!.runs[0]!.error).toBeUndefined();
    expect(r.doc!.runs[0]!.verdict).toBe('fail');
  });
});

describe('a server with agents of its own (no #agent-backend): inferred ground truth', () => {
  it('infers what was produced from what the tabs received, finds the race, and says which checks that weakens', () => {
    const r = cli('run', 'rapid-send', '--server', variant('own-agent'));
    const run = r.doc!.runs[0]! as Doc['runs'][number] & { checksNotMade?: Array<{ invariant: string; status: string; why: string }>; violationCounts: Record<string, number> };
    expect(run.verdict).toBe('fail');
    expect(run.violationCounts).toEqual({ 'no-loss': 3 }); // the three first events of the racing runs, nothing spurious
    expect(run.violations[0]!.explanation).toMatch(/^agent_started of own-1 \(thread A\).*no tab received it \(inferred from the run's lifecycle/);
    expect(run.checksNotMade).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ invariant: 'no-loss', status: 'weakened', why: expect.stringMatching(/^inferred ground truth/) }),
        expect.objectContaining({ invariant: 'no-duplicate-run', status: 'not made' }),
      ]),
    );
    // With #agent-backend the truth is not inferred: nothing is listed for it.
    const full = cli('run', 'rapid-send', '--server', 'examples/chat-server/racy.js');
    const fullRun = full.doc!.runs[0]! as { checksNotMade?: Array<{ why: string }> };
    expect((fullRun.checksNotMade ?? []).some((c) => c.why.startsWith('inferred ground truth'))).toBe(false);
  });
});

describe('fuzz --server on an unmodified server', () => {
  it('finds the first-message race of racy.js, shrinks it to connect + send, checks it replays, and saves a scenario that replays it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-own-fuzz-'));
    try {
      const r = spawnSync(process.execPath, ['bin/threadline', 'fuzz', '--server', 'examples/chat-server/racy.js', '--runs', '100', '--save', dir, '--json', '--no-report'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(1);
      const doc = JSON.parse(r.stdout) as { counterexample: { invariant: string; actions: number; path: string; replay: string; traceHash: string } };
      const c = doc.counterexample;
      expect(c.invariant).toBe('no-loss');
      expect(c.actions).toBeLessThanOrEqual(3);
      expect(c.replay).toMatch(/^threadline run .* --server examples\/chat-server\/racy\.js --seed \d+$/);
      expect(existsSync(c.path)).toBe(true);
      // The saved scenario, run as the replay command says, fails the same way with the same hash.
      const again = cli('run', c.path, '--server', 'examples/chat-server/racy.js', '--seed', c.replay.split(' ').pop()!);
      expect(again.doc!.runs[0]!.traceHash).toBe(c.traceHash);
      expect(again.doc!.runs[0]!.verdict).toBe('fail');
      // The file's own header says the same (not `replay --router racy`, which names no file).
      expect(readFileSync(c.path, 'utf8')).toContain(`// replay:    ${c.replay}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing in fixed.js (resume declared in connection_ready, catch-up on a switch), and its kept counterexamples pass', () => {
    const r = spawnSync(process.execPath, ['bin/threadline', 'fuzz', '--server', 'examples/chat-server/fixed.js', '--runs', '600', '--no-save', '--json', '--no-report'], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'pass', runs: 600 });
    // Each of these failed a version of fixed.js (or of the host) on the way; see their headers.
    const kept = cli('run', 'test/host/fixtures/fixed-regressions', '--server', 'examples/chat-server/fixed.js');
    expect(kept.code).toBe(0);
    expect(kept.doc!.runs.map((x) => x.verdict)).toEqual(Array(7).fill('pass'));
  }, 180_000);

  it('fixed.js passes the faults racy.js fails: a half-open link and a storm of reconnects, judged with the resume window it declares', () => {
    for (const scenario of ['half-open', 'reconnect-storm', 'chat-day-mobile']) {
      const fixed = cli('run', scenario, '--server', 'examples/chat-server/fixed.js', '--runs', '3');
      expect(fixed.doc!.runs.map((x) => [x.verdict, x.counts.lost])).toEqual(Array(3).fill(['pass', 0]));
      const racy = cli('run', scenario, '--server', 'examples/chat-server/racy.js', '--runs', '3');
      expect(racy.doc!.runs.some((x) => x.verdict === 'fail')).toBe(true);
    }
  }, 180_000);
});

describe('what escapes the simulation is named', () => {
  it('a real listening socket stops the run with an error naming it and the line', () => {
    const r = cli('run', 'rapid-send', '--server', 'test/host/fixtures/escape-listen.js');
    expect(r.code).toBe(1);
    const run = r.doc!.runs[0]!;
    expect(run.verdict).toBe('fail');
    expect(run.error).toMatch(/escape-listen\.js: while loading: net\.Server\.listen \(a real listening socket\): the server's code reached outside the simulation \(at .*escape-listen\.js:8:\d+\)/);
  });

  it("an exception in the server's message handler fails the run and says where", () => {
    const r = cli('run', 'rapid-send', '--server', 'test/host/fixtures/throws-in-handler.js');
    expect(r.doc!.runs[0]!.verdict).toBe('fail');
    expect(r.doc!.runs[0]!.error).toMatch(/the server's code threw in 'message' listener: Error: handler bug/);
  });

  it('an async handler that rejects fails the run and says where, on one worker and on two alike', () => {
    const one = cli('run', 'rapid-send', '--server', 'test/host/fixtures/async-throws.js', '--runs', '2', '--workers', '1');
    const two = cli('run', 'rapid-send', '--server', 'test/host/fixtures/async-throws.js', '--runs', '2', '--workers', '2');
    expect(one.code).toBe(1);
    for (const doc of [one.doc!, two.doc!]) {
      expect(doc.runs).toHaveLength(2);
      for (const run of doc.runs) expect(run.error).toMatch(/the server's code threw in 'message' listener: Error: async handler bug/);
    }
  });

  it('an ES-module .js file in a CommonJS package is refused with the fix, before anything runs', () => {
    const r = spawnSync(process.execPath, ['bin/threadline', 'run', 'rapid-send', '--server', 'test/host/fixtures/esm-in-cjs/server.js', '--no-report'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/server\.js: uses import\/export, but the nearest package\.json does not say "type": "module".*add "type": "module" to that package\.json, or rename the file to \.mjs/);
  });

  it('a promise rejection nobody handles fails the run and says so', () => {
    const r = cli('run', 'rapid-send', '--server', 'test/host/fixtures/unhandled-rejection.mjs');
    expect(r.doc!.runs[0]!.error).toMatch(/the server's code threw in a promise nobody handled \(unhandledRejection\): Error: nobody catches this/);
  });

  it('the simulated ws used outside a run says so', () => {
    expect(() => new WebSocketServer({ port: 8080 })).toThrow(/threadline's simulated ws, and no threadline run is active/);
  });
});

describe('virtual globals', () => {
  it('give virtual time and seeded randomness during a run, and the originals back after it', async () => {
    const originals = [globalThis.setTimeout, globalThis.setInterval, Date, Math.random, performance.now, console.warn];
    const scheduler = new Scheduler({ seed: 1 });
    const timers = new VirtualTimers();
    timers.attach(scheduler);
    const warned: string[] = [];
    const log = { info: () => undefined, warn: (m: string) => warned.push(m), error: () => undefined, fact: () => undefined };
    const draws = (seed: number): string => {
      const g = installVirtualGlobals(() => scheduler, timers, createRandom(seed), () => log, () => undefined);
      try {
        return `${Math.random()} ${crypto.randomUUID()}`;
      } finally {
        g.uninstall();
      }
    };
    expect(draws(7)).toBe(draws(7));
    expect(draws(7)).not.toBe(draws(8));

    const g = installVirtualGlobals(() => scheduler, timers, createRandom(1), () => log, () => undefined);
    const seen: number[] = [];
    try {
      expect(virtualGlobalsInstalled()).toBe(true);
      expect(Date.now()).toBe(VIRTUAL_EPOCH_MS);
      setTimeout(() => seen.push(Date.now() - VIRTUAL_EPOCH_MS), 250);
      const iv = setInterval(() => {
        seen.push(performance.now());
        if (seen.length >= 3) clearInterval(iv);
      }, 100);
      console.warn('No connections found for thread %s', 'A');
      await scheduler.runUntilIdle();
    } finally {
      g.uninstall();
    }
    expect(seen).toEqual([100, 200, 250, 300]); // the interval's third tick (300) clears it
    expect(warned).toEqual(['No connections found for thread A']);
    expect([globalThis.setTimeout, globalThis.setInterval, Date, Math.random, performance.now, console.warn]).toEqual(originals);
    expect(virtualGlobalsInstalled()).toBe(false);
  });
});

describe('VirtualTimers', () => {
  it('setImmediate runs after the promise callbacks queued before it, as in Node', async () => {
    const scheduler = new Scheduler({ seed: 1 });
    const timers = new VirtualTimers();
    timers.attach(scheduler);
    const order: string[] = [];
    scheduler.at(10, () => {
      void Promise.resolve().then(() => order.push('promise'));
      timers.setImmediate(() => order.push('immediate'));
      order.push('sync');
    });
    await scheduler.runUntilIdle();
    expect(order).toEqual(['sync', 'promise', 'immediate']);
  });

  it("arms timers made before the clock (a module's top level) when it is attached, in order", async () => {
    const scheduler = new Scheduler({ seed: 1 });
    const timers = new VirtualTimers();
    const log: string[] = [];
    timers.setTimeout(() => log.push(`a ${scheduler.now()}`), 5);
    timers.setTimeout(() => log.push(`b ${scheduler.now()}`), 5);
    const t = timers.setTimeout(() => log.push('never'), 1);
    timers.clearTimeout(Number(t)); // Node allows the primitive id too
    timers.attach(scheduler);
    await scheduler.runUntilIdle();
    expect(log).toEqual(['a 5000', 'b 5000']);
  });

  it('work in progress, for the end of a run: a one-shot timer due within the horizon, not an interval or a far timeout', () => {
    const scheduler = new Scheduler({ seed: 1 });
    const timers = new VirtualTimers();
    timers.attach(scheduler);
    timers.setInterval(() => {}, 10); // a heartbeat: background
    const far = timers.setTimeout(() => {}, 60_000); // a session expiry: background
    expect(timers.hasWorkDueBefore(1_000_000)).toBe(false);
    const check = timers.setTimeout(() => {}, 7); // a store round trip: work
    expect(timers.hasWorkDueBefore(1_000_000)).toBe(true);
    expect(timers.hasWorkDueBefore(7_000)).toBe(false); // due exactly at the horizon: not before it
    timers.clearTimeout(check);
    expect(timers.hasWorkDueBefore(1_000_000)).toBe(false);
    expect(timers.hasWorkDueBefore(61_000_000)).toBe(true); // the far one, once the horizon reaches it
    timers.clearTimeout(far);
    timers.setImmediate(() => {}); // not armed yet (a microtask away): work
    expect(timers.hasWorkDueBefore(1)).toBe(true);
  });

  it('cancelAll stops an interval (the run is over), and refresh re-arms a timeout from now', async () => {
    const scheduler = new Scheduler({ seed: 1 });
    const timers = new VirtualTimers();
    timers.attach(scheduler);
    let ticks = 0;
    timers.setInterval(() => ticks++, 10);
    const fired: number[] = [];
    const t = timers.setTimeout(() => fired.push(scheduler.now()), 30);
    scheduler.at(20_000, () => t.refresh());
    scheduler.at(95_000, () => timers.cancelAll());
    await scheduler.runUntilIdle();
    expect(ticks).toBe(9);
    expect(fired).toEqual([50_000]);
    expect(timers.pending).toBe(0);
  });
});
