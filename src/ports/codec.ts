/**
 * The codec port: a wire protocol as a value.
 *
 * A codec encodes what a tab does (connect, send, switch, resume, ping) as the server's text
 * frames, and decodes what the server sends into typed facts the harness understands (an agent
 * event, readiness, a gap notice, an acknowledgement, an error). The simulated tab, the wire
 * tap, `probe` and the oracle's explanations all go through one, so the same scenarios judge a
 * server whatever its protocol — as far as the protocol can say.
 *
 * `carries` is that "as far as": a protocol without event ids, sequence numbers or
 * acknowledgements cannot support the checks built on them. The oracle reads it and says in the
 * results which checks it could not make, instead of pretending (see CODEC_LIMITS in
 * src/oracle/checks-not-made.ts).
 */
import type { AgentEventType } from './agent-events.ts';

/** What a protocol can express. False: the harness cannot see it on the wire. */
export interface CodecCarries {
  /** Agent events name the produced event (threadline's `eid`): deliveries are identified exactly. */
  eventIds: boolean;
  /** Per-thread stream sequence numbers on events (resume positions, holes). */
  sequence: boolean;
  /** Stable message ids on events, so a client can drop copies (`msg_id`). */
  messageIds: boolean;
  /** The server acknowledges accepted requests (an outbox can resend what was not acknowledged). */
  acks: boolean;
  /** A reconnecting client can ask for what it missed. */
  resume: boolean;
  /** The server declares a connection ready for a thread (thread_context). */
  readiness: boolean;
  /** The server announces events that will never arrive (gap notices). */
  gaps: boolean;
}

/** What a tab does, in protocol-neutral terms. */
export type ClientIntent =
  | { kind: 'user_message'; id: string; thread: string; content: string; payloadUser?: string; resend?: boolean; omitThread?: boolean }
  | { kind: 'switch_thread'; id: string; thread: string }
  | { kind: 'resume'; lastSeq: Record<string, number>; have?: Record<string, Array<[number, number]>> }
  | { kind: 'ping' };

export interface ConnectParams {
  /** Endpoint path, e.g. "/ws". */
  path: string;
  token: string;
  /** The thread the tab shows when it connects, if any. */
  thread: string | null;
  /** Stable id of the tab across reconnects. */
  session: string;
  /** This connection will send a resume first (a reconnect with something to resume). */
  resuming: boolean;
}

/** An agent event as the harness understands it, whatever its wire shape. */
export interface EventFact {
  kind: 'event';
  type: AgentEventType;
  runId: string;
  thread: string;
  /** The user the frame names, when the protocol says; null otherwise. */
  user: string | null;
  /** The produced event's id (`eid`), when the protocol carries it. */
  eid: string | null;
  seq: number | null;
  msgId: string | null;
}

export type ServerFact =
  | EventFact
  | { kind: 'ready'; connectionId: string | null; acks: boolean; resumeWindowMs: number | null }
  | { kind: 'thread-ready'; thread: string; seq: number | null }
  | { kind: 'gap'; thread: string; fromSeq: number; toSeq: number; reason: string; eids: string[] }
  | { kind: 'ack'; ref: string; runId: string | null; duplicate: boolean }
  | { kind: 'error'; code: string; message: string; ref: string | null }
  | { kind: 'pong' }
  /** A frame of a type the harness does not use (kept for counting, never judged). */
  | { kind: 'other'; type: string };

export interface Codec {
  /** Registry name, e.g. "threadline", "envelope". */
  readonly name: string;
  readonly carries: CodecCarries;
  /** The handshake's path and query for a tab's connection. */
  connectUrl(params: ConnectParams): string;
  /** The text frame for an intent, or null when the protocol has no such frame (nothing is sent). */
  encode(intent: ClientIntent): string | null;
  /** The fact a server frame states, or null for text that is not a frame of this protocol. */
  decode(text: string): ServerFact | null;
}
