/**
 * A frame-aware WebSocket chaos proxy: the toxics of Toxiproxy, one level up.
 *
 * It terminates WebSocket on both sides (a `ws` server for the client, a `ws` client to the
 * target) and relays *frames*, so it can hold, delay, throttle and drop whole messages and
 * close handshakes, not TCP segments. Per connection and direction:
 *
 *   handshake            the upstream connection opens `handshakeMs` after the client asked;
 *   latency + jitter     each frame waits latency + jitter (distributions, ms), FIFO kept;
 *   bandwidth            frames are serialised at bytes/s (a slow consumer or producer);
 *   close delay          a close frame crosses after `closeDelayMs`;
 *   partition            frames reaching the wire are held (those already on it still
 *                        arrive), and so are new handshakes; then released in order
 *                        ('release') or the connection is killed ('kill', both sides see 1006);
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
 * Frames are timed by the rule of the simulated pipe (src/sim/frame-timing.ts, shared with
 * src/sim/pipe.ts): integer µs on the proxy's clock, serialisation rounded up, latency and
 * jitter each sampled to whole µs. `linkSchedule(network)` turns a scenario's link profile into
 * a schedule, which is how `runScenarioWs` gives real sockets the simulated link.
 *
 * Every relayed, held, discarded frame and every fault is a trace record (JSON lines in the
 * CLI): `{t, conn, n, event, dir, bytes, frame, delayMs, fault}` with `t` in ms since start.
 *
 * Modules (src/real/proxy/): types.ts (the public shapes), schedule.ts (validation, per-direction
 * timing, link profiles), lane.ts (one direction's transmit / held / wire stages), link.ts (one
 * connection: lanes, handshake, partition, kill, half-open), core.ts (connections and trace),
 * faults.ts (timed, frame-count and random faults), server.ts (`startProxy`), frames.ts (helpers).
 */
export type {
  ConnectionSelector,
  DirectionProfile,
  ProxyConnectionInfo,
  ProxyDirection,
  ProxyOptions,
  ProxyRecord,
  ProxySchedule,
  RandomFaults,
  RunningProxy,
  ScheduledFault,
} from './proxy/types.ts';
export { ProxyScheduleError, linkSchedule, linkShapes, validateSchedule } from './proxy/schedule.ts';
export { startProxy } from './proxy/server.ts';
