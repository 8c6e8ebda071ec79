/** The query parameters of a handshake URL the router reads. */

/**
 * The `session` query parameter of a handshake URL: a stable id of the client (a browser tab)
 * across its reconnects, or null. Scoped by the authenticated user, so it grants nothing.
 */
export function sessionFromUrl(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const value = new URLSearchParams(url.slice(q + 1)).get('session');
  return value === null || value === '' || value.length > 128 ? null : value;
}

/** Did the handshake URL announce a resume frame (`resume=1`, sent by reconnecting clients)? */
export function resumingFromUrl(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).get('resume') === '1';
}

/** The `thread_id` query parameter of a handshake URL, or null. */
export function threadFromUrl(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  const value = new URLSearchParams(url.slice(q + 1)).get('thread_id');
  return value === null || value === '' ? null : value;
}
