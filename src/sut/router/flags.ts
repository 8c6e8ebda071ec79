/**
 * Router feature flags and the four mode presets.
 *
 * Every behaviour that differs between modes is one flag, so the marginal effect of a single
 * fix (or a single defect) can be measured alone: `--router dynamic+bindOnSwitch` or
 * `--router guaranteed-pendingQueue`. docs/router.md lists each flag, its default per mode and
 * the failure modes (F1–F20 of FAILURE-MODES.md) it reproduces or prevents.
 */

export interface RouterFlags {
  // ---- Binding ---------------------------------------------------------------------------
  /** Bind the connection to the thread named in the handshake (`?thread_id=`). All modes. */
  bindAtHandshake: boolean;
  /** user_message updates the connection's thread association (the report's core fix). */
  bindOnMessage: boolean;
  /** Wait for the binding (ownership look-up) before starting the agent. Without it the
   *  association runs concurrently with the agent: events emitted inside the look-up find no
   *  connection (F1). */
  awaitBindBeforeRun: boolean;
  /** switch_thread updates the association together with the rooms (prevents F3). */
  bindOnSwitch: boolean;
  /** F2: the handler-path bind calls a method keyed by *user* with a *connection* id; it
   *  silently does nothing. */
  handlerBindNoop: boolean;
  /** F4: the service-path bind moves every connection of the user to the newest thread. */
  serviceBindUserWide: boolean;
  /** `sleep(10 ms)` after starting the association "to let it propagate" (the shipped code's
   *  synchronisation by sleep). 0 disables. */
  propagationSleepMs: number;
  /** Bindings take effect in the order the client sent the frames that ask for them
   *  (handshake, user_message, switch_thread): an ownership look-up that finishes late does not
   *  undo a newer binding. Without it, two quick frames can leave the connection bound to the
   *  older thread while the client shows the newer one. */
  orderedBinding: boolean;

  // ---- Routing ---------------------------------------------------------------------------
  /** F11: on a miss, send to every connection of the user named in the run's payload. */
  fallbackFanout: boolean;
  /** F11 leak: the run's user id is read from the client's frame when it carries one. */
  trustPayloadUserId: boolean;
  /** A run's events also reach the connection that started it, wherever it is bound now. */
  runScopedDelivery: boolean;
  /** F9: registry entries expire this long after connect (180 s in the shipped code); 0 = never. */
  registryTtlMs: number;
  /** F9: registry capacity (500 in the shipped code); 0 = unbounded. */
  registryMaxEntries: number;
  /** F20: the bridge resolves an event's thread from its run id. A plain run id ("run-<n>",
   *  not "thread_<id>_run_<n>") does not name its thread, so the look-up falls back to the
   *  thread the starting connection is bound to *now* — or, unbound, passes the run id as the
   *  thread id. Off in every preset (not yet measured against the public code: see #14). */
  resolveThreadFromRunId: boolean;

  // ---- Sending ---------------------------------------------------------------------------
  /** F8: a send not completed within this time is retried (2 s in the shipped code); 0 = no timeout. */
  sendTimeoutMs: number;
  /** F8: retries after a send timeout (2 in the shipped code). */
  sendRetries: number;
  /** F8: base backoff between retries, doubled each time (0.5 s in the shipped code). */
  sendBackoffMs: number;
  /** Events carry `msg_id` and a per-stream `seq`, so clients can deduplicate and resume. */
  eventIds: boolean;
  /** F12: failures reported as success (test-prefixed threads, partial fan-out). */
  successMasking: boolean;
  /** Bound on a connection's unsent bytes; a consumer that stays above it is closed with
   *  4008 and relies on resume (prevents F19). 0 = unbounded. */
  outboundLimitBytes: number;
  /** F16: a connection torn down inside the fan-out (the outbound-limit cutoff) is unbound from
   *  the list being iterated, so the next connection in it is skipped for that event. Off in
   *  every preset (not yet measured against the public code). */
  fanoutSkipsAfterTeardown: boolean;

  // ---- Readiness, queueing, resume -----------------------------------------------------
  /** Events for a (user, thread) with no bound connection wait in the pending queue. */
  pendingQueue: boolean;
  pendingMaxPerKey: number;
  pendingMaxTotal: number;
  pendingTtlMs: number;
  /** Clients may resume by last sequence number within this window; past it, a gap notice.
   *  0 disables resume. */
  resumeWindowMs: number;
  /** Events emitted before `setWebSocketManager` are buffered and flushed at injection
   *  (instead of "EMISSION BLOCKED", F18). */
  bufferBeforeInjection: boolean;

  // ---- Requests (client → server) --------------------------------------------------------
  /** Acknowledge every accepted user_message (with its run id) and applied switch_thread
   *  (`message_ack`), declared in connection_ready, so clients keep an outbox and resend after
   *  a reconnect (prevents F21: a message dropped while its look-up ran). */
  messageAcks: boolean;
  /** A user_message id seen within this window is not run again: it is acknowledged with the
   *  run it already started (prevents F22: a resend starting a second run). 0 = no dedup. */
  messageDedupWindowMs: number;

