/**
 * Durations on the command line: "500ms", "30s", "5m", "1h", "1m30s" (units ms, s, m, h;
 * decimals allowed, e.g. "1.5m"). Returns milliseconds, or null when the text is not one.
 */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s.length === 0) return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null || m.index !== start) return null;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isFinite(total) ? total : null;
}
