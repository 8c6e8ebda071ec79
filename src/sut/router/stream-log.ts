/**
 * Per-stream sequence numbers and a retained log, for the guaranteed mode.
 *
 * A stream is one user's thread. Every event gets the next sequence number of its stream and
 * a stable `msg_id`; the log keeps events for the resume window so a client that reconnects
 * with `resume {last_seq}` gets exactly what it missed, and a client that asks for something
 * older gets an explicit gap notice instead of silence.
 */
import type { AgentEventFrame } from '../../protocol/threadline.ts';

export interface LogEntry {
  readonly seq: number;
  readonly frame: AgentEventFrame;
  readonly producedAtUs: number;
  /** Set when the event was given up (queue overflow or expiry): replays send a gap instead. */
  droppedReason: string | null;
}

export const MAX_LOG_ENTRIES_PER_STREAM = 10_000;
/**
 * Streams the sweep prunes per append. An append adds at most one stream, so at 2 the sweep
 * outpaces new streams and comes round to every stream again, every (streams ÷ appends per
 * second ÷ 2) seconds.
 */
export const SWEPT_PER_APPEND = 2;
/** Ground-truth ids of pruned entries kept per stream, so gap notices can name them (harness instrumentation). */
export const MAX_TOMBSTONES_PER_STREAM = 10_000;

interface Stream {
  nextSeq: number;
  entries: LogEntry[];
  prunedThrough: number;
  tombstones: Array<{ seq: number; eid: string }>;
}

export class StreamLog {
  private readonly streams = new Map<string, Stream>();
  /**
   * Where the sweep of idle streams is (see `append`): the log prunes a stream when it is used,
   * so the stream of a user who left would keep every event it ever had.
   */
  private sweep: IterableIterator<Stream> = this.streams.values();

  /** `skipEvery` > 0: TEST-ONLY planted bug bugSkipSeq, every n-th sequence number is never assigned. */
  constructor(
    private readonly windowUs: number,
    private readonly skipEvery = 0,
  ) {}

  /** Assign the next sequence number of `key` and retain the frame. */
  append(key: string, frame: AgentEventFrame, nowUs: number): LogEntry {
    const s = this.stream(key);
    if (this.skipEvery > 0 && s.nextSeq % this.skipEvery === 0) s.nextSeq++;
    const entry: LogEntry = { seq: s.nextSeq++, frame, producedAtUs: nowUs, droppedReason: null };
    frame.seq = entry.seq;
    s.entries.push(entry);
    this.prune(s, nowUs);
    for (let i = 0; i < SWEPT_PER_APPEND; i++) this.sweepOne(nowUs);
    return entry;
  }

  /**
   * Prune the next stream in turn (insertion order, so the same on every run), even if nobody
   * asks for it. Pruning is by age and count only, so pruning early changes nothing a reader
   * sees: every read prunes first, to the same point.
   */
  private sweepOne(nowUs: number): void {
    let next = this.sweep.next();
    if (next.done) {
      this.sweep = this.streams.values();
      next = this.sweep.next();
    }
    if (!next.done) this.prune(next.value, nowUs);
  }

  /** Entries held, over every stream (introspection: the log's memory, in tests). */
  get heldEntries(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.entries.length;
    return n;
  }

  lastSeq(key: string): number {
    return this.stream(key).nextSeq - 1;
  }

  /**
   * Entries after `afterSeq`. `missing` is the range the log no longer holds (pruned past the
   * window), which the caller must announce as a gap.
   */
  since(key: string, afterSeq: number, nowUs: number): { entries: LogEntry[]; missing: [number, number] | null; missingEids: string[] } {
    const s = this.stream(key);
    this.prune(s, nowUs);
    const entries = s.entries.filter((e) => e.seq > afterSeq);
    const missing: [number, number] | null = s.prunedThrough > afterSeq ? [afterSeq + 1, s.prunedThrough] : null;
    const missingEids = missing ? s.tombstones.filter((t) => t.seq > afterSeq).map((t) => t.eid) : [];
    return { entries, missing, missingEids };
  }

  /** Entries produced at or after `sinceUs` (catch-up on bind). */
  producedSince(key: string, sinceUs: number, nowUs: number): LogEntry[] {
    const s = this.stream(key);
    this.prune(s, nowUs);
    return s.entries.filter((e) => e.producedAtUs >= sinceUs);
  }

  private stream(key: string): Stream {
    let s = this.streams.get(key);
    if (!s) {
      s = { nextSeq: 1, entries: [], prunedThrough: 0, tombstones: [] };
      this.streams.set(key, s);
    }
    return s;
  }

  private prune(s: Stream, nowUs: number): void {
    let drop = 0;
    while (
      drop < s.entries.length &&
      (nowUs - s.entries[drop]!.producedAtUs > this.windowUs || s.entries.length - drop > MAX_LOG_ENTRIES_PER_STREAM)
    ) {
      drop++;
    }
    if (drop > 0) {
      s.prunedThrough = s.entries[drop - 1]!.seq;
      for (const e of s.entries.splice(0, drop)) s.tombstones.push({ seq: e.seq, eid: e.frame.eid });
      if (s.tombstones.length > MAX_TOMBSTONES_PER_STREAM) s.tombstones.splice(0, s.tombstones.length - MAX_TOMBSTONES_PER_STREAM);
    }
  }
}