  // ---- Fidelity to the public code (netra-systems/zen at f48a9b486; docs/router.md) -------
  /** The router speaks the production envelope (src/protocol/envelope.ts) instead of threadline's
   *  protocol: its frames are the real code's frames. Its clients use codecs.envelope. */
  envelopeWire: boolean;
  /** Clients start runs with `start_agent` (the only frame that reaches the agent handler through
   *  /ws) instead of `user_message`. Only with envelopeWire. */
  startAgentFrames: boolean;
  /** The endpoint's built-in UserMessageHandler answers `user_message` with "Message received"
   *  and nothing else: no run starts (websocket_core/handlers.py:507–515, 546–565). */
  userMessageAckOnly: boolean;
  /** `switch_thread` is a type the endpoint's router does not know: answered with an `ack`,
   *  nothing changes (handlers.py:918–927); the handler behind it would raise on the missing
   *  `broadcasting` before rebinding (services/message_handlers.py:544). */
  switchUnhandled: boolean;
  /** One tab's disconnect closes all of the user's connections (`disconnect_user`,
   *  websocket_core/manager.py:1457–1462, called from routes/websocket.py:427). */
  closeAllOnDisconnect: boolean;
  /** The fallback fan-out (fallbackFanout) happens only for frames that carry a user id
   *  (websocket_core/manager.py:1108–1115), and the bridge's agent events carry none
   *  (services/agent_websocket_bridge.py:928–1201): no fallback for any of the five. */
  fallbackOnlyWithUserId: boolean;
  /** A user_message that reaches the agent handler with a thread raises AttributeError on the
   *  missing `manager.broadcasting` (services/message_handlers.py:361–362): no run starts. */
  broadcastingMissing: boolean;
  /** `execute_and_persist(supervisor, text, user_id, ...)` against its signature
   *  `(supervisor, user_id, text, ...)` (services/message_processing.py:40–42 vs 49–51): the
   *  run's context user is the message text, so the thinking event's fallback goes to a user
   *  named after the text, who has no connections. */
  swappedExecuteArgs: boolean;
  // ---- Planted bugs (TEST-ONLY) ------------------------------------------------------------
  // Deliberately broken variants of the guaranteed router, off in every mode and never part of
  // a preset. They exist so a test can prove that the oracle and the search find bugs of the
  // kind resume and client-side dedup paper over (docs/fuzzing.md has the table).
  /** TEST-ONLY bug: resume replays from sequence 0 and ignores what the client said it holds. */
  bugResumeFromZero: boolean;
  /** TEST-ONLY bug: every 5th sequence number of a stream is skipped (never assigned, never announced). */
  bugSkipSeq: boolean;
  /** TEST-ONLY bug: a gap notice also names the newest event the connection already got on that thread. */
  bugGapOverclaims: boolean;
  /** TEST-ONLY bug: routing finds connections by thread id alone, ignoring the user (F25). */
  bugThreadKeyedRouting: boolean;
}

/** The planted-bug flags (test-only; see RouterFlags). */
export const PLANTED_BUG_FLAGS = ['bugResumeFromZero', 'bugSkipSeq', 'bugGapOverclaims', 'bugThreadKeyedRouting'] as const satisfies ReadonlyArray<keyof RouterFlags>;

export const MODES = ['legacy', 'dynamic', 'shipped', 'guaranteed'] as const;
export type RouterMode = (typeof MODES)[number];

const LEGACY: RouterFlags = {
  bindAtHandshake: true,
  bindOnMessage: false,
  awaitBindBeforeRun: false,
  bindOnSwitch: false,
  handlerBindNoop: false,
  serviceBindUserWide: false,
  propagationSleepMs: 0,
  orderedBinding: false,
  fallbackFanout: false,
  trustPayloadUserId: false,
  runScopedDelivery: false,
  registryTtlMs: 0,
  registryMaxEntries: 0,
  resolveThreadFromRunId: false,
  sendTimeoutMs: 0,
  sendRetries: 0,
  sendBackoffMs: 0,
  eventIds: false,
  successMasking: false,
  outboundLimitBytes: 0,
  fanoutSkipsAfterTeardown: false,
  pendingQueue: false,
  pendingMaxPerKey: 0,
  pendingMaxTotal: 0,
  pendingTtlMs: 0,
  resumeWindowMs: 0,
  bufferBeforeInjection: false,
  messageAcks: false,
  messageDedupWindowMs: 0,
  envelopeWire: false,
  startAgentFrames: false,
  userMessageAckOnly: false,
  switchUnhandled: false,
  closeAllOnDisconnect: false,
  fallbackOnlyWithUserId: false,
  broadcastingMissing: false,
  swappedExecuteArgs: false,
  bugResumeFromZero: false,
  bugSkipSeq: false,
  bugGapOverclaims: false,
  bugThreadKeyedRouting: false,
};

