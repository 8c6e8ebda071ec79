/** What one judged run counted: the figures of a RunResult's `counts`. */

export interface Counts {
  produced: number;
  owed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  leaked: number;
  outOfOrder: number;
  late: number;
  droppedExplicit: number;
  misrouted: number;
  stray: number;
  /** Requests the tabs made (user_message, switch_thread). */
  requests: number;
  /** Requests neither acted on nor refused within the deadline (no-lost-request). */
  requestsLost: number;
  /** Extra runs started for a message that already had one (no-duplicate-run). */
  runsDuplicated: number;
  /** Switches sent to a server that acknowledges nothing: their application is not on the wire. */
  requestsNotJudged: number;
  /** Copies of events reaching a tab that already had them (all causes). */
  redeliveries: number;
  /** Of those, copies the server knew the tab had (no-redundant-redelivery when dedup hid them). */
  redundantRedeliveries: number;
  /** Gap notices naming an event the tab already had (honest-gaps). */
  dishonestGaps: number;
  /** Held events delivered later than the bound after readiness (flush-on-ready). */
  lateFlushes: number;
  /** Holes in a ready connection's sequence numbers with no gap notice (sequence-contiguity). */
  sequenceHoles: number;
}
