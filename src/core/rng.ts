/**
 * Seeded pseudo-random numbers. sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): passes
 * PractRand to 2^40+ bytes, 128-bit state, and is all 32-bit integer ops, which V8 keeps in registers.
 * Every random choice in a simulation comes from an Rng handed in; nothing calls Math.random.
 */

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads a small seed over the state so nearby seeds give unrelated streams. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [state, z >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The seed this generator was made from (for printing on failure). */
  readonly seed: number;
  /** Generators forked from this one (made at construction time; a run forks a few). */
  private forks: Rng[] | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    this.seed = seed;
    // fold a 53-bit integer seed into two 32-bit words
    const lo = seed >>> 0;
    const hi = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
    let s = lo ^ Math.imul(hi, 0x27d4eb2d);
    let out: number;
    [s, out] = splitmix32(s);
    this.a = out;
    [s, out] = splitmix32(s);
    this.b = out;
    [s, out] = splitmix32(s ^ hi);
    this.c = out;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), n <= 2^32 (a fractional n is truncated). Unbiased (modulo with rejection). */
  int(n: number): number {
    n = Math.floor(n);
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    if (n > TWO_POW_32) return Math.floor(this.float53() * n);
    // rejection keeps it exactly uniform; the loop almost never repeats. threshold = 2^32 - 2^32 % n
    // and the result = x % n, written with a division because V8 computes `%` on doubles with x87 fprem
    // (~3x slower). Exact: a quotient a / n with a <= 2^33 is at least 1/n from the next integer, far
    // more than its rounding error, so its floor is the true one.
    const threshold = Math.floor(TWO_POW_32 / n) * n;
    for (;;) {
      const x = this.nextU32();
      if (x < threshold) return x - Math.floor(x / n) * n;
    }
  }

  /** Uniform float in [0, 1) with 53 bits of randomness. */
  float53(): number {
    return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float53());
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple to reason about). */
  normal(): number {
    const u = 1 - this.float53();
    const v = this.float53();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Picks one element uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick from an empty array');
    return items[this.int(items.length)] as T;
  }

  /**
   * A uniform sample of k of the items without replacement, in place: the first k entries become the
   * sample (partial Fisher-Yates, k draws) and the array is cut to k. Returns the array.
   */
  sampleInPlace<T>(items: T[], k: number): T[] {
    const m = Math.min(k, items.length);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(items.length - i);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    items.length = m;
    return items;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  /**
   * An independent generator derived from this one and a label, so that adding draws in one part of a
   * model (say churn) does not shift the stream another part (say latency jitter) sees.
   */
  fork(label: string): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    const hi = Math.floor(Math.abs(this.seed) / TWO_POW_32) % 0x200000;
    const child = new Rng((((this.seed >>> 0) ^ h) >>> 0) + hi * TWO_POW_32);
    // a stream captured only by a closure stays reachable from the root: keyframes copy it (snapshot.ts)
    (this.forks ??= []).push(child);
    return child;
  }
}
