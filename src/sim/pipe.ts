/**
 * One direction of a simulated connection: sender buffer -> wire -> receiver.
 *
 * A frame goes through three FIFO stages, and never overtakes another in any of them:
 *   1. transmit queue: serialised at the sender's bandwidth. It starts at
 *      max(send time, previous frame's transmit end) and takes ceil(bytes / bandwidth) µs (a
 *      bandwidth change re-times what is still queued, `setBytesPerS`). Until
 *      its transmit end it counts in `bufferedAmount`; at its transmit end its send callback runs
 *      (like `ws`, whose callback fires when the data is handed to the OS).
 *   2. held (only while the link is partitioned): frames that reached the wire during a
 *      partition wait here, in order, until the partition is released.
 *   3. wire: delivered at max(wire entry + latency + jitter, previous delivery time). The max
 *      keeps FIFO under random latency, as a TCP stream does.
 *
 * The timing rule of stages 1 and 3 lives in `frame-timing.ts`, shared with the chaos proxy
 * (src/real/proxy/), so a real-socket run shapes its links exactly as this pipe does.
 *
 * One kernel timer per stage and direction (not per frame). It fires for the head frame and
 * handles every frame due at that instant in queue order. FIFO therefore never depends on how
 * the kernel orders same-instant events (which `tieBreak` shuffles). Timer callbacks are bound
 * once per pipe, so the per-frame cost is one Frame object and queue pushes.
 */
import { sampleDurationUs } from './distribution.ts';
import { arrivalUs, retimeTransmits, transmitEndUs, wireDelayUs } from './frame-timing.ts';
import type { Random } from './rng.ts';
import type { Scheduler } from './scheduler.ts';
import type { TimerHandle } from '../ports/clock.ts';
import type { Trace } from './trace.ts';
import type { LinkProfile } from './link-profile.ts';

export type Direction = 'toServer' | 'toClient';
export type Side = 'client' | 'server';
export type SendCallback = (error?: Error) => void;

/**
 * Why a frame was lost (field `reason` of `net.lost`):
 *  - 'drop': the link was dropped by the `drop` fault;
 *  - 'partition-kill': the link was dropped at the end of a partition with `then: 'kill'`;
 *  - 'terminate' / 'close-timeout': one side destroyed the connection (`terminate()`, or its close
 *    handshake timed out);
 *  - 'half-open': the link silently stopped carrying traffic;
 *  - 'closed': the frame reached an endpoint that is closing or closed;
 *  - 'aborted' / 'refused': the handshake was abandoned (no frame can exist yet; listed for completeness).
 */
export type LossReason = 'drop' | 'partition-kill' | 'terminate' | 'close-timeout' | 'half-open' | 'closed' | 'aborted' | 'refused';

export const DATA = 0;
/** Graceful close frame: carries a code and reason, queued behind the sender's data. */
export const CLOSE = 1;
/** TCP reset after an abrupt close: overtakes data (which is discarded), still subject to half-open and partitions. */
export const RESET = 2;
/** Ping and pong (RFC 6455 control frames): queued behind the sender's data, timed like data, never counted as data frames. */
export const PING = 3;
export const PONG = 4;
export type FrameKind = typeof DATA | typeof CLOSE | typeof RESET | typeof PING | typeof PONG;

export class Frame {
  /** When its transmission begins at the current rate (after the frame before it left; see frame-timing.ts Transmitting). */
  txStartUs = 0;
  /** Virtual time at which the frame leaves the sender's buffer. */
  txEndUs = 0;
  /** Virtual time at which the frame reaches the receiver (set on wire entry). */
  deliverUs = 0;
  constructor(
    readonly kind: FrameKind,
    /** Per-direction index of a data frame; -1 for control frames (they are not counted). */
    readonly index: number,
    readonly data: string,
    readonly bytes: number,
    readonly callback: SendCallback | undefined,
    readonly code: number,
    readonly reason: string,
  ) {}
}

/** What a pipe needs from its link: wire conditions and the receiving end. */
export interface PipeOwner {
  readonly id: string;
  /** The connection is gone (dropped or destroyed); data and close frames entering the wire are lost. */
  readonly down: boolean;
  readonly downReason: LossReason;
  readonly halfOpen: boolean;
  /** Number of active partitions containing this link; > 0 holds frames at wire entry. */
  readonly partitions: number;
  /** A frame reached the receiving end of `pipe`. */
  arrive(pipe: Pipe, frame: Frame): void;
  /** Run a send callback as code of `side` (deferred while that side is paused). */
  runSendCallback(side: Side, callback: SendCallback, error: Error | undefined): void;
}

