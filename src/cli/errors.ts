/**
 * Exit codes (DESIGN.md section 6): 0 all held; 1 an invariant or threshold failed, or fuzz
 * found a counterexample; 2 bad usage or bad input; 130 interrupted.
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
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = parseNonNegativeInt(value, flag);
  if (n < 1) throw new UsageError(`${flag} must be at least 1, got "${value}"`);
  return n;
}
