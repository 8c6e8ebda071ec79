/**
 * A frame-aware WebSocket chaos proxy: the toxics of Toxiproxy, one level up.
 *
 * It terminates WebSocket on both sides (a `ws` server for the client, a `ws` client to the
 * target) and relays *frames*, so it can hold, delay, throttle and drop whole messages and
 * close handshakes, not TCP segments. Per connection and direction:
 *
 *   latency + jitter     each frame waits latency + jitter (distributions, ms), FIFO kept;
 *   bandwidth            frames are serialised at bytes/s (a slow consumer or producer);
 *   partition            frames are held, then released in order ('release') or the
 *                        connection is killed ('kill', both sides see 1006);
 *   drop                 both sides terminated abruptly (1006), frames in flight lost;
 *   half-open            relaying stops in both directions without any close: frames are
 *                        discarded and closes are not passed on (a zombie connection);
 *   slow close           a close frame is passed on only after a delay.
 *
 * The schedule (`ProxySchedule`, a JSON file for the CLI) gives defaults, timed faults
 * (`at` ms after the proxy started), frame-count triggers (`afterFrames`: after the n-th frame
 * of a connection in a direction — independent of timing, so the same run faults at the same
 * frame), and random faults drawn per connection from the seed (`createRandom(seed)`, stream
 * `proxy/conn/<n>`): the same seed and the same connection order give the same faults and the
 * same latency draws. A handshake the target refuses is refused to the client with the same
 * HTTP status (a 401 stays a 401).
 *
 * Every relayed, held, discarded frame and every fault is a trace record (JSON lines in the
 * CLI): `{t, conn, n, event, dir, bytes, frame, delayMs, fault}` with `t` in ms since start.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../ports/clock.ts';
import { checkDistribution, fixed, sample, type Distribution } from '../sim/distribution.ts';
import { createRandom, type Random } from '../sim/rng.ts';
import { RealClock } from './real-clock.ts';
import { fitCloseReason } from '../ports/socket.ts';

export type ProxyDirection = 'toServer' | 'toClient';
/** Which connections a fault applies to: all (also those opened while it lasts), 1-based accept order, or labels. */
export type ConnectionSelector = 'all' | Array<number | string>;

export interface DirectionProfile {
  latencyMs?: Distribution | number;
  jitterMs?: Distribution | number;
  bandwidthBytesPerS?: number;
}

export type ScheduledFault =
  | { kind: 'partition'; at?: number; afterFrames?: number; direction?: ProxyDirection; connections?: ConnectionSelector; durationMs: number; then: 'release' | 'kill' }
  | { kind: 'drop'; at?: number; afterFrames?: number; direction?: ProxyDirection; connections?: ConnectionSelector }
  | { kind: 'half-open'; at?: number; afterFrames?: number; direction?: ProxyDirection; connections?: ConnectionSelector }
  | { kind: 'bandwidth'; at?: number; afterFrames?: number; direction?: ProxyDirection | 'both'; connections?: ConnectionSelector; bytesPerS: number }
  | { kind: 'latency'; at?: number; afterFrames?: number; direction?: ProxyDirection | 'both'; connections?: ConnectionSelector; latencyMs: Distribution | number; jitterMs?: Distribution | number }
  | { kind: 'slow-close'; at?: number; connections?: ConnectionSelector; delayMs: number };

export interface RandomFaults {
  /** Probability that a connection is dropped (once), after a uniform number of frames in `afterFrames`. */
  drop?: number;
  /** Probability that a connection goes half-open (once). */
  halfOpen?: number;
  /** Probability that a connection is partitioned (once), for `partitionMs`, then released. */
  partition?: number;
  partitionMs?: number;
  /** Frame-count window (both directions counted) in which a random fault strikes. Default [1, 20]. */
  afterFrames?: [number, number];
}

export interface ProxySchedule extends DirectionProfile {
  toServer?: DirectionProfile;
  toClient?: DirectionProfile;
  /** Delay (ms) before a close frame is passed on, both directions. */
  slowCloseMs?: number;
  faults?: ScheduledFault[];
  random?: RandomFaults;
}

