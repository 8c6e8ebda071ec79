/**
 * Seeded, splittable randomness.
 *
 * Every component draws from its own stream, derived by *name* from the run's seed
 * (`rng.fork('network/link-3')`). A stream's state depends only on (seed, path), never on
 * how many numbers other streams drew, so adding a component or a draw somewhere does not
 * change anybody else's numbers.
 *
 * Generator: sfc32 (small fast counting, 128-bit state, passes PractRand to 2^41+ bytes).
 * Seeding: cyrb128 over the stream's path string, then 12 warm-up rounds.
 */

import type { Random } from '../ports/random.ts';
export type { Random } from '../ports/random.ts';

/** Create the root stream of a run. */
export function createRandom(seed: number | string): Random {
  return new Sfc32Random(`seed:${seed}`);
}

class Sfc32Random implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly path: string) {
    const [h1, h2, h3, h4] = cyrb128(path);
    this.a = h1;
    this.b = h2;
    this.c = h3;
    this.d = h4;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  fork(name: string): Random {
    if (name.length === 0) throw new Error('rng.fork: the stream name must not be empty');
    return new Sfc32Random(`${this.path}/${name}`);
  }

  private nextUint32(): number {
    // sfc32 by Chris Doty-Humphrey; all arithmetic kept in uint32.
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    // 53 bits of randomness from two draws.
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  int(minInclusive: number, maxInclusive: number): number {
    if (!Number.isInteger(minInclusive) || !Number.isInteger(maxInclusive) || maxInclusive < minInclusive) {
      throw new RangeError(`rng.int: need integers min <= max, got [${minInclusive}, ${maxInclusive}]`);
    }
    return minInclusive + Math.floor(this.float() * (maxInclusive - minInclusive + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick: empty array');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  normal(mean = 0, stdDev = 1): number {
    // 1 - float() is in (0, 1], so the log is finite.
    const u1 = 1 - this.float();
    const u2 = this.float();
    return mean + stdDev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }
}

/** cyrb128: a fast 128-bit string hash, used only to derive stream states from paths. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
