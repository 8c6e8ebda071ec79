/**
 * Runs one (scenario, router, seed) on the simulated transport and judges it.
 *
 * Wiring: one Scheduler (virtual time) and one root Random per run; the SimNetwork carries
 * frames; the Router gets the network's server clock; each tab is a TabClient driven by its
 * action script; the oracle's GroundTruth hears the clients, the agent side and a tap on the
 * server's sockets. When every script has finished and every run has completed, background
 * timers (heartbeats) stop and the run drains to idle; then the oracle judges.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_EVENTS, Scheduler } from '../sim/scheduler.ts';
import { createRandom } from '../sim/rng.ts';
import { Trace } from '../sim/trace.ts';
import { SimNetwork } from '../sim/network.ts';
import { Router } from '../router/router.ts';
import type { RouterConfig } from '../router/flags.ts';
import { TabClient } from '../client/tab-client.ts';
import { GroundTruth } from '../oracle/recorder.ts';
import type { Judgement } from '../oracle/judge.ts';
import type { SocketLike } from '../transport/socket.ts';
import { expandLoad } from './load.ts';
import { runTabScript, type TabFaults } from './script.ts';
import { agentProfileOf } from './profiles.ts';
import type { ScenarioSpec, TabSpec, UserSpec } from './types.ts';
import type { FaultWindow, RunResult } from './result.ts';
import { resultOfRun } from './result-of-run.ts';
import { observeRouter } from './observers.ts';

export { DEFAULT_DEADLINE_MS } from './result-of-run.ts';
const DEFAULT_MAX_DURATION_MS = 24 * 3600 * 1_000;

export interface RunOptions {
  /** Keep trace records in memory (replay comparison, timelines). Default false. */
  keepTrace?: boolean;
  /** Attach a timeline to the result: 'always', 'failing' (default) or 'never'. */
  timeline?: 'always' | 'failing' | 'never';
  /** Maximum timeline items kept per run. */
  maxTimelineItems?: number;
  /** Test hook: perturb the run (e.g. inject nondeterminism) once the world is built. */
  onWorld?: (world: World) => void;
  maxEvents?: number;
  /** Where `maxEvents` comes from, for the budget error (e.g. fuzz's per-case cap). */
  maxEventsSource?: string;
}

export interface World {
  scheduler: Scheduler;
  network: SimNetwork;
  router: Router;
  truth: GroundTruth;
  tabs: Map<string, TabClient>;
  trace: Trace;
}

export interface RunOutput {
  result: RunResult;
  judgement: Judgement;
  trace: Trace;
  truth: GroundTruth;
}

/** Users and tabs of a scenario, with the load generator expanded (deterministic per seed). */
export function materialise(spec: ScenarioSpec, seed: number): { users: UserSpec[]; tabs: TabSpec[] } {
  const users = [...spec.users];
  const tabs = [...spec.tabs];
  if (spec.load) {
    const generated = expandLoad(spec.load, createRandom(seed).fork('load'));
    users.push(...generated.users);
    tabs.push(...generated.tabs);
  }
  return { users, tabs };
}

