/**
 * Swarm configuration: drawn first for each run, it decides which kinds of user action and
 * fault are switched on in that run, and how often each occurs relative to a plain `send`.
 *
 * Swarm testing (Groce et al., 2012): a run with only drops and switches explores deeper
 * interactions between those two than a run where every feature dilutes every other. The
 * actions and faults of the run are then drawn from the switched-on kinds only.
 *
 * Templates are a third dimension: whole episodes at the time scales where the router's
 * subtle bugs live (idle gaps past the catch-up window, reconnects at the edge of the resume
 * window, runs longer than the registry TTL, a drop inside an ownership look-up, a reconnect
 * with a message at once). They are drawn after everything else (so a case with every
 * template off is exactly the case the same seed drew before they existed) and are each on in
 * about a quarter of the runs.
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

/**
 * Optional templates (see actions.ts and profiles.ts): `long-run` changes the agent profile of
 * the whole run; `shared-thread-ids` names every user's threads from A (u1 and u2 both own an
 * "A": thread ids are scoped per user, F25); the others are per-tab episodes after the safety
 * phase, one per tab at most, picked by weight among the switched-on ones.
 */
export const TEMPLATES = ['idle-gap', 'resume-edge', 'long-run', 'drop-in-lookup', 'reconnect-send', 'shared-thread-ids'] as const;
export type Template = (typeof TEMPLATES)[number];
/** Templates that are per-tab episodes (long-run is a profile). */
export const EPISODE_TEMPLATES = ['idle-gap', 'resume-edge', 'drop-in-lookup', 'reconnect-send'] as const;
export type EpisodeTemplate = (typeof EPISODE_TEMPLATES)[number];

/** Relative weight of a plain send among a tab's actions. */
export const SEND_WEIGHT = 3;

export interface Swarm {
  /** Weight (1–3 for features, 1–2 for templates) of each switched-on dimension; absent = off. */
  readonly weights: Partial<Record<Feature | Template, number>>;
}

export interface SwarmOptions {
  /** Only these features and templates may be switched on (default: all). */
  features?: readonly (Feature | Template)[];
}

export function swarmArb(options: SwarmOptions = {}): fc.Arbitrary<Swarm> {
  const allowed: readonly (Feature | Template)[] = options.features ?? FEATURES;
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

/**
 * The templates of a run: 0–5 = off, 6–7 = on with weight 1–2, so each is on in a quarter of
 * the runs (at least one of them in three runs out of four) and shrinking switches them off.
 */
export function templateSwarmArb(options: SwarmOptions = {}): fc.Arbitrary<Partial<Record<Template, number>>> {
  const allowed: readonly (Feature | Template)[] = options.features ?? TEMPLATES;
  const parts: Record<string, fc.Arbitrary<number>> = {};
  for (const t of TEMPLATES) parts[t] = allowed.includes(t) ? fc.nat({ max: 7 }) : fc.constant(0);
  return fc.record(parts).map(
    (w) => {
      const weights: Partial<Record<Template, number>> = {};
      for (const t of TEMPLATES) if (w[t]! >= 6) weights[t] = w[t]! - 5;
      return weights;
    },
    // The way back, so the templates can shrink without their drawing context (arbitraries.ts).
    (v) => {
      const weights = v as Partial<Record<Template, number>>;
      return Object.fromEntries(TEMPLATES.map((t) => [t, allowed.includes(t) && (weights[t] ?? 0) > 0 ? weights[t]! + 5 : 0]));
    },
  );
}

/** The swarm of a run with its templates added. */
export function withTemplates(swarm: Swarm, templates: Partial<Record<Template, number>> | undefined): Swarm {
  return templates === undefined ? swarm : { weights: { ...swarm.weights, ...templates } };
}

export function isOn(swarm: Swarm, feature: Feature | Template): boolean {
  return (swarm.weights[feature] ?? 0) > 0;
}
