/**
 * The accepted-message window (dedup, F22): user_message ids accepted within
 * `messageDedupWindowMs`, each with the run it started, so a resend (its first ack was lost
 * with its connection) is acknowledged again instead of starting a second run.
 */
import type { Clock } from '../../ports/clock.ts';
import type { RouterFlags } from './flags.ts';

/** At most this many message ids are remembered for dedup; past it the oldest are forgotten first. */
export const MAX_DEDUP_ENTRIES = 100_000;

export interface AcceptedMessage {
  runId: string;
  threadId: string;
  atUs: number;
}

export class AcceptedMessages {
  /** (user, id) → the run it started. */
  private readonly accepted = new Map<string, AcceptedMessage>();
  /**
   * The keys of `accepted` in its insertion order (oldest first), from `head` on. Expiry walks
   * this instead of the Map: a Map's iteration starts again at its first slot, and the slots of
   * deleted entries stay there until the table is rebuilt, so each walk from the start passed
   * every entry expired since (a few percent of a run with a million messages).
   */
  private readonly order: string[] = [];
  private head = 0;

  constructor(
    private readonly clock: Clock,
    private readonly flags: RouterFlags,
  ) {}

  /** The run this user's `messageId` started within the dedup window, or null (also when dedup is off). */
  within(userId: string, messageId: string): AcceptedMessage | null {
    const windowMs = this.flags.messageDedupWindowMs;
    if (windowMs <= 0) return null;
    const prior = this.accepted.get(dedupKey(userId, messageId));
    if (!prior || this.clock.now() - prior.atUs > windowMs * 1_000) return null;
    return prior;
  }

  /** Remember an accepted message (dedup on); entries past the window, or past the bound, are forgotten oldest first. */
  remember(userId: string, messageId: string, runId: string, threadId: string): void {
    if (this.flags.messageDedupWindowMs <= 0) return;
    const now = this.clock.now();
    const windowUs = this.flags.messageDedupWindowMs * 1_000;
    // Oldest first, up to the first entry still inside the window (while under the cap). A key
    // set again keeps its place in the Map's order, with its new time: so does it here.
    while (this.head < this.order.length) {
      const key = this.order[this.head]!;
      if (now - this.accepted.get(key)!.atUs <= windowUs && this.accepted.size < MAX_DEDUP_ENTRIES) break;
      this.accepted.delete(key);
      this.head++;
    }
    if (this.head > 1_024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    const key = dedupKey(userId, messageId);
    if (!this.accepted.has(key)) this.order.push(key);
    this.accepted.set(key, { runId, threadId, atUs: now });
  }
}

function dedupKey(userId: string, messageId: string): string {
  return `${userId}\u0000${messageId}`;
}