/** A FIFO queue with O(1) amortised shift and absolute indices (stable across compaction). */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  /** Absolute index of items[0]. */
  private base = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  /** Absolute index of the head element. */
  get headIndex(): number {
    return this.base + this.head;
  }
  /** Absolute index one past the last element. */
  get endIndex(): number {
    return this.base + this.items.length;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  /** Element at an absolute index in [headIndex, endIndex). */
  at(absoluteIndex: number): T {
    return this.items[absoluteIndex - this.base] as T;
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.base += this.head;
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.base += this.head;
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** Remove and return every element, in order. */
  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.base += this.items.length;
    this.items = [];
    this.head = 0;
    return out;
  }
}

export class Pipe {
  /** Next per-direction data frame index (= data frames sent so far). */
  nextFrameIndex = 0;
  delivered = 0;
  lost = 0;
  /** Current serialisation rate (set it with `setBytesPerS`: it re-times the queued frames). */
  private rateBytesPerS: number;

  private txBusyUntilUs = 0;
  private lastDeliverUs = 0;
  private readonly txq = new Fifo<Frame>();
  /** Bytes of queued frames whose transmit end has not yet been accounted. */
  private txBufferedBytes = 0;
  /** Absolute txq index below which frames are already subtracted from txBufferedBytes. */
  private txAccountedUntil = 0;
  private readonly held = new Fifo<Frame>();
  private readonly wire = new Fifo<Frame>();
  private txTimer: TimerHandle | null = null;
  private arrivalTimer: TimerHandle | null = null;
  private readonly txLabel: string;
  private readonly arrivalLabel: string;
  private readonly onTransmitEnd = (): void => this.processTransmitEnds();
  private readonly onArrival = (): void => this.processArrivals();

  constructor(
    private readonly owner: PipeOwner,
    readonly dir: Direction,
    /** Latency, jitter and close-delay draws of this direction only. */
    private readonly rng: Random,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace | undefined,
    private readonly profile: Readonly<Pick<LinkProfile, 'latencyMs' | 'jitterMs' | 'closeDelayMs'>>,
    bytesPerS: number,
  ) {
    this.rateBytesPerS = bytesPerS;
    this.txLabel = `net/${owner.id}/${dir}/tx`;
    this.arrivalLabel = `net/${owner.id}/${dir}/arrive`;
  }

  get senderSide(): Side {
    return this.dir === 'toServer' ? 'client' : 'server';
  }
  get receiverSide(): Side {
    return this.dir === 'toServer' ? 'server' : 'client';
  }

  /** Bytes sent and not yet fully transmitted (the sender's `bufferedAmount`). */
  bufferedAmount(): number {
    // Account frames whose transmit end has passed but whose timer has not run yet (same
    // instant), so the value is exact at any moment; amortised O(1) through the cursor.
    const now = this.scheduler.now();
    const end = this.txq.endIndex;
    let i = Math.max(this.txAccountedUntil, this.txq.headIndex);
    while (i < end) {
      const f = this.txq.at(i);
      if (f.txEndUs > now) break;
      this.txBufferedBytes -= f.bytes;
      i++;
    }
    this.txAccountedUntil = i;
    return this.txBufferedBytes;
  }

  get bytesPerS(): number {
    return this.rateBytesPerS;
  }

  /** A new rate from now on, for the frames still in the sender's buffer too (frame-timing.ts). */
  setBytesPerS(bytesPerS: number): void {
    if (bytesPerS === this.rateBytesPerS) return;
    this.rateBytesPerS = bytesPerS;
    const now = this.scheduler.now();
    if (this.txq.length === 0) return;
    this.txBusyUntilUs = retimeTransmits(this.queuedFrames(), now, bytesPerS);
    if (this.txTimer !== null) this.scheduler.cancelTimer(this.txTimer);
    this.txTimer = this.scheduler.at(Math.max(now, this.txq.peek()!.txEndUs), this.onTransmitEnd, this.txLabel);
  }

  private *queuedFrames(): Generator<Frame> {
    for (let i = this.txq.headIndex; i < this.txq.endIndex; i++) yield this.txq.at(i);
  }

  /** Queue a frame in the sender's buffer (the caller has checked that the sender may send). */
  enqueue(frame: Frame): void {
    const now = this.scheduler.now();
    frame.txStartUs = this.txBusyUntilUs > now ? this.txBusyUntilUs : now;
    frame.txEndUs = transmitEndUs(now, this.txBusyUntilUs, frame.bytes, this.rateBytesPerS);
    this.txBusyUntilUs = frame.txEndUs;
    this.txq.push(frame);
    this.txBufferedBytes += frame.bytes;
    if (this.txTimer === null) this.txTimer = this.scheduler.at(this.txq.peek()!.txEndUs, this.onTransmitEnd, this.txLabel);
  }

  /** Put a reset on the wire now, overtaking the (already purged) buffer. */
  sendReset(): void {
    this.enterWire(new Frame(RESET, -1, '', 0, undefined, 1006, ''), this.scheduler.now());
  }

