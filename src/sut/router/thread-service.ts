/**
 * Thread service: who owns which thread. The look-up takes simulated service time — this is
 * the real race window of the modelled system: binding a connection to a thread is async
 * because it first checks that the thread belongs to the user.
 */
import type { Clock } from '../../ports/clock.ts';
import { type Distribution, fixed, sampleDurationUs } from '../../sim/distribution.ts';
import type { Random } from '../../sim/rng.ts';

/**
 * Thread ids are scoped per user: two users may both own a thread called "t1" (F25); ownership
 * is the pair (user, thread).
 */
export class ThreadService {
  private readonly owned = new Set<string>();
  lookups = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Random,
    private readonly lookupMs: Distribution = fixed(0),
    /** A default owner for threads nobody was given (serve's naming rule); none in judged runs. */
    private readonly ownerOf: ((threadId: string) => string | null) | null = null,
  ) {}

  /** Declare that `userId` owns its thread `threadId` (scenario set-up). */
  addThread(userId: string, threadId: string): void {
    this.owned.add(ownedKey(userId, threadId));
  }

  /** The thread the user was given last (the stand-in for the real store's "latest thread"), or null. */
  latestThreadOf(userId: string): string | null {
    let latest: string | null = null;
    const prefix = `${userId}\u0000`;
    for (const key of this.owned) if (key.startsWith(prefix)) latest = key.slice(prefix.length);
    return latest;
  }

  /** Ownership without latency: for invariants of the harness itself, never on a routing path. */
  isOwner(userId: string, threadId: string): boolean {
    return this.owned.has(ownedKey(userId, threadId));
  }

  /** The ownership check, taking the service's look-up time. */
  async owns(userId: string, threadId: string): Promise<boolean> {
    this.lookups++;
    const delayUs = sampleDurationUs(this.lookupMs, this.rng);
    if (delayUs > 0) await this.clock.sleep(delayUs);
    if (this.owned.has(ownedKey(userId, threadId))) return true;
    if (this.ownerOf === null || this.ownerOf(threadId) !== userId) return false;
    this.addThread(userId, threadId);
    return true;
  }
}

function ownedKey(userId: string, threadId: string): string {
  return `${userId}\u0000${threadId}`;
}
