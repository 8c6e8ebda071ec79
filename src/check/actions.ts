/**
 * A tab's scripted actions after its first connect: send, switch, reconnect, close, drop, slow,
 * half-open, a send on another user's thread (foreign) and a send whose payload names another
 * user (spoof).
 *
 * Each raw action carries a time and a `roll` that picks its kind among the kinds the swarm
 * switched on, by weight. A roll of 0 is always a plain send, so shrinking the roll turns a
 * fault into a send, and shrinking the array removes actions. The other fields (thread index,
 * slow rate, count) are read only by the kinds that need them and shrink to the simplest.
 */
import fc from 'fast-check';
import { ACTION_FEATURES, SEND_WEIGHT, type ActionFeature, type Swarm } from './swarm.ts';
import { roundTimeArb, FAULT_CUTOFF_MS } from './timing.ts';
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
