/**
 * What a tab was doing at a given instant, from the ground truth: the thread it had declared and
 * the connection it had open. Shared by the judge and its wire checks.
 */
import type { ConnRecord, TabRecord } from './recorder.ts';

/** The thread the tab had declared (connected with, sent on, switched to) at `atUs`. */
export function declaredAt(tab: TabRecord, atUs: number): string | null {
  let thread: string | null = null;
  for (const d of tab.declarations) {
    if (d.atUs > atUs) break;
    thread = d.thread;
  }
  return thread;
}

/**
 * The tab's connection that was open at `atUs`, if any. With `tick` (an event's place in the
 * run's order of facts), a connection that opened in that same µs counts only if it opened
 * first: with no handshake delay the event may have come before the server knew the connection.
 */
export function openConnAt(tab: TabRecord, atUs: number, tick?: number): ConnRecord | null {
  for (const c of tab.conns) {
    if (c.openAtUs === null || c.openAtUs > atUs) continue;
    if (c.openAtUs === atUs && tick !== undefined && c.openTick !== null && c.openTick > tick) continue;
    if (c.closeAtUs === null || c.closeAtUs > atUs) return c;
  }
  return null;
}
