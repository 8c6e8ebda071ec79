/**
 * Runs one (scenario, router, seed) over real `ws` sockets on loopback and judges it with the
 * same oracle as the simulated runner (`src/run/runner.ts`, whose structure this mirrors).
 *
 * Wiring: one RealClock (scaled real time) shared by the server and the clients, as the
 * simulated run shares its scheduler; the unchanged Router behind `startServer` on 127.0.0.1
 * (a free port); each tab a TabClient whose `connect` opens a real `ws` WebSocket. The
 * oracle's GroundTruth hears the clients, the agent side (`onProduced`), the server's wire
 * (`tap.write`) and the router's facts (`onTrace`), exactly as in the simulated run.
 *
 * Time: virtual µs = real µs / timeScale (+ idle time skipped, below). The run ends as the
 * simulated one does — when nothing is left to happen: scripts done, no agent running, no
 * frame, handshake or close in flight, no timer pending. While nothing is in flight, waiting
 * for the next timer changes nothing observable, so the driver jumps the clock to it
 * (`skipIdle`, on by default): a 60 s pending-queue TTL or a 150 s pause costs no wall time.
 * In-flight accounting is exact: every frame sent by either end is counted until the other end
 * has received it, every handshake until both ends have it, every close until both ends saw it.
 *
 * The link: the scenario's network profile (over the default one, as in the simulation) is put
 * on the real sockets by the chaos proxy (src/real/proxy/), on this run's scaled clock, so a
 * frame is timed by the same rule as on the simulated pipe (src/sim/frame-timing.ts).
 *
 * Faults: `drop` terminates the client's socket (both ends see 1006); `close` and `reconnect`
 * are the client's own. `slow`, `half-open` and `partition` faults go through the proxy.
 * A server `pause` has no real-socket equivalent here: the run reports it as unsupported in
 * `faults` (kind "unsupported") and its verdict is "unknown" — never silently skipped.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ServerPlugin } from '../ports/server.ts';
import { Trace } from '../sim/trace.ts';
import { signedTokens } from '../world/auth.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import type { RunOutput } from './runner.ts';
import type { RunResult } from './result.ts';
import { RealClock } from '../real/real-clock.ts';
import { openWsListener, type WsListener } from './ws-listener.ts';
import { SendGate } from './send-gate.ts';
import { linkSchedule, linkShapes, startProxy, type RunningProxy } from '../real/proxy.ts';
import { isOwnServerSource, serverPluginOf, type SystemUnderTest } from './sut.ts';
import { countingClient, InFlight } from './in-flight.ts';
export { InFlight } from './in-flight.ts';
import { World, type TransportFaults } from './world.ts';
import { linkRandom, networkRandom } from '../sim/network.ts';

/** Default time scale of ws runs: 1 ms of scenario time takes 0.25 ms of wall time. See docs/real-sockets.md. */
export const DEFAULT_WS_TIME_SCALE = 0.25;
const DEFAULT_MAX_DURATION_MS = 24 * 3600 * 1_000;
const DEFAULT_WALL_TIMEOUT_MS = 120_000;

export interface WsRunOptions {
  /** Virtual µs = real µs / timeScale. Default 0.25. */
  timeScale?: number;
  keepTrace?: boolean;
  timeline?: 'always' | 'failing' | 'never';
  maxTimelineItems?: number;
  /** Jump over idle time: 'always' (default), 'end' (only once scripts and runs are done), 'never'. */
  skipIdle?: 'always' | 'end' | 'never';
  /** Wall-clock budget of one run, ms (default 120 s); exceeded → the run rejects with the scenario and seed named. */
  wallTimeoutMs?: number;
  /** Put the chaos proxy between clients and server even when the link delays nothing and no fault needs it (needsProxyFor). */
  viaProxy?: boolean;
}

export interface WsRunOutput extends RunOutput {
  /** Scenario steps the ws transport could not perform (also listed in result.faults as "unsupported"). */
  unsupported: string[];
  /** Transport facts: time scale, real ms, virtual time skipped while idle, proxy used. */
  /** hopCreditUs: what the proxy took off each data frame's drawn wire delay for its own real hops (0 without the proxy). */
  transport: { kind: 'ws'; timeScale: number; skippedUs: number; wallMs: number; viaProxy: boolean; hopCreditUs: number; port: number };
}

