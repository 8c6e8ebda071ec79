/**
 * The trace: an append-only log of everything that happened in a run, in virtual time.
 *
 * Determinism is judged on it: the canonical serialisation of a record is one line,
 * `<t>\t<kind>\t<JSON of fields>`, and the trace hash is the SHA-256 of all lines joined by
 * "\n". Field objects must be built in a fixed key order by the code that records them
 * (they are, because they are object literals in this code base), so the same run gives the
 * same bytes.
 *
 * Hashing is incremental (lines are buffered and fed to the hash in chunks) so a trace can be
 * hashed without being kept. Keeping records is optional and bounded: reports and
 * divergence search need them, million-message campaigns do not.
 */
import { createHash, type Hash } from 'node:crypto';

import type { TraceFields } from '../ports/fields.ts';
export type { TraceFields, TraceValue } from '../ports/fields.ts';

export interface TraceRecord {
  /** Virtual time in microseconds. */
  readonly t: number;
  /** Record kind, namespaced: "net.send", "net.deliver", "router.bind", "kernel.timer", ... */
  readonly kind: string;
  readonly fields: TraceFields;
}

export interface TraceOptions {
  /** Keep records in memory (for reports, replay comparison). Default true. */
  keepRecords?: boolean;
  /** Keep at most this many records; later ones are hashed but not kept. Default 2,000,000. */
  maxKeptRecords?: number;
}

const CHUNK_CHARS = 1 << 16;

export class Trace {
  private readonly hasher: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly keep: boolean;
  private readonly maxKept: number;
  private readonly kept: TraceRecord[] = [];
  private recordCount = 0;
  private truncated = false;
  /** Optional listeners (the oracle, live reporters); called synchronously. */
  private readonly listeners: Array<(record: TraceRecord) => void> = [];

  constructor(options: TraceOptions = {}) {
    this.keep = options.keepRecords ?? true;
    this.maxKept = options.maxKeptRecords ?? 2_000_000;
  }

  record(t: number, kind: string, fields: TraceFields = {}): void {
    const line = `${t}\t${kind}\t${JSON.stringify(fields)}`;
    if (this.recordCount > 0) {
      this.pending.push('\n');
      this.pendingChars += 1;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
    this.recordCount++;
    if (this.pendingChars >= CHUNK_CHARS) this.flush();
    const rec: TraceRecord = { t, kind, fields };
    if (this.keep) {
      if (this.kept.length < this.maxKept) this.kept.push(rec);
      else this.truncated = true;
    }
    for (const listener of this.listeners) listener(rec);
  }

  onRecord(listener: (record: TraceRecord) => void): void {
    this.listeners.push(listener);
  }

  /** SHA-256 (hex) of the canonical serialisation so far. Can be called repeatedly. */
  hash(): string {
    this.flush();
    return this.hasher.copy().digest('hex');
  }

  get size(): number {
    return this.recordCount;
  }

  /** Kept records (empty when keepRecords is false). */
  get records(): readonly TraceRecord[] {
    return this.kept;
  }

  /** True when more records were produced than kept. */
  get isTruncated(): boolean {
    return this.truncated;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.hasher.update(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** Canonical line of one record (the unit the hash is computed over). */
export function canonicalLine(record: TraceRecord): string {
  return `${record.t}\t${record.kind}\t${JSON.stringify(record.fields)}`;
}

/** First index at which two record lists differ, or -1 when identical. */
export function firstDivergence(a: readonly TraceRecord[], b: readonly TraceRecord[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (canonicalLine(a[i]!) !== canonicalLine(b[i]!)) return i;
  }
  return a.length === b.length ? -1 : n;
}
