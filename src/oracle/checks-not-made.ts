/**
 * Which checks a run could not make, or made only in a weaker form, and why — so a result
 * never claims more than the wire could show. A protocol without event ids, sequence numbers,
 * acknowledgements, resume, readiness or gap notices cannot support the checks built on them
 * (the codec's `carries`); a server that reports no monitoring cannot be held to it; a probe of
 * a live server infers what was produced instead of recording it.
 */
import type { CodecCarries } from '../ports/codec.ts';
import type { InvariantName } from './invariants.ts';

export interface CheckNotMade {
  invariant: InvariantName;
  /** "not made": nothing was judged; "weakened": judged on less than the check needs. */
  status: 'not made' | 'weakened';
  why: string;
}

export interface CheckContext {
  carries: CodecCarries;
  /** Some delivery was identified by its (run, type) on its connection, not by an event id. */
  identifiedByOccurrence: boolean;
  /** The server reported monitoring figures (honest-monitoring has something to hold). */
  reportsMonitoring: boolean;
  /** The produced set was inferred from the protocol's run lifecycle (probe), not recorded. */
  inferredTruth: boolean;
}

export function checksNotMade(ctx: CheckContext): CheckNotMade[] {
  const out: CheckNotMade[] = [];
  const { carries } = ctx;
  if (ctx.inferredTruth) {
    out.push({ invariant: 'no-loss', status: 'weakened', why: 'inferred ground truth: what was produced is inferred from the run lifecycle the tabs saw; a run no tab saw an event of counts only its certain events, so losses are a lower bound' });
    out.push({ invariant: 'no-duplicate-run', status: 'not made', why: 'inferred ground truth: runs are matched to messages by thread in order, so a second run for one message cannot be told from a run for another' });
  }
  if (!carries.eventIds || ctx.identifiedByOccurrence) {
    const why = 'the protocol carries no event ids: a delivery is identified by its (run, type) on its connection, in order after the connection\'s position in the run';
    out.push({ invariant: 'no-duplicates', status: 'weakened', why: `${why}; a copy counts as a duplicate of the last event of its type` });
    out.push({ invariant: 'order', status: 'weakened', why });
  }
  if (!carries.sequence) out.push({ invariant: 'sequence-contiguity', status: 'not made', why: 'the protocol carries no sequence numbers' });
  if (!carries.gaps) out.push({ invariant: 'honest-gaps', status: 'not made', why: 'the protocol has no gap notices' });
  if (!carries.readiness) out.push({ invariant: 'flush-on-ready', status: 'not made', why: 'the protocol has no readiness frame (thread_context)' });
  if (!carries.resume) out.push({ invariant: 'no-redundant-redelivery', status: 'not made', why: 'the protocol has no resume: a reconnecting tab cannot say what it holds' });
  if (!carries.acks) out.push({ invariant: 'no-lost-request', status: 'weakened', why: 'the protocol has no acknowledgements: a message counts as acted on when a run started for it, and switches are not judged' });
  if (!ctx.reportsMonitoring) out.push({ invariant: 'honest-monitoring', status: 'not made', why: 'the server reports no monitoring figures (metrics().reported)' });
  return out;
}
