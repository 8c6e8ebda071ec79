/**
 * The router's log port. The simulated transport records log lines in the trace; the real
 * server writes JSON lines. Lines are counted by message template so the oracle and the
 * report can say how often "No connections found for thread" was logged.
 */
import type { TraceFields } from '../../sim/trace.ts';

export interface RouterLogSink {
  (level: 'info' | 'warn' | 'error', message: string, fields: TraceFields): void;
}

export class RouterLog {
  readonly warnings = new Map<string, number>();

  constructor(private readonly sink: RouterLogSink = () => {}) {}

  info(message: string, fields: TraceFields = {}): void {
    this.sink('info', message, fields);
  }

  warn(message: string, fields: TraceFields = {}): void {
    const template = message.replace(/ [^ ]+$/, ' <id>');
    this.warnings.set(template, (this.warnings.get(template) ?? 0) + 1);
    this.sink('warn', message, fields);
  }

  error(message: string, fields: TraceFields = {}): void {
    this.sink('error', message, fields);
  }
}

/** Router-internal facts for timelines and explanations (never used by the oracle to judge). */
export type RouterTrace = (kind: string, fields: TraceFields) => void;
