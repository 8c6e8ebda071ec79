/**
 * Swarm configuration: drawn first for each run, it decides which kinds of user action and
 * fault are switched on in that run, and how often each occurs relative to a plain `send`.
 *
 * Swarm testing (Groce et al., 2012): a run with only drops and switches explores deeper
 * interactions between those two than a run where every feature dilutes every other. The
 * actions and faults of the run are then drawn from the switched-on kinds only.
 *
 * Everything shrinks towards "off": a shrunk counterexample keeps only the features it needs.
 */
import fc from 'fast-check';

/** Optional kinds of user action (a plain send is always on). */
export const ACTION_FEATURES = ['switch', 'reconnect', 'close', 'drop', 'slow', 'half-open', 'foreign', 'spoof'] as const;
export type ActionFeature = (typeof ACTION_FEATURES)[number];

/** Optional kinds of network / server fault that are not tied to one tab's script. */
export const FAULT_FEATURES = ['partition', 'pause', 'late-injection'] as const;
export type FaultFeature = (typeof FAULT_FEATURES)[number];

export type Feature = ActionFeature | FaultFeature;
export const FEATURES: readonly Feature[] = [...ACTION_FEATURES, ...FAULT_FEATURES];

/** Relative weight of a plain send among a tab's actions. */
export const SEND_WEIGHT = 3;

export interface Swarm {
  /** Weight (1–3) of each switched-on feature; absent = off. */
  readonly weights: Partial<Record<Feature, number>>;
}

export interface SwarmOptions {
  /** Only these features may be switched on (default: all). */
  features?: readonly Feature[];
}

export function swarmArb(options: SwarmOptions = {}): fc.Arbitrary<Swarm> {
  const allowed = options.features ?? FEATURES;
  const parts: Record<string, fc.Arbitrary<number>> = {};
  // 0–2 = off, 3–5 = on with weight 1–3: each feature is on in about half of the runs, and
  // shrinking goes towards 0, i.e. towards fewer features.
  for (const f of FEATURES) parts[f] = allowed.includes(f) ? fc.nat({ max: 5 }) : fc.constant(0);
  return fc.record(parts).map((w) => {
    const weights: Partial<Record<Feature, number>> = {};
    for (const f of FEATURES) if (w[f]! >= 3) weights[f] = w[f]! - 2;
    return { weights };
  });
}

export function isOn(swarm: Swarm, feature: Feature): boolean {
  return (swarm.weights[feature] ?? 0) > 0;
}
