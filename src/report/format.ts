/**
 * Text formatting for the HTML report. Everything the report prints goes through these, so the
 * tests can compute the exact text a cell must show from the results document.
 */
import type { Summary } from '../run/result.ts';

/** HTML-escape text for element content and attribute values (both quote kinds). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const DASH = '—';

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Integer with thousands separators: 12345 → "12,345". */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return DASH;
  const sign = n < 0 ? '-' : '';
  return sign + group(String(Math.round(Math.abs(n))));
}

/** A rate in [0, 1] as a percentage with two decimals: 0.99951 → "99.95%". */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) return DASH;
  return `${(rate * 100).toFixed(2)}%`;
}

/** A CI pair as "83.10–84.02%". */
export function formatCi(ci: [number, number] | undefined): string {
  if (!ci || ci.length !== 2 || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return DASH;
  return `${(ci[0] * 100).toFixed(2)}–${formatRate(ci[1])}`;
}

/** Milliseconds with precision that fits the magnitude: 0.850, 3.20, 123.4, 12,345. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return DASH;
  const abs = Math.abs(ms);
  if (abs < 1) return ms.toFixed(3);
  if (abs < 10) return ms.toFixed(2);
  if (abs < 1_000) return ms.toFixed(1);
  return formatCount(ms);
}

/** A microsecond duration for people: "850 µs", "3.2 ms", "12.5 s", "10.1 min", "2.1 h". */
export function formatDuration(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return DASH;
  const abs = Math.abs(us);
  const trim = (n: number, d: number): string => n.toFixed(d).replace(/\.?0+$/, '');
  if (abs < 1_000) return `${Math.round(us)} µs`;
  if (abs < 1_000_000) return `${trim(us / 1_000, 1)} ms`;
  if (abs < 100_000_000) return `${trim(us / 1_000_000, 2)} s`;
  if (abs < 3_600_000_000) return `${trim(us / 60_000_000, 1)} min`;
  return `${trim(us / 3_600_000_000, 2)} h`;
}

/** Bytes for people: "512 B", "1.4 KB", "3.20 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** Sorted integers as compact ranges: [1,2,3,5,7,8] → "1–3, 5, 7–8". */
export function formatSeeds(seeds: number[], maxParts = 12): string {
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  if (sorted.length === 0) return DASH;
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  const flush = (): void => {
    parts.push(start === prev ? String(start) : prev === start + 1 ? `${start}, ${prev}` : `${start}–${prev}`);
  };
  for (const s of sorted.slice(1)) {
    if (s === prev + 1) {
      prev = s;
      continue;
    }
    flush();
    start = prev = s;
  }
  flush();
  const shown = parts.length > maxParts ? [...parts.slice(0, maxParts), `… (${sorted.length} seeds)`] : parts;
  return shown.join(', ');
}

/** The metrics of the comparison table that carry `data-metric` attributes. */
export type ComparisonMetric =
  | 'successRate'
  | 'successRateCi95'
  | 'interactions'
  | 'lost'
  | 'duplicated'
  | 'leaked'
  | 'late'
  | 'misrouted'
  | 'droppedExplicit'
  | 'p50'
  | 'p99';

/** The raw value behind a comparison cell (`data-value`). */
export function comparisonValue(s: Summary, metric: ComparisonMetric): number | string {
  switch (metric) {
    case 'successRate':
      return s.successRate;
    case 'successRateCi95':
      return s.successRateCi95.join(',');
    case 'interactions':
      return s.interactions.total;
    case 'p50':
      return s.latencyMs.p50;
    case 'p99':
      return s.latencyMs.p99;
    default:
      return s.counts[metric];
  }
}

/** The exact text of a comparison cell (`textContent` of `td[data-metric=...]`). */
export function comparisonText(s: Summary, metric: ComparisonMetric): string {
  switch (metric) {
    case 'successRate':
      return formatRate(s.successRate);
    case 'successRateCi95':
      return formatCi(s.successRateCi95);
    case 'interactions':
      return `${formatCount(s.interactions.succeeded)} / ${formatCount(s.interactions.total)}`;
    case 'p50':
      return formatMs(s.latencyMs.p50);
    case 'p99':
      return formatMs(s.latencyMs.p99);
    default:
      return formatCount(s.counts[metric]);
  }
}

/** A threshold's actual value, or any plain number: integers grouped, others to 5 significant digits. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'no data';
  if (Number.isInteger(v)) return formatCount(v);
  const [int, frac] = String(Number(v.toPrecision(5))).split('.');
  return frac === undefined || int!.includes('e') ? `${int}${frac ? `.${frac}` : ''}` : `${group(int!)}.${frac}`;
}

/** "1 event", "2,000 events" (an irregular plural as the third argument). */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}
