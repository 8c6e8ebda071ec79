/**
 * Exit codes (DESIGN.md section 6): 0 all held; 1 an invariant, threshold or baseline check
 * failed, or fuzz found a counterexample; 2 bad usage or bad input; 130 interrupted.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad usage or bad input: printed as one line naming the problem and the fix, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseNonNegativeInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number (0 or more), got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} is too large: "${value}"`);
  return n;
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number of at least 1, got "${value}"`);
  const n = parseNonNegativeInt(value, flag);
  if (n < 1) throw new UsageError(`${flag} must be at least 1, got "${value}"`);
  return n;
}

/** "line L column C" for a JSON.parse failure (Node 20 only reports a character position). */
export function jsonErrorLocation(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return `line ${lineCol[1]} column ${lineCol[2]}`;
  const pos = /at position (\d+)/.exec(message);
  let index = pos ? Number(pos[1]) : /Unexpected end of JSON input/.test(message) ? text.length : -1;
  if (index < 0) return '';
  index = Math.min(index, text.length);
  let line = 1;
  let col = 1;
  for (let i = 0; i < index; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line} column ${col}`;
}

/** Parse JSON text or throw a UsageError "<file>: not valid JSON (line L column C): <reason>". */
export function parseJsonFile(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = jsonErrorLocation(text, error);
    const reason = (error instanceof Error ? error.message : String(error)).replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected token/, 'unexpected token');
    throw new UsageError(`${file}: ${what} is not valid JSON${where ? ` at ${where}` : ''}: ${reason}`);
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
