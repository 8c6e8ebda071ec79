/**
 * Link profiles: the timing character of one simulated WebSocket connection.
 *
 * Durations are distributions in milliseconds (the field name carries the unit, as everywhere
 * in threadline); they are sampled to integer microseconds with `sampleDurationUs`.
 */
import { checkDistribution, fixed, uniform, type Distribution } from './distribution.ts';

export interface LinkProfile {
  /** Connect handshake latency: client `connect()` -> server `onConnection` and client 'open'. */
  handshakeMs: Distribution;
  /** One-way per-frame latency, drawn per frame. */
  latencyMs: Distribution;
  /** Extra per-frame delay added to the latency (`fixed(0)` for none). */
  jitterMs: Distribution;
  /** Serialisation rate of the sender, per direction. `Infinity` = no serialisation delay. */
  bandwidthBytesPerS: number;
  /** How long a close frame, or the news of an abrupt loss, takes to reach the other side. */
  closeDelayMs: Distribution;
  /**
   * How long a side that called `close()` waits for the peer's close frame before it gives up,
   * destroys the connection and reports 1006 — the `ws` library's `closeTimeout` (30 s).
   * Without it a close on a half-open link would never finish, which no real socket does.
   * `Infinity` = wait forever.
   */
  closeTimeoutMs: number;
}

export const DEFAULT_LINK_PROFILE: Readonly<LinkProfile> = Object.freeze({
  handshakeMs: fixed(2),
  latencyMs: uniform(1, 5),
  jitterMs: fixed(0),
  bandwidthBytesPerS: Infinity,
  closeDelayMs: fixed(1),
  closeTimeoutMs: 30_000,
});

const DISTRIBUTION_FIELDS = ['handshakeMs', 'latencyMs', 'jitterMs', 'closeDelayMs'] as const;

/**
 * Overlay `overrides` on `base` and validate the result. Keys whose value is `undefined` are
 * ignored (a plain spread would let `{ latencyMs: undefined }` erase the default).
 */
export function resolveLinkProfile(base: Readonly<LinkProfile>, ...overrides: Array<Partial<LinkProfile> | undefined>): LinkProfile {
  const out: LinkProfile = { ...base };
  for (const o of overrides) {
    if (o === undefined) continue;
    for (const key of Object.keys(o) as Array<keyof LinkProfile>) {
      const value = o[key];
      if (value === undefined) continue;
      if (!(key in DEFAULT_LINK_PROFILE)) throw new Error(`link profile: unknown field "${key}"`);
      (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  for (const field of DISTRIBUTION_FIELDS) {
    const err = checkDistribution(out[field]);
    if (err !== null) throw new Error(`link profile: ${field}: ${err}`);
  }
  checkBandwidth(out.bandwidthBytesPerS, 'link profile: bandwidthBytesPerS');
  if (typeof out.closeTimeoutMs !== 'number' || !(out.closeTimeoutMs >= 0)) {
    throw new Error(`link profile: closeTimeoutMs must be a number >= 0 (Infinity = never), got ${String(out.closeTimeoutMs)}`);
  }
  return out;
}

/** A bandwidth must be a positive number; Infinity means "no serialisation delay". */
export function checkBandwidth(bytesPerS: number, what: string): void {
  if (typeof bytesPerS !== 'number' || !(bytesPerS > 0)) {
    throw new Error(`${what} must be a number > 0 (Infinity = unlimited), got ${String(bytesPerS)}`);
  }
}
