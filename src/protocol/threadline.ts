/**
 * The wire protocol (DESIGN.md section 2): JSON text frames, one object per frame.
 *
 * Client → server: user_message, switch_thread, resume, ack, ping.
 * Server → client: connection_ready, thread_context, the five agent events, gap, error, pong,
 * and message_ack (servers that declare `acks` in connection_ready: guaranteed).
 *
 * `eid` on agent events is harness instrumentation: the ground-truth identity of a produced
 * event, which the oracle uses to recognise deliveries. The modelled production system had
 * no such field, and no simulated client logic reads it (clients deduplicate only by
 * `msg_id`, which only the guaranteed mode sends).
 */

import { parseSeqRanges, type SeqRanges } from './seq-ranges.ts';

import { AGENT_EVENT_TYPES, type AgentEventType } from '../ports/server.ts';
export { AGENT_EVENT_TYPES, type AgentEventType };

export interface UserMessageFrame {
  type: 'user_message';
  id: string;
  thread_id: string;
  content: string;
  /** Not part of the protocol; the shipped mode trusted it when present (F11 leak). */
  user_id?: string;
  /**
   * Written again from the client's outbox after a reconnect. The tab may be showing another
   * thread by now (its handshake says which), so a resend starts (or re-acknowledges) the run
   * but does not move the connection's binding.
   */
  resend?: boolean;
  /** Production envelope only: the frame named no thread (thread_id is then the server's choice). */
  no_thread?: boolean;
}
export interface SwitchThreadFrame {
  type: 'switch_thread';
  id: string;
  thread_id: string;
}
export interface ResumeFrame {
  type: 'resume';
  last_seq: Record<string, number>;
  /**
   * Per thread, the sequence numbers the client holds (sorted inclusive ranges, at most
   * MAX_RESUME_RANGES): the server sends nothing the client has, also below `last_seq`.
   */
  have?: Record<string, SeqRanges>;
}
export interface AckFrame {
  type: 'ack';
  seq: number;
}
export interface PingFrame {
  type: 'ping';
}
/**
 * The production envelope's `start_agent` (src/protocol/envelope.ts): the only frame that starts
 * a run through the modelled system's /ws endpoint. threadline's own protocol has no such frame.
 */
export interface StartAgentFrame {
  type: 'start_agent';
  id: string;
  /** Absent: the real code takes the user's latest thread (or creates one). */
  thread_id: string | null;
  content: string;
  /** Parsed into the message object by the real code, though its handlers take the JWT's user. */
  user_id?: string;
}
/** A frame of a type the production envelope's endpoint does not know: it is acknowledged, nothing more. */
export interface UnknownTypeFrame {
  type: 'unknown_type';
  received_type: string;
}
export type ClientFrame = UserMessageFrame | SwitchThreadFrame | ResumeFrame | AckFrame | PingFrame | StartAgentFrame | UnknownTypeFrame;

export interface AgentEventFrame {
  type: AgentEventType;
  /** Stable message id (guaranteed mode only). */
  msg_id?: string;
  user_id: string;
  thread_id: string;
  run_id: string;
  /** Per (user, thread) stream sequence number (guaranteed mode only). */
  seq?: number;
  /** Server virtual time of emission, µs. */
  ts: number;
  /** Harness ground-truth event id: "<run_id>#<index>". */
  eid: string;
}
export interface ConnectionReadyFrame {
  type: 'connection_ready';
  connection_id: string;
  /**
   * The server acknowledges every accepted user_message and applied switch_thread with a
   * `message_ack`, and deduplicates resent ones by id; a client then keeps unacknowledged
   * frames in an outbox and resends them after a reconnect.
   */
  acks?: boolean;
  /**
   * The server keeps each (user, thread) stream this long and replays it on `resume` (a
   * server's promise, e.g. an own server's: the built-in guaranteed mode declares its window
   * through its plug-in instead). The oracle then judges the run with resume: a tab offline
   * for less than this is still owed, and a later connection may deliver what a dropped one
   * missed.
   */
  resume_window_ms?: number;
}
/** An accepted user_message (with the run it started, or had started) or an applied switch. */
export interface MessageAckFrame {
  type: 'message_ack';
  /** The id of the acknowledged client frame. */
  ref: string;
  run_id?: string;
  /** True when the frame was a resend of one already acted on: nothing new was started. */
  duplicate?: boolean;
}
export interface ThreadContextFrame {
  type: 'thread_context';
  thread_id: string;
  /** Last sequence number of the thread's stream at binding time (guaranteed mode). */
  seq?: number;
}
export interface GapFrame {
  type: 'gap';
  thread_id: string;
  /** First and last missing sequence numbers, inclusive. */
  from_seq: number;
  to_seq: number;
  reason: string;
  /** Ground-truth ids of the events that will never arrive (harness instrumentation). */
  eids?: string[];
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The id of the offending client frame, when it had one. */
  ref?: string;
}
export interface PongFrame {
  type: 'pong';
}
/**
 * Replies of the modelled system's endpoint router that start nothing: the built-in
 * UserMessageHandler's "Message received" (`received`), and the `ack` of a frame type it does
 * not know (`unhandled`). Only the shipped mode sends them.
 */
