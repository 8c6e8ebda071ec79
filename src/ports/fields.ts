/** Structured fields of a log line or a trace record: flat, JSON-safe, hashable. */

export type TraceValue = string | number | boolean | null;
export type TraceFields = Record<string, TraceValue | readonly TraceValue[]>;
