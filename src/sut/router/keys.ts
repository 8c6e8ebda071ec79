/** Map keys of the router's per-stream and per-tab state. */

/** A stream: one user's thread (the stream log, the pending queue, the catch-up). */
export function streamKey(userId: string, threadId: string): string {
  return `${userId}\u0000${threadId}`;
}

/** Run-scoped delivery: one tab (session) of a user on one thread (see carriers.ts). */
export function carrierKey(userId: string, session: string, threadId: string): string {
  return `${userId}\u0000${session}\u0000${threadId}`;
}
