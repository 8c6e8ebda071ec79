/**
 * One proxied connection: the client-facing socket, the upstream socket, a lane per direction
 * (lane.ts), the handshake delay, partitions, half-open and kill.
 *
 * Handshake: the proxy opens the upstream connection `handshakeMs` (drawn per connection,
 * stream `proxy/conn/<n>/control`) after the client's upgrade request, and completes the
 * client's upgrade when the upstream is open — the simulated link's handshake latency, plus
 * the two real handshakes. A handshake whose delay ends during a partition waits for its end
 * (as simulated); a partition that ends with 'kill', a drop or a half-open gives it up (the
 * client sees 1006, or nothing at all when half-open).
 */
import { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { fixed, sampleDurationUs, type Distribution } from '../../sim/distribution.ts';
import type { Random } from '../../sim/rng.ts';
import { DIRECTIONS, isSendableCode, preview, round3, safeClose } from './frames.ts';
import { Lane, type Arrival, type LaneItem, type LaneOwner } from './lane.ts';
import { laneTiming, toDist } from './schedule.ts';
import type { ProxyDirection, ProxyRecord, ProxySchedule } from './types.ts';

export type RecordFields = Omit<ProxyRecord, 't' | 'conn' | 'n'>;

/** What a connection needs from the proxy around it. */
export interface LinkHost {
  readonly clock: Clock;
  record(link: ProxyLink, fields: RecordFields): void;
  /** A data frame of `link` started (true) or stopped (false: handed on) waiting in the proxy. */
  parked(link: ProxyLink, dir: ProxyDirection, parked: boolean): void;
  /** A data frame of `link` left the emulated sender buffer (or never entered a link that is gone). */
  transmitted(link: ProxyLink, dir: ProxyDirection): void;
}

export interface FrameTrigger {
  dir: ProxyDirection | 'any';
  count: number;
  fire: () => void;
  done: boolean;
}

export class ProxyLink implements LaneOwner {
  client: WebSocket | null = null;
  upstream: WebSocket | null = null;
  state: 'connecting' | 'open' | 'half-open' | 'closed' = 'connecting';
  partitions = 0;
  readonly frames = { toServer: 0, toClient: 0 };
  readonly lanes: Record<ProxyDirection, Lane>;
  slowCloseMs: number;
  /** Frame-count triggers (scheduled `afterFrames` faults and seeded random faults). */
  readonly triggers: FrameTrigger[] = [];
  /** Gives up a handshake that has not reached the client (set by the server: destroys the raw socket). */
  abortHandshake: (() => void) | null = null;
  private readonly closedSides = { client: false, upstream: false };
  private readonly controlRng: Random;
  private readonly handshakeMs: Distribution;
  private handshakeTimer: TimerHandle | null = null;
  /** The handshake delay ended during a partition: the connect waits for its end. */
  private heldConnect: (() => void) | null = null;

  constructor(
    private readonly host: LinkHost,
    readonly n: number,
    readonly label: string,
    rng: Random,
    schedule: ProxySchedule,
  ) {
    this.lanes = {
      toServer: new Lane(this, 'toServer', rng.fork('toServer'), laneTiming(schedule, 'toServer')),
      toClient: new Lane(this, 'toClient', rng.fork('toClient'), laneTiming(schedule, 'toClient')),
    };
    this.controlRng = rng.fork('control');
    this.handshakeMs = toDist(schedule.handshakeMs, fixed(0));
    this.slowCloseMs = schedule.slowCloseMs ?? 0;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  get fullyClosed(): boolean {
    return this.closedSides.client && this.closedSides.upstream;
  }

  // ---- Handshake -----------------------------------------------------------------------------

  /** Run `connect` (open the upstream) after the handshake delay, and not during a partition. */
  startHandshake(connect: () => void): void {
    const go = (): void => {
      this.handshakeTimer = null;
      if (this.state !== 'connecting') return;
      if (this.partitions > 0) this.heldConnect = connect;
      else connect();
    };
    const delayUs = sampleDurationUs(this.handshakeMs, this.controlRng);
    if (delayUs === 0) go();
    else this.handshakeTimer = this.clock.setTimer(delayUs, go, `proxy/${this.label}/handshake`);
  }

  /** The upstream is open and the client's upgrade completed. */
  attachClient(client: WebSocket): void {
    this.client = client;
    this.abortHandshake = null;
    if (this.state === 'connecting') this.state = 'open';
    this.lanes.toClient.kick();
  }

  /**
   * The client went away before its upgrade completed (it closed or aborted while connecting):
   * nothing reaches it any more, so the connection ends — the upstream, if already open, is
   * terminated (the server sees 1006) and queued frames are lost.
   */
  clientGone(): void {
    if (this.client !== null || this.state === 'closed') return;
    this.abortHandshake = null;
    this.host.record(this, { event: 'close', dir: 'toServer', fault: 'abrupt', detail: 'the client gave up its handshake' });
    this.kill('client-gone');
  }

  private giveUpHandshake(): void {
    if (this.handshakeTimer !== null) this.clock.cancelTimer(this.handshakeTimer);
    this.handshakeTimer = null;
    this.heldConnect = null;
    const abort = this.abortHandshake;
    this.abortHandshake = null;
    if (this.client === null) abort?.();
  }

  // ---- Frames ----------------------------------------------------------------------------------

  /** A frame or a close arrived from one side. */
  arrive(dir: ProxyDirection, item: Arrival): void {
    if (this.state === 'half-open' || this.state === 'closed') {
      if (item.kind === 'data') {
        this.host.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), fault: this.state === 'half-open' ? 'discarded' : 'lost' });
        this.host.transmitted(this, dir); // the send completes; the frame is lost on the way
      }
      return;
    }
    if (item.kind === 'data') this.host.parked(this, dir, true);
    this.lanes[dir].push(item);
    if (item.kind !== 'data') return;
    this.frames[dir]++;
    for (const t of this.triggers) {
      if (t.done) continue;
      const count = t.dir === 'any' ? this.frames.toServer + this.frames.toClient : this.frames[t.dir];
      if (count >= t.count) {
        t.done = true;
        t.fire();
      }
    }
  }

  transmitted(dir: ProxyDirection): void {
    this.host.transmitted(this, dir);
  }

  /** Hand an item to the far side (LaneOwner); false while the client side is not attached yet. */
  deliver(dir: ProxyDirection, item: LaneItem, now: number): boolean {
    const target = dir === 'toServer' ? this.upstream : this.client;
    if (target === null) return false;
    if (item.kind === 'data') {
      const delayMs = (now - item.arrivedUs) / 1_000;
      const fault = item.held ? 'held' : item.serialiseUs > 0 && item.deliverUs - item.arrivedUs > item.delayUs ? 'bandwidth' : item.delayUs > 0 ? 'latency' : null;
      this.host.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), delayMs: round3(delayMs), ...(fault ? { fault } : {}) });
      if (target.readyState === WebSocket.OPEN) {
        this.host.parked(this, dir, false);
        target.send(item.data!, { binary: item.isBinary ?? false });
      }
      return true;
    }
    // A close from the other side, passed on.
    this.host.record(this, { event: 'close', dir, code: item.code ?? 1005, ...(item.abrupt ? { fault: 'abrupt' } : {}), ...(this.slowCloseMs > 0 ? { fault: 'slow-close', delayMs: round3((now - item.arrivedUs) / 1_000) } : {}) });
    if (item.abrupt || item.code === undefined || !isSendableCode(item.code)) {
      if (item.abrupt) target.terminate();
      else safeClose(target);
    } else {
      safeClose(target, item.code, item.reason);
    }
    return true;
  }

  sideClosed(side: 'client' | 'upstream'): void {
    this.closedSides[side] = true;
    if (this.fullyClosed && this.state !== 'closed' && this.state !== 'half-open') this.state = 'closed';
  }

  // ---- Faults --------------------------------------------------------------------------------

  enterPartition(): void {
    this.partitions++;
  }

  leavePartition(then: 'release' | 'kill'): void {
    this.partitions = Math.max(0, this.partitions - 1);
    if (then === 'kill') {
      this.kill('partition-kill');
      return;
    }
    if (this.partitions > 0) return;
    for (const dir of DIRECTIONS) this.lanes[dir].release();
    const connect = this.heldConnect;
    this.heldConnect = null;
    if (connect && this.state === 'connecting') connect();
  }

  /** Abrupt loss: both sides terminated, queued frames lost. */
  kill(cause: string): void {
    if (this.state === 'closed') return;
    this.purge(`lost:${cause}`);
    this.state = 'closed';
    this.giveUpHandshake();
    this.client?.terminate();
    this.upstream?.terminate();
  }

  makeHalfOpen(): void {
    if (this.state === 'closed') return;
    this.purge('discarded');
    this.state = 'half-open';
    // A half-open link never completes its handshake; the client just waits (as simulated).
    if (this.handshakeTimer !== null) this.clock.cancelTimer(this.handshakeTimer);
    this.handshakeTimer = null;
    this.heldConnect = null;
  }

  dispose(): void {
    for (const dir of DIRECTIONS) this.lanes[dir].cancelTimers();
    if (this.handshakeTimer !== null) this.clock.cancelTimer(this.handshakeTimer);
    this.client?.terminate();
    this.upstream?.terminate();
  }

  private purge(fault: string): void {
    for (const dir of DIRECTIONS) {
      for (const item of this.lanes[dir].purge()) if (item.kind === 'data') this.host.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), fault });
    }
  }
}
