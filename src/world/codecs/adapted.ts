/**
 * A codec for a server whose protocol differs from a base codec only in naming: frame types and
 * field names renamed, the token and thread carried in other query parameters. `probe
 * --adapter file.json` builds one over threadline's codec, e.g.
 *
 *     { "types": { "user_message": "chat.send" }, "fields": { "thread_id": "threadId" }, "tokenParam": "access_token" }
 */
import type { Codec, ServerFact } from '../../ports/codec.ts';
import { AGENT_EVENT_TYPES } from '../../ports/server.ts';

/** Field and type names of a server whose protocol differs from the base codec only in naming. */
export interface ProtocolAdapter {
  /** base type → the server's type, e.g. { "user_message": "chat.send", "agent_started": "run.start" }. */
  types?: Record<string, string>;
  /** base field → the server's field, e.g. { "thread_id": "threadId", "run_id": "runId" }. */
  fields?: Record<string, string>;
  /** Query parameter carrying the token (default "token"). */
  tokenParam?: string;
  /** Query parameter naming the thread at connect (default "thread_id"). */
  threadParam?: string;
}

export function adaptedCodec(base: Codec, adapter: ProtocolAdapter): Codec {
  const typeOut = adapter.types ?? {};
  const typeIn = invert(typeOut);
  const fieldOut = adapter.fields ?? {};
  const fieldIn = invert(fieldOut);
  const renames = Object.keys(typeOut).length > 0 || Object.keys(fieldOut).length > 0;
  const rename = (o: Record<string, unknown>, names: Record<string, string>, types: Record<string, string>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[names[k] ?? k] = v;
    const typeKey = names['type'] ?? 'type';
    if (typeof out[typeKey] === 'string' && types[out[typeKey] as string] !== undefined) out[typeKey] = types[out[typeKey] as string];
    return out;
  };
  return {
    name: `${base.name}+adapter`,
    carries: base.carries,
    connectUrl(params) {
      const url = base.connectUrl(params);
      const q = url.indexOf('?');
      if (q < 0) return url;
      const out = new URLSearchParams();
      for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
        out.set(k === 'token' ? (adapter.tokenParam ?? 'token') : k === 'thread_id' ? (adapter.threadParam ?? 'thread_id') : k, v);
      }
      return `${url.slice(0, q)}?${out.toString()}`;
    },
    encode(intent) {
      const text = base.encode(intent);
      if (text === null || !renames) return text;
      return JSON.stringify(rename(JSON.parse(text) as Record<string, unknown>, fieldOut, typeOut));
    },
    decode(text): ServerFact | null {
      if (!renames) return base.decode(text);
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return null;
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
      return base.decode(JSON.stringify(rename(v as Record<string, unknown>, fieldIn, typeIn)));
    },
  };
}

function invert(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[v] = k;
  return out;
}

/** Validate an adapter document; throws naming the file and the field. */
export function validateAdapter(value: unknown, source: string): ProtocolAdapter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: the adapter must be a JSON object with "types" and/or "fields" maps`);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['types', 'fields', 'tokenParam', 'threadParam'].includes(k)) throw new Error(`${source}: unknown field "${k}" (allowed: types, fields, tokenParam, threadParam)`);
  for (const k of ['types', 'fields']) {
    const m = o[k];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m) || !Object.values(m).every((v) => typeof v === 'string' && v.length > 0)) {
      throw new Error(`${source}: "${k}" must map threadline names to the server's names (strings)`);
    }
  }
  const known = new Set<string>([...AGENT_EVENT_TYPES, 'user_message', 'switch_thread', 'resume', 'ack', 'ping', 'pong', 'error', 'connection_ready', 'thread_context', 'gap', 'message_ack']);
  for (const t of Object.keys((o['types'] as Record<string, string> | undefined) ?? {})) if (!known.has(t)) throw new Error(`${source}: types: "${t}" is not a threadline frame type (${[...known].join(', ')})`);
  return o as ProtocolAdapter;
}
