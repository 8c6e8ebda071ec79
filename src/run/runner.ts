/**
 * The simulated transport: runs one (scenario, server, seed) on the simulated network and
 * judges it. Only what is particular to the simulation is here — one Scheduler (virtual time),
 * the SimNetwork carrying frames, its fault operations, and the drive loop (run the kernel
 * until nothing is left to happen). The world (tabs, truth, backend, server plug-in, fault
 * schedule, scripts) is built by `World` (world.ts), the same for every transport.
 *
 * When every script has finished and every run has completed, background timers (heartbeats)
 * stop and the run drains to idle; then the oracle judges.
 */
import { realNowMs, realSetImmediate } from '../ports/real-time.ts';
import type { ServerPlugin } from '../ports/server.ts';
import { DEFAULT_MAX_EVENTS, Scheduler } from '../sim/scheduler.ts';
import { Trace } from '../sim/trace.ts';
import { networkRandom, SimNetwork } from '../sim/network.ts';
import { plainTokens } from '../world/auth.ts';
import type { TabClient } from '../world/tab-client.ts';
import type { GroundTruth } from '../oracle/recorder.ts';
import type { Judgement } from '../oracle/judge.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import type { RunResult } from './result.ts';
import { isOwnServerSource, serverPluginOf, type SystemUnderTest } from './sut.ts';
import { World, type TransportFaults } from './world.ts';
import { StreamingTruth } from '../oracle/streaming-truth.ts';
import { codecOf } from '../world/codecs/index.ts';
import { judgeOptionsOf } from './result-of-run.ts';
import { explainInferredLosses, FrameObservations, inferProduced } from './probe-inference.ts';

export { DEFAULT_DEADLINE_MS } from './result-of-run.ts';
export { materialise } from './world.ts';
const DEFAULT_MAX_DURATION_MS = 24 * 3600 * 1_000;
/** Once scripts are done, the run checks this often whether agent runs finished too. */
const QUIESCE_CHECK_US = 1_000_000;

export interface RunOptions {
  /** Keep trace records in memory (replay comparison, timelines). Default false. */
  keepTrace?: boolean;
  /** Attach a timeline to the result: 'always', 'failing' (default) or 'never'. */
  timeline?: 'always' | 'failing' | 'never';
  /** Maximum timeline items kept per run. */
  maxTimelineItems?: number;
  /** Test hook: perturb the run (e.g. inject nondeterminism) once the world is built. */
  onWorld?: (world: SimWorld) => void;
  maxEvents?: number;
  /** Where `maxEvents` comes from, for the budget error (e.g. fuzz's per-case cap). */
  maxEventsSource?: string;
  /**
   * Judge the run one user at a time as it goes ('streaming', src/oracle/streaming-truth.ts:
   * the same judgement, memory bounded by the users still active) or whole at the end. Default:
   * streaming for a load scenario (spec.load) whose protocol carries event ids, unless the whole
   * timeline is asked for ('always'); the result's `truth` is then the timeline's parts only.
   */
  judging?: 'whole' | 'streaming';
}

/** The simulated world as the `onWorld` test hook sees it. */
export interface SimWorld {
  scheduler: Scheduler;
  network: SimNetwork;
  world: World;
  trace: Trace;
  tabs: Map<string, TabClient>;
}

export interface RunOutput {
  result: RunResult;
  judgement: Judgement;
  trace: Trace;
  truth: GroundTruth;
}