export interface ProxyRecord {
  /** ms since the proxy started (proxy clock). */
  t: number;
  /** Connection label: the `x-threadline-conn` header, else "p<n>". */
  conn: string;
  /** 1-based accept order. */
  n: number;
  event: 'open' | 'frame' | 'close' | 'fault' | 'refused';
  dir?: ProxyDirection;
  bytes?: number;
  /** The frame's text, cut at 160 characters. */
  frame?: string;
  /** How long the frame stayed in the proxy, ms. */
  delayMs?: number;
  /** What happened: 'latency' | 'held' (partition, then released) | 'discarded' | 'lost' | 'partition' | 'partition-end' | 'drop' | 'half-open' | 'bandwidth' | 'slow-close' | ... */
  fault?: string;
  code?: number;
  detail?: string;
}

export interface ProxyOptions {
  /** Target base URL, e.g. ws://127.0.0.1:8080 (the client's path and query are kept) or ws://host/ws (this path is used). */
  target: string;
  port?: number;
  host?: string;
  seed?: number;
  schedule?: ProxySchedule;
  /** Clock for delays and `at` times (default: real time). runScenarioWs passes its scaled clock. */
  clock?: Clock;
  /** Called for every trace record (the CLI writes JSON lines). */
  onRecord?: (record: ProxyRecord) => void;
  /** Keep records in memory (default true; bounded by maxRecords, default 200,000). */
  keepRecords?: boolean;
  maxRecords?: number;
}

export interface ProxyConnectionInfo {
  n: number;
  label: string;
  state: 'connecting' | 'open' | 'half-open' | 'closed';
  partitioned: boolean;
  frames: { toServer: number; toClient: number };
}

export interface RunningProxy {
  url: string;
  port: number;
  records: ProxyRecord[];
  connections(): ProxyConnectionInfo[];
  partition(selector: ConnectionSelector, options: { durationMs: number; then: 'release' | 'kill' }): void;
  drop(selector: ConnectionSelector): void;
  halfOpen(selector: ConnectionSelector): void;
  setBandwidth(selector: ConnectionSelector, direction: ProxyDirection | 'both', bytesPerS: number): void;
  setLatency(selector: ConnectionSelector, direction: ProxyDirection | 'both', latencyMs: Distribution | number, jitterMs?: Distribution | number): void;
  close(): Promise<void>;
}

export class ProxyScheduleError extends Error {
  override readonly name = 'ProxyScheduleError';
}

interface Item {
  kind: 'data' | 'close';
  data?: Buffer;
  isBinary?: boolean;
  code?: number;
  reason?: string;
  abrupt?: boolean;
  arrivedUs: number;
  releaseUs: number;
  held: boolean;
  /** What the schedule charged this frame: serialisation (bandwidth) and latency + jitter, µs. */
  serialiseUs: number;
  delayUs: number;
}

interface Partition {
  then: 'release' | 'kill';
  members: Set<ProxyLink>;
  all: boolean;
}

const toDist = (v: Distribution | number | undefined, fallback: Distribution): Distribution => (v === undefined ? fallback : typeof v === 'number' ? fixed(v) : v);

/** Validate a schedule document; throws ProxyScheduleError naming the defect. */
export function validateSchedule(value: unknown, source = 'schedule'): ProxySchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProxyScheduleError(`${source}: must be a JSON object (see \`threadline proxy --help\`)`);
  const s = value as Record<string, unknown>;
  const known = ['latencyMs', 'jitterMs', 'bandwidthBytesPerS', 'toServer', 'toClient', 'slowCloseMs', 'faults', 'random'];
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

