import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/index.js';

/** Chi-square statistic of counts against equal expected frequencies. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
}

describe('Rng', () => {
  it('is a pure function of the seed', () => {
    const a = new Rng(123), b = new Rng(123), c = new Rng(124);
    const xa = Array.from({ length: 100 }, () => a.nextU32());
    const xb = Array.from({ length: 100 }, () => b.nextU32());
    const xc = Array.from({ length: 100 }, () => c.nextU32());
    expect(xb).toEqual(xa);
    expect(xc).not.toEqual(xa);
    // large and negative seeds are distinct streams too
    expect(new Rng(2 ** 40).nextU32()).not.toBe(new Rng(0).nextU32());
    expect(new Rng(-5).nextU32()).not.toBe(new Rng(5).nextU32());
    expect(() => new Rng(NaN)).toThrow(RangeError);
  });

  it('pins the sfc32 stream (a change here silently changes every recorded run)', () => {
    const r = new Rng(1);
    expect(Array.from({ length: 4 }, () => r.nextU32())).toEqual([792534090, 3215351813, 160231488, 1151041103]);
  });

  it('float and float53 lie in [0, 1) with the right mean and variance', () => {
    const seed = 99;
    const r = new Rng(seed);
    let s = 0, s2 = 0;
    const n = 200_000;
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const x = i % 2 ? r.float() : r.float53();
      inRange &&= x >= 0 && x < 1;
      s += x;
      s2 += x * x;
    }
    expect(inRange).toBe(true);
    const mean = s / n, variance = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5), `seed ${seed}`).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12), `seed ${seed}`).toBeLessThan(0.002);
  });

  it('int(n) is uniform on [0, n) (chi-square, 0.1% critical value)', () => {
    const seed = 7;
    const r = new Rng(seed);
    for (const n of [2, 7, 100, 1000]) {
      const counts = new Array<number>(n).fill(0);
      let ok = true;
      for (let i = 0; i < n * 200; i++) {
        const x = r.int(n);
        ok &&= Number.isInteger(x) && x >= 0 && x < n;
        counts[x]!++;
      }
      expect(ok).toBe(true);
      // chi-square critical values at p = 0.001 for n - 1 degrees of freedom (Wilson-Hilferty approximation)
      const k = n - 1;
      const crit = k * Math.pow(1 - 2 / (9 * k) + 3.09 * Math.sqrt(2 / (9 * k)), 3);
      expect(chiSquare(counts), `seed ${seed} n ${n}`).toBeLessThan(crit);
    }
    // an n that is not a power of two near 2^32 stays in range (rejection path)
    let big = 0;
    for (let i = 0; i < 1000; i++) big = Math.max(big, r.int(3_000_000_000));
    expect(big).toBeLessThan(3_000_000_000);
    expect(big).toBeGreaterThan(2_000_000_000);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(r.int(2.9)).toBeLessThan(2);
  });

  it('int(n) draws what modulo-with-rejection in exact integers draws, for any n up to 2^32', () => {
    // reference: threshold 2^32 - 2^32 mod n, result x mod n, in BigInt, on a twin stream
    const P32 = 2n ** 32n;
    const reference = (r: Rng, n: number): number => {
      const bn = BigInt(n);
      const threshold = P32 - (P32 % bn);
      for (;;) {
        const x = BigInt(r.nextU32());
        if (x < threshold) return Number(x % bn);
      }
    };
    const pick = new Rng(99);
    const ns: number[] = [1, 2, 3, 5, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 - 2, 3 * 2 ** 30];
    // threshold edges: 2^32 mod n at its largest (n just above a divisor of 2^32) and zero (powers of two)
    for (let k = 1; k <= 64; k++) {
      const m = Math.floor(2 ** 32 / k);
      ns.push(m - 1, m, Math.min(m + 1, 2 ** 32));
    }
    for (let e = 0; e <= 32; e++) ns.push(2 ** e);
    // random n over every scale: uniform in [1, 2^32] and log-uniform
    for (let i = 0; i < 20_000; i++) ns.push(1 + Math.floor(pick.float53() * 2 ** 32));
    for (let i = 0; i < 20_000; i++) ns.push(Math.max(1, Math.floor(2 ** (pick.float53() * 32))));
    const a = new Rng(5);
    const b = new Rng(5);
    let mismatch = '';
    for (const n of ns) {
      for (let j = 0; j < 4 && mismatch === ''; j++) {
        const got = a.int(n);
        const want = reference(b, n);
        if (got !== want) mismatch = `n ${n}: got ${got}, want ${want}`;
      }
    }
    expect(mismatch).toBe('');
    // both consumed the same draws (rejections included)
    expect(a.nextU32()).toBe(b.nextU32());
  });

  it('range, chance, exponential and normal have their textbook moments', () => {
    const r = new Rng(2024);
    const n = 100_000;
    let lo = Infinity, hi = -Infinity, heads = 0, es = 0, ns = 0, ns2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.range(-3, 3);
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      if (r.chance(0.3)) heads++;
      es += r.exponential(40);
      const z = r.normal();
      ns += z;
      ns2 += z * z;
    }
    expect([lo, hi]).toEqual([-3, 3]);
    expect(Math.abs(heads / n - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(es / n - 40)).toBeLessThan(0.8);
    expect(Math.abs(ns / n)).toBeLessThan(0.02);
    expect(Math.abs(ns2 / n - 1)).toBeLessThan(0.02);
  });

  it('shuffle permutes, pick picks from the array', () => {
    const r = new Rng(5);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const sh = r.shuffle([...xs]);
    expect([...sh].sort((a, b) => a - b)).toEqual(xs);
    expect(sh).not.toEqual(xs);
    // each of 3! orders of a 3-array appears about equally often
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const k = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()])).toBeLessThan(20.5); // 5 d.o.f., p = 0.001
    expect(xs).toContain(r.pick(xs));
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('sampleInPlace keeps k distinct items, each equally likely; all of them (shuffled) when k >= length', () => {
    const r = new Rng(9);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const s = r.sampleInPlace(Array.from({ length: 10 }, (_, j) => j), 3);
      expect(s).toHaveLength(3);
      expect(new Set(s).size).toBe(3);
      for (const x of s) counts[x]!++;
    }
    expect(chiSquare(counts)).toBeLessThan(27.9); // 9 d.o.f., p = 0.001
    const all = r.sampleInPlace([1, 2, 3, 4], 10);
    expect([...all].sort()).toEqual([1, 2, 3, 4]);
    expect(r.sampleInPlace([], 2)).toEqual([]);
  });

  it('fork gives reproducible streams independent of draws on the parent and of each other', () => {
    const a = new Rng(77);
    const f1 = a.fork('churn');
    a.nextU32();
    a.nextU32();
    const f2 = a.fork('churn');
    expect(f2.nextU32()).toBe(f1.nextU32());
    const g = new Rng(77).fork('network');
    const h = new Rng(77).fork('churn');
    const xs = Array.from({ length: 20 }, () => g.nextU32());
    const ys = Array.from({ length: 20 }, () => h.nextU32());
    expect(xs).not.toEqual(ys);
    // correlation of forked float streams is ~0
    const u = new Rng(1).fork('x'), v = new Rng(1).fork('y');
    let sxy = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) sxy += (u.float() - 0.5) * (v.float() - 0.5);
    expect(Math.abs(sxy / n) / (1 / 12)).toBeLessThan(0.03);
  });
});