export async function runScenario(spec: ScenarioSpec, sut: SystemUnderTest, seed: number, options: RunOptions = {}): Promise<RunOutput> {
  if (!isOwnServerSource(sut)) return runPlugin(spec, serverPluginOf(sut), seed, options);
  // A team's own server file: loaded afresh for this run, its globals virtual until the end.
  const own = await sut.instantiate(seed);
  try {
    return await runPlugin(spec, own.plugin, seed, { ...options, inferIfUnseen: true }, () => {
      const failure = own.failure();
      if (failure) {
        const e = failure.error;
        if (e instanceof Error && e.name === 'EscapeError') throw new Error(`${sut.file}: ${e.message}`, { cause: e });
        throw new Error(`${sut.file}: the server's code threw in ${failure.where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
      }
    });
  } finally {
    own.release();
  }
}

async function runPlugin(spec: ScenarioSpec, plugin: ServerPlugin, seed: number, options: RunOptions & { inferIfUnseen?: boolean }, afterRun?: () => void): Promise<RunOutput> {
  // real-time: wall-clock duration for humans only; it is not in the trace and decides nothing.
  const wallStart = realNowMs();
  const trace = new Trace({ keepRecords: options.keepTrace ?? false });
  const scheduler = new Scheduler({
    seed,
    trace,
    traceTimers: false,
    tieBreak: spec.tieBreak ?? false,
    label: `scenario ${spec.name} (router ${plugin.name})`,
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
    rng: networkRandom(seed),
    trace,
    defaults: {
      ...(net.handshakeMs ? { handshakeMs: net.handshakeMs } : {}),
      ...(net.latencyMs ? { latencyMs: net.latencyMs } : {}),
      ...(net.jitterMs ? { jitterMs: net.jitterMs } : {}),
      ...(net.closeDelayMs ? { closeDelayMs: net.closeDelayMs } : {}),
      ...(net.bandwidthBytesPerS ? { bandwidthBytesPerS: net.bandwidthBytesPerS } : {}),
    },
  });
  const judging = options.judging ?? (spec.load !== undefined && options.timeline !== 'always' ? 'streaming' : 'whole');
  // Frames are routed to users by their event ids; a server of the user's own may infer them.
  const streams = judging === 'streaming' && codecOf(plugin.codec).carries.eventIds && !options.inferIfUnseen;
  const world = new World({ spec, seed, trace, clock: scheduler, tokens: plainTokens(), ...(streams ? { streaming: new StreamingTruth(judgeOptionsOf(spec, plugin)) } : {}) });
  const server = world.hostServer(plugin, { clock: network.serverClock, listen: (handler) => network.listen(handler) });

  const linkOfTab = new Map<string, string>();
  // A server of the user's own may produce agent events itself (no '#agent-backend'): then what
  // was produced is inferred afterwards from what the tabs received, as the probe does.
  const seen = options.inferIfUnseen ? new FrameObservations() : null;
  world.addTabs((client, url, headers) => {
    const socket = network.connect({ url, headers, label: client.id });
    linkOfTab.set(client.id, socket.linkId);
    if (seen) {
      const record = seen.connection();
      socket.on('message', (data: string) => record(world.codec.decode(String(data)), scheduler.now()));
    }
    return socket;
  });
  const ops: TransportFaults = {
    pause: (durationMs) => network.pauseServer(durationMs),
    partition: (tabs, how) => {
      const links = tabs === 'all' ? 'all' : tabs.map((t) => linkOfTab.get(t)).filter((l): l is string => l !== undefined);
      network.partition(links, { durationMs: how.durationMs, then: how.then });
    },
    // Fault actions of the scripts act on the tab's current simulated link.
    drop(tab) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined || !tab.isOpen) return;
      world.recordFault('drop', tab.id);
      network.drop(link);
    },
    slow(tab, bytesPerS) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined) return;
      world.recordFault('slow', tab.id);
      network.setBandwidth(link, 'toClient', bytesPerS);
    },
    halfOpen(tab) {
      const link = linkOfTab.get(tab.id);
      if (link === undefined) return;
      world.recordFault('half-open', tab.id);
      network.halfOpen(link);
    },
  };
  world.scheduleFaults(ops);

  options.onWorld?.({ scheduler, network, world, trace, tabs: world.tabs });

  world.startScripts(ops);
  // Once scripts are done and no agent runs, stop heartbeats so the run can go idle.
  const quiesceCheck = (): void => {
    if (world.done) {
      world.quiesce();
      return;
    }
    scheduler.setTimer(QUIESCE_CHECK_US, quiesceCheck, 'runner:quiesce-check');
  };
  // Also for a server with background work of its own (quiesce): its intervals end the run then.
  if ((spec.client?.heartbeatMs ?? 0) > 0 || server.quiesce) scheduler.setTimer(QUIESCE_CHECK_US, quiesceCheck, 'runner:quiesce-check');

  await scheduler.runUntilIdle();
  if (afterRun) {
    // One real macrotask turn first: Node reports unhandled rejections (of a server's own code)
    // only between macrotasks, and the kernel's drain runs in microtasks.
    await new Promise((resolve) => realSetImmediate(resolve));
    afterRun();
  }
  const inferredTruth = seen !== null && world.truth.produced.size === 0 && seen.observed.size > 0;
  if (inferredTruth) inferProduced(world.truth, seen.observed, seen.refusedRefs);
  if (world.failure) throw new Error(`scenario ${spec.name} (router ${plugin.name}, seed ${seed}): ${world.failure.message}`);

  const { result, judgement } = world.judge({
    simulatedUs: scheduler.now(),
    // real-time: wall-clock duration for humans only; it is not in the trace and decides nothing.
    wallMs: realNowMs() - wallStart,
    ...(options.timeline !== undefined ? { timeline: options.timeline } : {}),
    ...(options.maxTimelineItems !== undefined ? { maxTimelineItems: options.maxTimelineItems } : {}),
    ...(inferredTruth ? { inferredTruth } : {}),
  });
  if (inferredTruth) explainInferredLosses(result.violations, seen!.observed);
  return { result, judgement, trace, truth: world.truth };
}