/** One proxied connection: the client-facing socket, the upstream socket, two frame pipes. */
class ProxyLink {
  client: WebSocket | null = null;
  state: 'connecting' | 'open' | 'half-open' | 'closed' = 'connecting';
  partitions = 0;
  readonly frames = { toServer: 0, toClient: 0 };
  private readonly queues: Record<ProxyDirection, Item[]> = { toServer: [], toClient: [] };
  private readonly timers: Record<ProxyDirection, TimerHandle | null> = { toServer: null, toClient: null };
  private readonly busyUntil: Record<ProxyDirection, number> = { toServer: 0, toClient: 0 };
  private readonly lastRelease: Record<ProxyDirection, number> = { toServer: 0, toClient: 0 };
  readonly latency: Record<ProxyDirection, Distribution>;
  readonly jitter: Record<ProxyDirection, Distribution>;
  readonly bandwidth: Record<ProxyDirection, number>;
  slowCloseMs: number;
  private readonly rng: Record<ProxyDirection, Random>;
  /** Frame-count triggers: [direction or 'any', count, action]. */
  readonly triggers: Array<{ dir: ProxyDirection | 'any'; count: number; fire: () => void; done: boolean }> = [];
  private closedSides = { client: false, upstream: false };

  constructor(
    readonly proxy: ProxyCore,
    readonly n: number,
    readonly label: string,
    readonly upstream: WebSocket,
    rng: Random,
    schedule: ProxySchedule,
  ) {
    this.rng = { toServer: rng.fork('toServer'), toClient: rng.fork('toClient') };
    const base = (dir: ProxyDirection): DirectionProfile => ({ ...pick(schedule), ...(schedule[dir] ?? {}) });
    this.latency = { toServer: toDist(base('toServer').latencyMs, fixed(0)), toClient: toDist(base('toClient').latencyMs, fixed(0)) };
    this.jitter = { toServer: toDist(base('toServer').jitterMs, fixed(0)), toClient: toDist(base('toClient').jitterMs, fixed(0)) };
    this.bandwidth = { toServer: base('toServer').bandwidthBytesPerS ?? Infinity, toClient: base('toClient').bandwidthBytesPerS ?? Infinity };
    this.slowCloseMs = schedule.slowCloseMs ?? 0;
  }

  get clock(): Clock {
    return this.proxy.clock;
  }

