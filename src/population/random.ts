// Counter-based randomness for the population: the stream for subject i is a pure function of
// (seed, stream id, i), so any subject can be generated alone, in any order, in any process, and it
// comes out the same in every feed. Two 32-bit words (a counter start and a key) per subject make
// overlapping streams between subjects practically impossible.

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of a short string (FNV-1a then fmix32), for naming streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

export class Rng {
  private counter: number;
  private readonly key: number;

  constructor(seed: number, stream: number, index: number) {
    const base = fmix32((seed >>> 0) ^ 0x5bd1e995) ^ fmix32(Math.imul(stream >>> 0, 0x27d4eb2d) + 1);
    this.counter = fmix32((base + Math.imul(index >>> 0, 0x9e3779b1)) >>> 0);
    this.key = fmix32((base ^ fmix32((index >>> 0) + 0x7f4a7c15)) >>> 0);
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.counter = (this.counter + 0x9e3779b9) >>> 0;
    return fmix32(fmix32(this.counter ^ this.key) ^ 0x3c6ef372);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform whole number in [min, max], inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

/** A precomputed weighted choice: O(log n) per draw, no allocation. */
export class Weighted<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let total = 0;
    entries.forEach(([, weight], i) => {
      total += weight;
      this.cumulative[i] = total;
    });
    for (let i = 0; i < entries.length; i++) this.cumulative[i]! /= total;
  }

  draw(rng: Rng): T {
    const roll = rng.next();
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (roll < this.cumulative[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
