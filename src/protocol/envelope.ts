/**
 * The modelled production system's wire format (netra-systems/zen at f48a9b486), for a router
 * that speaks it (the shipped mode): client envelopes parsed into the router's frames, and the
 * router's frames written as the real code writes them. The shapes, with their sources:
 *
 *  - client frames: `{ type, payload?, message_id?, thread_id?, user_id? }`; without a `payload`
 *    key the whole frame is the payload (websocket_core/handlers.py:956–973); `user_id` comes
 *    from the JWT, never from the frame;
 *  - the welcome: `{"type":"system_message","data":{"event":"connection_established",
 *    "connection_id",…}}` (routes/websocket.py:317–330);
 *  - agent events: `{ type, run_id, agent_name, timestamp (ISO), payload, thread_id }`
 *    (services/agent_websocket_bridge.py:928–1201, thread_id and timestamp stamped by
 *    websocket_core/manager.py:1130–1137); no user id, event id or sequence number;
 *  - the built-in UserMessageHandler's ack: `{"type":"system_message","data":{"content":
 *    "Message received","original_message_id",…}}` (websocket_core/handlers.py:546–565);
 *  - a frame type the endpoint's router does not know: `{"type":"ack","received_type",…}`
 *    (websocket_core/handlers.py:918–927);
 *  - errors that do reach the wire: `{"type":"error_message","error_code","error_message",
 *    "details",…}` (websocket_core/types.py:131–138, 451–464);
 *  - ping/pong: `{"type":"pong","data":{…}}` (websocket_core/handlers.py:174–192).
 *
 * Frames the envelope has no form for (thread_context, gap, message_ack) are not written.
 */
import type { ClientFrame, ParseResult, ServerFrame } from './threadline.ts';

const MAX_ID_CHARS = 128;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS ? v : null;
}

/** Virtual µs as the ISO time the real manager stamps (the run's clock starts at the epoch). */
function isoOf(us: number): string {
  return new Date(Math.floor(us / 1_000)).toISOString();
}

export function parseEnvelopeFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'frame is not valid JSON; send one JSON object per text frame' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, code: 'bad_frame', message: 'frame must be a JSON object with a "type" field' };
  const o = value as Record<string, unknown>;
  const payload = typeof o['payload'] === 'object' && o['payload'] !== null && !Array.isArray(o['payload']) ? (o['payload'] as Record<string, unknown>) : o;
  const id = str(o['message_id']);
  const thread = str(payload['thread_id']) ?? str(o['thread_id']);
  const content = typeof payload['content'] === 'string' ? (payload['content'] as string) : typeof payload['text'] === 'string' ? (payload['text'] as string) : null;
  // WebSocketMessage keeps the frame's user_id (handlers.py:968); the handlers use the JWT's.
  const frameUser = str(o['user_id']);
  const fail = (message: string): ParseResult => (id === null ? { ok: false, code: 'bad_frame', message } : { ok: false, code: 'bad_frame', message, ref: id });
  // The real parser defaults a missing type to user_message (handlers.py:956).
  const type = typeof o['type'] === 'string' ? (o['type'] as string) : 'user_message';
  let frame: ClientFrame;
  switch (type) {
    case 'user_message':
    case 'chat':
    case 'message':
    case 'user':
    case 'user_input':
      if (id === null) return fail('user_message needs "message_id": a non-empty string of at most 128 characters');
      // Without a thread the router takes the connection's thread, else the user's latest, as the
      // real service does (message_handlers.py:401–405).
      frame = { type: 'user_message', id, thread_id: thread ?? '', content: content ?? '', ...(thread === null ? { no_thread: true } : {}), ...(frameUser !== null ? { user_id: frameUser } : {}) };
      return { ok: true, frame };
    case 'start_agent': {
      const request = typeof payload['user_request'] === 'string' ? (payload['user_request'] as string) : '';
      if (id === null) return fail('start_agent needs "message_id": a non-empty string of at most 128 characters');
      if (request.trim() === '') return fail('start_agent needs "payload.user_request": the request text');
      frame = { type: 'start_agent', id, thread_id: thread, content: content ?? request, ...(frameUser !== null ? { user_id: frameUser } : {}) };
      return { ok: true, frame };
    }
    case 'switch_thread':
      if (id === null || thread === null) return fail('switch_thread needs "message_id" and "payload.thread_id"');
      frame = { type: 'switch_thread', id, thread_id: thread };
      return { ok: true, frame };
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    default:
      // Answered with an ack by the endpoint's router, nothing else (handlers.py:918–927).
      return { ok: true, frame: { type: 'unknown_type', received_type: type.slice(0, 64) } };
  }
}

/** The router's frame as the production system writes it, or null when the envelope has no form for it. */
export function encodeEnvelopeFrame(frame: ServerFrame): string | null {
  switch (frame.type) {
    case 'agent_started':
    case 'agent_thinking':
    case 'tool_executing':
    case 'tool_completed':
    case 'agent_completed':
      return JSON.stringify({ type: frame.type, run_id: frame.run_id, agent_name: 'supervisor', timestamp: isoOf(frame.ts), payload: {}, thread_id: frame.thread_id });
    case 'connection_ready':
      return JSON.stringify({ type: 'system_message', data: { event: 'connection_established', connection_id: frame.connection_id }, timestamp: 0, server_id: null, correlation_id: null });
    case 'received':
      return JSON.stringify({ type: 'system_message', data: { content: 'Message received', original_message_id: frame.ref, status: 'acknowledged' }, timestamp: 0, server_id: null, correlation_id: null });
    case 'unhandled':
      return JSON.stringify({ type: 'ack', received_type: frame.received_type, timestamp: 0, status: 'acknowledged' });
    case 'error':
      // Bad JSON is the endpoint's FORMAT_ERROR (routes/websocket.py:584–587); the other codes are the model's.
      return JSON.stringify({ type: 'error_message', error_code: frame.code === 'bad_json' ? 'FORMAT_ERROR' : frame.code, error_message: frame.message, details: frame.ref === undefined ? {} : { message_id: frame.ref }, timestamp: 0, recovery_suggestions: null });
    case 'pong':
      return JSON.stringify({ type: 'pong', data: {}, timestamp: 0, server_id: null, correlation_id: null });
    case 'thread_context':
    case 'gap':
    case 'message_ack':
      return null;
  }
}
