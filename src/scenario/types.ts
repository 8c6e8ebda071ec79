/**
 * The scenario DSL: plain data describing users, tabs and their actions on the virtual
 * timeline, the agent, network and server profiles, load generators, deadlines and
 * thresholds. Scenario scripts (`scenarios/*.ts`) export `defineScenario({...})`; fuzz
 * counterexamples are written in the same form, so everything is replayable.
 *
 * All times in a scenario are milliseconds of virtual time (fractions allowed; the kernel
 * works in integer microseconds).
 */
import type { Distribution } from '../sim/distribution.ts';
import type { RouterMode } from '../sut/router/flags.ts';

export type { Verdict } from '../oracle/verdict.ts';
import type { Verdict } from '../oracle/verdict.ts';

export interface ActionBase {
  /** Absolute time, ms. */
  at?: number;
  /** Delay after the previous action of this tab (or after `when` fires), ms. */
  after?: number;
  /** Wait until this tab receives an agent event of this type (then apply `after`). */
  when?: { received: string; thread?: string; timeoutMs?: number };
}

export type Action =
  | (ActionBase & { do: 'connect'; thread?: string })
  | (ActionBase & {
      do: 'send';
      thread: string;
      count?: number;
      intervalMs?: number;
      payloadUser?: string;
      /** The frame names no thread (a front end that relies on the server's idea of the current
       *  thread); `thread` is still the thread the tab shows and sends on. */
      omitThread?: boolean;
    })
  | (ActionBase & { do: 'switch'; thread: string })
  | (ActionBase & { do: 'close' })
  | (ActionBase & { do: 'drop' })
  | (ActionBase & { do: 'reconnect'; thread?: string })
  | (ActionBase & { do: 'slow'; bytesPerS: number })
  | (ActionBase & { do: 'half-open' })
  /** Do nothing: a step that only waits (`when` / `after`). */
  | (ActionBase & { do: 'wait' });

export type ActionKind = Action['do'];
export const ACTION_KINDS: readonly ActionKind[] = ['connect', 'send', 'switch', 'close', 'drop', 'reconnect', 'slow', 'half-open', 'wait'];

export interface TabSpec {
  id: string;
  user: string;
  /** Per-tab override of client.reconnectAfterMs (null: this tab does not reconnect by itself). */
  reconnectAfterMs?: number | null;
  actions: Action[];
}

export interface UserSpec {
  id: string;
  threads: string[];
}

export interface NetworkSpec {
  handshakeMs?: Distribution;
  latencyMs?: Distribution;
  jitterMs?: Distribution;
  bandwidthBytesPerS?: number;
  closeDelayMs?: Distribution;
}

export type FaultSpec =
  | { kind: 'partition'; at: number; durationMs: number; then: 'release' | 'kill'; tabs?: string[] }
  | { kind: 'pause'; at: number; durationMs: number };

export interface ServerSpec {
  /** Ownership look-up latency, ms. */
  lookupMs?: Distribution;
  /** When the WebSocketManager is injected into the AgentRegistry, ms after start (F18). */
  injectionDelayMs?: number;
  rateLimitPerS?: number;
}

export interface AgentSpec {
  startMs?: Distribution;
  thinkMs?: Distribution;
  toolCalls?: Distribution;
  toolMs?: Distribution;
  finishMs?: Distribution;
}

export interface ClientSpec {
  /** Reconnect this long after an abnormal close (1006, 4008, 4009); null disables. */
  reconnectAfterMs?: number | null;
  /** Send `ping` this often and treat a missing pong as a dead link; 0 disables. */
  heartbeatMs?: number;
}

/** Realistic traffic: users arriving as a Poisson process, each running a chat session. */
export interface LoadSpec {
  users: number;
  /** Mean time between arrivals, ms (exponential inter-arrival times). */
  meanArrivalGapMs: number;
  threadsPerUser: number;
  /** Messages per session (rounded). */
  messagesPerSession: Distribution;
  /** Time between a session's messages, ms. */
  thinkTimeMs: Distribution;
  /** Probability that a message goes to another thread (a switch first). */
  switchProbability: number;
  /** Probability that the first message goes out right after connecting (0–5 ms). */
  rapidFirstSendProbability: number;
  /** Probability that a user has a second tab. */
  secondTabProbability: number;
  /** Probability that a session's connection drops once and reconnects. */
  dropProbability: number;
}

export interface ScenarioSpec {
  name: string;
  description: string;
  /** Failure modes of FAILURE-MODES.md this scenario expresses (F1..F25). */
  failureModes?: string[];
  users: UserSpec[];
  tabs: TabSpec[];
  agent?: AgentSpec;
  network?: NetworkSpec;
  faults?: FaultSpec[];
  server?: ServerSpec;
  client?: ClientSpec;
  load?: LoadSpec;
  /** An owed event must arrive within this time of production, ms. Default 30,000. */
  deadlineMs?: number;
  /** Gate thresholds, k6 style: "lost == 0", "success_rate >= 0.99", "latency_p99_ms < 250". */
  thresholds?: string[];
  /** Expected verdict per mode (the suite checks these). */
  expect?: Partial<Record<RouterMode, Verdict>>;
  /** Seeds to run by default (overridden by --seed/--runs). */
  seeds?: number[];
  /** Tie-break same-instant events with the seed (explores interleavings). */
  tieBreak?: boolean;
  /** Time the run may last, ms (the virtual-time budget). Default: 24 h. */
  maxDurationMs?: number;
}

export function defineScenario(spec: ScenarioSpec): ScenarioSpec {
  return spec;
}
