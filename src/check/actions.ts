/**
 * A tab's scripted actions after its first connect: send, switch, reconnect, close, drop, slow,
 * half-open, a send on another user's thread (foreign) and a send whose payload names another
 * user (spoof).
 *
 * Each raw action carries a time and a `roll` that picks its kind among the kinds the swarm
 * switched on, by weight. A roll of 0 is always a plain send, so shrinking the roll turns a
 * fault into a send, and shrinking the array removes actions. The other fields (thread index,
 * slow rate, count) are read only by the kinds that need them and shrink to the simplest.
 *
 * Episodes (the per-tab templates of swarm.ts) come after a tab's safety-phase script, once its
 * link has settled: see `rawEpisodeArb` and `buildEpisode`.
 */
import fc from 'fast-check';
import type { Action } from '../scenario/types.ts';
import { ACTION_FEATURES, EPISODE_TEMPLATES, SEND_WEIGHT, type ActionFeature, type EpisodeTemplate, type Swarm } from './swarm.ts';
import { roundTimeArb, FAULT_CUTOFF_MS, IDLE_THEN_MAX_MS, RESUME_WINDOW_MS, idleGapArb, resumeEdgeArb } from './timing.ts';
import { slowRateArb } from './profiles.ts';

export type ActionKindDrawn = 'send' | ActionFeature;

export interface RawAction {
  /** Time after the tab's first connect, ms (so connect + offset stays before the cutoff). */
  offset: number;
  /** 0–999: picks the kind (see `kindOf`). */
  roll: number;
  /** Thread index within the user's threads (send, switch, reconnect). */
  thread: number;
  /** Index of another user (foreign, spoof). */
  other: number;
  /** Reconnect names a thread in its URL. */
  withThread: boolean;
  /** Messages in a send (1–3, mostly 1), 10 ms apart. */
  count: number;
  /** Bytes/s of a slowed link. */
  rate: number;
}

export function rawActionArb(): fc.Arbitrary<RawAction> {
  return fc.record({
    offset: roundTimeArb(FAULT_CUTOFF_MS / 2 - 1),
    roll: fc.nat({ max: 999 }),
    thread: fc.nat({ max: 2 }),
    other: fc.nat({ max: 3 }),
    withThread: fc.boolean(),
    // 0–3 → 1 message, 4 → 2, 5 → 3: bursts in a third of the sends; shrinks to a single message.
    count: fc.nat({ max: 5 }).map((n) => (n <= 3 ? 1 : n - 2)),
    rate: slowRateArb(),
  });
}

/** The kind a roll picks, by weight among the switched-on kinds; roll 0 is always a send. */
export function kindOf(roll: number, swarm: Swarm): ActionKindDrawn {
  const kinds: Array<{ kind: ActionKindDrawn; weight: number }> = [{ kind: 'send', weight: SEND_WEIGHT }];
  for (const f of ACTION_FEATURES) {
    const w = swarm.weights[f] ?? 0;
    if (w > 0) kinds.push({ kind: f, weight: w });
  }
  const total = kinds.reduce((s, k) => s + k.weight, 0);
  let point = (roll / 1_000) * total;
  for (const k of kinds) {
    if (point < k.weight) return k.kind;
    point -= k.weight;
  }
  return 'send';
}

// ---- Episodes -------------------------------------------------------------------------------

/**
 * The raw draw of one tab's episode. `roll` picks the template among the switched-on episode
 * templates, by weight; the other fields are read only by the template that needs them, and
 * each shrinks towards the simplest case (no extra traffic, the window's edge, a drop 1 ms
 * after the message).
 */
export interface RawEpisode {
  /** 0–999: picks the template (see `templateOf`). */
  roll: number;
  /** Start, after the tab's link has settled, ms (resume-edge, drop-in-lookup, reconnect-send). */
  offset: number;
  /** Thread index of the episode's message (and of a reconnect naming a thread). */
  thread: number;
  /** idle-gap: how long the tab is idle before its message (5,001–30,000 ms). */
  idleMs: number;
  /** idle-gap: how long after that message more traffic comes (0–30,000 ms). */
  thenMs: number;
  /** idle-gap: the more traffic is a switch (else a send). */
  thenSwitch: boolean;
  thenThread: number;
  /** resume-edge: the time away, relative to the end of the resume window (−10 s … +15 s). */
  edgeMs: number;
  /** resume-edge: come back by the tab's own reconnect delay (else an explicit reconnect). */
  auto: boolean;
  /** resume-edge: the drop comes this long after the message (0–1,500 ms: mid-run). */
  dropAfterMs: number;
  /** resume-edge: send once back. */
  follow: boolean;
  /** drop-in-lookup, reconnect-send: where in the look-up the drop lands (0–999 → 1 … look-up − 1 ms). */
  lookupPoint: number;
  /** reconnect-send: the link drops again during the message's look-up (F21). */
  dropAgain: boolean;
  /** The explicit reconnect names a thread in its URL. */
  withThread: boolean;
}

