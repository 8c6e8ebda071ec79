/**
 * The simulated network: WebSocket connections between simulated clients and one server,
 * in virtual time, with deterministic faults.
 *
 * Modules:
 *   link-profile.ts   timing profile of a link (+ defaults, validation)
 *   pipe.ts           one direction: serialisation, latency, FIFO, held frames, losses
 *   link.ts           one connection: handshake, close handshake, aborts, fault hooks
 *   sim-socket.ts     the ws-shaped endpoints (SimClientSocket, SimServerSocket)
 *   server-runtime.ts server pauses and the server's Clock
 *
 * Determinism: link ids are `L1`, `L2`, ... in creation order. Each link draws from streams
 * forked by name from `options.rng` (`link/<id>/toServer`, `link/<id>/toClient`,
 * `link/<id>/control`), so traffic on one link never changes another link's draws. Nothing
 * here reads real time or real randomness.
 *
 * Trace kinds (fields in this order):
 *   net.connect {link,label,url}         net.open {link}
 *   net.send {link,dir,bytes,frame}      net.deliver {link,dir,frame}
 *   net.lost {link,dir,frame,reason}     net.reject {link,dir,readyState}  (send while not OPEN)
 *   net.closing {link,side,code,reason}  (close() called)
 *   net.close {link,side,code,reason}    (that side's 'close' event)
 *   net.abort {link,side,cause}          (terminate() or close timeout)
 *   net.connect-failed {link,reason[,status]}  (handshake aborted or refused; status: a deferred refusal's HTTP status)
 *   net.upgrade-held {link}              net.upgraded {link}  (a server that decides the upgrade later: HandshakeInfo.defer)
 *   net.fault {fault,links,...}          (drop, half-open, partition, partition-end, pause, pause-end, bandwidth)
 */
import type { Clock } from '../ports/clock.ts';
import { LinkCore, type ConnectionHandler, type LinkContext, type SimLink } from './link.ts';
import { checkBandwidth, DEFAULT_LINK_PROFILE, resolveLinkProfile, type LinkProfile } from './link-profile.ts';
import type { Scheduler } from './scheduler.ts';
import { ServerRuntime } from './server-runtime.ts';
import type { SimClientSocket } from './sim-socket.ts';
import type { Trace, TraceFields } from './trace.ts';
import { createRandom, type Random } from './rng.ts';

/** The random stream a run's simulated network draws from (SimNetwork's `rng`). */
export function networkRandom(seed: number): Random {
  return createRandom(seed).fork('network');
}

/**
 * The stream of the n-th link (L<n>) of a network drawing from `network`: its latency, jitter,
 * close and handshake draws. A ws run's chaos proxy draws each connection's delays from the same
 * stream, so both transports roll the same dice.
 */
export function linkRandom(network: Random, n: number): Random {
  return network.fork(`link/L${n}`);
}

export { DEFAULT_LINK_PROFILE, type LinkProfile } from './link-profile.ts';
export { LinkError, type ConnectionHandler, type LinkState, type SimLink } from './link.ts';
export type { Direction, LossReason, SendCallback, Side } from './pipe.ts';
export { SimClientSocket, SimServerSocket, type ClientSocketEvents, type ServerSocketEvents } from './sim-socket.ts';

export interface SimNetworkOptions {
  scheduler: Scheduler;
  /** Parent stream; links fork `link/<id>/...` from it. */
  rng: Random;
  trace?: Trace;
  /** Overrides of DEFAULT_LINK_PROFILE for every link. */
  defaults?: Partial<LinkProfile>;
}

export interface ConnectOptions {
  /** Request path with query string, passed to the server as `HandshakeInfo.url`. */
  url: string;
  headers?: Record<string, string>;
  /** Overrides of the network defaults for this link. */
  profile?: Partial<LinkProfile>;
  /** A name for reports; defaults to the link id. */
  label?: string;
}

export interface PartitionOptions {
  durationMs: number;
  /** 'release': held frames are delivered in order, then normal latency. 'kill': the links are dropped. */
  then: 'release' | 'kill';
}

interface ActivePartition {
  readonly members: LinkCore[];
  readonly then: 'release' | 'kill';
}

export class SimNetwork implements LinkContext {
  readonly scheduler: Scheduler;
  readonly trace: Trace | undefined;
  readonly serverRuntime: ServerRuntime;
  connectionHandler: ConnectionHandler | null = null;
  private readonly rng: Random;
  private readonly defaults: Readonly<LinkProfile>;
  private readonly all: LinkCore[] = [];
  private readonly byId = new Map<string, LinkCore>();
  /** Active partitions of scope 'all': links created while they last join them. */
  private readonly networkWidePartitions = new Set<ActivePartition>();

  constructor(options: SimNetworkOptions) {
    this.scheduler = options.scheduler;
    this.rng = options.rng;
    this.trace = options.trace;
    this.defaults = resolveLinkProfile(DEFAULT_LINK_PROFILE, options.defaults);
    this.serverRuntime = new ServerRuntime(options.scheduler, options.trace);
  }

  /**
   * The server's clock: like the scheduler, except that during a server pause no server timer
   * fires (they run when the pause ends, in the order they were due). Give it to the router.
   */
  get serverClock(): Clock {
    return this.serverRuntime.clock;
  }

  /** Register the server's accept handler (one server per network). Without one, handshakes are refused. */
  listen(onConnection: ConnectionHandler): void {
    if (this.connectionHandler !== null) throw new Error('SimNetwork.listen: a server is already listening (one server per network)');
    this.connectionHandler = onConnection;
  }

