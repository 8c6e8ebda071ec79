/**
 * One direction of a proxied connection, timed as the simulated pipe times it (the rule itself
 * is src/sim/frame-timing.ts, shared with src/sim/pipe.ts):
 *
 *   transmit   a frame leaves at max(arrival at the proxy, previous frame's leave time) plus
 *              its serialisation at the lane's bandwidth (ceil to integer µs);
 *   held       frames that leave while the connection is partitioned wait, in order, until
 *              the partition ends, then enter the wire at that moment;
 *   wire       a frame arrives at max(wire entry + latency + jitter, previous arrival): FIFO.
 *              Frames already on the wire when a partition starts still arrive (as simulated).
 *
 * A close frame takes the same path with no bytes and, instead of latency + jitter, the slow-
 * close delay if that fault is on, else a close-delay draw. Times are integer µs on the proxy's
 * clock (for runScenarioWs the run's scaled RealClock: virtual µs = real µs / timeScale), and a
 * wire entry is the frame's scheduled leave time, not the (slightly later) moment its timer ran,
 * so timer lateness does not add up along a queue. One timer per stage, not per frame.
 */
import type { Clock, TimerHandle } from '../../ports/clock.ts';
import { sampleDurationUs, type Distribution } from '../../sim/distribution.ts';
import { arrivalUs, retimeTransmits, serialisationUs, transmitEndUs, wireDelayUs } from '../../sim/frame-timing.ts';
import type { Random } from '../../sim/rng.ts';
import type { LaneTiming } from './schedule.ts';
import type { ProxyDirection } from './types.ts';

/** What arrived at the proxy from one side. */
export interface Arrival {
  kind: 'data' | 'close';
  data?: Buffer;
  isBinary?: boolean;
  code?: number;
  reason?: string;
  abrupt?: boolean;
}

export interface LaneItem extends Arrival {
  arrivedUs: number;
  /** Its size on the link (0 for a close). */
  bytes: number;
  /** When its transmission begins at the current rate (see src/sim/frame-timing.ts Transmitting). */
  txStartUs: number;
  /** When it leaves the (emulated) sender buffer. */
  txEndUs: number;
  /** Its own serialisation time. */
  serialiseUs: number;
  /** Wire delay drawn at wire entry (latency + jitter, or the close delay). */
  delayUs: number;
  /** When it reaches the far side; set at wire entry. */
  deliverUs: number;
  /** A partition held it at wire entry. */
  held: boolean;
}

/** What a lane needs from its connection. */
export interface LaneOwner {
  readonly clock: Clock;
  readonly label: string;
  /** > 0 holds frames at wire entry. */
  readonly partitions: number;
  /** The slow-close fault's delay (ms), 0 when off. */
  readonly slowCloseMs: number;
  /** Hand an item to the far side. False: that side is not attached yet, retry shortly. */
  deliver(dir: ProxyDirection, item: LaneItem, nowUs: number): boolean;
  /** A data frame left the emulated sender buffer (serialised at the bandwidth), or was purged from it. */
  transmitted(dir: ProxyDirection): void;
}

/** Retry delay when the client side is not attached yet (frames right after the upstream opened). */
const ATTACH_RETRY_US = 100;

export class Lane {
  latencyMs: Distribution;
  jitterMs: Distribution;
  /** The sender's rate; change it with `setBandwidth` (it re-times what is queued, as the simulated pipe does). */
  private bandwidthBytesPerS: number;
  readonly closeDelayMs: Distribution;
  private readonly txq: LaneItem[] = [];
  private readonly heldq: LaneItem[] = [];
  private readonly wire: LaneItem[] = [];
  private txTimer: TimerHandle | null = null;
  private wireTimer: TimerHandle | null = null;
  private txBusyUntilUs = 0;
  private lastArrivalUs = 0;
  private readonly hopCreditUs: number;
  private readonly onTransmit = (): void => this.pumpTransmit();
  private readonly onWire = (): void => this.pumpWire();

  constructor(
    private readonly owner: LaneOwner,
    readonly dir: ProxyDirection,
    private readonly rng: Random,
    timing: LaneTiming,
  ) {
    this.latencyMs = timing.latencyMs;
    this.jitterMs = timing.jitterMs;
    this.bandwidthBytesPerS = timing.bandwidthBytesPerS;
    this.closeDelayMs = timing.closeDelayMs;
    this.hopCreditUs = timing.hopCreditUs;
  }

  private get clock(): Clock {
    return this.owner.clock;
  }

  /** Frames and closes not yet handed on. */
  get length(): number {
    return this.txq.length + this.heldq.length + this.wire.length;
  }