/** The entry point `run --transport ws` uses. Same RunOutput/RunResult shapes as runScenario. */
export async function runScenarioWs(spec: ScenarioSpec, sut: SystemUnderTest, seed: number, options: WsRunOptions = {}): Promise<WsRunOutput> {
  if (isOwnServerSource(sut)) throw new Error(`${sut.file}: a server's own file runs in the simulation only for now (--transport sim); for real sockets start it yourself and use threadline probe`);
  const plugin: ServerPlugin = serverPluginOf(sut);
  // real-time: the ws transport runs on real time by design; this measures its wall duration.
  const wallStart = performance.now();
  const timeScale = options.timeScale ?? DEFAULT_WS_TIME_SCALE;
  const label = `scenario ${spec.name} (router ${plugin.name}, seed ${seed}, ws transport)`;
  const trace = new Trace({ keepRecords: options.keepTrace ?? false });
  let failure: Error | null = null;
  const clock = new RealClock({
    timeScale,
    onError: (error, timerLabel) => {
      failure ??= new Error(`${label}: timer "${timerLabel}" threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    },
  });
  const tokens = signedTokens(randomBytes(16).toString('hex'));
  const world = new World({ spec, seed, trace, clock, tokens });
  const acct = new InFlight();
  const needsProxy = options.viaProxy === true || needsProxyFor(spec);
  // Through the proxy a server's send completes when the proxy has sent the frame at the link's
  // bandwidth, as on the simulated pipe (send-gate.ts): a slow link backs up into the server.
  const sendGate = needsProxy ? new SendGate() : null;

  let listener: WsListener | null = null;
  let proxy: RunningProxy | null = null;
  const clientSockets = new Map<string, WebSocket>();
  let hopCreditUs = 0;
  try {
    listener = await openWsListener({
      ...(sendGate ? { sendGate } : {}),
      tokens,
      clock,
      heartbeatMs: 0,
      ...(spec.server?.rateLimitPerS ? { rateLimitPerS: spec.server.rateLimitPerS } : {}),
      log: (r) => {
        // The listener's own lines (accept, close, listening) are transport noise, not the server's log.
        if (r.msg === 'connection accepted' || r.msg === 'connection closed' || r.msg === 'listening' || r.msg === 'stopped') return;
        trace.record(clock.now(), 'router.log', { level: r.level, message: r.msg });
      },
      tap: {
        accepted: (conn) => acct.serverOpened(conn),
        read: (conn) => acct.serverRead(conn),
        write: (conn) => acct.serverWrote(conn),
        closed: (conn) => acct.serverClosed(conn),
      },
    });
    const running = listener;
    world.hostServer(plugin, { clock, listen: (handler) => running.listen(handler) });
    listener.attach(world.server!, plugin.name);
    let base = `ws://127.0.0.1:${listener.port}`;
    if (needsProxy) {
      // A frame through the proxy crosses two real loopback hops (client → proxy → server) and
      // the proxy itself; that cost counts against the link's drawn latency, so the link is the
      // scenario's, not the scenario's plus the proxy's own. Measured here, through a proxy.
      hopCreditUs = Math.round((await proxiedOneWayUs()) / timeScale);
      proxy = await startProxy({
        target: base,
        clock,
        seed,
        // The scenario's link, as simulated: handshake, per-frame latency + jitter, bandwidth and
        // close delay, timed by the simulated pipe's rule on this run's scaled clock.
        schedule: { ...linkSchedule(spec.network), hopCreditUs },
        // A frame waiting out its link latency in the proxy is on a clock timer, not on a socket:
        // count it as received when the proxy takes it and as sent again when the proxy hands it
        // on, so "nothing in flight" stays exact and idle time is still skipped meanwhile.
        onParked: (conn, dir, parked) => {
          if (dir === 'toServer') {
            if (parked) acct.serverRead(conn);
            else acct.clientSent(conn);
          } else if (parked) acct.clientRead(conn);
          else acct.serverWrote(conn);
        },
        // The simulated network's stream of the same link: each frame draws the latency and
        // jitter it draws in the simulation of this seed (links are numbered in connect order
        // on both transports), so the two runs differ by the real hops, not by their dice.
        linkRandom: (n) => linkRandom(networkRandom(seed), n),
        onTransmitted: (conn, dir) => {
          if (dir === 'toClient') sendGate?.transmitted(conn);
        },
        keepRecords: false,
        onRecord: (r) => {
          trace.record(clock.now(), 'proxy', { conn: r.conn, event: r.event, fault: r.fault ?? null, dir: r.dir ?? null, delayMs: r.delayMs ?? null });
          if (r.event === 'fault' && r.fault === 'half-open') acct.halfOpen(r.conn);
          if (r.event === 'fault' && (r.fault === 'partition' || r.fault === 'partition-end')) acct.touch();
        },
      });
      base = proxy.url;
    }

    // The first handshake of a process runs cold code (tens of ms): pay that before t = 0,
    // then start the scenario's time at 0 with the server already listening.
    await warmUp();
    clock.rebase();

    world.addTabs((client, url, headers) => {
      const conn = client.connectionId ?? `${client.id}#?`;
      const ws = new WebSocket(`${base}${url}`, { headers: { ...headers, 'x-threadline-conn': conn }, perMessageDeflate: false });
      clientSockets.set(client.id, ws);
      return countingClient(ws, conn, acct);
    });
    const ops = wsFaults(world, () => proxy, clientSockets);
    world.scheduleFaults(ops, { transport: 'ws', partitionVia: 'proxy' });
    world.startScripts(ops);

    // ---- Drive until idle (the simulated runner's runUntilIdle) ------------------------------
    const skipIdle = options.skipIdle ?? 'always';
    const maxTimeUs = (spec.maxDurationMs ?? DEFAULT_MAX_DURATION_MS) * 1_000;
    const wallTimeoutMs = options.wallTimeoutMs ?? DEFAULT_WALL_TIMEOUT_MS;
    let quiesced = false;
    let quietStreak = 0;
    let lastVersion = -1;
    let lastFired = -1;
    for (;;) {
      await new Promise<void>((resolve) => (quietStreak > 0 ? setImmediate(resolve) : setTimeout(resolve, 1)));
      if (failure) throw failure;
      if (world.failure) throw new Error(`${label}: ${world.failure.message}`);
      if (performance.now() - wallStart > wallTimeoutMs) {
        throw new Error(`${label}: did not finish within ${wallTimeoutMs} ms of wall time (virtual t=${(clock.now() / 1e6).toFixed(3)} s; ${acct.describe()}; next timer ${clock.nextLabel() ?? 'none'})`);
      }
      if (clock.now() > maxTimeUs) throw new Error(`${label}: the run exceeded its virtual-time budget of ${maxTimeUs / 1e6} s; raise the scenario's maxDurationMs (now ${spec.maxDurationMs ?? `${DEFAULT_MAX_DURATION_MS}, the default`} ms) only if the run is meant to be this long`);
      const done = world.done;
      if (done && !quiesced) {
        quiesced = true;
        world.quiesce();
      }
      if (!acct.quiet() || acct.version !== lastVersion || clock.fired !== lastFired) {
        quietStreak = acct.quiet() ? 1 : 0;
        lastVersion = acct.version;
        lastFired = clock.fired;
        continue;
      }
      // Quiet across two event-loop turns with nothing fired and no socket event in between.
      if (++quietStreak < 3) continue;
      const next = clock.nextDueUs();
      if (next === null) break; // nothing left to happen
      if (skipIdle === 'always' || (skipIdle === 'end' && done)) {
        clock.advanceTo(next);
        quietStreak = 0;
      }
    }
    if (failure) throw failure;
  } finally {
    clock.dispose();
    for (const ws of clientSockets.values()) ws.terminate();
    await proxy?.close();
    await listener?.close({ graceful: false });
  }

  // real-time: wall-clock duration for humans only.
  const wallMs = Math.round((performance.now() - wallStart) * 100) / 100;
  const judged = world.judge({
    simulatedUs: clock.now(),
    wallMs,
    ...(options.timeline !== undefined ? { timeline: options.timeline } : {}),
    ...(options.maxTimelineItems !== undefined ? { maxTimelineItems: options.maxTimelineItems } : {}),
  });
  const judgement = judged.judgement;
  const unsupported = world.unsupported;
  // A run that could not perform every step of its scenario is not a verdict on the scenario.
  const result: RunResult = unsupported.length > 0 ? { ...judged.result, verdict: 'unknown' } : judged.result;

  return {
    result,
    judgement,
    trace,
    truth: world.truth,
    unsupported,
    transport: { kind: 'ws', timeScale, skippedUs: clock.skipped, wallMs, viaProxy: proxy !== null, hopCreditUs, port: listener!.port },
  };
}

/**
 * The real one-way cost of a small frame through the proxy with a zero link, µs: half the median
 * round trip (16 pings on one connection, after the process's warm-up) from a client through a
 * throwaway proxy to an echo server and back — two loopback hops and the proxy, each way.
 */
export async function proxiedOneWayUs(): Promise<number> {
  await warmUp();
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (s) => s.on('message', (d) => s.send(d)));
  const proxy = await startProxy({ target: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, keepRecords: false });
  const ws = new WebSocket(`${proxy.url}/rtt`);
  const samples: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    for (let i = 0; i < 16; i++) {
      // real-time: measuring the real transport is the point.
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        ws.once('message', () => resolve());
        ws.send('{"type":"ping"}');
      });
      samples.push((performance.now() - t0) * 1_000);
    }
  } finally {
    ws.terminate();
    await proxy.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
  samples.sort((a, b) => a - b);
  return (samples[Math.floor(samples.length / 2)] ?? 0) / 2;
}

