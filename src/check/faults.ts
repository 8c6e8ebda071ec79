/**
 * The fault plan of a generated run: network partitions (of some tabs or of the whole network,
 * released or killed at the end) and server pauses, drawn only when the swarm switched them on.
 * Every window ends by the fault cutoff, so the liveness phase starts with a healed network.
 */
import fc from 'fast-check';
import type { FaultSpec } from '../scenario/types.ts';
import { isOn, type Swarm } from './swarm.ts';
import { FAULT_CUTOFF_MS, roundTimeArb } from './timing.ts';
import { optionalList } from './topology.ts';

export const MAX_FAULTS = 3;
export const MAX_FAULT_MS = 1_500;

export interface RawFault {
  /** Even: partition, odd: pause (when both are on). */
  kind: number;
  at: number;
  durationMs: number;
  kill: boolean;
  /** Indices of the partitioned tabs, or null for the whole network. */
  tabs: number[] | null;
}

export function rawFaultsArb(): fc.Arbitrary<RawFault[]> {
  const fault = fc.record({
    kind: fc.nat({ max: 1 }),
    at: roundTimeArb(FAULT_CUTOFF_MS - 1),
    durationMs: roundTimeArb(MAX_FAULT_MS),
    kill: fc.boolean(),
    tabs: fc.option(fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 3 }), { nil: null }),
  });
  return optionalList(fault, 0, MAX_FAULTS);
}

/** Concrete fault windows, sorted by start; an empty plan when the swarm has no fault on. */
export function buildFaults(raw: readonly RawFault[], swarm: Swarm, tabIds: readonly string[]): FaultSpec[] {
  const partition = isOn(swarm, 'partition');
  const pause = isOn(swarm, 'pause');
  if (!partition && !pause) return [];
  const out: FaultSpec[] = [];
  for (const f of raw) {
    const durationMs = Math.min(f.durationMs, FAULT_CUTOFF_MS - f.at);
    if (durationMs <= 0) continue;
    const isPause = pause && (!partition || f.kind === 1);
    if (isPause) {
      out.push({ kind: 'pause', at: f.at, durationMs });
      continue;
    }
    const spec: FaultSpec = { kind: 'partition', at: f.at, durationMs, then: f.kill ? 'kill' : 'release' };
    if (f.tabs !== null) spec.tabs = [...new Set(f.tabs.map((i) => tabIds[i % tabIds.length]!))].sort(byTabNumber);
    out.push(spec);
  }
  return out.sort((a, b) => a.at - b.at);
}

export function byTabNumber(a: string, b: string): number {
  return Number(a.slice(1)) - Number(b.slice(1));
}

/** The window during which a fault may still hold or lose frames of `tab`, ms (inclusive). */
export function faultWindowFor(f: FaultSpec, tab: string): [number, number] | null {
  if (f.kind === 'partition' && f.tabs !== undefined && !f.tabs.includes(tab)) return null;
  return [f.at, f.at + f.durationMs];
}
