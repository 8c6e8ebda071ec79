/**
 * Profiles of a generated run: the agent (how long each step takes, how many tool calls), the
 * network (handshake, latency) and the server (ownership look-up time, late injection).
 *
 * Agent steps are fixed distributions: a fixed value shrinks to a smaller fixed value, and a
 * shrunk counterexample then reads "agent_started 1 ms after the message". Latencies and
 * look-ups are `fixed(base)` or `uniform(base, base + spread)`; the spread shrinks to 0, which
 * turns them fixed. Everything shrinks towards fast and simple.
 *
 * The long-run template (swarm.ts) replaces the tool calls so that every run lasts longer than
 * the shipped registry's TTL (F9): 1–4 tool calls sharing 171–241 s, most runs past 180 s.
 */
import fc from 'fast-check';
import type { Distribution } from '../sim/distribution.ts';
import type { AgentSpec, NetworkSpec, ServerSpec } from '../scenario/types.ts';
import { LONG_RUN_AFTER_MS, LONG_RUN_BEFORE_MS, REGISTRY_TTL_MS, smallMsArb } from './timing.ts';

export function fixedMs(value: number): Distribution {
  return { kind: 'fixed', value };
}

/** `fixed(base)` when spread is 0, else `uniform(base, base + spread)`. */
export function spreadMs(base: number, spread: number): Distribution {
  return spread === 0 ? fixedMs(base) : { kind: 'uniform', min: base, max: base + spread };
}

export function agentArb(): fc.Arbitrary<Required<AgentSpec>> {
  return fc
    .record({
      startMs: smallMsArb(5),
      thinkMs: smallMsArb(200),
      toolCalls: fc.nat({ max: 3 }),
      toolMs: smallMsArb(300),
      finishMs: smallMsArb(100),
    })
    .map((a) => ({
      startMs: fixedMs(a.startMs),
      thinkMs: fixedMs(a.thinkMs),
      toolCalls: fixedMs(a.toolCalls),
      toolMs: fixedMs(a.toolMs),
      finishMs: fixedMs(a.finishMs),
    }));
}

export interface LongRunDraw {
  /** Tool calls of every run (1–4, shrinks to 1). */
  toolCalls: number;
  /** The run's length past REGISTRY_TTL_MS + 1 s, ms (−10 s … +60 s, shrinks to 0: 181 s). */
  overMs: number;
}

export function longRunArb(): fc.Arbitrary<LongRunDraw> {
  return fc.record({
    toolCalls: fc.integer({ min: 1, max: 4 }),
    overMs: fc.integer({ min: -LONG_RUN_BEFORE_MS, max: LONG_RUN_AFTER_MS }),
  });
}

/** The target length of a long run, ms: REGISTRY_TTL_MS + 1 s + overMs. */
export function longRunMs(draw: LongRunDraw): number {
  return REGISTRY_TTL_MS + 1_000 + draw.overMs;
}

/**
 * The agent of a long-run case: the drawn start, think and finish steps, and tool calls long
 * enough that a run lasts `longRunMs(draw)` (rounded up to a whole ms per tool call).
 */
export function longRunAgent(agent: Required<AgentSpec>, draw: LongRunDraw): Required<AgentSpec> {
  const steps = upperMs(agent.startMs) + upperMs(agent.thinkMs) + upperMs(agent.finishMs);
  const toolMs = Math.ceil((longRunMs(draw) - steps) / draw.toolCalls);
  return { ...agent, toolCalls: fixedMs(draw.toolCalls), toolMs: fixedMs(toolMs) };
}

/** The longest one run of an agent profile lasts, ms (the generator's profiles are fixed or uniform). */
export function agentRunMs(agent: Required<AgentSpec>): number {
  return upperMs(agent.startMs) + upperMs(agent.thinkMs) + Math.floor(upperMs(agent.toolCalls)) * upperMs(agent.toolMs) + upperMs(agent.finishMs);
}

/** The largest value a fixed or uniform distribution takes (0 for kinds the generator never draws). */
function upperMs(d: Distribution): number {
  if (d.kind === 'fixed') return d.value;
  if (d.kind === 'uniform') return d.max;
  return 'max' in d && d.max !== undefined ? d.max : 0;
}

/** The smallest value a fixed or uniform distribution takes (a look-up lasts at least this long). */
export function lowerMs(d: Distribution | undefined): number {
  if (d === undefined) return 0;
  if (d.kind === 'fixed') return d.value;
  if (d.kind === 'uniform') return d.min;
  return 0;
}

export function networkArb(): fc.Arbitrary<NetworkSpec> {
  return fc
    .record({
      handshake: smallMsArb(20),
      latency: smallMsArb(20),
      latencySpread: smallMsArb(20),
    })
    .map((n) => ({
      handshakeMs: fixedMs(n.handshake),
      latencyMs: spreadMs(n.latency, n.latencySpread),
    }));
}

export interface ServerDraw {
  lookup: number;
  lookupSpread: number;
  injectionDelay: number;
}

export function serverDrawArb(): fc.Arbitrary<ServerDraw> {
  return fc.record({ lookup: smallMsArb(30), lookupSpread: smallMsArb(20), injectionDelay: smallMsArb(200) });
}

/** The server profile; late injection (F18) only when the swarm switched it on. */
export function serverSpec(draw: ServerDraw, lateInjection: boolean): ServerSpec {
  return {
    lookupMs: spreadMs(draw.lookup, draw.lookupSpread),
    ...(lateInjection && draw.injectionDelay > 0 ? { injectionDelayMs: draw.injectionDelay } : {}),
  };
}

/** How long a client waits before reconnecting after an abnormal close (shrinks to the default). */
export function reconnectDelayArb(): fc.Arbitrary<number> {
  return fc.constantFrom(500, 0, 100, 1_000);
}

/** Heartbeat period when some tab goes half-open (detection needs it). */
export function heartbeatArb(): fc.Arbitrary<number> {
  return fc.constantFrom(1_000, 500);
}

/** Serialisation rate of a slowed link towards the client, bytes/s. */
export function slowRateArb(): fc.Arbitrary<number> {
  return fc.constantFrom(20_000, 5_000, 100_000);
}
