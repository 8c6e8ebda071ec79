/**
 * Gate thresholds in the k6 style: "<metric> <op> <number>", e.g. "lost == 0",
 * "success_rate >= 0.999", "latency_p99_ms < 250". A threshold naming a metric that does not
 * exist is an error, never a silent pass.
 */

export const THRESHOLD_METRICS = [
  'lost',
  'duplicated',
  'leaked',
  'out_of_order',
  'late',
  'misrouted',
  'dropped_explicit',
  'requests_lost',
  'runs_duplicated',
  'produced',
  'owed',
  'delivered',
  'violations',
  'success_rate',
  'success_rate_ci_low',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'connect_to_bind_p99_ms',
  'routing_misses',
  'events_unreached',
  'sent_before_ready',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ThresholdOp = (typeof OPS)[number];

export interface Threshold {
  source: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

export class ThresholdError extends Error {
  override readonly name = 'ThresholdError';
}

export function parseThreshold(source: string): Threshold {
  const m = /^\s*([a-z0-9_]+)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/.exec(source);
  if (!m) throw new ThresholdError(`bad threshold "${source}": write "<metric> <op> <number>", e.g. "lost == 0"`);
  const metric = m[1]!;
  if (metric === 'routing_failures') {
    throw new ThresholdError(`threshold "${source}": routing_failures meant two things and was split: use routing_misses (no bound connection at the first attempt; may still be delivered later) or events_unreached (reached no connection in the end)`);
  }
  if (!(THRESHOLD_METRICS as readonly string[]).includes(metric)) {
    throw new ThresholdError(`unknown metric "${metric}" in threshold "${source}": metrics are ${THRESHOLD_METRICS.join(', ')}`);
  }
  return { source: source.trim(), metric: metric as ThresholdMetric, op: m[2] as ThresholdOp, value: Number(m[3]) };
}

export function evaluateThreshold(t: Threshold, actual: number): boolean {
  if (Number.isNaN(actual)) return false; // no data never passes a threshold
  switch (t.op) {
    case '<':
      return actual < t.value;
    case '<=':
      return actual <= t.value;
    case '>':
      return actual > t.value;
    case '>=':
      return actual >= t.value;
    case '==':
      return actual === t.value;
    case '!=':
      return actual !== t.value;
  }
}
