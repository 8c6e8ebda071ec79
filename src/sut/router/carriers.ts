/**
 * Run-scoped delivery: (user, session, thread) → the connection of that tab carrying the
 * thread. A run's events go to the connection that now carries the run's thread for the tab
 * (the session) that started the run — the connection that started it, or a newer connection
 * of the same tab that resumed the thread after a reconnect.
 */
import type { RunContext } from './agent-registry.ts';
import type { Connection } from './connection.ts';
import { carrierKey } from './keys.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class Carriers {
  private readonly carriers = new Map<string, Connection>();

  constructor(private readonly manager: WebSocketManager) {}

  /** Make `conn` carry the tab's runs on `threadId`; deferred while its resume is pending (see ResumeWait). */
  carry(conn: Connection, threadId: string, runId?: string): void {
    if (conn.resuming) {
      let runs = conn.deferredCarry.get(threadId);
      if (!runs) conn.deferredCarry.set(threadId, (runs = new Set()));
      if (runId !== undefined) runs.add(runId);
      return;
    }
    this.carryNow(conn, threadId);
  }

  /** `conn` carries `threadId` for its session, unless a newer open connection of the session already does. */
  carryNow(conn: Connection, threadId: string): void {
    const key = carrierKey(conn.userId, conn.session, threadId);
    const current = this.carriers.get(key);
    if (current !== undefined && current !== conn && current.open && current.serial > conn.serial) return;
    this.carriers.set(key, conn);
    conn.carrying.add(key);
  }

  /** The connection that carries `run` now (see the file comment). Undefined when none is open. */
  originOf(run: RunContext): Connection | undefined {
    const carrier = run.carrier !== undefined ? this.carriers.get(run.carrier) : this.manager.get(run.originConnectionId);
    return carrier !== undefined && carrier.open && this.manager.get(carrier.id) === carrier ? carrier : undefined;
  }

  /** A closed connection carries nothing any more. */
  release(conn: Connection): void {
    for (const key of conn.carrying) if (this.carriers.get(key) === conn) this.carriers.delete(key);
  }
}
