/**
 * The built-in router as a server plug-in: `routerServer(config)` for any mode and flags.
 *
 * It reaches the harness only through `env` (src/ports/server.ts), like any team's server:
 * connections from `env.listen`, users and their threads from `env.users`, agent runs from
 * `env.backend`, time from `env.clock`, randomness from `env.rng`, log lines and router facts
 * (bindings, routing decisions: explanations only) through `env.log`.
 */
import { defineServer, type ServerInstance, type ServerPlugin, type ShutdownOptions } from '../../ports/server.ts';
import type { RouterConfig } from './flags.ts';
import { Router } from './router.ts';

export interface RouterServerOptions {
  /** Largest accepted frame, bytes (default DEFAULT_MAX_PAYLOAD_BYTES). */
  maxPayloadBytes?: number;
  /**
   * Serve's default ownership rule: a thread nobody owns yet belongs to the user its id names
   * (`<userId>-<suffix>`, see world/auth.ts's ownerByNaming). Off in judged runs: there the
   * scenario's users own exactly their threads.
   */
  ownerOf?: (threadId: string) => string | null;
}

/** The router instance behind the seam, for tests and `serve` (the harness itself never looks). */
export interface RouterInstance extends ServerInstance {
  readonly router: Router;
}

/**
 * The protocol the router's clients speak: threadline's, or the production envelope (shipped),
 * whose clients start runs with `start_agent` or `user_message` (startAgentFrames).
 */
export function codecOfFlags(config: RouterConfig): string {
  if (!config.flags.envelopeWire) return 'threadline';
  return config.flags.startAgentFrames ? 'envelope-start-agent' : 'envelope';
}

export function routerServer(config: RouterConfig, options: RouterServerOptions = {}): ServerPlugin {
  return defineServer(
    (env): RouterInstance => {
      const ownership: Record<string, readonly string[]> = {};
      for (const u of env.users) ownership[u.id] = u.threads;
      const injectionDelayMs = env.settings.injectionDelayMs ?? 0;
      const router = new Router({
        config,
        clock: env.clock,
        rng: env.rng,
        ownership,
        backend: env.backend,
        authenticate: (handshake) => env.authenticate(handshake),
        ...(env.settings.lookupMs ? { lookupMs: env.settings.lookupMs } : {}),
        ...(env.settings.rateLimitPerS ? { rateLimitPerS: env.settings.rateLimitPerS } : {}),
        ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
        ...(options.ownerOf ? { ownerOf: options.ownerOf } : {}),
        wireAtStart: injectionDelayMs === 0,
        logSink: (level, message, fields) => env.log[level](message, fields),
        onTrace: (kind, fields) => env.log.fact(kind, fields),
      });
      if (injectionDelayMs > 0) env.clock.setTimer(injectionDelayMs * 1_000, () => router.wire(), 'startup:inject-manager');
      env.listen((socket, handshake) => router.accept(socket, handshake));
      return {
        router,
        shutdown: (shutdownOptions?: ShutdownOptions) => router.shutdown(shutdownOptions),
        metrics: () => ({
          reported: {
            delivered: router.monitoring.counters.eventsReportedDelivered,
            routingMisses: router.monitoring.counters.routingMisses,
            unreached: router.monitoring.eventsUnreached(),
          },
          snapshot: router.monitoring.snapshot(),
        }),
      };
    },
    { name: config.name, codec: codecOfFlags(config), resumeWindowMs: config.flags.resumeWindowMs },
  );
}
