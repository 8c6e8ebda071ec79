/**
 * threadline's own protocol (DESIGN.md §2, src/protocol/threadline.ts) as a codec: JSON text
 * frames with event ids, per-thread sequence numbers, message ids, acknowledgements, resume,
 * readiness and gap notices. It carries everything the oracle checks.
 *
 * The frames are byte for byte the ones the first stage's tab wrote (field order included):
 * simulated traces of the built-in modes hash as before.
 */
import type { ClientIntent, Codec, ConnectParams, ServerFact } from '../../ports/codec.ts';
import { isAgentEventType, parseServerFrame } from '../../protocol/threadline.ts';

function connectUrl(p: ConnectParams): string {
  const params = new URLSearchParams({ token: p.token });
  if (p.thread !== null) params.set('thread_id', p.thread);
  // The tab's session, the same on every reconnect: runs it started follow it (resume).
  params.set('session', p.session);
  // A reconnect will send `resume` on open: say so, so the server waits for it before catching up.
  if (p.resuming) params.set('resume', '1');
  return `${p.path}?${params.toString()}`;
}

function encode(intent: ClientIntent): string {
  switch (intent.kind) {
    case 'user_message':
      return JSON.stringify({
        type: 'user_message',
        id: intent.id,
        ...(intent.omitThread ? {} : { thread_id: intent.thread }),
        content: intent.content,
        ...(intent.payloadUser ? { user_id: intent.payloadUser } : {}),
        ...(intent.resend ? { resend: true } : {}),
      });
    case 'switch_thread':
      return JSON.stringify({ type: 'switch_thread', id: intent.id, thread_id: intent.thread });
    case 'resume':
      return JSON.stringify(intent.have !== undefined && Object.keys(intent.have).length > 0 ? { type: 'resume', last_seq: intent.lastSeq, have: intent.have } : { type: 'resume', last_seq: intent.lastSeq });
    case 'ping':
      return JSON.stringify({ type: 'ping' });
  }
}

function decode(text: string): ServerFact | null {
  const frame = parseServerFrame(text);
  if (frame === null) return null;
  if (isAgentEventType(frame.type)) {
    const e = frame as Extract<typeof frame, { eid: string }>;
    return { kind: 'event', type: e.type, runId: e.run_id, thread: e.thread_id, user: e.user_id ?? null, eid: e.eid ?? null, seq: e.seq ?? null, msgId: e.msg_id ?? null };
  }
  switch (frame.type) {
    case 'gap':
      return { kind: 'gap', thread: frame.thread_id, fromSeq: frame.from_seq, toSeq: frame.to_seq, reason: frame.reason, eids: frame.eids ?? [] };
    case 'thread_context':
      return { kind: 'thread-ready', thread: frame.thread_id, seq: frame.seq ?? null };
    case 'connection_ready':
      return { kind: 'ready', connectionId: frame.connection_id, acks: frame.acks === true, resumeWindowMs: resumeWindowOf(frame.resume_window_ms) };
    case 'message_ack':
      return { kind: 'ack', ref: frame.ref, runId: frame.run_id ?? null, duplicate: frame.duplicate === true };
    case 'error':
      return { kind: 'error', code: frame.code, message: frame.message, ref: frame.ref ?? null };
    case 'pong':
      return { kind: 'pong' };
    default:
      return { kind: 'other', type: String((frame as { type: unknown }).type) };
  }
}

/** A declared resume window: a finite number of ms > 0, else none (a server's typo is no promise). */
function resumeWindowOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The event id of a server frame without parsing it, for the wire tap on the hot path: only
 * agent events carry `"eid":"`. Null for any other frame.
 */
export function peekEventId(text: string): string | null {
  const i = text.indexOf('"eid":"');
  if (i < 0) return null;
  const end = text.indexOf('"', i + 7);
  return end < 0 ? null : text.slice(i + 7, end);
}

export const threadlineCodec: Codec = {
  name: 'threadline',
  carries: { eventIds: true, sequence: true, messageIds: true, acks: true, resume: true, readiness: true, gaps: true },
  connectUrl,
  encode,
  decode,
};
