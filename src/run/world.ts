/**
 * The world of one run, whatever the transport: the scenario's users and tabs, the oracle's
 * ground truth, the agent backend, the server plug-in behind its env, the fault schedule and
 * the tabs' scripts. A transport (sim.ts, ws.ts, probe.ts) supplies only the clocks, the way
 * connections are made and faults are done, and its drive loop; everything a run sets up is
 * here, once.
 *
 * Build order matters for determinism (it fixes the order of timers set at t = 0): the server
 * first (it may wire itself or set start-up timers), then the tabs, the fault schedule and the
 * scripts, as the first stage's runner did — so traces of the built-in modes hash as before.
 */
import type { Clock } from '../ports/clock.ts';
import type { TraceFields } from '../ports/fields.ts';
import type { HandshakeInfo, SocketLike } from '../ports/socket.ts';
import type { ServerInstance, ServerLog, ServerPlugin } from '../ports/server.ts';
import type { Random } from '../ports/random.ts';
import { createRandom } from '../sim/rng.ts';
import type { Trace } from '../sim/trace.ts';
import { AgentBackend } from '../world/backend.ts';
import { TabClient, type ClientSocketLike } from '../world/tab-client.ts';
import { codecOf } from '../world/codecs/index.ts';
import { peekEventId, threadlineCodec } from '../world/codecs/threadline.ts';
import type { Codec } from '../ports/codec.ts';
import type { TokenIssuer } from '../world/auth.ts';
import { GroundTruth } from '../oracle/recorder.ts';
import type { StreamingTruth } from '../oracle/streaming-truth.ts';
import { expandLoad } from '../scenario/load.ts';
import { agentProfileOf } from '../scenario/profiles.ts';
import type { ScenarioSpec, TabSpec, UserSpec } from '../scenario/types.ts';
import type { FaultWindow, RunResult } from './result.ts';
import { resultOfRun } from './result-of-run.ts';
import type { Judgement } from '../oracle/judge.ts';
import { runTabScript, type ScriptOptions, type TabFaults } from './script.ts';
import { createServerEnv, startPlugin } from './server-env.ts';

/** A tab reconnects this long after an abnormal close unless its scenario says otherwise. */
export const DEFAULT_RECONNECT_AFTER_MS = 500;

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

/** What a transport does for the scenario's faults. A missing operation is reported as unsupported. */
export interface TransportFaults extends TabFaults {
  /** Freeze the server for `durationMs`. */
  pause(durationMs: number): void;
  /** Set when the transport cannot pause its server: why, in words (the pause is then reported unsupported). */
  cannotPause?: string;
  /** Set when the transport cannot partition links: why (the partition is then reported unsupported). */
  cannotPartition?: string;
  partition(tabs: readonly string[] | 'all', options: { durationMs: number; then: 'release' | 'kill' }): void;
}

/** How the server's side of the world reaches the transport. */
export interface ServerSide {
  /** The server's clock (in the simulation: paused with the server). */
  clock: Clock;
  /** Register the plug-in's connection handler with the transport. */
  listen(onConnection: (socket: SocketLike, handshake: HandshakeInfo) => void): void;
}

export interface WorldOptions {
  spec: ScenarioSpec;
  seed: number;
  trace: Trace;
  /** The clock tabs, scripts and faults run on. */
  clock: Clock;
  tokens: TokenIssuer;
  /** Judge the run one user at a time as it goes (src/oracle/streaming-truth.ts) instead of whole at the end. */
  streaming?: StreamingTruth;
}

export class World {
  readonly spec: ScenarioSpec;
  readonly seed: number;
  readonly trace: Trace;
  readonly clock: Clock;
  /** Where the run's facts go: the whole-run ground truth, or the streaming judge. */
  readonly recorder: GroundTruth | StreamingTruth;
  readonly users: UserSpec[];
  readonly tabSpecs: TabSpec[];
  readonly tabs = new Map<string, TabClient>();
  readonly faults: FaultWindow[] = [];
  /** Scenario steps the transport could not perform: the run's verdict is then "unknown". */
  readonly unsupported: string[] = [];
  /** Log warnings of the server, by template ("No connections found for thread <id>"). */
  readonly warnings = new Map<string, number>();
  backend: AgentBackend | null = null;
  server: ServerInstance | null = null;
  /** Agent events produced so far (for a progress line; the truth counts them for the verdict). */
  producedEvents = 0;
  private plugin: ServerPlugin | null = null;
  private readonly rng: Random;
  private readonly tokens: TokenIssuer;
  private scriptsRunning = 0;
  private tappedSockets = 0;
  /** The wire protocol of the run (the server plug-in's). */
  codec: Codec = threadlineCodec;
  private scriptFailure: Error | null = null;

