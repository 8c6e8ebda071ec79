/** `--router` values: comma-separated router specs (a mode, optionally with flag changes). */
import { MODES, parseRouterSpec, RouterSpecError, type RouterConfig } from '../sut/router/flags.ts';
import { UsageError } from './errors.ts';

export const DEFAULT_ROUTER = 'guaranteed';

export function parseRouters(value: string): RouterConfig[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--router needs at least one mode: ${MODES.join(', ')}`);
  const seen = new Set<string>();
  const out: RouterConfig[] = [];
  for (const name of names) {
    if (seen.has(name)) throw new UsageError(`router "${name}" is given twice in --router ${value}; name each mode once`);
    seen.add(name);
    try {
      out.push(parseRouterSpec(name));
    } catch (error) {
      if (error instanceof RouterSpecError) throw new UsageError(error.message);
      throw error;
    }
  }
  return out;
}
