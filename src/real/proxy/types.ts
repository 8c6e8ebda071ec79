/** The chaos proxy's public shapes: the schedule document, trace records, options and the running proxy. */
import type { Clock } from '../../ports/clock.ts';
import type { Distribution } from '../../sim/distribution.ts';
import type { Random } from '../../sim/rng.ts';

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
  /** Delay before the proxy opens the upstream connection of a new client (the link's handshake latency), ms. Default 0. */
  handshakeMs?: Distribution | number;
  /** How long a close frame takes to cross, drawn per close, ms (the link profile's closeDelayMs). Default 0. */
  closeDelayMs?: Distribution | number;
  /** Delay (ms) before a close frame is passed on, both directions (a fault: replaces closeDelayMs). */
  slowCloseMs?: number;
  faults?: ScheduledFault[];
  random?: RandomFaults;
  /**
   * Real transport time each data frame already spends through the proxy (the hop client →
   * proxy and the hop proxy → server), µs on the proxy's clock. It is subtracted from the frame's
   * drawn wire delay (never below 0), so a shaped link on loopback takes the link's latency, not
   * the link's latency plus the proxy's own hops. Set by runScenarioWs from a measured round trip;
   * not part of a schedule file.
   */
  hopCreditUs?: number;
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
  /**
   * A data frame started waiting in the proxy (`parked` true: it is on one of the proxy's
   * timers, not on a socket), or left it (false: handed to the far side's socket). A frame lost
   * or discarded in the proxy never leaves. runScenarioWs uses this to keep its in-flight
   * accounting exact, so idle time is still skipped while frames wait out their link latency.
   */
  onParked?: (conn: string, dir: ProxyDirection, parked: boolean) => void;
  /**
   * A data frame left the emulated sender buffer of `dir` (serialised at the link's bandwidth),
   * in arrival order per connection and direction; also one that a dead link swallowed. Lets
   * runScenarioWs complete a server's sends on the simulated pipe's rule (src/run/send-gate.ts).
   */
  onTransmitted?: (conn: string, dir: ProxyDirection) => void;
  /**
   * The random stream of the n-th connection (latency, jitter, close and handshake draws). By
   * default the proxy's own, from its seed (`proxy/conn/<n>`). runScenarioWs passes the simulated
   * network's stream of link L<n> (`network/link/L<n>`), so each frame draws the delay it draws in
   * the simulation of the same seed.
   */
  linkRandom?: (n: number) => Random;
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