  constructor(options: WorldOptions) {
    this.spec = options.spec;
    this.seed = options.seed;
    this.trace = options.trace;
    this.clock = options.clock;
    this.tokens = options.tokens;
    this.recorder = options.streaming ?? new GroundTruth();
    this.rng = createRandom(options.seed);
    const { users, tabs } = materialise(options.spec, options.seed);
    this.users = users;
    this.tabSpecs = tabs;
    for (const u of users) this.recorder.addOwnership(u.id, u.threads);
  }

  /**
   * The ground truth: the whole run's, or, when the run was judged streaming, the parts kept
   * for its timeline (users with violations, at most MAX_KEPT_PARTS) once it is judged.
   */
  get truth(): GroundTruth {
    return this.recorder instanceof GroundTruth ? this.recorder : this.recorder.keptTruth();
  }

  // ---- The server side --------------------------------------------------------------------------

  /**
   * Start the plug-in behind its env. `tap` sees every frame the server writes (the wire, for
   * honest monitoring); the plug-in gets the socket with the tap in front of it.
   */
  hostServer(plugin: ServerPlugin, side: ServerSide): ServerInstance {
    const { trace, recorder: truth } = this;
    this.plugin = plugin;
    const clock = side.clock;
    // Streams are named "router" and "router/agents" for every plug-in: the names predate
    // plug-ins, and keeping them keeps the built-in modes' traces byte for byte as they were.
    this.codec = codecOf(plugin.codec);
    const serverRng = this.rng.fork('router');
    this.backend = new AgentBackend({
      clock,
      rng: serverRng.fork('agents'),
      profile: agentProfileOf(this.spec),
      onProduced: (event) => {
        this.producedEvents++;
        trace.record(event.producedAtUs, 'agent.produced', { eid: event.eid, type: event.type, run: event.runId, thread: event.request.threadId });
        truth.producedEvent(event);
      },
    });
    const env = createServerEnv({
      clock,
      rng: serverRng,
      // The tap sees every frame the server writes (the wire), before the plug-in gets the socket.
      listen: (onConnection) =>
        side.listen((socket, handshake) => {
          const user = this.tokens.verify(handshake) ?? '?';
          onConnection(tapWrites(socket, this.wireTap(user)), handshake);
        }),
      tokens: this.tokens,
      users: this.users,
      settings: this.spec.server ?? {},
      backend: this.backend,
      log: this.serverLog(clock),
      pluginName: plugin.name,
    });
    this.server = startPlugin(plugin, env);
    return this.server;
  }

  /**
   * What the tap does with a frame the server wrote to a socket of `user`: note which produced
   * event went onto the wire. threadline frames name it (`eid`: found without parsing, on the
   * hot path); other protocols are decoded and identified as deliveries are.
   */
  private wireTap(user: string): (data: string) => void {
    const truth = this.recorder;
    if (this.codec === threadlineCodec) {
      return (data) => {
        const eid = peekEventId(data);
        if (eid !== null) truth.wireWrite(user, eid);
      };
    }
    const scope = `s${++this.tappedSockets}`;
    return (data) => {
      const fact = this.codec.decode(data);
      if (fact !== null && fact.kind === 'event') truth.wireEvent(user, scope, fact, this.clock.now());
    };
  }

  private serverLog(clock: Clock): ServerLog {
    const { trace, recorder: truth } = this;
    const line = (level: 'info' | 'warn' | 'error', message: string): void => {
      // The kind predates plug-ins ("router.log"); kept so recorded traces still hash the same.
      trace.record(clock.now(), 'router.log', { level, message });
    };
    return {
      info: (message) => line('info', message),
      warn: (message) => {
        const template = message.replace(/ [^ ]+$/, ' <id>');
        this.warnings.set(template, (this.warnings.get(template) ?? 0) + 1);
        line('warn', message);
      },
      error: (message) => line('error', message),
      fact: (kind: string, fields: TraceFields) => {
        trace.record(clock.now(), kind, fields);
        truth.routerFact(clock.now(), kind, fields);
      },
    };
  }

  // ---- The client side --------------------------------------------------------------------------

  /** Create every tab; `connect` opens a client socket on the transport. */
  addTabs(connect: (tab: TabClient, url: string, headers: Record<string, string>) => ClientSocketLike): void {
    const client = this.spec.client;
    for (const t of this.tabSpecs) {
      this.recorder.addTab(t.id, t.user);
      const tab = new TabClient({
        id: t.id,
        user: t.user,
        token: this.tokens.issue(t.user),
        clock: this.clock,
        observer: this.recorder,
        codec: this.codec,
        connect,
        reconnectAfterMs: t.reconnectAfterMs !== undefined ? t.reconnectAfterMs : client?.reconnectAfterMs === undefined ? DEFAULT_RECONNECT_AFTER_MS : client.reconnectAfterMs,
        heartbeatMs: client?.heartbeatMs ?? 0,
      });
      this.tabs.set(t.id, tab);
    }
  }