  /** Open a client connection; the returned socket is CONNECTING until the handshake completes. */
  connect(options: ConnectOptions): SimClientSocket {
    const n = this.all.length + 1;
    const id = `L${n}`;
    const label = options.label ?? id;
    const profile = resolveLinkProfile(this.defaults, options.profile);
    const link = new LinkCore(this, id, label, options.url, { ...options.headers }, profile, linkRandom(this.rng, n));
    this.all.push(link);
    this.byId.set(id, link);
    this.record('net.connect', { link: id, label, url: options.url });
    for (const partition of this.networkWidePartitions) {
      partition.members.push(link);
      link.enterPartition();
    }
    link.startHandshake();
    return link.client;
  }

  // ---- Faults ----------------------------------------------------------------------------------

  /** Abrupt loss (1006): frames in flight are lost; the client sees 'close' at once, the server after closeDelay. */
  drop(linkId: string): void {
    const link = this.linkCore(linkId);
    this.record('net.fault', { fault: 'drop', links: [linkId] });
    link.kill('drop', 'client');
  }

  /**
   * The link silently stops carrying traffic in both directions, for good. Frames in flight
   * and frames sent later are lost ('half-open'); sends still succeed locally and no side
   * sees a close unless it closes itself (a close then ends by close timeout, 1006).
   */
  halfOpen(linkId: string): void {
    const link = this.linkCore(linkId);
    this.record('net.fault', { fault: 'half-open', links: [linkId] });
    link.makeHalfOpen();
  }

  /**
   * Cut links for `durationMs`. Frames that reach the wire during the cut are held (frames
   * already on the wire still arrive), and so are handshakes that complete during it. At the
   * end, 'release' puts the held frames on the wire in order with fresh latency; 'kill' drops
   * the links (1006, held frames lost as 'partition-kill').
   *
   * 'all' is the whole network: every link not yet closed when the partition starts, *and*
   * every link created while it lasts (their handshakes wait for the end, or fail with 'kill').
   * A client reconnecting during an outage should not get through.
   */
  partition(linkIds: readonly string[] | 'all', options: PartitionOptions): void {
    const durationUs = durationMsToUs(options.durationMs, 'partition: durationMs');
    if (options.then !== 'release' && options.then !== 'kill') throw new Error(`partition: "then" must be 'release' or 'kill', got ${String(options.then)}`);
    const scope = linkIds === 'all' ? 'all' : 'listed';
    const candidates = linkIds === 'all' ? this.all : [...new Set(linkIds)].map((id) => this.linkCore(id));
    const members = candidates.filter((link) => link.state !== 'closed');
    const partition: ActivePartition = { members, then: options.then };
    for (const link of members) link.enterPartition();
    if (scope === 'all') this.networkWidePartitions.add(partition);
    this.record('net.fault', { fault: 'partition', links: members.map((l) => l.id), durationUs, then: options.then, scope });
    this.scheduler.setTimer(durationUs, () => this.endPartition(partition), 'net/partition-end');
  }

  private endPartition(partition: ActivePartition): void {
    this.networkWidePartitions.delete(partition);
    this.record('net.fault', { fault: 'partition-end', links: partition.members.map((l) => l.id), then: partition.then });
    for (const link of partition.members) {
      if (partition.then === 'release') link.leavePartition();
      else link.killByPartition();
    }
  }

  /**
   * Nothing runs on the server for `durationMs`: inbound frames, close events, send callbacks,
   * accepts and serverClock timers wait and then run in the order they became due. Frames the
   * server sent before the pause still travel. Pausing while paused extends to the later end.
   */
  pauseServer(durationMs: number): void {
    const durationUs = durationMsToUs(durationMs, 'pauseServer: durationMs');
    this.record('net.fault', { fault: 'pause', links: [], durationUs });
    this.serverRuntime.pause(durationUs);
  }

  /**
   * Change the serialisation rate of one or both directions (slow consumer / slow link).
   * Applies to frames sent from now on; frames already queued keep their transmit times.
   */
  setBandwidth(linkId: string, direction: 'toClient' | 'toServer' | 'both', bytesPerS: number): void {
    const link = this.linkCore(linkId);
    checkBandwidth(bytesPerS, 'setBandwidth: bytesPerS');
    if (direction !== 'toClient' && direction !== 'toServer' && direction !== 'both') throw new Error(`setBandwidth: bad direction ${String(direction)}`);
    this.record('net.fault', { fault: 'bandwidth', links: [linkId], dir: direction, bytesPerS: Number.isFinite(bytesPerS) ? bytesPerS : 'Infinity' });
    if (direction !== 'toClient') link.toServer.setBytesPerS(bytesPerS);
    if (direction !== 'toServer') link.toClient.setBytesPerS(bytesPerS);
  }

  // ---- Introspection -------------------------------------------------------------------------

  /** All links ever created, in creation order. */
  links(): readonly SimLink[] {
    return this.all.slice();
  }

  /** The link with this id; throws for an unknown id (a typo in a scenario should be loud). */
  link(linkId: string): SimLink {
    return this.linkCore(linkId);
  }

  private linkCore(linkId: string): LinkCore {
    const link = this.byId.get(linkId);
    if (link === undefined) throw new Error(`SimNetwork: no link "${linkId}" (links are L1..L${this.all.length})`);
    return link;
  }

  private record(kind: string, fields: TraceFields): void {
    if (this.trace !== undefined) this.trace.record(this.scheduler.now(), kind, fields);
  }
}

function durationMsToUs(durationMs: number, what: string): number {
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    throw new Error(`${what} must be a finite number >= 0, got ${String(durationMs)}`);
  }
  return Math.round(durationMs * 1_000);
}
