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
 *  - clients always reconnect after an abnormal close (0–1000 ms), except a tab whose
 *    resume-edge episode sets its own delay (110–135 s, or none and an explicit reconnect);
 *  - templates (swarm.ts) add one episode per tab after its safety-phase script, once its link
 *    has settled (`settledAt`: past the cutoff, its faults, its drops and reconnects with their
 *    recovery, its zombie watch): sends, switches, drops and reconnects only, no new fault and
 *    no close. A resume-edge episode only on a calm tab (no drop, reconnect, half-open or killing
 *    partition: its reconnect delay can change), and the case's bound grows by the time it
 *    comes back (events produced while it is away are owed to it on its return; see timing.ts).
 */
import fc from 'fast-check';
import type { Action, ClientSpec, FaultSpec, ScenarioSpec, TabSpec } from '../scenario/types.ts';
import { buildEpisode, kindOf, rawEpisodeArb, templateOf, type RawAction, type RawEpisode } from './actions.ts';
import { buildFaults, faultWindowFor, rawFaultsArb, type RawFault } from './faults.ts';
import { agentArb, agentRunMs, heartbeatArb, longRunAgent, longRunArb, lowerMs, networkArb, reconnectDelayArb, serverDrawArb, serverSpec, type LongRunDraw, type ServerDraw } from './profiles.ts';
import { isOn, swarmArb, templateSwarmArb, withTemplates, type Swarm, type SwarmOptions, type Template } from './swarm.ts';
import { caseDurationMs, deadlineFor, FAULT_CUTOFF_MS, LIVENESS_WATCH_MS } from './timing.ts';
import { MAX_TABS_PER_USER, MAX_USERS, nameUsers, rawUsersArb, type RawUser, type TopologyOptions } from './topology.ts';
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
  /** Switched-on templates with their weights (drawn last: absent or empty = none). */
  templates?: Partial<Record<Template, number>>;
  /** One optional episode per tab, by tab index. */
  episodes?: Array<RawEpisode | null>;
  /** The long-run agent's tool calls and length (read when long-run is on). */
  longRun?: LongRunDraw;
}

