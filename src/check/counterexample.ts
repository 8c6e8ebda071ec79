/**
 * Counterexample files: a shrunk case written as a scenario script that `threadline replay`
 * and `threadline run` load like any other.
 *
 *   // threadline fuzz counterexample
 *   // router:    dynamic
 *   // seed:      0
 *   // invariant: no-loss
 *   // replay:    threadline replay scenarios/regressions/fuzz-dynamic-no-loss-1a2b3c4d.ts --router dynamic --seed 0
 *   // story: ...
 *   import { defineScenario } from '../../src/scenario/types.ts';
 *   export const meta = { router: 'dynamic', seed: 0, traceHash: '…', invariant: 'no-loss', ... };
 *   export default defineScenario({ ... });
 *
 * `meta` gives replay its defaults (router, seed) and the trace hash to compare against. The
 * file name is derived from the router, the invariant and a hash of the case, so the same
 * counterexample found twice is written to the same file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODES, type RouterMode } from '../sut/router/flags.ts';
import type { ScenarioSpec, Verdict } from '../scenario/types.ts';
import type { FuzzCase } from './arbitraries.ts';
import type { FailureKind } from './property.ts';

export const DEFAULT_SAVE_DIR = join('scenarios', 'regressions');

/** Exported as `meta` by a counterexample file. */
export interface CounterexampleMeta {
  router: string;
  seed: number;
  traceHash: string | null;
  invariant: FailureKind;
  invariants: FailureKind[];
  /** How it was found (absent for hand-written cases). */
  fuzzSeed?: number;
  runs?: number;
  numShrinks?: number;
}

export interface CounterexampleFile {
  spec: ScenarioSpec;
  meta: CounterexampleMeta;
  /** Story lines (already formatted) for the header. */
  story: string[];
  /** The oracle's explanation of the first violation (or the run's error). */
  explanation: string;
  /** The command that found it, for the header. */
  foundBy?: string;
  /** Heading of the story (default "Story (virtual time):"). */
  storyTitle?: string;
  /** Extra header lines (e.g. how a kept regression was fixed). */
  notes?: string[];
  /** The --server file the case was found on (the replay line then names it). */
  serverFile?: string;
}

/** How to replay a saved case: `replay --router` for a built-in mode, `run --server` for a server file. */
export function replayCommandFor(path: string, router: string, seed: number, serverFile?: string): string {
  if (serverFile !== undefined) return `threadline run ${path} --server ${serverFile} --seed ${seed}`;
  return `threadline replay ${path} --router ${router} --seed ${seed}`;
}

/** `fuzz-<router>-<invariant>-<8 hex of the case>`: lower case, digits and dashes. */
export function counterexampleName(router: string, invariant: string, c: FuzzCase): string {
  const { name: _n, description: _d, ...rest } = c.spec;
  const hash = createHash('sha256').update(JSON.stringify({ spec: rest, seed: c.seed })).digest('hex').slice(0, 8);
  return `fuzz-${slug(router)}-${slug(invariant)}-${hash}`;
}

/** The case as a regression scenario: named, described, with the verdicts it is known to give. */
export function counterexampleSpec(c: FuzzCase, name: string, router: string, explanation: string, alsoExpect: Partial<Record<RouterMode, Verdict>> = {}): ScenarioSpec {
  const expect: Partial<Record<RouterMode, Verdict>> = { ...alsoExpect };
  if ((MODES as readonly string[]).includes(router)) expect[router as RouterMode] = 'fail';
  const short = explanation.length > 240 ? `${explanation.slice(0, 237)}...` : explanation;
  return {
    ...c.spec,
    name,
    description: `Fuzz counterexample (router ${router}): ${short}`,
    ...(Object.keys(expect).length > 0 ? { expect } : {}),
    seeds: [c.seed],
  };
}

/** The text of a counterexample file, importing defineScenario from `importPath`. */
export function renderCounterexample(file: CounterexampleFile, importPath: string, shownPath: string): string {
  const { meta } = file;
  const lines: string[] = [
    '// threadline fuzz counterexample — a replayable regression scenario.',
    `// router:    ${meta.router}`,
    `// seed:      ${meta.seed}`,
    `// invariant: ${meta.invariants.join(', ')}`,
  ];
  if (file.foundBy) lines.push(`// found by:  ${file.foundBy}${meta.runs !== undefined ? ` (after ${meta.runs} run(s), ${meta.numShrinks ?? 0} shrink(s))` : ''}`);
  lines.push(`// replay:    ${replayCommandFor(shownPath, meta.router, meta.seed, file.serverFile)}`);
  for (const note of file.notes ?? []) for (const l of wrap(note, 100)) lines.push(`// ${l}`);
  lines.push('//', `// ${file.storyTitle ?? 'Story (virtual time):'}`);
  for (const l of file.story) lines.push(`//${l}`);
  lines.push('//', '// Oracle:');
  for (const l of wrap(file.explanation, 96)) lines.push(`//   ${l}`);
  lines.push(`import { defineScenario } from '${importPath}';`, '');
  lines.push(`export const meta = ${compactJson(meta)};`, '');
  lines.push(`export default defineScenario(${compactJson(file.spec)});`, '');
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n');
}

/** Write the file into `dir` (created if needed); returns its path as given (relative stays relative). */
export function saveCounterexample(dir: string, file: CounterexampleFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file.spec.name}.ts`);
  writeFileSync(path, renderCounterexample(file, importPathFrom(dir), path));
  return path;
}

/** Relative import of src/scenario/types.ts from a file in `dir`. */
export function importPathFrom(dir: string): string {
  const types = fileURLToPath(new URL('../scenario/types.ts', import.meta.url));
  let rel = relative(resolve(dir), dirname(types)).split(sep).join('/');
  if (!rel.startsWith('.')) rel = rel === '' ? '.' : `./${rel}`;
  return `${rel}/types.ts`;
}

/** JSON with one line per member, but any value that fits in `width` columns on one line. */
export function compactJson(value: unknown, indent = '', width = 110): string {
  const flat = JSON.stringify(value);
  if (flat === undefined) return 'null';
  if (typeof value !== 'object' || value === null || indent.length + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${compactJson(v, inner, width)}`).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner, width)}`).join(',\n')},\n${indent}}`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}
