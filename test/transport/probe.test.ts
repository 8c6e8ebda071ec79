import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { loadScenarioFile } from '../../src/scenario/load-file.ts';
import { parseRouterSpec } from '../../src/sut/router/flags.ts';
import { DEFAULT_AGENT_PROFILE } from '../../src/world/backend.ts';
import { defineScenario, type ScenarioSpec } from '../../src/scenario/types.ts';
import { signToken } from '../../src/world/auth.ts';
import { probeServer, ProbeConnectError } from '../../src/run/probe.ts';
import { startServer } from '../../src/run/ws-host.ts';
import { closeAll, track, withTimeout } from './helpers.ts';
import { codecs } from '../../src/world/codecs/index.ts';
import { startEnvelopeServer } from './envelope-server.ts';

const SECRET = 'probe-secret';
afterEach(closeAll);

/** `serve` as the CLI's --profile-from would configure it: the scenario's server, agent and owners. */
async function serveFor(spec: ScenarioSpec, mode: string) {
  const ownership: Record<string, string[]> = {};
  for (const u of spec.users) ownership[u.id] = u.threads;
  const a = spec.agent ?? {};
  return track(
    await startServer({
      config: parseRouterSpec(mode),
      secret: SECRET,
      heartbeatMs: 0,
      ownership,
      ...(spec.server?.lookupMs ? { lookupMs: spec.server.lookupMs } : {}),
      agentProfile: { ...DEFAULT_AGENT_PROFILE, ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) },
    }),
  );
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/threadline', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return withTimeout(
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))),
    20_000,
    `threadline ${args.join(' ')}`,
  ).finally(() => child.kill('SIGKILL'));
}

