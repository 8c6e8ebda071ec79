/**
 * The proxy's schedule document: validation (`validateSchedule`, `ProxyScheduleError`), the
 * per-direction timing it gives a new connection, and the schedule that puts a simulated link
 * profile (src/sim/link-profile.ts) on real sockets (`linkSchedule`).
 */
import { checkDistribution, fixed, type Distribution } from '../../sim/distribution.ts';
import { DEFAULT_LINK_PROFILE, resolveLinkProfile, type LinkProfile } from '../../sim/link-profile.ts';
import type { DirectionProfile, ProxyDirection, ProxySchedule } from './types.ts';

export class ProxyScheduleError extends Error {
  override readonly name = 'ProxyScheduleError';
}

/** A schedule value (a distribution or a plain number of ms) as a distribution. */
export const toDist = (v: Distribution | number | undefined, fallback: Distribution): Distribution => (v === undefined ? fallback : typeof v === 'number' ? fixed(v) : v);

/** The timing one direction of a new connection starts with: the schedule's defaults, overlaid with its per-direction profile. */
export interface LaneTiming {
  latencyMs: Distribution;
  jitterMs: Distribution;
  bandwidthBytesPerS: number;
  closeDelayMs: Distribution;
  /** µs of each data frame's wire delay already spent by the real hops (see ProxySchedule.hopCreditUs). */
  hopCreditUs: number;
}

export function laneTiming(schedule: ProxySchedule, dir: ProxyDirection): LaneTiming {
  const own: DirectionProfile = schedule[dir] ?? {};
  return {
    latencyMs: toDist(own.latencyMs ?? schedule.latencyMs, fixed(0)),
    jitterMs: toDist(own.jitterMs ?? schedule.jitterMs, fixed(0)),
    bandwidthBytesPerS: own.bandwidthBytesPerS ?? schedule.bandwidthBytesPerS ?? Infinity,
    closeDelayMs: toDist(schedule.closeDelayMs, fixed(0)),
    hopCreditUs: Math.max(0, schedule.hopCreditUs ?? 0),
  };
}

/**
 * The schedule that shapes real sockets like a simulated link: the scenario's `network`
 * overrides on DEFAULT_LINK_PROFILE, exactly as the simulated run resolves them — handshake,
 * per-frame latency and jitter, bandwidth and close delay, both directions. (closeTimeoutMs is
 * the `ws` library's own close timeout on real sockets.)
 */
export function linkSchedule(network?: Partial<LinkProfile>): ProxySchedule {
  const p = resolveLinkProfile(DEFAULT_LINK_PROFILE, network);
  return {
    handshakeMs: p.handshakeMs,
    latencyMs: p.latencyMs,
    jitterMs: p.jitterMs,
    ...(Number.isFinite(p.bandwidthBytesPerS) ? { bandwidthBytesPerS: p.bandwidthBytesPerS } : {}),
    closeDelayMs: p.closeDelayMs,
  };
}

/** Does this link profile delay anything (so real sockets need the proxy to match it)? */
export function linkShapes(network?: Partial<LinkProfile>): boolean {
  const p = resolveLinkProfile(DEFAULT_LINK_PROFILE, network);
  const zero = (d: Distribution): boolean => d.kind === 'fixed' && d.value <= 0;
  return !(zero(p.handshakeMs) && zero(p.latencyMs) && zero(p.jitterMs) && zero(p.closeDelayMs) && p.bandwidthBytesPerS === Infinity);
}

