/**
 * Runs one (scenario, router, seed) over real `ws` sockets on loopback and judges it with the
 * same oracle as the simulated runner (`src/scenario/runner.ts`, whose structure this mirrors).
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
 * Faults: `drop` terminates the client's socket (both ends see 1006); `close` and `reconnect`
 * are the client's own. `slow`, `half-open` and `partition` faults go through the chaos proxy
 * (proxy.ts), which the run puts between clients and server only when the scenario needs it.
 * A server `pause` has no real-socket equivalent here: the run reports it as unsupported in
 * `faults` (kind "unsupported") and its verdict is "unknown" — never silently skipped.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { createRandom } from '../sim/rng.ts';
import { Trace } from '../sim/trace.ts';
import type { RouterConfig } from '../router/flags.ts';
import { TabClient, type ClientSocketLike } from '../client/tab-client.ts';
import { GroundTruth } from '../oracle/recorder.ts';
import { materialise, type RunOutput } from '../scenario/runner.ts';
import { resultOfRun } from '../scenario/result-of-run.ts';
import { observeRouter } from '../scenario/observers.ts';
import { runTabScript, type TabFaults } from '../scenario/script.ts';
import { agentProfileOf } from '../scenario/profiles.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import type { FaultWindow, RunResult } from '../scenario/result.ts';
import { signToken } from './auth.ts';
import { RealClock } from './real-clock.ts';
import { startServer, type RunningServer } from './ws-server.ts';
import { startProxy, type RunningProxy } from './proxy.ts';

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
  /** Put the chaos proxy between clients and server even if no fault needs it (default: only when needed). */
  viaProxy?: boolean;
}

export interface WsRunOutput extends RunOutput {
  /** Scenario steps the ws transport could not perform (also listed in result.faults as "unsupported"). */
  unsupported: string[];
  /** Transport facts: time scale, real ms, virtual time skipped while idle, proxy used. */
  transport: { kind: 'ws'; timeScale: number; skippedUs: number; wallMs: number; viaProxy: boolean; port: number };
}