describe('probe against serve (rapid-send)', () => {
  it('finds the losses of dynamic, exactly as many as the server failed to route', { timeout: 15_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const s = await serveFor(spec, 'dynamic');
    const report = await probeServer({ url: s.url, spec, token: (u) => signToken(SECRET, u), settleMs: 1_000 });
    const failures = s.router.monitoring.eventsUnreached();
    expect(failures, 'dynamic really lost events on this server').toBeGreaterThan(0);
    expect(report.result.verdict).toBe('fail');
    expect(report.result.counts.lost).toBe(failures);
    expect(report.result.counts.leaked).toBe(0);
    expect(report.result.counts.duplicated).toBe(0);
    expect(report.inference.runsSeen).toBe(10);
    expect(report.inference.eventsObserved + report.inference.eventsInferredMissing).toBe(s.router.monitoring.counters.eventsEmitted);
    const v = report.result.violations.find((x) => x.invariant === 'no-loss')!;
    expect(v.explanation).toMatch(/agent_started of run-\d+ .* no tab received it \(inferred from the run's lifecycle/);
  });

  it('finds no loss in guaranteed', { timeout: 15_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const s = await serveFor(spec, 'guaranteed');
    const report = await probeServer({ url: s.url, spec, token: (u) => signToken(SECRET, u), settleMs: 1_000 });
    expect(report.result.verdict).toBe('pass');
    expect(report.result.counts).toMatchObject({ lost: 0, duplicated: 0, leaked: 0, late: 0 });
    expect(report.result.counts.owed).toBe(50);
    expect(report.inference).toMatchObject({ runsExpected: 10, runsSeen: 10, runsMissing: 0, eventsInferredMissing: 0 });
    expect(report.result.interactions).toMatchObject({ total: 10, succeeded: 10 });
  });

  it('the command exits 1 on dynamic and 0 on guaranteed, with a JSON report', { timeout: 30_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const dyn = await serveFor(spec, 'dynamic');
    const gua = await serveFor(spec, 'guaranteed');
    const [a, b] = await Promise.all([
      runCli(['probe', dyn.url, '--scenario', 'rapid-send', '--json', '--settle-ms', '800'], { THREADLINE_SECRET: SECRET }),
      runCli(['probe', gua.url, '--scenario', 'scenarios/rapid-send.ts', '--secret', SECRET, '--settle-ms', '800']),
    ]);
    expect(a.code, a.stderr).toBe(1);
    const doc = JSON.parse(a.stdout) as { schema: string; result: { counts: { lost: number } } };
    expect(doc.schema).toBe('threadline/probe@1');
    expect(doc.result.counts.lost).toBeGreaterThan(0);
    expect(a.stderr).toMatch(/FAIL {2}rapid-send/);
    expect(b.code, b.stderr + b.stdout).toBe(0);
    expect(b.stdout).toMatch(/PASS {2}rapid-send/);
    expect(b.stdout).toMatch(/lost 0 {2}duplicated 0 {2}leaked 0/);
  });

  it('a refused or unreachable server is bad input, said in one line', { timeout: 15_000 }, async () => {
    const { spec } = await loadScenarioFile('scenarios/rapid-send.ts');
    const s = await serveFor(spec, 'guaranteed');
    const err = await probeServer({ url: s.url, spec, token: () => 'forged', settleMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeConnectError);
    expect((err as Error).message).toMatch(/refused every handshake \(HTTP 401 ×\d+\)/);
    const cli = await runCli(['probe', s.url, '--scenario', 'rapid-send', '--token-template', 'user:{user}', '--settle-ms', '200']);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim()).toMatch(/^threadline: the server refused every handshake \(HTTP 401/);
  });
});

describe('probe against a foreign server (adapter, no event ids)', () => {
  it('renames frames both ways and infers the missing event from the lifecycle', { timeout: 15_000 }, async () => {
    // A toy server with its own names: chat.send → run.start, run.think, run.done. It forgets
    // run.think of the second message; it authenticates with "Authorization: Bearer dev-<user>".
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    let n = 0;
    wss.on('connection', (ws, req) => {
      const user = /^Bearer dev-(.+)$/.exec(req.headers['authorization'] ?? '')?.[1] ?? '?';
      ws.send(JSON.stringify({ kind: 'hello', connectionId: `x${++n}` }));
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as Record<string, string>;
        if (f['kind'] !== 'chat.send') return;
        const run = `r${++n}`;
        const base = { runId: run, threadId: f['threadId'], userId: user };
        const skipThink = f['clientId']!.endsWith('m2');
        setTimeout(() => ws.send(JSON.stringify({ kind: 'run.start', ...base, ts: 1 })), 5);
        if (!skipThink) setTimeout(() => ws.send(JSON.stringify({ kind: 'run.think', ...base, ts: 2 })), 15);
        setTimeout(() => ws.send(JSON.stringify({ kind: 'run.done', ...base, ts: 3 })), 30);
      });
    });
    const stop = { close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }) };
    try {
      const spec = defineScenario({
        name: 'toy',
        description: 'two messages on one thread',
        users: [{ id: 'ann', threads: ['T'] }],
        tabs: [{ id: 'a', user: 'ann', actions: [{ at: 0, do: 'connect', thread: 'T' }, { at: 20, do: 'send', thread: 'T' }, { at: 120, do: 'send', thread: 'T' }] }],
        agent: { toolCalls: { kind: 'fixed', value: 0 } },
      });
      const report = await probeServer({
        url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/chat`,
        spec,
        token: (u) => `dev-${u}`,
        tokenIn: 'header',
        settleMs: 300,
        adapter: {
          types: { user_message: 'chat.send', agent_started: 'run.start', agent_thinking: 'run.think', agent_completed: 'run.done', connection_ready: 'hello' },
          fields: { type: 'kind', id: 'clientId', thread_id: 'threadId', run_id: 'runId', user_id: 'userId', connection_id: 'connectionId' },
        },
      });
      expect(report.inference).toMatchObject({ messagesSent: 2, runsExpected: 2, runsSeen: 2, eventsObserved: 5, eventsInferredMissing: 1 });
      expect(report.result.counts.lost).toBe(1);
      expect(report.result.violations[0]!.explanation).toMatch(/agent_thinking of r\d+ \(thread T\)/);
      expect(report.result.verdict).toBe('fail');
    } finally {
      await stop.close();
    }
  });
});

describe('compare (the command)', () => {
  // Verdicts only here (the latency gate is off): on a shared 2-core machine the p99 of a 1–5 ms
  // link over real sockets still strays beyond ±20% on some runs (docs/real-sockets.md has the
  // measured sweep); cli-ws.test.ts tests the gate itself.
  it('prints sim and ws side by side and exits 0 when every seed agrees on its verdict', { timeout: 30_000 }, async () => {
    const r = await runCli(['compare', 'rapid-send', '--router', 'dynamic,guaranteed', '--runs', '2', '--json', '--latency-tolerance', 'Infinity']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { comparisons: Array<{ router: string; agreement: { rate: number }; sim: { lost: number }; ws: { lost: number } }> };
    expect(doc.comparisons.map((c) => c.router)).toEqual(['dynamic', 'guaranteed']);
    for (const c of doc.comparisons) expect(c.agreement.rate).toBe(1);
    expect(doc.comparisons[0]!.ws.lost).toBeGreaterThan(0);
    expect(doc.comparisons[1]!.ws.lost).toBe(0);
    expect(r.stderr).toMatch(/sim and ws agree on every seed/);
  });
});

describe('probe in the production envelope (codecs.envelope)', () => {
  const spec = defineScenario({
    name: 'envelope-two-runs',
    description: 'two messages on one thread, then one on a thread of somebody else',
    users: [{ id: 'ann', threads: ['ann-1'] }],
    tabs: [{ id: 'a', user: 'ann', actions: [{ at: 0, do: 'connect', thread: 'ann-1' }, { at: 20, do: 'send', thread: 'ann-1' }, { at: 100, do: 'send', thread: 'ann-1' }] }],
  });

  it('drives the envelope server and says which checks the envelope could not support', { timeout: 15_000 }, async () => {
    const server = await startEnvelopeServer();
    try {
      const report = await probeServer({ url: server.url, spec, token: (u) => `tok-${u}`, codec: codecs.envelope, settleMs: 300 });
      expect(report.inference).toMatchObject({ messagesSent: 2, runsExpected: 2, runsSeen: 2, eventsObserved: 10, eventsInferredMissing: 0 });
      expect(report.result.verdict).toBe('pass');
      expect(report.result.counts.delivered).toBe(10);
      const notMade = Object.fromEntries((report.result.checksNotMade ?? []).map((c) => [c.invariant, c.status]));
      expect(notMade).toMatchObject({
        'no-loss': 'weakened', // inferred ground truth
        'no-duplicates': 'weakened', // identified by (run, type, k-th on the connection)
        'sequence-contiguity': 'not made',
        'honest-gaps': 'not made',
        'flush-on-ready': 'not made',
        'no-redundant-redelivery': 'not made',
        'no-lost-request': 'weakened',
        'honest-monitoring': 'not made',
      });
    } finally {
      await server.close();
    }
  });

  it('finds a lost agent_thinking from the run lifecycle, without event ids', { timeout: 15_000 }, async () => {
    const server = await startEnvelopeServer({ forgetThinking: true });
    try {
      const report = await probeServer({ url: server.url, spec, token: (u) => `tok-${u}`, codec: codecs.envelope, settleMs: 300 });
      expect(report.inference).toMatchObject({ runsSeen: 2, eventsObserved: 9, eventsInferredMissing: 1 });
      expect(report.result.verdict).toBe('fail');
      expect(report.result.counts.lost).toBe(1);
      expect(report.result.violations[0]!.explanation).toMatch(/^agent_thinking of run_2 \(thread ann-1\)/);
    } finally {
      await server.close();
    }
  });
});

describe('probe --codec (the command)', () => {
  it('drives an envelope server from the CLI and refuses an unknown codec with exit 2', { timeout: 30_000 }, async () => {
    const server = await startEnvelopeServer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'threadline-probe-codec-'));
      const file = join(dir, 'envelope.json');
      writeFileSync(file, JSON.stringify({ name: 'envelope-cli', description: 'one message', users: [{ id: 'ann', threads: ['ann-1'] }], tabs: [{ id: 'a', user: 'ann', actions: [{ at: 0, do: 'connect', thread: 'ann-1' }, { at: 20, do: 'send', thread: 'ann-1' }] }] }));
      const ok = await runCli(['probe', server.url, '--scenario', file, '--codec', 'envelope', '--token-template', 'tok-{user}', '--settle-ms', '300', '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      const doc = JSON.parse(ok.stdout) as { result: { verdict: string; counts: { delivered: number }; checksNotMade: Array<{ invariant: string }> } };
      expect(doc.result.verdict).toBe('pass');
      expect(doc.result.counts.delivered).toBe(5);
      expect(doc.result.checksNotMade.map((c) => c.invariant)).toContain('sequence-contiguity');
      const bad = await runCli(['probe', server.url, '--scenario', file, '--codec', 'smoke-signals']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--codec: unknown codec "smoke-signals"; the built-in codecs are threadline, envelope, envelope-start-agent');
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await server.close();
    }
  });
});