/** Validate a schedule document; throws ProxyScheduleError naming the defect. */
export function validateSchedule(value: unknown, source = 'schedule'): ProxySchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProxyScheduleError(`${source}: must be a JSON object (see \`threadline proxy --help\`)`);
  const s = value as Record<string, unknown>;
  const known = ['latencyMs', 'jitterMs', 'bandwidthBytesPerS', 'toServer', 'toClient', 'handshakeMs', 'closeDelayMs', 'slowCloseMs', 'faults', 'random'];
  for (const k of Object.keys(s)) if (!known.includes(k)) throw new ProxyScheduleError(`${source}: unknown field "${k}" (known: ${known.join(', ')})`);
  const dist = (v: unknown, where: string): void => {
    if (v === undefined || (typeof v === 'number' && v >= 0)) return;
    const err = checkDistribution(v);
    if (err !== null) throw new ProxyScheduleError(`${source}: ${where}: ${err} (or a number of ms)`);
  };
  const profile = (p: unknown, where: string): void => {
    if (p === undefined) return;
    if (typeof p !== 'object' || p === null) throw new ProxyScheduleError(`${source}: ${where} must be an object`);
    const o = p as Record<string, unknown>;
    dist(o['latencyMs'], `${where}.latencyMs`);
    dist(o['jitterMs'], `${where}.jitterMs`);
    if (o['bandwidthBytesPerS'] !== undefined && !(typeof o['bandwidthBytesPerS'] === 'number' && o['bandwidthBytesPerS'] > 0)) throw new ProxyScheduleError(`${source}: ${where}.bandwidthBytesPerS must be a number > 0`);
  };
  profile(s, 'schedule');
  dist(s['handshakeMs'], 'handshakeMs');
  dist(s['closeDelayMs'], 'closeDelayMs');
  if (s['slowCloseMs'] !== undefined && !(typeof s['slowCloseMs'] === 'number' && s['slowCloseMs'] >= 0)) throw new ProxyScheduleError(`${source}: slowCloseMs must be a number of ms >= 0`);
  profile(s['toServer'], 'toServer');
  profile(s['toClient'], 'toClient');
  if (s['faults'] !== undefined) {
    if (!Array.isArray(s['faults'])) throw new ProxyScheduleError(`${source}: faults must be an array`);
    (s['faults'] as unknown[]).forEach((f, i) => {
      const where = `faults[${i}]`;
      if (typeof f !== 'object' || f === null) throw new ProxyScheduleError(`${source}: ${where} must be an object`);
      const o = f as Record<string, unknown>;
      const kinds = ['partition', 'drop', 'half-open', 'bandwidth', 'latency', 'slow-close'];
      if (!kinds.includes(o['kind'] as string)) throw new ProxyScheduleError(`${source}: ${where}.kind must be one of ${kinds.join(', ')}`);
      if (o['at'] !== undefined && !(typeof o['at'] === 'number' && o['at'] >= 0)) throw new ProxyScheduleError(`${source}: ${where}.at must be a number of ms >= 0`);
      if (o['afterFrames'] !== undefined && !(Number.isInteger(o['afterFrames']) && (o['afterFrames'] as number) >= 1)) throw new ProxyScheduleError(`${source}: ${where}.afterFrames must be an integer >= 1`);
      if (o['at'] === undefined && o['afterFrames'] === undefined && o['kind'] !== 'slow-close') throw new ProxyScheduleError(`${source}: ${where} needs "at" (ms after start) or "afterFrames" (a frame count)`);
      const sel = o['connections'];
      if (sel !== undefined && sel !== 'all' && !(Array.isArray(sel) && sel.every((x) => typeof x === 'string' || (Number.isInteger(x) && (x as number) >= 1)))) {
        throw new ProxyScheduleError(`${source}: ${where}.connections must be "all" or an array of 1-based connection numbers or labels`);
      }
      if (o['kind'] === 'partition') {
        if (!(typeof o['durationMs'] === 'number' && o['durationMs'] > 0)) throw new ProxyScheduleError(`${source}: ${where}.durationMs must be a number > 0`);
        if (o['then'] !== 'release' && o['then'] !== 'kill') throw new ProxyScheduleError(`${source}: ${where}.then must be "release" or "kill"`);
      }
      if (o['kind'] === 'bandwidth' && !(typeof o['bytesPerS'] === 'number' && o['bytesPerS'] > 0)) throw new ProxyScheduleError(`${source}: ${where}.bytesPerS must be a number > 0`);
      if (o['kind'] === 'latency') {
        if (o['latencyMs'] === undefined) throw new ProxyScheduleError(`${source}: ${where}.latencyMs is required`);
        dist(o['latencyMs'], `${where}.latencyMs`);
        dist(o['jitterMs'], `${where}.jitterMs`);
      }
      if (o['kind'] === 'slow-close' && !(typeof o['delayMs'] === 'number' && o['delayMs'] >= 0)) throw new ProxyScheduleError(`${source}: ${where}.delayMs must be a number >= 0`);
      if (o['direction'] !== undefined && !['toServer', 'toClient', 'both'].includes(o['direction'] as string)) throw new ProxyScheduleError(`${source}: ${where}.direction must be toServer, toClient or both`);
    });
  }
  if (s['random'] !== undefined) {
    const r = s['random'] as Record<string, unknown>;
    for (const k of ['drop', 'halfOpen', 'partition']) {
      if (r[k] !== undefined && !(typeof r[k] === 'number' && (r[k] as number) >= 0 && (r[k] as number) <= 1)) throw new ProxyScheduleError(`${source}: random.${k} must be a probability in [0, 1]`);
    }
    const af = r['afterFrames'];
    if (af !== undefined && !(Array.isArray(af) && af.length === 2 && af.every((x) => Number.isInteger(x) && x >= 1) && (af[0] as number) <= (af[1] as number))) {
      throw new ProxyScheduleError(`${source}: random.afterFrames must be [min, max] with 1 <= min <= max`);
    }
  }
  return value as ProxySchedule;
}
