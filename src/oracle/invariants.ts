/** The invariants the oracle judges, and the shape of one violation of them. */

/** Every invariant the oracle judges (docs/delivery-contract.md). */
export const INVARIANT_NAMES = [
  'no-loss',
  'no-leakage',
  'no-duplicates',
  'order',
  'timeliness',
  'thread-isolation',
  'honest-monitoring',
  'no-lost-request',
  'no-duplicate-run',
  'flush-on-ready',
  'no-redundant-redelivery',
  'honest-gaps',
  'sequence-contiguity',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface Violation {
  invariant: InvariantName;
  messageId: string | null;
  connectionId: string | null;
  atUs: number;
  explanation: string;
}