  /** A frame or a close arrived from one side. */
  arrive(dir: ProxyDirection, item: Omit<Item, 'arrivedUs' | 'releaseUs' | 'held' | 'serialiseUs' | 'delayUs'>): void {
    const now = this.clock.now();
    if (this.state === 'half-open' || this.state === 'closed') {
      if (item.kind === 'data') this.proxy.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), fault: this.state === 'half-open' ? 'discarded' : 'lost' });
      return;
    }
    let releaseUs: number;
    let serialiseUs = 0;
    let delayUs = 0;
    if (item.kind === 'data') {
      const bytes = item.data!.length;
      const bps = this.bandwidth[dir];
      const start = Math.max(now, this.busyUntil[dir]);
      serialiseUs = Number.isFinite(bps) ? Math.round((bytes / bps) * 1_000_000) : 0;
      this.busyUntil[dir] = start + serialiseUs;
      delayUs = Math.max(0, Math.round((sample(this.latency[dir], this.rng[dir]) + sample(this.jitter[dir], this.rng[dir])) * 1_000));
      releaseUs = this.busyUntil[dir] + delayUs;
    } else {
      releaseUs = now + Math.round(this.slowCloseMs * 1_000);
    }
    releaseUs = Math.max(releaseUs, this.lastRelease[dir]);
    this.lastRelease[dir] = releaseUs;
    this.queues[dir].push({ ...item, arrivedUs: now, releaseUs, held: this.partitions > 0, serialiseUs, delayUs });
    if (item.kind === 'data') {
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
    this.pump(dir);
  }

  pump(dir: ProxyDirection): void {
    if (this.timers[dir]) {
      this.clock.cancelTimer(this.timers[dir]!);
      this.timers[dir] = null;
    }
    if (this.partitions > 0 || this.state === 'half-open' || this.state === 'closed') return;
    const q = this.queues[dir];
    const now = this.clock.now();
    while (q.length > 0 && q[0]!.releaseUs <= now) {
      const item = q.shift()!;
      if (!this.deliver(dir, item, now)) return;
    }
    if (q.length > 0) this.timers[dir] = this.clock.setTimer(q[0]!.releaseUs - now, () => this.pump(dir), `proxy/${this.label}/${dir}`);
  }

  /** Hand an item to the far side; false when the link ended. */
  private deliver(dir: ProxyDirection, item: Item, now: number): boolean {
    const target = dir === 'toServer' ? this.upstream : this.client;
    if (target === null) {
      // The client side is not attached yet (frames right after the upstream opened): retry shortly.
      this.queues[dir].unshift(item);
      this.timers[dir] = this.clock.setTimer(100, () => this.pump(dir), `proxy/${this.label}/${dir}/attach`);
      return false;
    }
    if (item.kind === 'data') {
      const delayMs = (now - item.arrivedUs) / 1_000;
      const fault = item.held ? 'held' : item.serialiseUs > 0 && item.releaseUs - item.arrivedUs > item.delayUs ? 'bandwidth' : item.delayUs > 0 ? 'latency' : null;
      this.proxy.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), delayMs: round3(delayMs), ...(fault ? { fault } : {}) });
      if (target.readyState === WebSocket.OPEN) target.send(item.data!, { binary: item.isBinary ?? false });
      return true;
    }
    // A close from the other side, passed on.
    this.proxy.record(this, { event: 'close', dir, code: item.code ?? 1005, ...(item.abrupt ? { fault: 'abrupt' } : {}), ...(this.slowCloseMs > 0 ? { fault: 'slow-close', delayMs: round3((now - item.arrivedUs) / 1_000) } : {}) });
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
    if (this.closedSides.client && this.closedSides.upstream && this.state !== 'closed') {
      if (this.state !== 'half-open') this.state = 'closed';
      this.proxy.linkEnded(this);
    }
  }

  get fullyClosed(): boolean {
    return this.closedSides.client && this.closedSides.upstream;
  }

  enterPartition(): void {
    this.partitions++;
    for (const dir of ['toServer', 'toClient'] as const) {
      for (const item of this.queues[dir]) item.held = true;
      if (this.timers[dir]) {
        this.clock.cancelTimer(this.timers[dir]!);
        this.timers[dir] = null;
      }
    }
  }

  leavePartition(then: 'release' | 'kill'): void {
    this.partitions = Math.max(0, this.partitions - 1);
    if (then === 'kill') {
      this.kill('partition-kill');
      return;
    }
    if (this.partitions === 0) {
      this.pump('toServer');
      this.pump('toClient');
    }
  }

  /** Abrupt loss: both sides terminated, queued frames lost. */
  kill(cause: string): void {
    if (this.state === 'closed') return;
    for (const dir of ['toServer', 'toClient'] as const) {
      for (const item of this.queues[dir]) if (item.kind === 'data') this.proxy.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), fault: `lost:${cause}` });
      this.queues[dir].length = 0;
      if (this.timers[dir]) this.clock.cancelTimer(this.timers[dir]!);
      this.timers[dir] = null;
    }
    this.state = 'closed';
    this.client?.terminate();
    this.upstream.terminate();
  }

  makeHalfOpen(): void {
    if (this.state === 'closed') return;
    for (const dir of ['toServer', 'toClient'] as const) {
      for (const item of this.queues[dir]) if (item.kind === 'data') this.proxy.record(this, { event: 'frame', dir, bytes: item.data!.length, frame: preview(item.data!), fault: 'discarded' });
      this.queues[dir].length = 0;
      if (this.timers[dir]) this.clock.cancelTimer(this.timers[dir]!);
      this.timers[dir] = null;
    }
    this.state = 'half-open';
  }

  dispose(): void {
    for (const dir of ['toServer', 'toClient'] as const) if (this.timers[dir]) this.clock.cancelTimer(this.timers[dir]!);
    this.client?.terminate();
    this.upstream.terminate();
  }
}

class ProxyCore {
  readonly links: ProxyLink[] = [];
  readonly records: ProxyRecord[] = [];
  readonly partitions = new Set<Partition>();
  private readonly startUs: number;
  private readonly keep: boolean;
  private readonly maxRecords: number;
  private readonly rng: Random;