export async function runScenario(spec: ScenarioSpec, config: RouterConfig, seed: number, options: RunOptions = {}): Promise<RunOutput> {
  // real-time: wall-clock duration for humans only; it is not in the trace and decides nothing.
  const wallStart = performance.now();
  const trace = new Trace({ keepRecords: options.keepTrace ?? false });
  const rng = createRandom(seed);
  const scheduler = new Scheduler({
    seed,
    trace,
    traceTimers: false,
    tieBreak: spec.tieBreak ?? false,
    label: `scenario ${spec.name} (router ${config.name})`,
    maxTimeUs: (spec.maxDurationMs ?? DEFAULT_MAX_DURATION_MS) * 1_000,
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    budgetSources: {
      maxTimeUs: `the scenario's maxDurationMs (now ${spec.maxDurationMs ?? `${DEFAULT_MAX_DURATION_MS}, the default`} ms)`,
      maxEvents: options.maxEventsSource ?? `the event budget (${options.maxEvents ?? DEFAULT_MAX_EVENTS} events, DEFAULT_MAX_EVENTS in src/sim/scheduler.ts; a scenario cannot raise it)`,
    },
  });
  const net = spec.network ?? {};
  const network = new SimNetwork({
    scheduler,
    rng: rng.fork('network'),
    trace,
    defaults: {
      ...(net.handshakeMs ? { handshakeMs: net.handshakeMs } : {}),
      ...(net.latencyMs ? { latencyMs: net.latencyMs } : {}),
      ...(net.jitterMs ? { jitterMs: net.jitterMs } : {}),
      ...(net.closeDelayMs ? { closeDelayMs: net.closeDelayMs } : {}),
      ...(net.bandwidthBytesPerS ? { bandwidthBytesPerS: net.bandwidthBytesPerS } : {}),
    },
  });
  const { users, tabs: tabSpecs } = materialise(spec, seed);
  const truth = new GroundTruth();
  const ownership: Record<string, string[]> = {};
  for (const u of users) {
    ownership[u.id] = u.threads;
    truth.addOwnership(u.id, u.threads);
  }
  const clockOfServer = network.serverClock;
  const injectionDelayMs = spec.server?.injectionDelayMs ?? 0;
  const router = new Router({
    config,
    clock: clockOfServer,
    rng: rng.fork('router'),
    ownership,
    ...(spec.server?.lookupMs ? { lookupMs: spec.server.lookupMs } : {}),
    agentProfile: agentProfileOf(spec),
    authenticate: (hs) => userFromToken(tokenOf(hs.url)),
    ...(spec.server?.rateLimitPerS ? { rateLimitPerS: spec.server.rateLimitPerS } : {}),
    wireAtStart: injectionDelayMs === 0,
    logSink: (level, message) => trace.record(scheduler.now(), 'router.log', { level, message }),
    ...observeRouter(truth, trace, scheduler),
  });
  if (injectionDelayMs > 0) scheduler.setTimer(injectionDelayMs * 1_000, () => router.wire(), 'startup:inject-manager');

  network.listen((socket, handshake) => {
    const user = userFromToken(tokenOf(handshake.url)) ?? '?';
    router.accept(tapWrites(socket, (data) => truth.wireWrite(user, data)), handshake);
  });

  const tabs = new Map<string, TabClient>();
  const linkOfTab = new Map<string, string>();
  for (const t of tabSpecs) {
    truth.addTab(t.id, t.user);
    const tab = new TabClient({
      id: t.id,
      user: t.user,
      token: tokenFor(t.user),
      clock: scheduler,
      observer: truth,
      connect: (client, url, headers) => {
        const socket = network.connect({ url, headers, label: client.id });
        linkOfTab.set(client.id, socket.linkId);
        return socket;
      },
      reconnectAfterMs: t.reconnectAfterMs !== undefined ? t.reconnectAfterMs : spec.client?.reconnectAfterMs === undefined ? 500 : spec.client.reconnectAfterMs,
      heartbeatMs: spec.client?.heartbeatMs ?? 0,
    });
    tabs.set(t.id, tab);
  }

  const faults: FaultWindow[] = [];
  for (const f of spec.faults ?? []) {
    const startUs = Math.round(f.at * 1_000);
    const endUs = startUs + Math.round(f.durationMs * 1_000);
    if (f.kind === 'pause') {
      faults.push({ kind: 'pause', startUs, endUs, label: `server paused ${f.durationMs} ms` });
      scheduler.at(startUs, () => network.pauseServer(f.durationMs), 'fault:pause');
    } else {
      faults.push({ kind: 'partition', startUs, endUs, label: `partition (${f.then}) ${f.tabs ? f.tabs.join(', ') : 'all'}` });
      scheduler.at(startUs, () => {
        const links = f.tabs ? f.tabs.map((t) => linkOfTab.get(t)).filter((l): l is string => l !== undefined) : 'all';
        network.partition(links, { durationMs: f.durationMs, then: f.then });
      }, 'fault:partition');
    }
  }

  options.onWorld?.({ scheduler, network, router, truth, tabs, trace });

  // Tab scripts run as async processes on virtual time.
  let scriptsRunning = tabSpecs.length;
  const recordFault = (kind: string, tab: string, atUs: number): void => {
    faults.push({ kind, startUs: atUs, endUs: atUs, label: `${kind} ${tab}` });
  };
  // Fault actions of the scripts act on the tab's current simulated link.
  const faultsOnLinks: TabFaults = {
    drop(tab) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined || !tab.isOpen) return;
      recordFault('drop', tab.id, scheduler.now());
      network.drop(link);
    },
    slow(tab, bytesPerS) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined) return;
      recordFault('slow', tab.id, scheduler.now());
      network.setBandwidth(link, 'toClient', bytesPerS);
    },
    halfOpen(tab) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined) return;
      recordFault('half-open', tab.id, scheduler.now());
      network.halfOpen(link);
    },
  };
  const actionsDone = (): void => {
    scriptsRunning--;
  };
  for (const t of tabSpecs) {
    const tab = tabs.get(t.id)!;
    scheduler.at(0, () => runTabScript(t.actions, tab, scheduler, faultsOnLinks).finally(actionsDone), `tab:${t.id}:script`);
  }
  // Once scripts are done and no agent runs, stop heartbeats so the run can go idle.
  const quiesceCheck = (): void => {
    if (scriptsRunning === 0 && router.engine.active.size === 0) {
      for (const tab of tabs.values()) tab.quiesce();
      return;
    }
    scheduler.setTimer(1_000_000, quiesceCheck, 'runner:quiesce-check');
  };
  if ((spec.client?.heartbeatMs ?? 0) > 0) scheduler.setTimer(1_000_000, quiesceCheck, 'runner:quiesce-check');

  await scheduler.runUntilIdle();

  const { result, judgement } = resultOfRun({
    spec,
    config,
    seed,
    truth,
    trace,
    router,
    simulatedUs: scheduler.now(),
    // real-time: wall-clock duration for humans only; it is not in the trace and decides nothing.
    wallMs: performance.now() - wallStart,
    faults,
    ...(options.timeline !== undefined ? { timeline: options.timeline } : {}),
    ...(options.maxTimelineItems !== undefined ? { maxTimelineItems: options.maxTimelineItems } : {}),
  });
  return { result, judgement, trace, truth };
}



/** Simulated tokens are "user:<id>"; the real server uses HMAC-signed tokens (src/transport). */
export function tokenFor(user: string): string {
  return `user:${user}`;
}

function tokenOf(url: string): string | null {
  const q = url.indexOf('?');
  return q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('token');
}

function userFromToken(token: string | null): string | null {
  return token !== null && token.startsWith('user:') && token.length > 5 ? token.slice(5) : null;
}

/** Observe every frame the server writes (the wire, for honest monitoring); nothing else changes. */
function tapWrites(socket: SocketLike, onWrite: (data: string) => void): SocketLike {
  return {
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data: string, callback?: (error?: Error) => void): void {
      onWrite(data);
      socket.send(data, callback);
    },
    close: (code?: number, reason?: string) => socket.close(code, reason),
    terminate: () => socket.terminate(),
    on: ((event: 'message', listener: (data: unknown) => void) => socket.on(event, listener)) as SocketLike['on'],
  };
}
