/**
 * The frame-timing rule of one direction of a connection, shared by the simulated pipe
 * (`pipe.ts`) and the chaos proxy (`src/real/proxy/lane.ts`), so a frame is timed the same way
 * on both transports. All times are integer microseconds on the caller's clock (the kernel's
 * virtual time, or the proxy's scaled RealClock).
 *
 * A frame passes two FIFO stages and never overtakes the frame before it in either:
 *
 *   1. transmit: it starts when it is sent or when the previous frame has left, whichever is
 *      later, and takes ceil(bytes × 10⁶ / bandwidth) µs (0 for an empty frame or unlimited
 *      bandwidth). Its end is when it *leaves* the sender.
 *   2. wire: it enters the wire when it leaves (or, after a partition held it, when the partition
 *      ends) and arrives after a delay drawn per frame — latency, then jitter, each sampled to
 *      integer µs and never negative (`sampleDurationUs`) — but never before the previous
 *      frame's arrival (as on a TCP stream).
 *
 * A rate change (a `slow` fault, the link recovering) applies to what is still in the sender's
 * buffer, as on a TCP stream: the frame being transmitted sends its remaining bytes at the new
 * rate and the frames behind it follow (`retimeTransmits`).
 *
 * The stages are separate functions because a partition can sit between them: held frames
 * enter the wire when it ends, and their delay is drawn then. For a frame that is not held,
 * `arrivalUs(transmitEndUs(now, prevTxEnd, bytes, bw), wireDelayUs(profile, rng), prevArrival)`
 * is the whole rule.
 */
import { sampleDurationUs, type Distribution } from './distribution.ts';
import type { Random } from './rng.ts';

const US_PER_S = 1_000_000;

/** What a frame's timing depends on: the wire delay distributions (ms) and the sender's rate. */
export interface FrameTimingProfile {
  latencyMs: Distribution;
  jitterMs: Distribution;
  /** Bytes per second; `Infinity` = no serialisation delay. */
  bandwidthBytesPerS: number;
}

/** Serialisation time of `bytes` at `bytesPerS`, integer µs rounded up; 0 for an empty frame or unlimited bandwidth. */
export function serialisationUs(bytes: number, bytesPerS: number): number {
  return bytes === 0 || bytesPerS === Infinity ? 0 : Math.ceil((bytes * US_PER_S) / bytesPerS);
}

/** Stage 1: when a frame of `bytes` sent at `nowUs` leaves the sender, given when the previous frame left. */
export function transmitEndUs(nowUs: number, prevTxEndUs: number, bytes: number, bytesPerS: number): number {
  const startUs = prevTxEndUs > nowUs ? prevTxEndUs : nowUs;
  return startUs + serialisationUs(bytes, bytesPerS);
}

/** The wire delay of one data frame: a latency draw plus a jitter draw (in that order), each integer µs >= 0. */
export function wireDelayUs(profile: Readonly<Pick<FrameTimingProfile, 'latencyMs' | 'jitterMs'>>, rng: Random): number {
  return sampleDurationUs(profile.latencyMs, rng) + sampleDurationUs(profile.jitterMs, rng);
}

/** Stage 2: when a frame that entered the wire at `entryUs` with `delayUs` arrives, given the previous frame's arrival. */
export function arrivalUs(entryUs: number, delayUs: number, prevArrivalUs: number): number {
  const atUs = entryUs + delayUs;
  return atUs < prevArrivalUs ? prevArrivalUs : atUs;
}

/** A frame in the sender's buffer, as `retimeTransmits` sees it. */
export interface Transmitting {
  readonly bytes: number;
  /**
   * When its transmission began at the current rate: for a frame re-timed in progress, when it
   * would have begun had it gone at this rate all along, so `bytes × (end − now) / (end − start)`
   * is always what it has left to send.
   */
  txStartUs: number;
  txEndUs: number;
}

/**
 * The rate changed at `nowUs`: re-time the frames still transmitting or waiting, in queue order
 * (those whose end is at or before `nowUs` have left). The frame in progress keeps the share of
 * its bytes already sent and sends the rest at `newBytesPerS`; each frame after it starts when
 * the one before ends. Returns when the last frame now ends (`nowUs` when none is left).
 */
export function retimeTransmits(queued: Iterable<Transmitting>, nowUs: number, newBytesPerS: number): number {
  let prevEndUs = nowUs;
  for (const f of queued) {
    if (f.txEndUs <= nowUs) continue;
    if (f.txStartUs < nowUs) {
      // In progress: the share not yet sent, whole bytes rounded up (a started byte is not done).
      const remainingBytes = Math.ceil((f.bytes * (f.txEndUs - nowUs)) / (f.txEndUs - f.txStartUs));
      f.txEndUs = nowUs + serialisationUs(remainingBytes, newBytesPerS);
      f.txStartUs = f.txEndUs - serialisationUs(f.bytes, newBytesPerS);
    } else {
      f.txStartUs = prevEndUs;
      f.txEndUs = prevEndUs + serialisationUs(f.bytes, newBytesPerS);
    }
    prevEndUs = f.txEndUs;
  }
  return prevEndUs;
}
