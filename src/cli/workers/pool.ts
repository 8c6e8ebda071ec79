/**
 * A fixed pool of worker threads that run jobs one at a time each and answer in messages.
 * `run(job)` resolves with the job's result, or rejects with the error the worker reported
 * (a job that throws) or with a WorkerCrashError (the worker died: its job is lost, the pool
 * starts a fresh worker for the next one). Jobs are handed out in the order they were asked
 * for; callers that need an order of results keep it themselves (results by index).
 *
 * The threads boot through bin/worker-thread.mjs, which registers the CLI's module hooks
 * (tsx, 'threadline'), then import src/cli/workers/worker.ts.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerJob, WorkerReply, JobResult } from './jobs.ts';

const BOOT_URL = new URL('../../../bin/worker-thread.mjs', import.meta.url);
// The built package (dist/) holds worker.js next to this file; a checkout runs the sources.
const ENTRY_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href;

export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
}

interface Pending {
  job: WorkerJob;
  resolve: (result: JobResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`WorkerPool: size must be a whole number ≥ 1, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  run(job: WorkerJob): Promise<JobResult> {
    if (this.closed) return Promise.reject(new Error('WorkerPool: run() after close()'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Stop every worker; jobs still running or queued are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('WorkerPool closed before the job ran'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const busy = slot.busy;
        slot.busy = null;
        await slot.worker.terminate();
        busy?.reject(new Error('WorkerPool closed while the job ran'));
      }),
    );
  }

  private spawn(): Slot {
    const worker = new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL } });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (reply: WorkerReply) => {
      const pending = slot.busy;
      slot.busy = null;
      if (pending) {
        if (reply.ok) pending.resolve(reply.result);
        else pending.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
      }
      this.pump();
    });
    worker.on('error', (error) => this.lost(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.lost(slot, new WorkerCrashError(`a worker thread exited with code ${code}`));
    });
    // A pool that only waits on idle workers must not keep the process alive.
    worker.unref();
    return slot;
  }

  /** A worker died: fail its job, replace it, carry on with the queue. */
  private lost(slot: Slot, error: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    const pending = slot.busy;
    slot.busy = null;
    void slot.worker.terminate();
    this.slots[i] = this.spawn();
    pending?.reject(error instanceof Error ? new WorkerCrashError(`a worker thread died running a job: ${error.message}`) : error);
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.busy && this.queue.length > 0) {
        slot.busy = this.queue.shift()!;
        slot.worker.postMessage(slot.busy.job);
      }
      // A busy worker keeps the process alive (its answer is awaited); an idle one does not.
      if (slot.busy) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}