export function rawCaseArb(options: FuzzCaseOptions = {}): fc.Arbitrary<RawCase> {
  const maxTabs = (options.maxUsers ?? MAX_USERS) * (options.maxTabsPerUser ?? MAX_TABS_PER_USER);
  const base = fc.record({
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
  const templates = fc.record({
    templates: templateSwarmArb(options),
    episodes: fc.array(fc.option(rawEpisodeArb(), { nil: null }), { minLength: maxTabs, maxLength: maxTabs }),
    longRun: longRunArb(),
  });
  // Templates are drawn after everything else, so every other field is what the same seed drew
  // before templates existed; they are shrunk first, so a counterexample that does not need
  // them loses them before anything else shrinks (and shrinks as it did without them).
  return drawnAfterShrunkFirst(base, templates, followTabs).map(([b, t]) => ({ ...b, ...t }));
}

type TemplateDraw = Pick<RawCase, 'templates' | 'episodes' | 'longRun'>;

/**
 * Episodes are drawn per tab index. When a shrink step removes a user or a tab, the episodes
 * of the remaining tabs move with them (and the removed tab's goes), so the shrinker can take
 * away everything an episode does not need. Tabs are matched by content, in order (one shrink
 * step removes or changes one thing); when they cannot be matched, nothing moves.
 */
function followTabs(before: Omit<RawCase, keyof TemplateDraw>, after: Omit<RawCase, keyof TemplateDraw>, draw: TemplateDraw): TemplateDraw {
  const episodes = draw.episodes;
  if (episodes === undefined) return draw;
  const was = before.users.flatMap((u) => u.tabs.map((t) => JSON.stringify(t)));
  const now = after.users.flatMap((u) => u.tabs.map((t) => JSON.stringify(t)));
  if (now.length >= was.length) return draw;
  const from: number[] = [];
  let i = 0;
  for (const tab of now) {
    while (i < was.length && was[i] !== tab) i++;
    if (i === was.length) return draw;
    from.push(i++);
  }
  const moved = from.map((k) => episodes[k] ?? null);
  while (moved.length < episodes.length) moved.push(null);
  return { ...draw, episodes: moved };
}

/**
 * A pair drawn `first` then `second`, whose shrinker tries `second`'s shrinks before `first`'s
 * (fast-check's tuple shrinks its elements in drawing order). `follow` adapts `second` to a
 * shrink of `first` (then `second` shrinks on without its drawing context, so every part of it
 * must be able to: plain arbitraries, or `map` with the way back).
 */
export function drawnAfterShrunkFirst<A, B>(first: fc.Arbitrary<A>, second: fc.Arbitrary<B>, follow?: (before: A, after: A, b: B) => B): fc.Arbitrary<[A, B]> {
  return new DrawnAfterShrunkFirst(first, second, follow);
}

class DrawnAfterShrunkFirst<A, B> extends fc.Arbitrary<[A, B]> {
  constructor(
    private readonly first: fc.Arbitrary<A>,
    private readonly second: fc.Arbitrary<B>,
    private readonly follow: ((before: A, after: A, b: B) => B) | undefined,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<[A, B]> {
    const a = this.first.generate(mrng, biasFactor);
    const b = this.second.generate(mrng, biasFactor);
    return new fc.Value<[A, B]>([a.value_, b.value_], [a.context, b.context]);
  }

  canShrinkWithoutContext(value: unknown): value is [A, B] {
    return Array.isArray(value) && value.length === 2 && this.first.canShrinkWithoutContext(value[0]) && this.second.canShrinkWithoutContext(value[1]);
  }

  shrink(value: [A, B], context: unknown): fc.Stream<fc.Value<[A, B]>> {
    const [a, b] = value;
    const [ca, cb] = Array.isArray(context) ? (context as [unknown, unknown]) : [undefined, undefined];
    const pair = (x: A, cx: unknown, y: B, cy: unknown) => new fc.Value<[A, B]>([x, y], [cx, cy]);
    return this.second
      .shrink(b, cb)
      .map((vb) => pair(a, ca, vb.value_, vb.context))
      .join(
        this.first.shrink(a, ca).map((va) => {
          const nb = this.follow ? this.follow(a, va.value_, b) : b;
          return pair(va.value_, va.context, nb, nb === b ? cb : undefined);
        }),
      );
  }
}

export function fuzzCaseArb(options: FuzzCaseOptions = {}): fc.Arbitrary<FuzzCase> {
  return rawCaseArb(options).map(buildCase);
}

export function buildCase(raw: RawCase): FuzzCase {
  const swarm = withTemplates(raw.swarm, raw.templates);
  const users = nameUsers(raw.users, isOn(swarm, 'shared-thread-ids'));
  const tabIds: string[] = [];
  const tabOwner: number[] = [];
  raw.users.forEach((u, i) => u.tabs.forEach(() => {
    tabIds.push(`t${tabIds.length + 1}`);
    tabOwner.push(i);
  }));
  const faults = buildFaults(raw.faults, swarm, tabIds);
  const server = serverSpec(raw.server, isOn(swarm, 'late-injection'));
  const agent = isOn(swarm, 'long-run') && raw.longRun ? longRunAgent(raw.agent, raw.longRun) : raw.agent;
  // Until the WebSocket manager is injected (F18) the server holds every event, as in a pause.
  const held: FaultSpec[] = server.injectionDelayMs ? [...faults, { kind: 'pause', at: 0, durationMs: server.injectionDelayMs }] : faults;
  const tabs: TabSpec[] = [];
  let halfOpen = false;
  let longestReturnMs = 0;
  let lastScriptedMs = 0;
  let k = 0;
  raw.users.forEach((u, ui) => {
    for (const rt of u.tabs) {
      const index = k++;
      const id = tabIds[index]!;
      const own = users[ui]!.threads;
      const actions: Action[] = [{ at: rt.connectAt, do: 'connect', ...(rt.connectThread !== null ? { thread: own[rt.connectThread % own.length]! } : {}) }];
      const sorted = rt.actions.map((a, i) => ({ a, i, at: rt.connectAt + a.offset })).sort((x, y) => x.at - y.at || x.i - y.i);
      let degraded = false;
      let slowed = false;
      let zombie = false;
      let closed = false;
      const disruptions: number[] = [];
      for (const { a, at } of sorted) {
        const action = buildAction(a, at, swarm, users, ui);
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
      const tab: TabSpec = { id, user: users[ui]!.id, actions };
      const ep = raw.episodes?.[index] ?? null;
      const template = ep === null ? null : templateOf(ep.roll, swarm);
      if (ep !== null && template !== null) {
        const built = buildEpisode(ep, template, {
          settledAt: settledAt(id, actions, disruptions, held, raw.reconnectAfterMs, slowed, zombie),
          threads: own,
          closed,
          calm: disruptions.length === 0 && !zombie && !held.some((f) => f.kind === 'partition' && f.then === 'kill' && faultWindowFor(f, id) !== null),
          lookupMs: lowerMs(server.lookupMs),
          handshakeMs: lowerMs(raw.network.handshakeMs),
        });
        if (built !== null) {
          actions.push(...built.actions);
          if (built.reconnectAfterMs !== undefined) tab.reconnectAfterMs = built.reconnectAfterMs;
          if (built.returnAtMs !== undefined) longestReturnMs = Math.max(longestReturnMs, built.returnAtMs);
        }
      }
      lastScriptedMs = Math.max(lastScriptedMs, scriptEndMs(actions), longestReturnMs);
      tabs.push(tab);
    }
  });
  const client: ClientSpec = { reconnectAfterMs: raw.reconnectAfterMs, ...(halfOpen ? { heartbeatMs: raw.heartbeatMs } : {}) };
  const spec: ScenarioSpec = {
    name: GENERATED_NAME,
    description: 'generated by threadline fuzz',
    users,
    tabs,
    agent,
    network: raw.network,
    server,
    client,
    ...(faults.length > 0 ? { faults } : {}),
    deadlineMs: deadlineFor(longestReturnMs),
    maxDurationMs: caseDurationMs(lastScriptedMs, agentRunMs(agent)),
    ...(raw.tieBreak ? { tieBreak: true } : {}),
    seeds: [raw.seed],
  };
  return { spec, seed: raw.seed };
}

/**
 * When a tab's link has settled after its safety-phase script, ms: past the cutoff (slowed
 * links are restored there), its last action, the recovery after its drops and reconnects and
 * after every fault window touching it, and its zombie watch. An episode starts from here.
 */
function settledAt(tab: string, actions: readonly Action[], disruptions: readonly number[], faults: readonly FaultSpec[], reconnectAfterMs: number, slowed: boolean, zombie: boolean): number {
  const recovery = reconnectAfterMs + RECOVERY_MARGIN_MS;
  let t = Math.max(FAULT_CUTOFF_MS, scriptEndMs(actions));
  if (slowed) t = Math.max(t, FAULT_CUTOFF_MS + RECOVERY_MARGIN_MS);
  if (zombie) t = Math.max(t, FAULT_CUTOFF_MS + LIVENESS_WATCH_MS + RECOVERY_MARGIN_MS);
  for (const d of disruptions) t = Math.max(t, d + recovery);
  for (const f of faults) {
    const w = faultWindowFor(f, tab);
    if (w !== null) t = Math.max(t, w[1] + recovery);
  }
  return t;
}

/** When a tab's script has done its last action, ms (`after` steps and bursts included). */
export function scriptEndMs(actions: readonly Action[]): number {
  let t = 0;
  for (const a of actions) {
    t = a.at !== undefined ? Math.max(t, a.at) : t;
    t += a.after ?? 0;
    if (a.do === 'send' && a.count !== undefined && a.count > 1) t += (a.count - 1) * (a.intervalMs ?? 0);
  }
  return t;
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
