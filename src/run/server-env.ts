/**
 * Building a plug-in's `env` and starting the plug-in: the same for a judged run (World) and
 * for `serve` (ws-host.ts), so a plug-in cannot tell one from the other.
 */
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import type { BackendPort, ServerEnv, ServerInstance, ServerLog, ServerPlugin, ServerSettings } from '../ports/server.ts';
import type { HandshakeInfo, SocketLike } from '../ports/socket.ts';
import type { TokenIssuer } from '../world/auth.ts';

export interface ServerEnvParts {
  clock: Clock;
  rng: Random;
  /** The transport's side of `env.listen`. */
  listen: (onConnection: (socket: SocketLike, handshake: HandshakeInfo) => void) => void;
  tokens: TokenIssuer;
  users: ReadonlyArray<{ id: string; threads: readonly string[] }>;
  settings: ServerSettings;
  backend: BackendPort;
  log: ServerLog;
  /** Name of the plug-in, for errors that name it. */
  pluginName: string;
}

export function createServerEnv(parts: ServerEnvParts): ServerEnv {
  let listening = false;
  return {
    clock: parts.clock,
    rng: parts.rng,
    listen: (onConnection) => {
      if (listening) throw new Error(`server plug-in "${parts.pluginName}": env.listen was called twice; call it once with one connection handler`);
      if (typeof onConnection !== 'function') throw new TypeError(`server plug-in "${parts.pluginName}": env.listen needs a function (socket, handshake) => void`);
      listening = true;
      parts.listen((raw, handshake) => {
        // A plug-in that throws — on a new connection, or in one of its socket's listeners, also
        // asynchronously — loses that connection, never the run (or the serve process).
        const fail = (where: string, error: unknown): void => {
          parts.log.error(`server plug-in "${parts.pluginName}" threw ${where}: ${error instanceof Error ? error.message : String(error)}`);
          raw.terminate();
        };
        const socket = guardListeners(raw, fail);
        try {
          onConnection(socket, handshake);
        } catch (error) {
          fail('on a new connection', error);
        }
      });
    },
    authenticate: (handshake) => parts.tokens.verify(handshake),
    users: parts.users.map((u) => ({ id: u.id, threads: [...u.threads] })),
    backend: parts.backend,
    log: parts.log,
    settings: { ...parts.settings },
  };
}

/** The socket with every listener the plug-in attaches wrapped: a throw or a rejection goes to `fail`. */
function guardListeners(socket: SocketLike, fail: (where: string, error: unknown) => void): SocketLike {
  return {
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send: (data, callback) => socket.send(data, callback),
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
    ...(socket.ping ? { ping: (data?: string) => socket.ping!(data) } : {}),
    on: ((event: 'message', listener: (...args: unknown[]) => unknown) =>
      socket.on(event, (...args: unknown[]) => {
        try {
          const result = listener(...args);
          if (result instanceof Promise) result.catch((error: unknown) => fail(`in its '${event}' listener`, error));
        } catch (error) {
          fail(`in its '${event}' listener`, error);
        }
      })) as SocketLike['on'],
  };
}

/** Run the plug-in's factory; a throw or a malformed instance becomes an error naming the plug-in and the fix. */
export function startPlugin(plugin: ServerPlugin, env: ServerEnv): ServerInstance {
  let instance: unknown;
  try {
    instance = plugin.create(env);
  } catch (error) {
    throw new Error(`server plug-in "${plugin.name}" threw while starting: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (instance === null || typeof instance !== 'object' || typeof (instance as ServerInstance).shutdown !== 'function') {
    const got = instance === null ? 'null' : instance instanceof Promise ? 'a Promise (the factory must be synchronous: start async work inside and report it through idle())' : typeof instance;
    throw new Error(`server plug-in "${plugin.name}": the factory must return { shutdown() } (and optionally idle(), metrics()); got ${got}`);
  }
  return instance as ServerInstance;
}