/** The entry point `run --transport ws` uses. Same RunOutput/RunResult shapes as runScenario. */
export async function runScenarioWs(
  spec: ScenarioSpec,
  config: RouterConfig,
  seed: number,
  options: { timeScale?: number; keepTrace?: boolean } & WsRunOptions = {},
): Promise<WsRunOutput> {
  // real-time: the ws transport runs on real time by design; this measures its wall duration.
  const wallStart = performance.now();
  const timeScale = options.timeScale ?? DEFAULT_WS_TIME_SCALE;
  const label = `scenario ${spec.name} (router ${config.name}, seed ${seed}, ws transport)`;
  const trace = new Trace({ keepRecords: options.keepTrace ?? false });
  const rng = createRandom(seed);
  let failure: Error | null = null;
  const clock = new RealClock({
    timeScale,
    onError: (error, timerLabel) => {
      failure ??= new Error(`${label}: timer "${timerLabel}" threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    },
  });
  const { users, tabs: tabSpecs } = materialise(spec, seed);
  const truth = new GroundTruth();
  const ownership: Record<string, string[]> = {};
  for (const u of users) {
    ownership[u.id] = u.threads;
    truth.addOwnership(u.id, u.threads);
  }
  const acct = new InFlight();
  const secret = randomBytes(16).toString('hex');
  const unsupported: string[] = [];
  const faults: FaultWindow[] = [];
  const needsProxy = options.viaProxy === true || needsProxyFor(spec);

  let server: RunningServer | null = null;
  let proxy: RunningProxy | null = null;
  const clientSockets = new Map<string, WebSocket>();
  const tabs = new Map<string, TabClient>();
  try {
    server = await startServer({
      config,
      secret,
      clock,
      rng: rng.fork('router'),
      ownership,
      ownershipByNaming: false,
      ...(spec.server?.lookupMs ? { lookupMs: spec.server.lookupMs } : {}),
      agentProfile: agentProfileOf(spec),
      ...(spec.server?.rateLimitPerS ? { rateLimitPerS: spec.server.rateLimitPerS } : {}),
      ...(spec.server?.injectionDelayMs ? { injectionDelayMs: spec.server.injectionDelayMs } : {}),
      heartbeatMs: 0,
      drainTimeoutMs: 0,
      log: (r) => {
        if (r.msg === 'connection accepted' || r.msg === 'connection closed' || r.msg === 'listening') return;
        trace.record(clock.now(), 'router.log', { level: r.level, message: r.msg });
      },
      ...observeRouter(truth, trace, clock),
      tap: {
        accepted: (conn) => acct.serverOpened(conn),
        read: (conn) => acct.serverRead(conn),
        write: (conn, user, data) => {
          acct.serverWrote(conn);
          truth.wireWrite(user, data);
        },
        closed: (conn) => acct.serverClosed(conn),
      },
    });
    let base = `ws://127.0.0.1:${server.port}`;
    if (needsProxy) {
      proxy = await startProxy({
        target: base,
        clock,
        seed,
        keepRecords: false,
        onRecord: (r) => {
          trace.record(clock.now(), 'proxy', { conn: r.conn, event: r.event, fault: r.fault ?? null, dir: r.dir ?? null });
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

    for (const t of tabSpecs) {
      truth.addTab(t.id, t.user);
      const tab = new TabClient({
        id: t.id,
        user: t.user,
        token: signToken(secret, t.user),
        clock,
        observer: truth,
        connect: (client, url, headers) => {
          const conn = client.connectionId ?? `${client.id}#?`;
          const ws = new WebSocket(`${base}${url}`, { headers: { ...headers, 'x-threadline-conn': conn }, perMessageDeflate: false });
          clientSockets.set(client.id, ws);
          return countingClient(ws, conn, acct);
        },
        reconnectAfterMs: t.reconnectAfterMs !== undefined ? t.reconnectAfterMs : spec.client?.reconnectAfterMs === undefined ? 500 : spec.client.reconnectAfterMs,
        heartbeatMs: spec.client?.heartbeatMs ?? 0,
      });
      tabs.set(t.id, tab);
    }

    for (const f of spec.faults ?? []) {
      const startUs = Math.round(f.at * 1_000);
      const endUs = startUs + Math.round(f.durationMs * 1_000);
      if (f.kind === 'pause') {
        const what = `server pause of ${f.durationMs} ms at ${f.at} ms`;
        unsupported.push(`${what}: not supported on the ws transport (a real server cannot be frozen from outside; run it on the simulated transport)`);
        faults.push({ kind: 'unsupported', startUs, endUs, label: `${what} — not supported on ws` });
        continue;
      }
      faults.push({ kind: 'partition', startUs, endUs, label: `partition (${f.then}) ${f.tabs ? f.tabs.join(', ') : 'all'} (proxy)` });
      clock.setTimer(startUs, () => {
        const selector = f.tabs ? f.tabs.map((t) => tabs.get(t)?.connectionId).filter((c): c is string => c !== null && c !== undefined) : 'all';
        proxy!.partition(selector, { durationMs: f.durationMs, then: f.then });
      }, 'fault:partition');
    }

    let scriptsRunning = tabSpecs.length;
    const recordFault = (kind: string, tab: string, atUs: number): void => {
      faults.push({ kind, startUs: atUs, endUs: atUs, label: `${kind} ${tab}` });
    };
    const ctx: ScriptContext = { clock, proxy, clientSockets, recordFault, unsupported, faults };
    for (const t of tabSpecs) {
      const tab = tabs.get(t.id)!;
      clock.setTimer(0, () =>
        runTabScript(t.actions, tab, ctx.clock, wsFaults(ctx)).then(
          () => scriptsRunning--,
          (error: unknown) => {
            scriptsRunning--;
            failure ??= new Error(`${label}: script of tab ${t.id} failed: ${error instanceof Error ? error.message : String(error)}`);
          },
        ), `tab:${t.id}:script`);
    }

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
      if (performance.now() - wallStart > wallTimeoutMs) {
        throw new Error(`${label}: did not finish within ${wallTimeoutMs} ms of wall time (virtual t=${(clock.now() / 1e6).toFixed(3)} s; ${acct.describe()}; next timer ${clock.nextLabel() ?? 'none'})`);
      }
      if (clock.now() > maxTimeUs) throw new Error(`${label}: the run exceeded its virtual-time budget of ${maxTimeUs / 1e6} s; raise the scenario's maxDurationMs (now ${spec.maxDurationMs ?? `${DEFAULT_MAX_DURATION_MS}, the default`} ms) only if the run is meant to be this long`);
      const done = scriptsRunning === 0 && server.router.engine.active.size === 0;
      if (done && !quiesced) {
        quiesced = true;
        for (const tab of tabs.values()) tab.quiesce();
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
    await server?.close({ graceful: false });
  }

  const router = server!.router;
  // real-time: wall-clock duration for humans only.
  const wallMs = Math.round((performance.now() - wallStart) * 100) / 100;
  const judged = resultOfRun({
    spec,
    config,
    seed,
    truth,
    trace,
    router,
    simulatedUs: clock.now(),
    wallMs,
    faults,
    ...(options.timeline !== undefined ? { timeline: options.timeline } : {}),
    ...(options.maxTimelineItems !== undefined ? { maxTimelineItems: options.maxTimelineItems } : {}),
  });
  const judgement = judged.judgement;
  // A run that could not perform every step of its scenario is not a verdict on the scenario.
  const result: RunResult = unsupported.length > 0 ? { ...judged.result, verdict: 'unknown' } : judged.result;

  return {
    result,
    judgement,
    trace,
    truth,
    unsupported,
    transport: { kind: 'ws', timeScale, skippedUs: clock.skipped, wallMs, viaProxy: proxy !== null, port: server!.port },
  };
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

/** Does the scenario use a fault only the proxy can make on real sockets? */
export function needsProxyFor(spec: ScenarioSpec): boolean {
  if ((spec.faults ?? []).some((f) => f.kind === 'partition')) return true;
  return spec.tabs.some((t) => t.actions.some((a) => a.do === 'slow' || a.do === 'half-open'));
}

/** Fault actions over real sockets: through the chaos proxy when there is one. */
function wsFaults(ctx: ScriptContext): TabFaults {
  const { clock } = ctx;
  return {
    drop(tab) {
      const ws = ctx.clientSockets.get(tab.id);
      if (!ws || !tab.isOpen) return;
      ctx.recordFault('drop', tab.id, clock.now());
      if (ctx.proxy && tab.connectionId) ctx.proxy.drop([tab.connectionId]);
      else ws.terminate();
    },
    slow(tab, bytesPerS) {
      if (!ctx.proxy || !tab.connectionId) return;
      ctx.recordFault('slow', tab.id, clock.now());
      ctx.proxy.setBandwidth([tab.connectionId], 'toClient', bytesPerS);
    },
    halfOpen(tab) {
      if (!ctx.proxy || !tab.connectionId || !tab.isOpen) return;
      ctx.recordFault('half-open', tab.id, clock.now());
      ctx.proxy.halfOpen([tab.connectionId]);
    },
  };
}

interface ScriptContext {
  clock: RealClock;
  proxy: RunningProxy | null;
  clientSockets: Map<string, WebSocket>;
  recordFault: (kind: string, tab: string, atUs: number) => void;
  unsupported: string[];
  faults: FaultWindow[];
}



// ---- In-flight accounting ------------------------------------------------------------------------

interface ConnCount {
  client: 'connecting' | 'open' | 'closed';
  server: 'none' | 'open' | 'closed';
  toServerSent: number;
  toServerRead: number;
  toClientSent: number;
  toClientRead: number;
  halfOpen: boolean;
}

/**
 * Exact in-flight accounting per connection (keyed by the client connection id, which the
 * client sends as `x-threadline-conn` and the server and proxy use as their label): nothing is
 * in flight when every connection is either closed at both ends (or refused before the server
 * saw it), or open at both ends with every frame sent in each direction received. A half-open
 * connection (proxy fault) carries nothing by definition and is left out.
 */
export class InFlight {
  private readonly conns = new Map<string, ConnCount>();
  version = 0;

  private get(conn: string): ConnCount {
    let c = this.conns.get(conn);
    if (!c) this.conns.set(conn, (c = { client: 'connecting', server: 'none', toServerSent: 0, toServerRead: 0, toClientSent: 0, toClientRead: 0, halfOpen: false }));
    return c;
  }

  touch(): void {
    this.version++;
  }

  clientConnecting(conn: string): void {
    this.get(conn).client = 'connecting';
    this.version++;
  }
  clientOpened(conn: string): void {
    this.get(conn).client = 'open';
    this.version++;
  }
  clientSent(conn: string): void {
    this.get(conn).toServerSent++;
    this.version++;
  }
  clientRead(conn: string): void {
    this.get(conn).toClientRead++;
    this.version++;
  }
  clientClosed(conn: string): void {
    this.get(conn).client = 'closed';
    this.version++;
  }
  serverOpened(conn: string): void {
    this.get(conn).server = 'open';
    this.version++;
  }
  serverRead(conn: string): void {
    this.get(conn).toServerRead++;
    this.version++;
  }
  serverWrote(conn: string): void {
    this.get(conn).toClientSent++;
    this.version++;
  }
  serverClosed(conn: string): void {
    this.get(conn).server = 'closed';
    this.version++;
  }
  halfOpen(conn: string): void {
    this.get(conn).halfOpen = true;
    this.version++;
  }

  quiet(): boolean {
    for (const c of this.conns.values()) if (!settled(c)) return false;
    return true;
  }

  describe(): string {
    const busy = [...this.conns.entries()].filter(([, c]) => !settled(c));
    if (busy.length === 0) return 'nothing in flight';
    return `in flight: ${busy
      .slice(0, 5)
      .map(([k, c]) => `${k} client=${c.client} server=${c.server} →server ${c.toServerSent - c.toServerRead} →client ${c.toClientSent - c.toClientRead}`)
      .join('; ')}`;
  }
}

function settled(c: ConnCount): boolean {
  if (c.halfOpen) return true;
  if (c.client === 'closed' && c.server !== 'open') return true;
  if (c.client === 'open' && c.server === 'open') return c.toServerSent === c.toServerRead && c.toClientSent === c.toClientRead;
  return false;
}

/** The TabClient's socket: the ws client, with every frame, open and close counted. */
function countingClient(ws: WebSocket, conn: string, acct: InFlight): ClientSocketLike {
  acct.clientConnecting(conn);
  ws.on('open', () => acct.clientOpened(conn));
  ws.on('message', () => acct.clientRead(conn));
  ws.on('close', () => acct.clientClosed(conn));
  ws.on('error', () => {});
  return {
    get readyState() {
      return ws.readyState;
    },
    send(data: string, callback?: (error?: Error) => void): void {
      if (ws.readyState === WebSocket.OPEN) acct.clientSent(conn);
      ws.send(data, callback);
    },
    close: (code?: number, reason?: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    on: ((event: 'open' | 'message' | 'close' | 'error', listener: (...args: unknown[]) => void) => ws.on(event, listener)) as ClientSocketLike['on'],
  };
}