let warmed: Promise<void> | null = null;

/** One throwaway loopback WebSocket round trip per process, so the first scenario's first handshake is not slower than the rest. */
export function warmUp(): Promise<void> {
  warmed ??= (async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (s) => s.on('message', (d) => s.send(d)));
    const port = (wss.address() as { port: number }).port;
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/warm-up`);
      await new Promise<void>((resolve) => {
        ws.once('open', () => ws.send(JSON.stringify({ type: 'ping' })));
        ws.once('message', () => {
          ws.once('close', () => resolve());
          ws.close();
        });
        ws.once('error', () => resolve());
      });
    }
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  })();
  return warmed;
}

/**
 * Does the run need the chaos proxy? When the scenario's link delays anything — the simulated
 * run always applies DEFAULT_LINK_PROFILE (1–5 ms per frame, 2 ms handshake) under its
 * `network` overrides, so that is every scenario unless `network` zeroes every delay — and when
 * it uses a fault only the proxy can make on real sockets.
 */
export function needsProxyFor(spec: ScenarioSpec): boolean {
  if (linkShapes(spec.network)) return true;
  if ((spec.faults ?? []).some((f) => f.kind === 'partition')) return true;
  return spec.tabs.some((t) => t.actions.some((a) => a.do === 'slow' || a.do === 'half-open'));
}

/** Faults over real sockets: through the chaos proxy when there is one; a server pause is not possible. */
function wsFaults(world: World, proxyOf: () => RunningProxy | null, clientSockets: Map<string, WebSocket>): TransportFaults {
  return {
    cannotPause: 'not supported on the ws transport (a real server cannot be frozen from outside; run it on the simulated transport)',
    pause: () => {},
    partition(tabs, how) {
      const selector = tabs === 'all' ? 'all' : tabs.map((t) => world.tabs.get(t)?.connectionId).filter((c): c is string => c !== null && c !== undefined);
      proxyOf()!.partition(selector, { durationMs: how.durationMs, then: how.then });
    },
    drop(tab) {
      const ws = clientSockets.get(tab.id);
      if (!ws || !tab.isOpen) return;
      world.recordFault('drop', tab.id);
      const proxy = proxyOf();
      if (proxy && tab.connectionId) proxy.drop([tab.connectionId]);
      else ws.terminate();
    },
    slow(tab, bytesPerS) {
      const proxy = proxyOf();
      if (!proxy || !tab.connectionId) return;
      world.recordFault('slow', tab.id);
      proxy.setBandwidth([tab.connectionId], 'toClient', bytesPerS);
    },
    halfOpen(tab) {
      const proxy = proxyOf();
      if (!proxy || !tab.connectionId || !tab.isOpen) return;
      world.recordFault('half-open', tab.id);
      proxy.halfOpen([tab.connectionId]);
    },
  };
}
