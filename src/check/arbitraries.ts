/**
 * fast-check arbitraries for whole scenarios: `fuzzCaseArb()` draws a `FuzzCase` — a
 * ScenarioSpec (plain data, replayable, valid by construction) and the simulation seed that
 * also drives tie-breaking.
 *
 * Drawing order (swarm style): the swarm first decides which action and fault kinds are on in
 * this run and at what weight; users, tabs and their actions, the fault plan and the profiles
 * are then drawn and read through it. Everything is a plain record of small numbers mapped to
 * a spec, so fast-check's shrinkers work directly: fewer users, tabs, actions and faults, kinds
 * switched off, round small times, simple profiles, seed 0.
 *
 * Rules that keep every generated case fair to a correct router (so that a counterexample is
 * a router bug, not an impossible demand):
 *  - all actions and faults happen before FAULT_CUTOFF_MS; slowed links are restored at the
 *    cutoff; the deadline is the stated LIVENESS_BOUND_MS (see timing.ts);
 *  - a tab that goes half-open gets a heartbeat (else no client could ever notice), and its
 *    script waits into the liveness phase so the heartbeat runs until the zombie is noticed;
 *  - a tab never closes while a fault may still hold its frames (during a partition, a pause,
 *    or the start-up before a late WebSocket-manager injection (F18), which holds events too
 *    — and a recovery margin after it, after a drop or reconnect until the client is back, or
 *    once its link was slowed or went half-open), nor just before a fault that would stretch
 *    its close handshake: a frame that is late because of the network and then dropped by the
 *    user's own close cannot be delivered by any router;
 *  - a tab goes half-open at most once, and only on a settled, open link (same windows): a
 *    handshake that goes half-open never completes, and no client or router could notice;
 *  - clients always reconnect after an abnormal close (0–1000 ms).
 */
import fc from 'fast-check';
import type { Action, ClientSpec, FaultSpec, ScenarioSpec, TabSpec } from '../scenario/types.ts';
import { kindOf, type RawAction } from './actions.ts';
import { buildFaults, faultWindowFor, rawFaultsArb, type RawFault } from './faults.ts';
import { agentArb, heartbeatArb, networkArb, reconnectDelayArb, serverDrawArb, serverSpec, type ServerDraw } from './profiles.ts';
import { isOn, swarmArb, type Swarm, type SwarmOptions } from './swarm.ts';
import { FAULT_CUTOFF_MS, LIVENESS_BOUND_MS, LIVENESS_WATCH_MS, MAX_RUN_MS } from './timing.ts';
import { nameUsers, rawUsersArb, type RawUser, type TopologyOptions } from './topology.ts';
import type { AgentSpec, NetworkSpec } from '../scenario/types.ts';

/** A generated case: the scenario and the simulation seed (also the tie-break seed). */
export interface FuzzCase {
  spec: ScenarioSpec;
  seed: number;
}

export interface FuzzCaseOptions extends TopologyOptions, SwarmOptions {}

/** Rate that restores a slowed link at the cutoff, bytes/s (a 200-byte frame takes 0.2 µs). */
export const HEALED_BYTES_PER_S = 1_000_000_000;
/** Time a client needs after a fault window before its frames flow again, on top of its reconnect delay, ms. */
export const RECOVERY_MARGIN_MS = 300;
/**
 * A close needs this long to complete (close frame and echo); a fault starting meanwhile would
 * stretch it (a paused server echoes late), and the oracle measures its close grace from the
 * completion, so frames in flight at the user's close would count as owed. ms.
 */
export const CLOSE_HANDSHAKE_MS = 100;
/** A tab's first connection is open this long after it connects (handshake ≤ 20 ms), ms. */
export const CONNECT_SETTLE_MS = 100;
export const GENERATED_NAME = 'fuzz-case';

export interface RawCase {
  users: RawUser[];
  swarm: Swarm;
  faults: RawFault[];
  agent: Required<AgentSpec>;
  network: NetworkSpec;
  server: ServerDraw;
  reconnectAfterMs: number;
  heartbeatMs: number;
  tieBreak: boolean;
  seed: number;
}

export function rawCaseArb(options: FuzzCaseOptions = {}): fc.Arbitrary<RawCase> {
  return fc.record({
    users: rawUsersArb(options),
    swarm: swarmArb(options),
    faults: rawFaultsArb(),
    agent: agentArb(),
    network: networkArb(),
    server: serverDrawArb(),
    reconnectAfterMs: reconnectDelayArb(),
    heartbeatMs: heartbeatArb(),
    tieBreak: fc.boolean(),
    seed: fc.nat({ max: 999_999 }),
  });
}

export function fuzzCaseArb(options: FuzzCaseOptions = {}): fc.Arbitrary<FuzzCase> {
  return rawCaseArb(options).map(buildCase);
}