  constructor(
    readonly clock: Clock,
    readonly schedule: ProxySchedule,
    seed: number,
    private readonly onRecord: ((r: ProxyRecord) => void) | undefined,
    keep: boolean,
    maxRecords: number,
  ) {
    this.startUs = clock.now();
    this.keep = keep;
    this.maxRecords = maxRecords;
    this.rng = createRandom(seed).fork('proxy');
  }

  record(link: ProxyLink | null, fields: Omit<ProxyRecord, 't' | 'conn' | 'n'>): void {
    const rec: ProxyRecord = { t: round3((this.clock.now() - this.startUs) / 1_000), conn: link?.label ?? '*', n: link?.n ?? 0, ...fields };
    if (this.keep && this.records.length < this.maxRecords) this.records.push(rec);
    this.onRecord?.(rec);
  }

  select(selector: ConnectionSelector | undefined): ProxyLink[] {
    if (selector === undefined || selector === 'all') return this.links.filter((l) => l.state !== 'closed');
    return this.links.filter((l) => selector.some((s) => (typeof s === 'number' ? l.n === s : l.label === s)));
  }

  matches(link: ProxyLink, selector: ConnectionSelector | undefined): boolean {
    return selector === undefined || selector === 'all' || selector.some((s) => (typeof s === 'number' ? link.n === s : link.label === s));
  }

  newLink(label: string, upstream: WebSocket): ProxyLink {
    const n = this.links.length + 1;
    const link = new ProxyLink(this, n, label, upstream, this.rng.fork(`conn/${n}`), this.schedule);
    this.links.push(link);
    // Network-wide partitions in progress hold new connections too.
    for (const p of this.partitions) if (p.all) {
      p.members.add(link);
      link.enterPartition();
    }
    this.armTriggers(link);
    return link;
  }

  linkEnded(_link: ProxyLink): void {}

  // ---- Faults ------------------------------------------------------------------------------

  partition(selector: ConnectionSelector | undefined, durationMs: number, then: 'release' | 'kill'): void {
    const members = new Set(this.select(selector));
    const p: Partition = { then, members, all: selector === undefined || selector === 'all' };
    this.partitions.add(p);
    for (const l of members) l.enterPartition();
    this.record(null, { event: 'fault', fault: 'partition', detail: `${durationMs} ms then ${then}; connections ${[...members].map((l) => l.label).join(', ') || '(none yet)'}${p.all ? ' and any opened meanwhile' : ''}` });
    this.clock.setTimer(Math.round(durationMs * 1_000), () => {
      this.partitions.delete(p);
      this.record(null, { event: 'fault', fault: 'partition-end', detail: `${then}; connections ${[...p.members].map((l) => l.label).join(', ')}` });
      for (const l of p.members) l.leavePartition(then);
    }, 'proxy/partition-end');
  }

  drop(selector: ConnectionSelector | undefined): void {
    for (const l of this.select(selector)) {
      if (l.state === 'closed') continue;
      this.record(l, { event: 'fault', fault: 'drop' });
      l.kill('drop');
    }
  }

  halfOpen(selector: ConnectionSelector | undefined): void {
    for (const l of this.select(selector)) {
      if (l.state === 'closed' || l.state === 'half-open') continue;
      this.record(l, { event: 'fault', fault: 'half-open' });
      l.makeHalfOpen();
    }
  }

  setBandwidth(selector: ConnectionSelector | undefined, direction: ProxyDirection | 'both', bytesPerS: number): void {
    for (const l of this.select(selector)) {
      for (const d of dirs(direction)) l.bandwidth[d] = bytesPerS;
      this.record(l, { event: 'fault', fault: 'bandwidth', detail: `${direction} ${bytesPerS} B/s` });
    }
  }

