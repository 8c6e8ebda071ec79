/**
 * The property: for a generated case, every oracle invariant holds.
 *
 * One simulated run per case: the safety phase (faults on) and the liveness phase (network
 * healed, no new fault) are both inside it (see timing.ts), and the oracle judges the whole
 * run: no loss (everything owed arrived, or was dropped explicitly with a gap notice), no
 * leakage, no duplicates, order, timeliness (within the stated bound), thread isolation and
 * honest monitoring. A run that crashes or exceeds its budget fails the property too.
 */
import type { InvariantName, Violation } from '../oracle/judge.ts';
import type { Verdict } from '../oracle/verdict.ts';
import type { SystemUnderTest } from '../run/sut.ts';
import { runScenario, type RunOptions, type RunOutput } from '../run/runner.ts';
import type { FuzzCase } from './arbitraries.ts';
import { MAX_RUN_EVENTS } from './timing.ts';

/** What failed: an oracle invariant, or "error" when the run itself did not complete. */
export type FailureKind = InvariantName | 'error';

export interface CaseOutcome {
  ok: boolean;
  verdict: Verdict | 'error';
  /** The first violated invariant (or "error"), null when the property held. */
  invariant: FailureKind | null;
  /** Every violated invariant, in the order the oracle reported them first. */
  invariants: FailureKind[];
  violations: Violation[];
  violationCount: number;
  traceHash: string | null;
  /** The run's error message when it did not complete. */
  error: string | null;
}

export interface EvaluateOptions {
  keepTrace?: boolean;
  /** Only these invariants fail the case (fuzz --invariant); a crash always does. */
  focus?: readonly InvariantName[];
  onWorld?: RunOptions['onWorld'];
}

/** Run one case and judge it; never throws for a failing or crashing run. */
export async function evaluateCase(c: FuzzCase, router: SystemUnderTest, options: EvaluateOptions = {}): Promise<{ outcome: CaseOutcome; run: RunOutput | null }> {
  let run: RunOutput;
  try {
    run = await runScenario(c.spec, router, c.seed, {
      timeline: 'never',
      maxEvents: MAX_RUN_EVENTS,
      maxEventsSource: `fuzz's per-case cap MAX_RUN_EVENTS (${MAX_RUN_EVENTS} events, src/check/timing.ts): a generated case this busy counts as a failure ('error')`,
      ...(options.keepTrace ? { keepTrace: true } : {}),
      ...(options.onWorld ? { onWorld: options.onWorld } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: { ok: false, verdict: 'error', invariant: 'error', invariants: ['error'], violations: [], violationCount: 0, traceHash: null, error: message },
      run: null,
    };
  }
  return { outcome: outcomeOf(run, options.focus), run };
}

export function outcomeOf(run: RunOutput, focus?: readonly InvariantName[]): CaseOutcome {
  const { result } = run;
  const invariants: FailureKind[] = [];
  for (const v of result.violations) if (!invariants.includes(v.invariant)) invariants.push(v.invariant);
  // The explained list is capped; the counts are complete.
  for (const k of Object.keys(result.violationCounts ?? {}) as InvariantName[]) if (!invariants.includes(k)) invariants.push(k);
  // With a focus, only those invariants fail the property (the others are still reported).
  const relevant = focus && focus.length > 0 ? invariants.filter((i) => (focus as readonly string[]).includes(i)) : invariants;
  const failed = result.verdict === 'fail' && relevant.length > 0;
  return {
    ok: !failed,
    verdict: result.verdict,
    invariant: failed ? (relevant[0] ?? null) : null,
    invariants,
    violations: result.violations,
    violationCount: result.violationCount,
    traceHash: result.traceHash,
    error: null,
  };
}

/** The predicate fast-check checks; with `focus`, only those invariants count as failures. */
export function holds(router: SystemUnderTest, focus?: readonly InvariantName[]): (c: FuzzCase) => Promise<boolean> {
  return async (c) => (await evaluateCase(c, router, focus ? { focus } : {})).outcome.ok;
}