export function buildCase(raw: RawCase): FuzzCase {
  const users = nameUsers(raw.users);
  const tabIds: string[] = [];
  const tabOwner: number[] = [];
  raw.users.forEach((u, i) => u.tabs.forEach(() => {
    tabIds.push(`t${tabIds.length + 1}`);
    tabOwner.push(i);
  }));
  const faults = buildFaults(raw.faults, raw.swarm, tabIds);
  const server = serverSpec(raw.server, isOn(raw.swarm, 'late-injection'));
  // Until the WebSocket manager is injected (F18) the server holds every event, as in a pause.
  const held: FaultSpec[] = server.injectionDelayMs ? [...faults, { kind: 'pause', at: 0, durationMs: server.injectionDelayMs }] : faults;
  const tabs: TabSpec[] = [];
  let halfOpen = false;
  let k = 0;
  raw.users.forEach((u, ui) => {
    for (const rt of u.tabs) {
      const id = tabIds[k++]!;
      const own = users[ui]!.threads;
      const actions: Action[] = [{ at: rt.connectAt, do: 'connect', ...(rt.connectThread !== null ? { thread: own[rt.connectThread % own.length]! } : {}) }];
      const sorted = rt.actions.map((a, i) => ({ a, i, at: rt.connectAt + a.offset })).sort((x, y) => x.at - y.at || x.i - y.i);
      let degraded = false;
      let slowed = false;
      let zombie = false;
      let closed = false;
      const disruptions: number[] = [];
      for (const { a, at } of sorted) {
        const action = buildAction(a, at, raw.swarm, users, ui);
        if (action === null) continue;
        // A closed tab has no link to fault until it reconnects (a fault on a closing link would
        // only stretch the user's own close, e.g. to the 30 s close timeout of a half-open link).
        if (closed && (action.do === 'drop' || action.do === 'slow' || action.do === 'half-open' || action.do === 'close')) continue;
        if (action.do === 'close' && (degraded || !linkSettled(at, id, disruptions, held, raw.reconnectAfterMs, CLOSE_HANDSHAKE_MS))) continue;
        if (action.do === 'half-open' && (zombie || at < rt.connectAt + CONNECT_SETTLE_MS || !linkSettled(at, id, disruptions, held, raw.reconnectAfterMs))) continue;
        if (action.do === 'drop' || action.do === 'reconnect') disruptions.push(at);
        if (action.do === 'close') closed = true;
        if (action.do === 'reconnect') closed = false;
        if (action.do === 'slow') slowed = degraded = true;
        if (action.do === 'half-open') halfOpen = zombie = degraded = true;
        actions.push(action);
      }
      if (slowed) actions.push({ at: FAULT_CUTOFF_MS, do: 'slow', bytesPerS: HEALED_BYTES_PER_S });
      // Keep heartbeats running in the liveness phase until the zombie link has been noticed.
      if (zombie) actions.push({ at: FAULT_CUTOFF_MS + LIVENESS_WATCH_MS, do: 'wait' });
      tabs.push({ id, user: users[ui]!.id, actions });
    }
  });
  const client: ClientSpec = { reconnectAfterMs: raw.reconnectAfterMs, ...(halfOpen ? { heartbeatMs: raw.heartbeatMs } : {}) };
  const spec: ScenarioSpec = {
    name: GENERATED_NAME,
    description: 'generated by threadline fuzz',
    users,
    tabs,
    agent: raw.agent,
    network: raw.network,
    server,
    client,
    ...(faults.length > 0 ? { faults } : {}),
    deadlineMs: LIVENESS_BOUND_MS,
    maxDurationMs: MAX_RUN_MS,
    ...(raw.tieBreak ? { tieBreak: true } : {}),
    seeds: [raw.seed],
  };
  return { spec, seed: raw.seed };
}

function buildAction(a: RawAction, at: number, swarm: Swarm, users: ReadonlyArray<{ id: string; threads: string[] }>, ui: number): Action | null {
  const own = users[ui]!.threads;
  const thread = own[a.thread % own.length]!;
  const others = users.filter((_, i) => i !== ui);
  const other = others.length > 0 ? others[a.other % others.length]! : null;
  const send = (t: string, payloadUser?: string): Action => ({
    at,
    do: 'send',
    thread: t,
    ...(a.count > 1 ? { count: a.count, intervalMs: 10 } : {}),
    ...(payloadUser !== undefined ? { payloadUser } : {}),
  });
  switch (kindOf(a.roll, swarm)) {
    case 'send':
      return send(thread);
    case 'switch':
      return { at, do: 'switch', thread };
    case 'reconnect':
      return { at, do: 'reconnect', ...(a.withThread ? { thread } : {}) };
    case 'close':
      return { at, do: 'close' };
    case 'drop':
      return { at, do: 'drop' };
    case 'slow':
      return { at, do: 'slow', bytesPerS: a.rate };
    case 'half-open':
      return { at, do: 'half-open' };
    case 'foreign':
      // A message on another user's thread: the router must refuse it and change nothing.
      return other ? send(other.threads[a.thread % other.threads.length]!) : send(thread);
    case 'spoof':
      // A frame whose payload names another user (F11): only a router that trusts it leaks.
      return send(thread, other ? other.id : 'intruder');
  }
}

/**
 * Is `tab`'s link settled at `at`: not inside a fault window touching it, nor recovering from
 * a drop or reconnect (reconnect delay + margin)? Closing then drops no frame that a fault
 * delayed; going half-open then hits an open link, not a handshake (a half-open handshake
 * never completes and the client has no connect timeout: no router could help).
 */
function linkSettled(at: number, tab: string, disruptions: readonly number[], faults: readonly FaultSpec[], reconnectAfterMs: number, lookaheadMs = 0): boolean {
  const recovery = reconnectAfterMs + RECOVERY_MARGIN_MS;
  for (const d of disruptions) if (at >= d && at <= d + recovery) return false;
  for (const f of faults) {
    const w = faultWindowFor(f, tab);
    if (w !== null && at >= w[0] - lookaheadMs && at <= w[1] + recovery) return false;
  }
  return true;
}

/** Total scripted actions of a spec (connects included): the size of a counterexample. */
export function actionCount(spec: ScenarioSpec): number {
  return spec.tabs.reduce((n, t) => n + t.actions.length, 0);
}
