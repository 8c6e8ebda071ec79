/**
 * Frames the router writes to a client on its own account (not agent events): plain frames,
 * error frames, and the refusal of a thread the user does not own (counted and traced).
 */
import type { ErrorCode, ServerFrame } from '../../protocol/threadline.ts';
import type { Connection } from './connection.ts';
import type { RouterTrace } from './log.ts';
import type { Monitoring } from './monitoring.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class Replies {
  constructor(
    private readonly manager: WebSocketManager,
    private readonly monitoring: Monitoring,
    private readonly trace: RouterTrace,
  ) {}

  send(conn: Connection, frame: ServerFrame): void {
    this.manager.write(conn, frame);
  }

  error(conn: Connection, code: ErrorCode, message: string, ref?: string): void {
    this.send(conn, ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  }

  forbid(conn: Connection, threadId: string, ref?: string): void {
    this.monitoring.counters.forbidden++;
    this.trace('router.forbidden', { conn: conn.id, thread: threadId });
    this.error(conn, 'forbidden', `thread "${threadId.slice(0, 64)}" does not belong to this user`, ref);
  }
}