  /** Schedule the scenario's server pauses and partitions on the transport. */
  scheduleFaults(ops: TransportFaults, naming: { transport?: string; partitionVia?: string } = {}): void {
    const via = naming.partitionVia !== undefined ? ` (${naming.partitionVia})` : '';
    const on = naming.transport !== undefined ? ` on ${naming.transport}` : '';
    for (const f of this.spec.faults ?? []) {
      const startUs = Math.round(f.at * 1_000);
      const endUs = startUs + Math.round(f.durationMs * 1_000);
      if (f.kind === 'pause') {
        if (ops.cannotPause !== undefined) {
          const what = `server pause of ${f.durationMs} ms at ${f.at} ms`;
          this.unsupported.push(`${what}: ${ops.cannotPause}`);
          this.faults.push({ kind: 'unsupported', startUs, endUs, label: `${what} — not supported${on}` });
          continue;
        }
        this.faults.push({ kind: 'pause', startUs, endUs, label: `server paused ${f.durationMs} ms` });
        this.clock.setTimer(startUs, () => ops.pause(f.durationMs), 'fault:pause');
      } else if (ops.cannotPartition !== undefined) {
        const what = `partition (${f.then}) of ${f.tabs ? f.tabs.join(', ') : 'all'} at ${f.at} ms`;
        this.unsupported.push(`${what}: ${ops.cannotPartition}`);
        this.faults.push({ kind: 'unsupported', startUs, endUs, label: `${what} — not supported${on}` });
      } else {
        this.faults.push({ kind: 'partition', startUs, endUs, label: `partition (${f.then}) ${f.tabs ? f.tabs.join(', ') : 'all'}${via}` });
        this.clock.setTimer(startUs, () => ops.partition(f.tabs ?? 'all', { durationMs: f.durationMs, then: f.then }), 'fault:partition');
      }
    }
  }

  /** Start every tab's script at t = 0; the scripts' fault actions go to `faults`. */
  startScripts(faults: TabFaults, options: ScriptOptions = {}): void {
    this.scriptsRunning = this.tabSpecs.length;
    for (const t of this.tabSpecs) {
      const tab = this.tabs.get(t.id)!;
      this.clock.setTimer(0, () =>
        runTabScript(t.actions, tab, this.clock, faults, options).then(
          () => {
            this.scriptsRunning--;
            this.tabFinished(t.id);
          },
          (error: unknown) => {
            this.scriptsRunning--;
            this.tabFinished(t.id);
            this.scriptFailure ??= new Error(`script of tab ${t.id} failed: ${error instanceof Error ? error.message : String(error)}`);
          },
        ), `tab:${t.id}:script`);
    }
  }

  private tabFinished(id: string): void {
    this.tabs.get(id)?.scriptEnded();
    if (!(this.recorder instanceof GroundTruth)) this.recorder.tabFinished(id);
  }

  /** A fault a tab's script did (drop, slow, half-open), for the report's fault windows. */
  recordFault(kind: string, tab: string): void {
    const atUs = this.clock.now();
    this.faults.push({ kind, startUs: atUs, endUs: atUs, label: `${kind} ${tab}` });
  }

  get failure(): Error | null {
    return this.scriptFailure;
  }

  /** Every tab's script has finished. */
  get scriptsDone(): boolean {
    return this.scriptsRunning === 0;
  }

  /** Every script has finished, every agent run completed, and the server reports itself idle. */
  get done(): boolean {
    return this.scriptsRunning === 0 && (this.backend?.activeRuns ?? 0) === 0 && (this.server?.idle?.() ?? true);
  }

  /** The oracle's judgement of the finished run, and its RunResult (the server hosted here). */
  judge(run: { simulatedUs: number; wallMs: number; timeline?: 'always' | 'failing' | 'never'; maxTimelineItems?: number; inferredTruth?: boolean }): { result: RunResult; judgement: Judgement } {
    if (this.plugin === null) throw new Error('World.judge: no server was hosted (hostServer first)');
    return resultOfRun({
      spec: this.spec,
      plugin: this.plugin,
      seed: this.seed,
      truth: this.recorder,
      trace: this.trace,
      server: this.server,
      warnings: this.warnings,
      faults: this.faults,
      codec: this.codec,
      ...run,
    });
  }

  /** End of the active phase: stop the tabs' heartbeats so the run can go idle. */
  quiesce(): void {
    for (const tab of this.tabs.values()) tab.quiesce();
    this.server?.quiesce?.();
  }
}

/** Observe every frame the server writes (the wire, for honest monitoring); nothing else changes. */
export function tapWrites(socket: SocketLike, onWrite: (data: string) => void): SocketLike {
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
    ...(socket.ping ? { ping: (data?: string) => socket.ping!(data) } : {}),
    on: ((event: 'message', listener: (data: unknown) => void) => socket.on(event, listener)) as SocketLike['on'],
  };
}
