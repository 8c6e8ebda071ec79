/**
 * The seam between the harness and a system under test: a server plug-in.
 *
 *     export default defineServer((env) => {
 *       env.listen((socket, handshake) => { ... });
 *       return { shutdown() { ... } };
 *     });
 *
 * The harness builds `env` for every run, on whatever transport carries it (the simulated
 * network, or real `ws` sockets on loopback), and the plug-in reaches the world only through it:
 *  - `clock`: the only time it may read or wait on (virtual in the simulation);
 *  - `rng`: the only randomness it may draw (seeded per run);
 *  - `listen`: upgraded WebSocket connections, with the handshake's URL and headers;
 *  - `authenticate`: the user a handshake's token names (the harness issued the tokens);
 *  - `users`: the seed data of the server's store, which user owns which threads;
 *  - `backend`: the agent backend. It starts runs and streams their events; the harness records
 *    every event it produces, and that record is the ground truth the oracle judges against;
 *  - `log`: log lines (counted by template) and, optionally, facts that only explain a verdict.
 *
 * Like turmoil's `Sim::host`, the harness knows nothing of what runs behind the seam: the
 * built-in router (src/sut/router) is one plug-in among others and has no other path in.
 */
import type { Clock } from './clock.ts';
import type { Codec } from './codec.ts';
import type { Distribution } from './distribution.ts';
import type { TraceFields } from './fields.ts';
import type { Random } from './random.ts';
import type { HandshakeInfo, SocketLike } from './socket.ts';

import type { AgentEventType } from './agent-events.ts';
export { AGENT_EVENT_TYPES, type AgentEventType } from './agent-events.ts';

/** What a server asks the backend to run: an agent answering one user message on a thread. */
export interface RunRequest {
  /** The user the server attributes the run to (the truth of who sent it is the harness's). */
  userId: string;
  threadId: string;
  /** The client's id of the message that started the run. */
  messageId: string;
}

/** One event an agent run produced, as the backend hands it to the server. */
export interface BackendEvent {
  readonly type: AgentEventType;
  readonly runId: string;
  /** Position in its run: 0 for agent_started. */
  readonly index: number;
  /** The harness's id of this event ("<runId>#<index>"): ground-truth identity, for protocols that carry it. */
  readonly eid: string;
  /** When the backend produced it, µs on the run's clock. */
  readonly producedAtUs: number;
}

export interface BackendRun {
  readonly runId: string;
  /** Resolves once agent_completed was produced. */
  readonly done: Promise<void>;
}

/** The agent backend: the harness's side, and the producer of ground truth. */
export interface BackendPort {
  /**
   * Start a run. `onEvent` gets each event as it is produced, in order, from a clock callback
   * (never synchronously inside `startRun`). The run id is known at once.
   */
  startRun(request: RunRequest, onEvent: (event: BackendEvent) => void): BackendRun;
  /** Runs started and not yet completed. */
  readonly activeRuns: number;
}

export interface ServerLog {
  info(message: string, fields?: TraceFields): void;
  /** Warnings are counted by template (the last word replaced by `<id>`): "No connections found for thread <id>". */
  warn(message: string, fields?: TraceFields): void;
  error(message: string, fields?: TraceFields): void;
  /**
   * A fact about the server's own decisions (a binding, a routing decision), kept in the trace
   * and used only to explain a violation in words, never to decide one. Optional to call.
   */
  fact(kind: string, fields: TraceFields): void;
}

/** Frames per second per connection a server takes before limiting (the router's, and the ws host's read pausing). */
export const DEFAULT_RATE_LIMIT_PER_S = 200;

/** Settings a scenario gives the environment of the server (`scenario.server`), to use or ignore. */
export interface ServerSettings {
  /** Latency of the server's store (ownership look-ups), ms. */
  lookupMs?: Distribution;
  /** Frames per second per connection before rate limiting. */
  rateLimitPerS?: number;
  /** Start-up wiring happens this long after the server started, ms (F18). */
  injectionDelayMs?: number;
}

export interface ServerEnv {
  readonly clock: Clock;
  readonly rng: Random;
  listen(onConnection: (socket: SocketLike, handshake: HandshakeInfo) => void): void;
  /** The user the handshake's token names, or null (refuse the connection). */
  authenticate(handshake: HandshakeInfo): string | null;
  readonly users: ReadonlyArray<{ readonly id: string; readonly threads: readonly string[] }>;
  readonly backend: BackendPort;
  readonly log: ServerLog;
  readonly settings: ServerSettings;
}

