/**
 * Shutdown: close every socket with 1001. Graceful: first refuse new user messages (an error
 * frame naming them, so the client knows to resend), and wait until the messages already taken
 * in became runs and every run completed, at most `drainTimeoutMs`.
 */
import type { Clock } from '../../ports/clock.ts';
import type { BackendPort } from '../../ports/server.ts';
import { CloseCode } from '../../ports/socket.ts';
import type { RouterLog } from './log.ts';
import type { UserMessages } from './user-messages.ts';
import type { WebSocketManager } from './ws-manager.ts';

export interface ShutdownOptions {
  /** Drain first: refuse new user messages, let accepted ones become runs and runs finish. */
  graceful?: boolean;
  /** How long the drain may take, ms on the router's clock (default DEFAULT_DRAIN_TIMEOUT_MS). */
  drainTimeoutMs?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/** While draining, the router checks this often whether accepted work has finished. */
const DRAIN_POLL_US = 2_000;

export class Shutdown {
  private isClosed = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: RouterLog,
    private readonly backend: BackendPort,
    private readonly manager: WebSocketManager,
    private readonly messages: UserMessages,
  ) {}

  /** Shut down (the sockets are closed, or being closed): new connections are refused. */
  get closed(): boolean {
    return this.isClosed;
  }

  async run(options: ShutdownOptions = {}): Promise<void> {
    if (options.graceful === true && !this.isClosed) {
      this.messages.startDraining();
      this.log.info('shutting down', { graceful: true, pendingMessages: this.messages.messagesInHand, activeRuns: this.backend.activeRuns });
      const budgetUs = (options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) * 1_000;
      const deadline = this.clock.now() + budgetUs;
      // A non-graceful shutdown meanwhile (a second Ctrl-C) ends the drain.
      while (!this.isClosed && (this.messages.messagesInHand > 0 || this.backend.activeRuns > 0) && this.clock.now() < deadline) await this.clock.sleep(DRAIN_POLL_US);
      if (!this.isClosed && this.backend.activeRuns > 0) this.log.warn('drain timeout: runs still active at shutdown', { activeRuns: this.backend.activeRuns, drainTimeoutMs: budgetUs / 1_000 });
    }
    this.isClosed = true;
    for (const conn of this.manager.all()) conn.socket.close(CloseCode.goingAway, 'server shutting down');
  }
}