export function rawEpisodeArb(): fc.Arbitrary<RawEpisode> {
  return fc.record({
    roll: fc.nat({ max: 999 }),
    offset: roundTimeArb(999),
    thread: fc.nat({ max: 2 }),
    idleMs: idleGapArb(),
    thenMs: fc.integer({ min: 0, max: IDLE_THEN_MAX_MS }),
    thenSwitch: fc.boolean(),
    thenThread: fc.nat({ max: 2 }),
    edgeMs: resumeEdgeArb(),
    auto: fc.boolean(),
    dropAfterMs: roundTimeArb(1_500),
    follow: fc.boolean(),
    lookupPoint: fc.nat({ max: 999 }),
    dropAgain: fc.boolean(),
    withThread: fc.boolean(),
  });
}

/** The episode template a roll picks, by weight among the switched-on ones; null when none is on. */
export function templateOf(roll: number, swarm: Swarm): EpisodeTemplate | null {
  const on = EPISODE_TEMPLATES.filter((t) => (swarm.weights[t] ?? 0) > 0);
  const total = on.reduce((s, t) => s + swarm.weights[t]!, 0);
  if (total === 0) return null;
  let point = (roll / 1_000) * total;
  for (const t of on) {
    if (point < swarm.weights[t]!) return t;
    point -= swarm.weights[t]!;
  }
  return on[on.length - 1]!;
}

/** What an episode needs to know about its tab and the run. */
export interface EpisodeContext {
  /** From this time on the tab's link is settled: no fault, recovery or zombie watch left, ms. */
  settledAt: number;
  /** The tab's user's threads. */
  threads: readonly string[];
  /** The tab was closed by its user at the end of its safety-phase script. */
  closed: boolean;
  /** No drop, reconnect, half-open or killing partition touched the tab: its reconnect delay can be changed. */
  calm: boolean;
  /** The shortest ownership look-up, ms (the server profile's lower bound). */
  lookupMs: number;
  /** The handshake time, ms (fixed in generated cases). */
  handshakeMs: number;
}

export interface BuiltEpisode {
  actions: Action[];
  /** resume-edge: the tab's own reconnect delay (null: it comes back only by its explicit reconnect). */
  reconnectAfterMs?: number | null;
  /** resume-edge: when the tab comes back, ms (for the case's bound). */
  returnAtMs?: number;
}

/** resume-edge: the message once back comes this long after the return (the handshake is ≤ 20 ms), ms. */
export const BACK_SEND_MS = 100;

/** Where a drop inside a look-up of `lookupMs` lands: 1 … lookupMs − 1 ms after the message. */
export function dropInLookupMs(lookupPoint: number, lookupMs: number): number {
  return 1 + Math.floor((lookupPoint * (lookupMs - 1)) / 1_000);
}

/**
 * A tab's episode, or null when the template does not fit the tab:
 *  - idle-gap: idle 5–30 s (past the catch-up window), a message (a run), more traffic 0–30 s
 *    later (a send or a switch);
 *  - resume-edge (calm tabs only): a message, a drop mid-run, back 110–135 s later — by an
 *    explicit reconnect (the tab's reconnect delay is null) or by the tab's own reconnect delay
 *    set to that time — and perhaps a message once back;
 *  - drop-in-lookup (look-ups of 2 ms or more): a message, a drop 1 … look-up − 1 ms later,
 *    the client's own reconnect;
 *  - reconnect-send: an explicit reconnect, a message at once (`after: 0`), and perhaps a drop
 *    again during that message's look-up (F21: handshake + 1 … handshake + look-up − 1 ms).
 * A closed tab takes only reconnect-send (the user comes back to it).
 */
export function buildEpisode(ep: RawEpisode, template: EpisodeTemplate, ctx: EpisodeContext): BuiltEpisode | null {
  const thread = ctx.threads[ep.thread % ctx.threads.length]!;
  const start = ctx.settledAt + ep.offset;
  const send = (at: number, t = thread): Action => ({ at, do: 'send', thread: t });
  if (ctx.closed && template !== 'reconnect-send') return null;
  switch (template) {
    case 'idle-gap': {
      const at = ctx.settledAt + ep.idleMs;
      const then = ctx.threads[ep.thenThread % ctx.threads.length]!;
      const next: Action = ep.thenSwitch ? { at: at + ep.thenMs, do: 'switch', thread: then } : send(at + ep.thenMs, then);
      return { actions: [send(at), next] };
    }
    case 'resume-edge': {
      if (!ctx.calm) return null;
      const dropAt = start + ep.dropAfterMs;
      const awayMs = RESUME_WINDOW_MS + ep.edgeMs;
      const back = dropAt + awayMs;
      const actions: Action[] = [send(start), { at: dropAt, do: 'drop' }];
      if (!ep.auto) actions.push({ at: back, do: 'reconnect', ...(ep.withThread ? { thread } : {}) });
      if (ep.follow) actions.push(send(back + BACK_SEND_MS));
      return { actions, reconnectAfterMs: ep.auto ? awayMs : null, returnAtMs: back };
    }
    case 'drop-in-lookup': {
      if (ctx.lookupMs < 2) return null;
      return { actions: [send(start), { at: start + dropInLookupMs(ep.lookupPoint, ctx.lookupMs), do: 'drop' }] };
    }
    case 'reconnect-send': {
      const actions: Action[] = [{ at: start, do: 'reconnect', ...(ep.withThread ? { thread } : {}) }, { after: 0, do: 'send', thread }];
      if (ep.dropAgain && ctx.lookupMs >= 2) actions.push({ after: ctx.handshakeMs + dropInLookupMs(ep.lookupPoint, ctx.lookupMs), do: 'drop' });
      return { actions };
    }
  }
}
