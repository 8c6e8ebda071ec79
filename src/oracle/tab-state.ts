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

/** The tab's connection that was open at `atUs`, if any. */
export function openConnAt(tab: TabRecord, atUs: number): ConnRecord | null {
  for (const c of tab.conns) {
    if (c.openAtUs !== null && c.openAtUs <= atUs && (c.closeAtUs === null || c.closeAtUs > atUs)) return c;
  }
  return null;
}