  /** Wire entry: the link's conditions decide whether the frame travels, waits or is lost. */
  private enterWire(frame: Frame, nowUs: number): void {
    const owner = this.owner;
    if (frame.kind === RESET) {
      // A reset exists only because the connection is going down, so `down` does not stop it.
      if (owner.halfOpen) return;
      if (owner.partitions > 0) this.held.push(frame);
      else this.toWire(frame, nowUs);
      return;
    }
    if (owner.down) this.lose(frame, owner.downReason);
    else if (owner.halfOpen) this.lose(frame, 'half-open');
    else if (owner.partitions > 0) this.held.push(frame);
    else this.toWire(frame, nowUs);
  }

  private toWire(frame: Frame, entryUs: number): void {
    const delayUs = frame.kind === DATA || frame.kind === PING || frame.kind === PONG ? wireDelayUs(this.profile, this.rng) : sampleDurationUs(this.profile.closeDelayMs, this.rng);
    const atUs = arrivalUs(entryUs, delayUs, this.lastDeliverUs); // never overtakes the previous frame
    this.lastDeliverUs = atUs;
    frame.deliverUs = atUs;
    this.wire.push(frame);
    if (this.arrivalTimer === null) this.arrivalTimer = this.scheduler.at(this.wire.peek()!.deliverUs, this.onArrival, this.arrivalLabel);
  }

  private processTransmitEnds(): void {
    this.txTimer = null;
    const now = this.scheduler.now();
    // Only frames queued before this event: a callback that sends again at the same instant
    // gets a new kernel event, so a send-from-callback loop hits the kernel's event budget
    // instead of spinning inside one event.
    let budget = this.txq.length;
    while (budget-- > 0) {
      const frame = this.txq.peek();
      if (frame === undefined || frame.txEndUs > now) break; // undefined: a callback purged the queue
      const index = this.txq.headIndex;
      this.txq.shift();
      if (index >= this.txAccountedUntil) {
        this.txBufferedBytes -= frame.bytes;
        this.txAccountedUntil = index + 1;
      }
      this.enterWire(frame, now);
      if (frame.callback !== undefined) this.owner.runSendCallback(this.senderSide, frame.callback, undefined);
    }
    const head = this.txq.peek();
    if (head !== undefined && this.txTimer === null) this.txTimer = this.scheduler.at(head.txEndUs, this.onTransmitEnd, this.txLabel);
  }

  private processArrivals(): void {
    this.arrivalTimer = null;
    const now = this.scheduler.now();
    let budget = this.wire.length;
    while (budget-- > 0) {
      const frame = this.wire.peek();
      if (frame === undefined || frame.deliverUs > now) break; // undefined: a listener purged the wire
      this.wire.shift();
      this.owner.arrive(this, frame);
    }
    const head = this.wire.peek();
    if (head !== undefined && this.arrivalTimer === null) this.arrivalTimer = this.scheduler.at(head.deliverUs, this.onArrival, this.arrivalLabel);
  }

  /** End of a partition: held frames enter the wire now, in order, with fresh latency draws. */
  releaseHeld(): void {
    const now = this.scheduler.now();
    for (let frame = this.held.shift(); frame !== undefined; frame = this.held.shift()) this.enterWire(frame, now);
  }

  /** Lose everything past the sender's buffer (held and on the wire). */
  purgeInFlight(reason: LossReason): void {
    for (const frame of this.held.drain()) this.lose(frame, reason);
    for (const frame of this.wire.drain()) this.lose(frame, reason);
    if (this.arrivalTimer !== null) {
      this.scheduler.cancelTimer(this.arrivalTimer);
      this.arrivalTimer = null;
    }
    // Nothing is in flight any more, so FIFO no longer constrains the next delivery.
    this.lastDeliverUs = this.scheduler.now();
  }

  /** Lose everything in the sender's buffer; returns the callbacks of those frames, in order. */
  purgeTransmit(reason: LossReason): SendCallback[] {
    const callbacks: SendCallback[] = [];
    for (const frame of this.txq.drain()) {
      this.lose(frame, reason);
      if (frame.callback !== undefined) callbacks.push(frame.callback);
    }
    this.txBufferedBytes = 0;
    this.txAccountedUntil = this.txq.endIndex;
    this.txBusyUntilUs = this.scheduler.now();
    if (this.txTimer !== null) {
      this.scheduler.cancelTimer(this.txTimer);
      this.txTimer = null;
    }
    return callbacks;
  }

  /** Record the loss of a data frame (control frames vanish silently: they have no index). */
  lose(frame: Frame, reason: LossReason): void {
    if (frame.index < 0) return;
    this.lost++;
    if (this.trace !== undefined) {
      this.trace.record(this.scheduler.now(), 'net.lost', { link: this.owner.id, dir: this.dir, frame: frame.index, reason });
    }
  }
}
