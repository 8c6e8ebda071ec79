/**
 * The start of an accepted connection: the binding the handshake asks for (`thread_id`), held
 * back with everything live while the reconnecting client's announced resume is pending.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Binding } from './binding.ts';
import type { Carriers } from './carriers.ts';
import type { CatchUp } from './catch-up.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import { resumingFromUrl, threadFromUrl } from './handshake-params.ts';
import type { StreamLog } from './stream-log.ts';

/** A reconnect that announced a resume binds at the latest this long after accept without it. */
export const RESUME_WAIT_US = 1_000_000;

export class ResumeWait {
  constructor(
    private readonly flags: RouterFlags,
    private readonly clock: Clock,
    private readonly streams: StreamLog | null,
    private readonly carriers: Carriers,
    private readonly catchUp: CatchUp,
    private readonly binding: Binding,
  ) {}

  /** Called at accept, after `connection_ready`, with the handshake URL. */
  start(conn: Connection, url: string): void {
    const thread = threadFromUrl(url);
    const request = thread !== null && this.flags.bindAtHandshake ? ++conn.bindRequests : null;
    // A reconnecting client announces its resume in the URL. Until the resume is handled, this
    // connection takes no live events (no binding, no run carried to it): anything newer arriving
    // first would turn the whole replay into out-of-order gaps, and a catch-up would resend what
    // the client already holds (found by the oracle's no-redundant-redelivery and the search).
    const settled = this.streams && resumingFromUrl(url) ? this.resumeSettled(conn) : null;
    if (settled) conn.resuming = true;
    void (settled ?? Promise.resolve()).then(() => {
      conn.resuming = false;
      for (const [t, runs] of conn.deferredCarry) {
        this.carriers.carryNow(conn, t);
        this.catchUp.flushCarried(conn, t, runs);
      }
      conn.deferredCarry.clear();
      if (thread !== null && request !== null) return this.binding.bindAfterLookup(conn, thread, 'handshake', true, request);
    });
  }

  /** Resolves when this connection's resume was handled, or after RESUME_WAIT_US without one. */
  private resumeSettled(conn: Connection): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimer(RESUME_WAIT_US, () => {
        conn.onResumed = null;
        resolve();
      }, 'router:resume-wait');
      conn.onResumed = () => {
        this.clock.cancelTimer(timer);
        conn.onResumed = null;
        resolve();
      };
    });
  }
}
