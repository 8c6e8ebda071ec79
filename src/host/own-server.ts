/**
 * A team's own, unmodified server file as the system under test. Each run loads the file
 * afresh (a new module instance, so no state leaks between seeds) with the run's virtual
 * globals installed and the simulated 'ws' (and '#agent-backend') mapped in by the module hook
 * of bin/resolve-self.mjs, which sees the run's tag on the file's URL. The file may start its
 * server on import, or export a start function (named `start`, or the default export) that
 * threadline calls once the run's server environment exists.
 *
 * The run is over when the scenario is (scripts done, agent runs complete) and the server's code
 * has no work in progress: no one-shot timer due within WORK_HORIZON_US (a store round trip still
 * pending when the last message came in). Then every timer of the server's code is cancelled (as
 * process exit would), so a heartbeat interval does not keep the run going. A server that keeps
 * scheduling short timeouts (a polling loop) is stopped after MAX_BUSY_CHECKS such checks.
 */
import { pathToFileURL } from 'node:url';
import type { ServerInstance, ServerPlugin } from '../ports/server.ts';
import { createRandom } from '../sim/rng.ts';
import { OwnServerContext, setActiveContext } from './context.ts';
import { EscapeError, installVirtualGlobals, type Installed } from './globals.ts';
import { installRequireHook } from './require-hook.ts';
import type { HandshakeInfo, SocketLike } from '../ports/socket.ts';

// ws.ts is loaded dynamically (see instantiate); its upgrade helper is reached through it.
let upgradeOf: (socket: SocketLike, handshake: HandshakeInfo) => unknown[] = () => {
  throw new Error('impossible: an upgrade before src/host/ws.ts was loaded');
};

/** A one-shot timer due sooner than this after the scenario ended is work in progress. */
const WORK_HORIZON_US = 1_000_000;
/** How many times (one a second of virtual time) a finished scenario waits for that work. */
const MAX_BUSY_CHECKS = 60;

/** The query parameter that marks a module URL as part of run N's fresh module graph. */
export const RUN_TAG = 'threadline-run';

export interface OwnServerSource {
  readonly kind: 'threadline-own-server';
  readonly name: string;
  readonly file: string;
  readonly codec: string;
  /** Load the file for one run (seed): a plug-in for this run only, and its release. */
  instantiate(seed: number): Promise<OwnServerRun>;
}

/** One run's load of the file. */
export interface OwnServerRun {
  readonly plugin: ServerPlugin;
  /** The first error the server's own code threw (a timer, a listener, the start function). */
  failure(): { error: unknown; where: string } | null;
  /** Cancel its timers and remove the virtual globals (always, after the run). */
  release(): void;
}

export function isOwnServerSource(x: unknown): x is OwnServerSource {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'threadline-own-server';
}

let runCounter = 0;

export function ownServer(file: string, options: { name: string; codec?: string }): OwnServerSource {
  const name = options.name;
  const codec = options.codec ?? 'threadline';
  return {
    kind: 'threadline-own-server',
    name,
    file,
    codec,
    async instantiate(seed) {
      // Loaded before the server, so their CommonJS bridges (require('ws'), require('#agent-backend'))
      // find them; dynamically, so the package's type declarations do not reach Node's types.
      upgradeOf = (await import('./ws.ts')).upgradeOf;
      await import('./agent-backend.ts');
      const context = new OwnServerContext(file, createRandom(seed).fork('own-server/random'));
      // Globals first (it throws if another run's are installed), then this run's context.
      let globals: Installed | null = installVirtualGlobals(
        () => context.clock,
        context.timers,
        context.rng,
        () => context.serverEnv?.log ?? null,
        (escape) => context.fail(escape, escape.what),
        (server) => context.simulatedListen(server, upgradeOf),
        (error, where) => context.fail(error, where),
      );
      setActiveContext(context);
      const uninstallRequire = installRequireHook();
      const release = (): void => {
        context.timers.cancelAll();
        uninstallRequire();
        globals?.uninstall();
        globals = null;
        setActiveContext(null);
        // Node keeps every module instance for good, and the server's top-level state (its maps
        // of sockets) with it: cut the sockets and the environment loose, so a finished run's
        // world can be collected.
        context.detach();
      };
      let start: (() => unknown) | null = null;
      try {
        const url = `${pathToFileURL(file).href}?${RUN_TAG}=${++runCounter}`;
        const mod = (await import(url)) as Record<string, unknown>;
        const candidate = mod['start'] ?? mod['default'];
        start = typeof candidate === 'function' ? (candidate as () => unknown) : null;
      } catch (error) {
        release();
        if (error instanceof EscapeError) throw new Error(`${file}: while loading: ${error.message}`, { cause: error });
        throw new Error(`${file}: the server threw while loading: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, { cause: error });
      }
      const plugin: ServerPlugin = {
        kind: 'threadline-server',
        name,
        codec,
        resumeWindowMs: 0,
        create(env): ServerInstance {
          context.attach(env);
          let busyChecks = 0;
          if (start) {
            try {
              const result = start();
              if (result instanceof Promise) result.catch((error: unknown) => context.fail(error, 'the exported start function'));
            } catch (error) {
              context.fail(error, 'the exported start function');
            }
          }
          return {
            shutdown() {
              context.timers.cancelAll();
            },
            // Asked only once the scenario's scripts and agent runs are done (World.done).
            idle() {
              if (!context.timers.hasWorkDueBefore(env.clock.now() + WORK_HORIZON_US)) return true;
              if (++busyChecks < MAX_BUSY_CHECKS) return false;
              env.log.warn(`${MAX_BUSY_CHECKS} s after the scenario ended the server still had timeouts due; they were cancelled`);
              return true;
            },
            quiesce() {
              context.timers.cancelAll();
            },
          };
        },
      };
      return { plugin, release, failure: () => context.failure };
    },
  };
}