/**
 * What a server reports about itself, held against the wire by the honest-monitoring check.
 * Every field is optional: a server that reports nothing is not judged on it.
 */
export interface ReportedMonitoring {
  /** Events reported delivered (reached at least one connection of their user). */
  delivered?: number;
  /** First routing attempts that found no bound connection ("No connections found"). */
  routingMisses?: number;
  /** Events written to no connection at all, in the end. */
  unreached?: number;
}

/** A histogram as data (src/stats/histogram.ts): log-linear buckets as [lower bound, count]. */
export interface HistogramJSON {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: Array<[number, number]>;
}

/** A server's monitoring as data: counters, drops by reason, histograms and bounded series. */
export interface MonitoringSnapshot {
  counters: Record<string, number>;
  dropsByReason: Record<string, number>;
  histograms: Record<string, HistogramJSON>;
  /** Bounded time series, [tUs, value] oldest first (absent in older results files). */
  series?: {
    /** Total pending-queue depth after each change (enqueue, flush, expiry). */
    queueDepth: Array<[number, number]>;
    /** Time each flushed item waited in the queue, stamped at the flush. */
    queueWaitUs: Array<[number, number]>;
    /** Records behind each series: more than its points once it was downsampled. */
    recorded: { queueDepth: number; queueWaitUs: number };
  };
}

export interface ServerMetrics {
  reported?: ReportedMonitoring;
  /** Copied into the run's results as `monitoring`. */
  snapshot?: MonitoringSnapshot;
}

export interface ShutdownOptions {
  /** Drain first: refuse new work, let accepted work finish (default false: close at once). */
  graceful?: boolean;
  /** How long a graceful drain may take, ms on the server's clock. */
  drainTimeoutMs?: number;
}

/** What a plug-in gives back: only what the harness needs, nothing internal. */
export interface ServerInstance {
  /** Stop: close every connection (1001); graceful: refuse new work and let accepted work finish first. */
  shutdown(options?: ShutdownOptions): void | Promise<void>;
  /** True when the server has no work of its own in progress (the harness also waits for the backend's runs). */
  idle?(): boolean;
  /** Self-reported figures, for the honest-monitoring check and the report. */
  metrics?(): ServerMetrics;
  /**
   * The scenario is over (scripts done, agent runs complete): stop background work (heartbeat
   * intervals, sweeps) so the run can drain. A server without any leaves it out.
   */
  quiesce?(): void;
}

export type ServerFactory = (env: ServerEnv) => ServerInstance;

/** A server plug-in: a named factory, and the codec (wire protocol) its clients speak. */
export interface ServerPlugin {
  readonly kind: 'threadline-server';
  readonly name: string;
  /** The codec its clients speak: a built-in one by name ("threadline", "envelope") or a Codec. */
  readonly codec: string | Codec;
  /**
   * How long after a drop the server still owes a reconnecting tab what it missed (resume), ms.
   * 0 (the default): nothing is owed across a reconnect, only on the connection that was open.
   */
  readonly resumeWindowMs: number;
  readonly create: ServerFactory;
}

export interface DefineServerOptions {
  name?: string;
  /** Default "threadline". */
  codec?: string | Codec;
  resumeWindowMs?: number;
}

/** Declare a server plug-in (the public API's `defineServer`). */
export function defineServer(create: ServerFactory, options: DefineServerOptions = {}): ServerPlugin {
  if (typeof create !== 'function') throw new TypeError('defineServer: expected a function (env) => server, got ' + typeof create);
  const resumeWindowMs = options.resumeWindowMs ?? 0;
  if (!(Number.isFinite(resumeWindowMs) && resumeWindowMs >= 0)) throw new RangeError(`defineServer: resumeWindowMs must be a number of ms >= 0, got ${String(options.resumeWindowMs)}`);
  return { kind: 'threadline-server', name: options.name ?? (create.name || 'server'), codec: options.codec ?? 'threadline', resumeWindowMs, create };
}

export function isServerPlugin(value: unknown): value is ServerPlugin {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'threadline-server' && typeof (value as { create?: unknown }).create === 'function';
}