export interface ReceivedFrame {
  type: 'received';
  ref: string;
}
export interface UnhandledFrame {
  type: 'unhandled';
  received_type: string;
}
export type ServerFrame = AgentEventFrame | ConnectionReadyFrame | ThreadContextFrame | GapFrame | ErrorFrame | PongFrame | MessageAckFrame | ReceivedFrame | UnhandledFrame;

export type ErrorCode = 'bad_json' | 'bad_frame' | 'unknown_type' | 'forbidden' | 'rate_limited' | 'not_found' | 'internal';

export function isAgentEventType(type: unknown): type is AgentEventType {
  return typeof type === 'string' && (AGENT_EVENT_TYPES as readonly string[]).includes(type);
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string; ref?: string };

const MAX_ID_CHARS = 128;

/**
 * Parse and validate one client frame. Never throws: every defect becomes an error result
 * whose message names the field and what was expected.
 */
export function parseClientFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'frame is not valid JSON; send one JSON object per text frame' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad_frame', message: 'frame must be a JSON object with a "type" field' };
  }
  const o = value as Record<string, unknown>;
  const ref = typeof o['id'] === 'string' ? (o['id'] as string).slice(0, MAX_ID_CHARS) : undefined;
  const fail = (code: ErrorCode, message: string): ParseResult => (ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref });
  const str = (key: string): string | null => {
    const v = o[key];
    return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS ? v : null;
  };
  switch (o['type']) {
    case 'user_message': {
      const id = str('id');
      const thread = str('thread_id');
      if (id === null) return fail('bad_frame', 'user_message needs "id": a non-empty string of at most 128 characters');
      if (thread === null) return fail('bad_frame', 'user_message needs "thread_id": a non-empty string of at most 128 characters');
      if (typeof o['content'] !== 'string') return fail('bad_frame', 'user_message needs "content": a string');
      const frame: UserMessageFrame = { type: 'user_message', id, thread_id: thread, content: o['content'] as string };
      if (typeof o['user_id'] === 'string') frame.user_id = o['user_id'] as string;
      if (o['resend'] === true) frame.resend = true;
      return { ok: true, frame };
    }
    case 'switch_thread': {
      const id = str('id');
      const thread = str('thread_id');
      if (id === null) return fail('bad_frame', 'switch_thread needs "id": a non-empty string of at most 128 characters');
      if (thread === null) return fail('bad_frame', 'switch_thread needs "thread_id": a non-empty string of at most 128 characters');
      return { ok: true, frame: { type: 'switch_thread', id, thread_id: thread } };
    }
    case 'resume': {
      const last = o['last_seq'];
      if (typeof last !== 'object' || last === null || Array.isArray(last)) {
        return fail('bad_frame', 'resume needs "last_seq": an object mapping thread ids to the last sequence number seen');
      }
      const out: Record<string, number> = {};
      for (const [thread, seq] of Object.entries(last as Record<string, unknown>)) {
        if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
          return fail('bad_frame', `resume.last_seq["${thread.slice(0, 64)}"] must be a non-negative integer`);
        }
        out[thread] = seq;
      }
      const frame: ResumeFrame = { type: 'resume', last_seq: out };
      if (o['have'] !== undefined) {
        const have = o['have'];
        if (typeof have !== 'object' || have === null || Array.isArray(have)) return fail('bad_frame', 'resume.have must be an object mapping thread ids to sorted [from, to] ranges');
        frame.have = {};
        for (const [thread, ranges] of Object.entries(have as Record<string, unknown>)) {
          const parsed = parseSeqRanges(ranges);
          if (parsed === null) return fail('bad_frame', `resume.have["${thread.slice(0, 64)}"] must be at most 64 sorted, disjoint [from, to] ranges of non-negative integers`);
          frame.have[thread] = parsed;
        }
      }
      return { ok: true, frame };
    }
    case 'ack': {
      const seq = o['seq'];
      if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return fail('bad_frame', 'ack needs "seq": a non-negative integer');
      return { ok: true, frame: { type: 'ack', seq } };
    }
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    case undefined:
      return fail('bad_frame', 'frame has no "type" field; expected one of user_message, switch_thread, resume, ack, ping');
    default:
      return fail('unknown_type', `unknown frame type "${String(o['type']).slice(0, 64)}"; expected one of user_message, switch_thread, resume, ack, ping`);
  }
}

/** Parse a server frame on the client side; returns null for anything that is not an object with a type. */
export function parseServerFrame(text: string): ServerFrame | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string') return v as ServerFrame;
  } catch {
    /* fall through */
  }
  return null;
}
