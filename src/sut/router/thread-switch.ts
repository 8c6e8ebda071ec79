/** The thread-switch handler: rooms always; the association only with bindOnSwitch. */
import type { Binding } from './binding.ts';
import type { Connection } from './connection.ts';
import type { RouterFlags } from './flags.ts';
import type { RouterTrace } from './log.ts';
import type { Replies } from './replies.ts';
import type { ThreadService } from './thread-service.ts';
import type { WebSocketManager } from './ws-manager.ts';

export class ThreadSwitch {
  constructor(
    private readonly flags: RouterFlags,
    private readonly threads: ThreadService,
    private readonly manager: WebSocketManager,
    private readonly trace: RouterTrace,
    private readonly replies: Replies,
    private readonly binding: Binding,
  ) {}

  async onSwitchThread(conn: Connection, switchId: string, threadId: string): Promise<void> {
    const request = ++conn.bindRequests;
    const owned = await this.threads.owns(conn.userId, threadId);
    if (!owned) return this.replies.forbid(conn, threadId, switchId);
    if (!conn.open) return;
    for (const room of [...conn.rooms]) this.manager.leaveRoom(conn.id, room);
    this.manager.joinRoom(conn.id, `thread:${threadId}`);
    this.trace('router.switch', { conn: conn.id, thread: threadId, bound: this.flags.bindOnSwitch });
    if (this.flags.bindOnSwitch) this.binding.bindNow(conn, threadId, 'switch', request);
    if (this.flags.messageAcks) this.replies.send(conn, { type: 'message_ack', ref: switchId });
  }
}
