/**
 * The envelope of the modelled production system (the chat backend whose routing threadline
 * models; ../shared/seed-status-report.md), as a codec.
 *
 * Client → server: `{ type, payload: { thread_id, content, ... }, message_id? , user_id? }` —
 * `user_message` and `switch_thread` carry the thread in the payload and the client's id of the
 * frame in `message_id`; a ping is `{ type: "ping", payload: {} }`.
 * Server → client, agent events: `{ type, run_id, agent_name, timestamp, payload, thread_id }`;
 * errors: `{ type: "error", payload: { error | message, code? }, message_id? }`; the greeting
 * `connection_established` (or `connection_ready`) with `payload.connection_id`.
 *
 * What it cannot carry: event ids, sequence numbers, message ids for client dedup,
 * acknowledgements, resume, readiness and gap notices. The oracle identifies a delivery by
 * its (run, type) on the connection (src/oracle/recorder.ts identify) and names the checks it could not make.
 */
import type { ClientIntent, Codec, ConnectParams, ServerFact } from '../../ports/codec.ts';
import { isAgentEventType } from '../../protocol/threadline.ts';

function connectUrl(p: ConnectParams): string {
  const params = new URLSearchParams({ token: p.token });
  if (p.thread !== null) params.set('thread_id', p.thread);
  return `${p.path}?${params.toString()}`;
}

function encode(intent: ClientIntent, startAgent: boolean): string | null {
  switch (intent.kind) {
    case 'user_message':
      // The front end's path that starts a run through /ws (agent_handler.py:123–133): the
      // request text in user_request, as the handler requires.
      if (startAgent) return JSON.stringify({ type: 'start_agent', payload: { user_request: intent.content, ...(intent.omitThread ? {} : { thread_id: intent.thread }) }, message_id: intent.id, ...(intent.payloadUser ? { user_id: intent.payloadUser } : {}) });
      return JSON.stringify({
        type: 'user_message',
        payload: { ...(intent.omitThread ? {} : { thread_id: intent.thread }), content: intent.content },
        message_id: intent.id,
        ...(intent.payloadUser ? { user_id: intent.payloadUser } : {}),
      });
    case 'switch_thread':
      return JSON.stringify({ type: 'switch_thread', payload: { thread_id: intent.thread }, message_id: intent.id });
    case 'ping':
      return JSON.stringify({ type: 'ping', payload: {} });
    case 'resume':
      return null; // no such frame: a reconnecting tab cannot ask for what it missed
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function decode(text: string): ServerFact | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const type = o['type'];
  if (typeof type !== 'string') return null;
  const payload = typeof o['payload'] === 'object' && o['payload'] !== null ? (o['payload'] as Record<string, unknown>) : {};
  if (isAgentEventType(type)) {
    const runId = str(o['run_id']) ?? str(payload['run_id']);
    const thread = str(o['thread_id']) ?? str(payload['thread_id']);
    if (runId === null || thread === null) return { kind: 'other', type };
    return { kind: 'event', type, runId, thread, user: str(o['user_id']), eid: null, seq: null, msgId: null };
  }
  const data = typeof o['data'] === 'object' && o['data'] !== null ? (o['data'] as Record<string, unknown>) : {};
  switch (type) {
    case 'connection_established':
    case 'connection_ready':
      return { kind: 'ready', connectionId: str(payload['connection_id']) ?? str(o['connection_id']), acks: false, resumeWindowMs: null };
    case 'system_message':
      // The welcome is a system_message whose data.event is connection_established
      // (routes/websocket.py:317–330); other system messages ("Message received") start nothing.
      if (data['event'] === 'connection_established') return { kind: 'ready', connectionId: str(data['connection_id']), acks: false, resumeWindowMs: null };
      return { kind: 'other', type };
    case 'error_message': {
      const details = typeof o['details'] === 'object' && o['details'] !== null ? (o['details'] as Record<string, unknown>) : {};
      return { kind: 'error', code: str(o['error_code']) ?? 'error', message: typeof o['error_message'] === 'string' ? o['error_message'] : '', ref: str(details['message_id']) };
    }
    case 'error':
      return {
        kind: 'error',
        code: str(payload['code']) ?? 'error',
        message: str(payload['error']) ?? str(payload['message']) ?? '',
        ref: str(o['message_id']) ?? str(payload['message_id']),
      };
    case 'pong':
      return { kind: 'pong' };
    default:
      return { kind: 'other', type };
  }
}

const CARRIES = { eventIds: false, sequence: false, messageIds: false, acks: false, resume: false, readiness: false, gaps: false };

/** Tabs send `user_message`. */
export const envelopeCodec: Codec = { name: 'envelope', carries: CARRIES, connectUrl, encode: (intent) => encode(intent, false), decode };

/** Tabs send `start_agent` for a message: the only frame that starts a run through the real /ws. */
export const envelopeStartAgentCodec: Codec = { name: 'envelope-start-agent', carries: CARRIES, connectUrl, encode: (intent) => encode(intent, true), decode };
