/**
 * Signed tokens for the real server, and the ownership rule it applies.
 *
 * Token: `base64url(userId) + "." + base64url(HMAC-SHA256(secret, userId))`. The server
 * checks it at the WebSocket upgrade (HTTP 401 when missing or wrong) and again when the router
 * accepts the socket. The token travels as `?token=...` in the URL or as
 * `Authorization: Bearer <token>`.
 *
 * Ownership (a real server must know which user owns which thread): a thread listed in the
 * ownership file belongs to the user it is listed under; any other thread `<userId>-<suffix>`
 * belongs to `<userId>` when `<suffix>` contains no "-" — that is, the owner is the thread id up
 * to its last "-". Plain prefix matching would be ambiguous: thread `a-b-1` starts with both
 * `a-` and `a-b-`, and whichever user touched it first would own it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HandshakeInfo } from '../ports/socket.ts';

const MAX_USER_ID_CHARS = 128;

export function signToken(secret: string, userId: string): string {
  if (secret.length === 0) throw new Error('signToken: the secret must not be empty');
  return `${Buffer.from(userId, 'utf8').toString('base64url')}.${mac(secret, userId)}`;
}

/** The user id of a valid token, or null (malformed, wrong signature, empty or oversize id). */
export function verifyToken(secret: string, token: string | null | undefined): string | null {
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const idPart = token.slice(0, dot);
  const macPart = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(idPart) || !/^[A-Za-z0-9_-]+$/.test(macPart)) return null;
  const userId = Buffer.from(idPart, 'base64url').toString('utf8');
  if (userId.length === 0 || userId.length > MAX_USER_ID_CHARS) return null;
  // Re-encoding must give the same text (rejects non-canonical base64url and bad UTF-8).
  if (Buffer.from(userId, 'utf8').toString('base64url') !== idPart) return null;
  const expected = Buffer.from(mac(secret, userId), 'utf8');
  const given = Buffer.from(macPart, 'utf8');
  if (expected.length !== given.length) return null;
  return timingSafeEqual(expected, given) ? userId : null;
}

function mac(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('base64url');
}

/** The token of a handshake: `?token=` in the URL, else `Authorization: Bearer <token>`. */
export function tokenFromHandshake(handshake: HandshakeInfo): string | null {
  const q = handshake.url.indexOf('?');
  if (q >= 0) {
    const t = new URLSearchParams(handshake.url.slice(q + 1)).get('token');
    if (t !== null && t !== '') return t;
  }
  const auth = handshake.headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (m) return m[1]!;
  }
  return null;
}

export function authenticateHandshake(secret: string, handshake: HandshakeInfo): string | null {
  return verifyToken(secret, tokenFromHandshake(handshake));
}

/** The owner a thread id names by the default rule (the id up to its last "-"), or null. */
export function ownerByNaming(threadId: string): string | null {
  const i = threadId.lastIndexOf('-');
  if (i <= 0 || i === threadId.length - 1) return null;
  return threadId.slice(0, i);
}

/** Validate an ownership document: `{ "<userId>": ["<threadId>", ...], ... }`. Throws with the defect named. */
export function parseOwnership(value: unknown, source: string): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: the ownership file must be a JSON object mapping user ids to arrays of thread ids, e.g. {"u1": ["A", "B"]}`);
  }
  const out: Record<string, string[]> = {};
  // Thread ids are scoped per user: two users may both own a "t1" (F25).
  for (const [user, threads] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(threads) || !threads.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new Error(`${source}: "${user}" must map to an array of non-empty thread id strings`);
    }
    out[user] = [...(threads as string[])];
  }
  return out;
}

/**
 * How a run's tabs get their tokens and how the server's `env.authenticate` reads them back.
 * The harness issues the tokens, so it can say who a handshake belongs to for any plug-in.
 */
export interface TokenIssuer {
  issue(userId: string): string;
  /** The user a handshake's token names, or null. */
  verify(handshake: HandshakeInfo): string | null;
}

/**
 * HMAC-signed tokens (real sockets: a connection can be opened by anyone who can reach the port).
 */
export function signedTokens(secret: string): TokenIssuer {
  return { issue: (userId) => signToken(secret, userId), verify: (handshake) => authenticateHandshake(secret, handshake) };
}

/**
 * Plain tokens `user:<id>` for the simulated network, where nothing outside the run can connect:
 * short, readable in traces, and the same on every run (a signed token would not change what is
 * judged, only lengthen every handshake).
 */
export function plainTokens(): TokenIssuer {
  return {
    issue: (userId) => `user:${userId}`,
    verify: (handshake) => {
      const token = tokenFromHandshake(handshake);
      return token !== null && token.startsWith('user:') && token.length > 5 ? token.slice(5) : null;
    },
  };
}