  push(arrival: Arrival): void {
    const now = this.clock.now();
    const bytes = arrival.kind === 'data' ? arrival.data!.length : 0;
    const txStartUs = this.txBusyUntilUs > now ? this.txBusyUntilUs : now;
    const txEndUs = transmitEndUs(now, this.txBusyUntilUs, bytes, this.bandwidthBytesPerS);
    this.txBusyUntilUs = txEndUs;
    this.txq.push({ ...arrival, arrivedUs: now, bytes, txStartUs, txEndUs, serialiseUs: serialisationUs(bytes, this.bandwidthBytesPerS), delayUs: 0, deliverUs: 0, held: false });
    if (this.txTimer === null) this.pumpTransmit();
  }

  /** A new rate from now on: what is still in the sender buffer is re-timed (src/sim/frame-timing.ts). */
  setBandwidth(bytesPerS: number): void {
    if (bytesPerS === this.bandwidthBytesPerS) return;
    this.bandwidthBytesPerS = bytesPerS;
    if (this.txq.length === 0) return;
    this.txBusyUntilUs = retimeTransmits(this.txq, this.clock.now(), bytesPerS);
    if (this.txTimer !== null) this.clock.cancelTimer(this.txTimer);
    this.pumpTransmit();
  }

  /** The partitions holding this connection ended: held frames enter the wire now, in order. */
  release(): void {
    const now = this.clock.now();
    for (let item = this.heldq.shift(); item !== undefined; item = this.heldq.shift()) this.enterWire(item, now);
    this.kick();
  }

  /** Take every queued item out (in order) and stop the timers: the connection was killed or went half-open. */
  purge(): LaneItem[] {
    this.cancelTimers();
    // What was still being serialised counts as sent, as on the simulated pipe: a sender's send
    // into a link that died completes, and the frame is lost.
    for (const item of this.txq) if (item.kind === 'data') this.owner.transmitted(this.dir);
    const items = [...this.wire, ...this.heldq, ...this.txq];
    this.wire.length = 0;
    this.heldq.length = 0;
    this.txq.length = 0;
    return items;
  }

  cancelTimers(): void {
    if (this.txTimer !== null) this.clock.cancelTimer(this.txTimer);
    if (this.wireTimer !== null) this.clock.cancelTimer(this.wireTimer);
    this.txTimer = null;
    this.wireTimer = null;
  }

  /** Wake up the wire stage (the far side may have attached). */
  kick(): void {
    if (this.wireTimer !== null) {
      this.clock.cancelTimer(this.wireTimer);
      this.wireTimer = null;
    }
    this.pumpWire();
  }

  private pumpTransmit(): void {
    this.txTimer = null;
    const now = this.clock.now();
    let entered = false;
    while (this.txq.length > 0 && this.txq[0]!.txEndUs <= now) {
      const item = this.txq.shift()!;
      if (item.kind === 'data') this.owner.transmitted(this.dir);
      this.enterWire(item, item.txEndUs);
      entered = true;
    }
    if (this.txq.length > 0) this.txTimer = this.clock.setTimer(this.txq[0]!.txEndUs - now, this.onTransmit, `proxy/${this.owner.label}/${this.dir}/tx`);
    if (entered && this.wireTimer === null) this.pumpWire();
  }

  private enterWire(item: LaneItem, entryUs: number): void {
    if (this.owner.partitions > 0) {
      item.held = true;
      this.heldq.push(item);
      return;
    }
    const slowCloseMs = this.owner.slowCloseMs;
    item.delayUs = item.kind === 'data' ? Math.max(0, wireDelayUs(this, this.rng) - this.hopCreditUs) : slowCloseMs > 0 ? Math.round(slowCloseMs * 1_000) : sampleDurationUs(this.closeDelayMs, this.rng);
    item.deliverUs = arrivalUs(entryUs, item.delayUs, this.lastArrivalUs);
    this.lastArrivalUs = item.deliverUs;
    this.wire.push(item);
  }

  private pumpWire(): void {
    this.wireTimer = null;
    const now = this.clock.now();
    while (this.wire.length > 0 && this.wire[0]!.deliverUs <= now) {
      const item = this.wire.shift()!;
      if (!this.owner.deliver(this.dir, item, now)) {
        this.wire.unshift(item);
        this.wireTimer = this.clock.setTimer(ATTACH_RETRY_US, this.onWire, `proxy/${this.owner.label}/${this.dir}/attach`);
        return;
      }
    }
    if (this.wire.length > 0) this.wireTimer = this.clock.setTimer(this.wire[0]!.deliverUs - now, this.onWire, `proxy/${this.owner.label}/${this.dir}`);
  }
}