  setLatency(selector: ConnectionSelector | undefined, direction: ProxyDirection | 'both', latencyMs: Distribution | number, jitterMs?: Distribution | number): void {
    for (const l of this.select(selector)) {
      for (const d of dirs(direction)) {
        l.latency[d] = toDist(latencyMs, fixed(0));
        if (jitterMs !== undefined) l.jitter[d] = toDist(jitterMs, fixed(0));
      }
      this.record(l, { event: 'fault', fault: 'latency', detail: `${direction} ${JSON.stringify(latencyMs)}${jitterMs !== undefined ? ` jitter ${JSON.stringify(jitterMs)}` : ''}` });
    }
  }

  applyFault(f: ScheduledFault, selector: ConnectionSelector | undefined): void {
    switch (f.kind) {
      case 'partition':
        return this.partition(selector, f.durationMs, f.then);
      case 'drop':
        return this.drop(selector);
      case 'half-open':
        return this.halfOpen(selector);
      case 'bandwidth':
        return this.setBandwidth(selector, f.direction ?? 'both', f.bytesPerS);
      case 'latency':
        return this.setLatency(selector, f.direction ?? 'both', f.latencyMs, f.jitterMs);
      case 'slow-close':
        for (const l of this.select(selector)) l.slowCloseMs = f.delayMs;
        this.record(null, { event: 'fault', fault: 'slow-close', detail: `${f.delayMs} ms` });
        return;
    }
  }

  /** Timed faults of the schedule (at ms after start). */
  armTimed(): void {
    for (const f of this.schedule.faults ?? []) {
      if (f.at === undefined || ('afterFrames' in f && f.afterFrames !== undefined)) continue;
      this.clock.setTimer(Math.round(f.at * 1_000), () => this.applyFault(f, f.connections), `proxy/fault/${f.kind}`);
    }
  }

