/**
 * The example servers three ways — unmodified in the simulation (--server), for real with
 * `node examples/...` driven by `threadline probe`, and for real through `threadline proxy` —
 * and the verdicts agree on the same scenarios.
 *
 * (multi-tab-user disagreed at first: the probe stopped listening 1.5 s after the last frame,
 * even when the scripts' last message had just gone out. It found a bug in the probe.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Start a process and wait until a line of its output matches `ready`. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (ready.test(seen)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready: ${seen}`)));
  });
}

function simVerdict(file: string, scenario: string): string {
  const r = spawnSync(process.execPath, ['bin/threadline', 'run', scenario, '--server', file, '--json', '--no-report'], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(r.stdout) as { runs: Array<{ verdict: string }> }).runs[0]!.verdict;
}

function probeVerdict(url: string, scenario: string): string {
  const r = spawnSync(process.execPath, ['bin/threadline', 'probe', url, '--scenario', scenario, '--token-template', 'user:{user}', '--json'], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(r.stdout) as { result: { verdict: string } }).result.verdict;
}

describe('examples/chat-server: simulation, live probe and proxy agree', () => {
  for (const name of ['racy', 'fixed']) {
    it(`${name}.js: rapid-send and multi-tab-user`, async () => {
      const file = `examples/chat-server/${name}.js`;
      for (const scenario of ['rapid-send', 'multi-tab-user']) {
        const sim = simVerdict(file, scenario);
        // A fresh server per probe: its message-id dedup would otherwise remember the last probe's ids.
        const port = await freePort();
        const server = await start([file], { PORT: String(port) }, /listening on/);
        const live = probeVerdict(`ws://127.0.0.1:${port}/ws`, scenario);
        server.kill();
        const port2 = await freePort();
        const proxyPort = await freePort();
        const server2 = await start([file], { PORT: String(port2) }, /listening on/);
        const proxy = await start(['bin/threadline', 'proxy', '--listen', String(proxyPort), '--target', `ws://127.0.0.1:${port2}`, '--seed', '7'], {}, /Ctrl-C stops/);
        const proxied = probeVerdict(`ws://127.0.0.1:${proxyPort}/ws`, scenario);
        proxy.kill();
        server2.kill();
        expect({ scenario, sim, live, proxied }).toEqual({ scenario, sim, live: sim, proxied: sim });
      }
      expect(simVerdict(file, 'rapid-send')).toBe(name === 'racy' ? 'fail' : 'pass');
    }, 120_000);
  }
});
