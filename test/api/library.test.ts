import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecs, defineScenario, defineServer, simulate } from 'threadline';
import naiveRouter from '../../examples/naive-router.ts';
import rapidSend from '../../scenarios/rapid-send.ts';
import { cli, ROOT } from '../cli/helpers.ts';

// docs/library.md's walk-through, as a test: the naive router of examples/ is found out by the
// harness through the public API and through the CLI; the built-in router goes through the
// same seam and holds.
describe('the public API: simulate, defineServer, codecs', () => {
  it('finds the naive router\'s first-message race (no-loss), with the story in words', async () => {
    const doc = await simulate({ scenarios: rapidSend, servers: [naiveRouter], seeds: [1, 2, 3] });
    expect(doc.schema).toBe('threadline/results@1');
    expect(doc.verdict).toBe('fail');
    expect(doc.runs.map((r) => r.router)).toEqual(['naive-router', 'naive-router', 'naive-router']);
    for (const run of doc.runs) {
      expect(run.verdict).toBe('fail');
      expect(run.violationCounts?.['no-loss']).toBeGreaterThan(0);
      // Only the first message of each tab races its binding: the burst after it is delivered.
      expect(run.counts.delivered).toBeGreaterThan(run.counts.lost);
    }
    const first = doc.runs[0]!.violations[0]!;
    expect(first.invariant).toBe('no-loss');
    expect(first.explanation).toMatch(/^agent_started of run-1 \(thread A\) produced at .* the server wrote it to no connection of u1/);
    // The naive router reports no monitoring: the results say honest-monitoring was not checked.
    expect(doc.runs[0]!.checksNotMade).toEqual([{ invariant: 'honest-monitoring', status: 'not made', why: expect.stringContaining('reports no monitoring') }]);
    expect(doc.summary[0]!.verdict).toBe('fail');
  });

  it('writes the report when asked: results.json and index.html, with the checks not made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-simulate-'));
    try {
      const doc = await simulate({ scenarios: rapidSend, servers: naiveRouter, seeds: [1], reportDir: dir });
      expect(doc.report?.htmlPath).toBe(join(dir, 'index.html'));
      const html = readFileSync(doc.report!.htmlPath, 'utf8');
      expect(html).toContain('<section class="card" id="checks-not-made"><h2>Checks not made</h2>');
      expect(html).toMatch(/<tr data-router="naive-router" data-invariant="honest-monitoring">.*not made/);
      expect(JSON.parse(readFileSync(doc.report!.jsonPath, 'utf8')).verdict).toBe('fail');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic: the same seed gives the same trace hash', async () => {
    const a = await simulate({ scenarios: rapidSend, servers: naiveRouter, seeds: [7] });
    const b = await simulate({ scenarios: rapidSend, servers: naiveRouter, seeds: [7] });
    expect(a.runs[0]!.traceHash).toMatch(/^[0-9a-f]{16,}$/);
    expect(a.runs[0]!.traceHash).toBe(b.runs[0]!.traceHash);
    const c = await simulate({ scenarios: rapidSend, servers: naiveRouter, seeds: [8] });
    expect(c.runs[0]!.traceHash).not.toBe(a.runs[0]!.traceHash);
  });

  it('the built-in router is a plug-in like any other: guaranteed holds, dynamic has the same race', async () => {
    const doc = await simulate({ scenarios: rapidSend, servers: ['guaranteed', 'dynamic'], seeds: [1] });
    expect(doc.runs.map((r) => [r.router, r.verdict])).toEqual([['guaranteed', 'pass'], ['dynamic', 'fail']]);
    expect(doc.runs[0]!.checksNotMade).toBeUndefined();
  });

  it('a plug-in that throws, or returns nothing, fails its run with an error naming it and the fix', async () => {
    const throws = defineServer(() => {
      throw new Error('database unreachable');
    }, { name: 'throws-at-start' });
    const empty = defineServer(() => null as never, { name: 'returns-null' });
    const doc = await simulate({ scenarios: rapidSend, servers: [throws, empty], seeds: [1] });
    expect(doc.runs.map((r) => r.verdict)).toEqual(['fail', 'fail']);
    expect(doc.runs[0]!.error).toBe('server plug-in "throws-at-start" threw while starting: database unreachable');
    expect(doc.runs[1]!.error).toMatch(/server plug-in "returns-null": the factory must return \{ shutdown\(\) \}/);
  });

  it("a plug-in whose message handler throws (also asynchronously) loses that connection, never the harness", async () => {
    const flaky = defineServer((env) => {
      env.listen((socket) => {
        socket.send(JSON.stringify({ type: 'connection_ready', connection_id: 'x' }));
        socket.on('message', async () => {
          throw new Error('handler bug');
        });
      });
      return { shutdown() {} };
    }, { name: 'flaky' });
    const oneMessage = defineScenario({
      name: 'one-message',
      description: 'a message, then a reconnect that resumes',
      users: [{ id: 'u1', threads: ['A'] }],
      tabs: [{ id: 't1', user: 'u1', actions: [{ at: 0, do: 'connect' }, { after: 3, do: 'send', thread: 'A' }] }],
      maxDurationMs: 5_000,
    });
    const doc = await simulate({ scenarios: oneMessage, servers: [flaky, 'guaranteed'], seeds: [1] });
    // Each frame costs the tab its connection; it reconnects and resumes, which throws again:
    // a crash loop, stopped by the scenario's budget and reported as the run's failure.
    expect(doc.runs[0]!.router).toBe('flaky');
    expect(doc.runs[0]!.verdict).toBe('fail');
    expect(doc.runs[0]!.error).toMatch(/exceeded its virtual-time budget of 5 s/);
    // The process, and the next server of the same call, were untouched.
    expect(doc.runs[1]!.verdict).toBe('pass');
  });

  it('rejects what is not a plug-in or a mode, and a malformed scenario, naming the place', async () => {
    await expect(simulate({ scenarios: rapidSend, servers: [{} as never] })).rejects.toThrow(/servers\[0\] is neither a router mode .* nor a plug-in made with defineServer/);
    await expect(simulate({ scenarios: { ...rapidSend, tabs: 'none' } as never })).rejects.toThrow(/scenarios\[0\] \("rapid-send"\).*tabs/);
    expect(() => defineServer('nope' as never)).toThrow(/expected a function \(env\) => server/);
  });

  it('codecs are values: the envelope declares what it cannot carry', () => {
    expect(codecs.threadline.carries).toEqual({ eventIds: true, sequence: true, messageIds: true, acks: true, resume: true, readiness: true, gaps: true });
    expect(Object.values(codecs.envelope.carries).every((v) => v === false)).toBe(true);
    expect(codecs.envelope.encode({ kind: 'user_message', id: 'm1', thread: 'A', content: 'hi' })).toBe('{"type":"user_message","payload":{"thread_id":"A","content":"hi"},"message_id":"m1"}');
    expect(codecs.envelope.encode({ kind: 'resume', lastSeq: { A: 3 } })).toBeNull();
  });

  it('the CLI runs the same plug-in: threadline run --server, exit 1, and a replay command naming the plug-in', async () => {
    const r = await cli(['run', 'scenarios/rapid-send.ts', '--server', 'examples/naive-router.ts', '--no-report', '--no-color'], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/rapid-send\s+naive-router\s+FAIL/);
    expect(r.stdout).toContain('no-loss: agent_started of run-1 (thread A)');
    expect(r.stdout).toContain('replay: threadline run scenarios/rapid-send.ts --server examples/naive-router.ts --seed 1');
    const bad = await cli(['run', 'scenarios/rapid-send.ts', '--server', join('examples', 'missing.ts'), '--no-report'], { cwd: ROOT });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('examples/missing.ts: server file does not exist');
  });
});
