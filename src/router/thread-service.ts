/**
 * Thread service: who owns which thread. The look-up takes simulated service time — this is
 * the real race window of the modelled system: binding a connection to a thread is async
 * because it first checks that the thread belongs to the user.
 */
import type { Clock } from '../sim/clock.ts';
import { type Distribution, fixed, sampleDurationUs } from '../sim/distribution.ts';
import type { Random } from '../sim/rng.ts';

export class ThreadService {
  private readonly ownerByThread = new Map<string, string>();
  lookups = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Random,
    private readonly lookupMs: Distribution = fixed(0),
  ) {}

  /** Declare that `userId` owns `threadId` (scenario set-up; a thread has one owner). */
  addThread(userId: string, threadId: string): void {
    const owner = this.ownerByThread.get(threadId);
    if (owner !== undefined && owner !== userId) {
      throw new Error(`thread "${threadId}" is already owned by user "${owner}"; thread ids are global`);
    }
    this.ownerByThread.set(threadId, userId);
  }

  /** Owner without latency: for invariants of the harness itself, never on a routing path. */
  ownerOf(threadId: string): string | undefined {
    return this.ownerByThread.get(threadId);
  }

  /** The ownership check, taking the service's look-up time. */
  async owns(userId: string, threadId: string): Promise<boolean> {
    this.lookups++;
    const delayUs = sampleDurationUs(this.lookupMs, this.rng);
    if (delayUs > 0) await this.clock.sleep(delayUs);
    return this.ownerByThread.get(threadId) === userId;
  }
}
