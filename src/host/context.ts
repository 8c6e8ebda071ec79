/**
 * The own-server run in progress: what the simulated `ws`, the virtual timers and the mapped
 * agent backend of a team's unmodified server reach for. There is at most one per thread (the
 * globals are process-wide), and outside a run there is none: code that uses the simulated
 * `ws` then gets an error that says so, instead of a socket that silently goes nowhere.
 */
import type { Clock } from '../ports/clock.ts';
import type { Random } from '../ports/random.ts';
import { refuseUpgrade, type HandshakeInfo, type SocketLike } from '../ports/socket.ts';
import type { ServerEnv } from '../ports/server.ts';
import { VirtualTimers } from './virtual-timers.ts';

export class OwnServerContext {
  readonly timers = new VirtualTimers();
  private env: ServerEnv | null = null;
  private readonly listeners: Array<(socket: SocketLike, handshake: HandshakeInfo) => void> = [];
  /**
   * HTTP servers a simulated WebSocketServer was given as `{ server }`: their `listen()` is part
   * of the simulation (it listens on nothing and says 'listening'), not an escape.
   */
  readonly simulatedHttpServers = new WeakSet<object>();
  /** WebSocketServers made with { noServer }: an HTTP server's listen() is then the run's entry. */
  noServerCount = 0;
  /** HTTP servers listening in this run with { noServer } WebSocketServers: their 'upgrade' gets the connections. */
  readonly upgradeServers: Array<{ emit(event: string, ...args: unknown[]): boolean; listenerCount(event: string): number }> = [];
  /** The first error the server's own code threw from a timer or a socket callback. */
  failure: { error: unknown; where: string } | null = null;

  constructor(
    readonly file: string,
    readonly rng: Random,
  ) {
    this.timers.onError = (error, where) => this.fail(error, where);
  }

  /** The run's server environment arrived: arm the waiting timers, open the waiting listeners. */
  attach(env: ServerEnv): void {
    this.env = env;
    this.timers.attach(env.clock);
    for (const l of this.listeners.splice(0)) env.listen(l);
  }

  get clock(): Clock | null {
    return this.env?.clock ?? null;
  }

  get serverEnv(): ServerEnv | null {
    return this.env;
  }

  /** A WebSocketServer's connection handler (now, or once the environment is attached). */
  listen(onConnection: (socket: SocketLike, handshake: HandshakeInfo) => void): void {
    if (this.env) this.env.listen(onConnection);
    else this.listeners.push(onConnection);
  }

  /**
   * An HTTP server's listen() in this run: simulated (true) when a WebSocketServer was given it
   * as { server }, or when { noServer } WebSocketServers exist — then it is the run's entry and
   * each connection arrives as its 'upgrade' event (handleUpgrade takes it from there).
   */
  simulatedListen(server: object, upgradeOf: (socket: SocketLike, handshake: HandshakeInfo) => unknown[]): boolean {
    if (this.simulatedHttpServers.has(server)) return true;
    if (this.noServerCount === 0) return false;
    const target = server as OwnServerContext['upgradeServers'][number];
    if (this.upgradeServers.length === 0) {
      this.listen((socket, handshake) => {
        const to = this.upgradeServers.find((s) => s.listenerCount('upgrade') > 0);
        // Nobody takes upgrades: Node destroys the socket, the client never opens.
        if (!to) return refuseUpgrade(socket, handshake.defer?.(), 400);
        try {
          to.emit('upgrade', ...upgradeOf(socket, handshake));
        } catch (error) {
          this.fail(error, "the HTTP server's 'upgrade' listener");
        }
      });
    }
    this.upgradeServers.push(target);
    return true;
  }

  fail(error: unknown, where: string): void {
    this.failure ??= { error, where };
  }

  /** Sockets handed to the server's code, cut loose when the run is over (detach). */
  readonly sockets = new Set<{ detach(): void }>();

  /** The run is over: the server's code keeps nothing of it (its sockets go dead, the environment goes). */
  detach(): void {
    for (const s of this.sockets) s.detach();
    this.sockets.clear();
    this.env = null;
    this.listeners.length = 0;
    this.upgradeServers.length = 0;
    this.timers.detach();
  }
}

let active: OwnServerContext | null = null;

export function setActiveContext(context: OwnServerContext | null): void {
  active = context;
}

export function activeContextOrNull(): OwnServerContext | null {
  return active;
}

/** The run in progress; `what` names the call for the error when there is none. */
export function activeContext(what: string): OwnServerContext {
  if (!active) {
    throw new Error(
      `${what}: this is threadline's simulated ws, and no threadline run is active. It stands in for the 'ws' package only inside ` +
        '`threadline run --server <your-server.js>`; started any other way, import the real ws.',
    );
  }
  return active;
}
