/**
 * A server plug-in on a real `ws` WebSocketServer (the listener of ws-listener.ts), with its own
 * agent backend: `hostServer(options)`, and `startServer` for the built-in router (what `serve`
 * runs; no judged run — ws-runner.ts judges runs on the same listener).
 */
import type { WebSocket } from 'ws';
import type { TraceFields } from '../ports/fields.ts';
import type { Random } from '../ports/random.ts';
import type { ServerInstance, ServerPlugin, ServerSettings } from '../ports/server.ts';
import type { ProducedEvent } from '../ports/facts.ts';
import { createRandom } from '../sim/rng.ts';
import { RealClock } from '../real/real-clock.ts';
import { ownerByNaming, signedTokens } from '../world/auth.ts';
import { AgentBackend, type AgentProfile } from '../world/backend.ts';
import type { RouterConfig } from '../sut/router/flags.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../sut/router/router.ts';
import { routerServer, type RouterInstance } from '../sut/router/plugin.ts';
import type { ServerStats } from './metrics-text.ts';
import { createServerEnv, startPlugin } from './server-env.ts';
import { DEFAULT_HEARTBEAT_MS, openWsListener, type ListenerOptions, type WsListener } from './ws-listener.ts';

export { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS };

export interface HostOptions extends Omit<ListenerOptions, 'clock' | 'rateLimitPerS'> {
  plugin: ServerPlugin;
  /** The server's clock. Default: a RealClock at time scale 1, millisecond timers (no polling), not keeping the process alive. */
  clock?: RealClock;
  /** The plug-in's random stream (`env.rng`); the backend draws from its fork "agents". */
  rng?: Random;
  /** Seed for the random streams when `rng` is not given (look-up and agent durations). */
  seed?: number;
  /** The seed data of the server's store: which user owns which threads. */
  users?: ReadonlyArray<{ id: string; threads: readonly string[] }>;
  settings?: ServerSettings;
  agentProfile?: AgentProfile;
  /** The ground truth: every event the backend produces. */
  onProduced?: (event: ProducedEvent) => void;
  /** The plug-in's facts (`env.log.fact`). */
  onFact?: (kind: string, fields: TraceFields) => void;
  /** Graceful shutdown: how long (ms) the plug-in may drain. */
  drainTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  instance: ServerInstance;
  backend: AgentBackend;
  clock: RealClock;
  stats: ServerStats;
  metrics(): string;
  close(options?: { graceful?: boolean }): Promise<void>;
  sockets(): Map<string, WebSocket>;
}

/** A plug-in on its own real ws server, with its own backend (what `serve` runs; no judged run). */
export async function hostServer(options: HostOptions): Promise<RunningServer> {
  const ownsClock = options.clock === undefined;
  const log0 = options.log ?? (() => {});
  // A plug-in's timer that throws is logged, not kept silently in the clock.
  const clock = options.clock ?? new RealClock({ ref: false, spinUs: 0, onError: (error, label) => log0({ level: 'error', msg: `timer "${label}" threw: ${error instanceof Error ? error.message : String(error)}` }) });
  const log = options.log ?? (() => {});
  const settings = options.settings ?? {};
  const rng = options.rng ?? createRandom(options.seed ?? 1).fork('router');
  const backend = new AgentBackend({
    clock,
    rng: rng.fork('agents'),
    ...(options.agentProfile ? { profile: options.agentProfile } : {}),
    ...(options.onProduced ? { onProduced: options.onProduced } : {}),
  });
  let listener: WsListener;
  try {
    listener = await openWsListener({ ...options, clock, ...(settings.rateLimitPerS !== undefined ? { rateLimitPerS: settings.rateLimitPerS } : {}) });
  } catch (error) {
    if (ownsClock) clock.dispose();
    throw error;
  }
  const onFact = options.onFact;
  const env = createServerEnv({
    clock,
    rng,
    listen: (h) => listener.listen(h),
    tokens: options.tokens,
    users: options.users ?? [],
    settings,
    backend,
    log: {
      info: (message, fields) => log({ level: 'info', msg: message, ...fields }),
      warn: (message, fields) => log({ level: 'warn', msg: message, ...fields }),
      error: (message, fields) => log({ level: 'error', msg: message, ...fields }),
      fact: (kind, fields) => onFact?.(kind, fields),
    },
    pluginName: options.plugin.name,
  });
  let instance: ServerInstance;
  try {
    instance = startPlugin(options.plugin, env);
  } catch (error) {
    await listener.close({ graceful: false });
    if (ownsClock) clock.dispose();
    throw error;
  }
  listener.attach(instance, options.plugin.name);
  return {
    url: listener.url,
    host: listener.host,
    port: listener.port,
    instance,
    backend,
    clock,
    stats: listener.stats,
    metrics: () => listener.metrics(),
    close: async (closeOptions = {}) => {
      await listener.close({ ...closeOptions, drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS });
      if (ownsClock) clock.dispose();
    },
    sockets: () => listener.sockets(),
  };
}

// ---- The built-in router on real sockets (serve) ----------------------------------------------

export interface ServerOptions extends Omit<HostOptions, 'plugin' | 'tokens' | 'users'> {
  config: RouterConfig;
  /** HMAC secret for tokens. */
  secret: string;
  /** Explicit ownership: user id → threads. */
  ownership?: Record<string, readonly string[]>;
  /** Apply the naming rule `<userId>-<suffix>` to threads not in `ownership` (default true). */
  ownershipByNaming?: boolean;
  /** Shorthands for `settings` (the thread service's look-up latency, the rate limit, F18's late wiring). */
  lookupMs?: ServerSettings['lookupMs'];
  rateLimitPerS?: number;
  injectionDelayMs?: number;
}

export interface RunningRouterServer extends RunningServer {
  router: RouterInstance['router'];
}

/** The built-in router (one plug-in, `routerServer`) on a real ws server: what `serve` runs. */
export async function startServer(options: ServerOptions): Promise<RunningRouterServer> {
  if (!options.secret) throw new Error('startServer: a secret is required (tokens are HMAC-signed with it)');
  const { config, secret, ownership, ownershipByNaming, lookupMs, rateLimitPerS, injectionDelayMs, ...host } = options;
  const settings: ServerSettings = {
    ...options.settings,
    ...(lookupMs !== undefined ? { lookupMs } : {}),
    ...(rateLimitPerS !== undefined ? { rateLimitPerS } : {}),
    ...(injectionDelayMs !== undefined ? { injectionDelayMs } : {}),
  };
  const plugin = routerServer(config, {
    ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    ...(ownershipByNaming ?? true ? { ownerOf: ownerByNaming } : {}),
  });
  const running = await hostServer({
    ...host,
    plugin,
    settings,
    tokens: signedTokens(secret),
    users: Object.entries(ownership ?? {}).map(([id, threads]) => ({ id, threads })),
  });
  return { ...running, router: (running.instance as RouterInstance).router };
}