const DYNAMIC: RouterFlags = { ...LEGACY, bindOnMessage: true };

const SHIPPED: RouterFlags = {
  ...DYNAMIC,
  handlerBindNoop: true,
  serviceBindUserWide: true,
  propagationSleepMs: 10,
  fallbackFanout: true,
  registryTtlMs: 180_000,
  registryMaxEntries: 500,
  sendTimeoutMs: 2_000,
  sendRetries: 2,
  sendBackoffMs: 500,
  successMasking: true,
  // Measured against the public code at f48a9b486 (docs/router.md cites the lines): the
  // production envelope on the wire, runs started by start_agent, user_message answered with an
  // ack only, switch_thread unknown to the endpoint, disconnect_user on any tab's close, a
  // fallback only for frames with a user id, and the swapped execute_and_persist arguments.
  envelopeWire: true,
  startAgentFrames: true,
  userMessageAckOnly: true,
  switchUnhandled: true,
  closeAllOnDisconnect: true,
  fallbackOnlyWithUserId: true,
  broadcastingMissing: true,
  swappedExecuteArgs: true,
  // connect_user stores the connection with thread_id None: the URL's thread binds nothing
  // (websocket_core/manager.py:697–710).
  bindAtHandshake: false,
  // The handler takes the user from the JWT, never from the frame (websocket_core/handlers.py:956–973).
  trustPayloadUserId: false,
};

const GUARANTEED: RouterFlags = {
  ...DYNAMIC,
  awaitBindBeforeRun: true,
  bindOnSwitch: true,
  orderedBinding: true,
  runScopedDelivery: true,
  eventIds: true,
  outboundLimitBytes: 1_048_576,
  pendingQueue: true,
  pendingMaxPerKey: 1_000,
  pendingMaxTotal: 100_000,
  pendingTtlMs: 60_000,
  resumeWindowMs: 120_000,
  bufferBeforeInjection: true,
  messageAcks: true,
  messageDedupWindowMs: 600_000,
};

export const MODE_PRESETS: Readonly<Record<RouterMode, Readonly<RouterFlags>>> = {
  legacy: LEGACY,
  dynamic: DYNAMIC,
  shipped: SHIPPED,
  guaranteed: GUARANTEED,
};

export const FLAG_NAMES = Object.keys(LEGACY) as Array<keyof RouterFlags>;

export interface RouterConfig {
  /** The name shown in reports: a mode, or a mode with flag overrides ("dynamic+bindOnSwitch"). */
  name: string;
  flags: RouterFlags;
}

export class RouterSpecError extends Error {
  override readonly name = 'RouterSpecError';
}

/**
 * Parse a router spec: a mode name, optionally followed by flag changes.
 *   "guaranteed"                      the preset
 *   "dynamic+bindOnSwitch"            preset with a boolean flag switched on
 *   "guaranteed-pendingQueue"         preset with a boolean flag switched off
 *   "shipped+registryTtlMs=60000"     preset with a numeric flag set
 */
export function parseRouterSpec(spec: string): RouterConfig {
  const trimmed = spec.trim();
  const match = /^([a-z]+)((?:[+-][A-Za-z]+(?:=\d+)?)*)$/.exec(trimmed);
  const modes = MODES.join(', ');
  if (!match) {
    throw new RouterSpecError(`bad router spec "${spec}": expected a mode (${modes}) optionally followed by +flag, -flag or +flag=N`);
  }
  const mode = match[1] as RouterMode;
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new RouterSpecError(`unknown router mode "${mode}": use one of ${modes}`);
  }
  const flags: RouterFlags = { ...MODE_PRESETS[mode] };
  const changes = match[2]!.match(/[+-][A-Za-z]+(?:=\d+)?/g) ?? [];
  for (const change of changes) {
    const on = change[0] === '+';
    const [name, value] = change.slice(1).split('=') as [string, string | undefined];
    if (!(FLAG_NAMES as string[]).includes(name)) {
      throw new RouterSpecError(`unknown router flag "${name}" in "${spec}": flags are ${FLAG_NAMES.join(', ')}`);
    }
    const key = name as keyof RouterFlags;
    const current = flags[key];
    if (typeof current === 'boolean') {
      if (value !== undefined) throw new RouterSpecError(`flag "${name}" is a switch: write +${name} or -${name}, without a value`);
      (flags as unknown as Record<string, boolean>)[key] = on;
    } else {
      if (value === undefined || !on) throw new RouterSpecError(`flag "${name}" is a number: write +${name}=N`);
      (flags as unknown as Record<string, number>)[key] = Number(value);
    }
  }
  return { name: trimmed, flags };
}