  /** Frame-count triggers and seeded random faults for a new link. */
  private armTriggers(link: ProxyLink): void {
    for (const f of this.schedule.faults ?? []) {
      if (!('afterFrames' in f) || f.afterFrames === undefined) continue;
      if (!this.matches(link, f.connections)) continue;
      const dir = f.direction === 'both' || f.direction === undefined ? 'any' : f.direction;
      link.triggers.push({ dir, count: f.afterFrames, done: false, fire: () => this.applyFault(f, [link.n]) });
    }
    const r = this.schedule.random;
    if (!r) return;
    const rng = this.rng.fork(`conn/${link.n}/random`);
    const [lo, hi] = r.afterFrames ?? [1, 20];
    const draw = (p: number | undefined, fault: ScheduledFault): void => {
      // Always draw both numbers so one fault's probability does not shift another's draws.
      const hit = rng.float() < (p ?? 0);
      const at = rng.int(lo, hi);
      if (hit) link.triggers.push({ dir: 'any', count: at, done: false, fire: () => this.applyFault(fault, [link.n]) });
    };
    draw(r.partition, { kind: 'partition', afterFrames: 1, durationMs: r.partitionMs ?? 500, then: 'release' });
    draw(r.halfOpen, { kind: 'half-open', afterFrames: 1 });
    draw(r.drop, { kind: 'drop', afterFrames: 1 });
  }
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const schedule = validateSchedule(options.schedule ?? {});
  const clock = options.clock ?? new RealClock({ ref: false, spinUs: 0 });
  const ownsClock = options.clock === undefined;
  const core = new ProxyCore(clock, schedule, options.seed ?? 1, options.onRecord, options.keepRecords ?? true, options.maxRecords ?? 200_000);
  const target = new URL(options.target);
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new ProxyScheduleError(`--target must be a ws:// or wss:// URL, got "${options.target}"`);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 100 * 1024 * 1024 });
  const pendingSockets = new Set<Socket>();

  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('threadline proxy: WebSocket only\n');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    pendingSockets.add(socket);
    socket.once('close', () => pendingSockets.delete(socket));
    const reqUrl = new URL(req.url ?? '/', 'ws://proxy');
    const upstreamUrl = new URL(target.href);
    if (target.pathname === '/' || target.pathname === '') upstreamUrl.pathname = reqUrl.pathname;
    upstreamUrl.search = reqUrl.search || target.search;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_HEADERS.has(k.toLowerCase())) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const labelHeader = req.headers['x-threadline-conn'];
    const upstream = new WebSocket(upstreamUrl.href, { headers, perMessageDeflate: false, maxPayload: 100 * 1024 * 1024 });
    const link = core.newLink(typeof labelHeader === 'string' && labelHeader ? labelHeader : `p${core.links.length + 1}`, upstream);
    upstream.on('error', () => {});
    upstream.on('unexpected-response', (_r, res) => {
      core.record(link, { event: 'refused', code: res.statusCode ?? 0, detail: `target refused the handshake: HTTP ${res.statusCode}` });
      const status = res.statusCode ?? 502;
      socket.end(`HTTP/1.1 ${status} ${res.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      link.state = 'closed';
      res.resume();
      upstream.terminate();
    });
    upstream.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => link.arrive('toClient', { kind: 'data', data: toBuffer(data), isBinary }));
    upstream.on('close', (code: number, reason: Buffer) => {
      link.sideClosed('upstream');
      if (link.client === null) {
        if (link.state === 'connecting') {
          link.state = 'closed';
          core.record(link, { event: 'refused', detail: 'target closed before the handshake completed' });
          socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        }
        return;
      }
      link.arrive('toClient', { kind: 'close', code, reason: reason.toString(), abrupt: code === 1006 });
    });
    upstream.on('open', () => {
      if (link.state === 'closed') {
        upstream.terminate();
        return;
      }
      wss.handleUpgrade(req, socket, head, (client) => {
        pendingSockets.delete(socket);
        link.client = client;
        if (link.state === 'connecting') link.state = 'open';
        core.record(link, { event: 'open', detail: upstreamUrl.pathname });
        client.on('error', () => {});
        client.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => link.arrive('toServer', { kind: 'data', data: toBuffer(data), isBinary }));
        client.on('close', (code: number, reason: Buffer) => {
          link.sideClosed('client');
          link.arrive('toServer', { kind: 'close', code, reason: reason.toString(), abrupt: code === 1006 });
        });
        link.pump('toClient');
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.removeListener('error', reject);
      resolve();
    });
  });
  core.armTimed();
  const port = (http.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    records: core.records,
    connections: () =>
      core.links.map((l) => ({ n: l.n, label: l.label, state: l.fullyClosed && l.state !== 'half-open' ? 'closed' : l.state, partitioned: l.partitions > 0, frames: { ...l.frames } })),
    partition: (sel, o) => core.partition(sel, o.durationMs, o.then),
    drop: (sel) => core.drop(sel),
    halfOpen: (sel) => core.halfOpen(sel),
    setBandwidth: (sel, d, b) => core.setBandwidth(sel, d, b),
    setLatency: (sel, d, l, j) => core.setLatency(sel, d, l, j),
    close: () =>
      (closing ??= (async () => {
        for (const l of core.links) l.dispose();
        for (const s of pendingSockets) s.destroy();
        http.closeAllConnections?.();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        if (ownsClock && clock instanceof RealClock) clock.dispose();
      })()),
  };
}

const HOP_HEADERS = new Set(['host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-accept', 'content-length', 'transfer-encoding', 'keep-alive']);

function pick(s: DirectionProfile): DirectionProfile {
  const out: DirectionProfile = {};
  if (s.latencyMs !== undefined) out.latencyMs = s.latencyMs;
  if (s.jitterMs !== undefined) out.jitterMs = s.jitterMs;
  if (s.bandwidthBytesPerS !== undefined) out.bandwidthBytesPerS = s.bandwidthBytesPerS;
  return out;
}

function dirs(d: ProxyDirection | 'both'): ProxyDirection[] {
  return d === 'both' ? ['toServer', 'toClient'] : [d];
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function preview(data: Buffer): string {
  const text = data.subarray(0, 480).toString('utf8');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function round3(x: number): number {
  return Math.round(x * 1_000) / 1_000;
}

function isSendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function safeClose(ws: WebSocket, code?: number, reason?: string): void {
  try {
    ws.close(code, fitCloseReason(reason));
  } catch {
    ws.terminate();
  }
}
