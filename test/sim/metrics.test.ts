import { describe, expect, it } from 'vitest';
import { Counter, Histogram, TimeSeries } from '../../src/sim/index.js';
import { Rng } from '../../src/core/index.js';

function nearestRank(sorted: number[], p: number): number {
  if (p === 0) return sorted[0] as number;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

describe('Histogram', () => {
  it('exact percentiles are the nearest-rank values', () => {
    const h = new Histogram('lat', { exact: true });
    for (const v of [15, 20, 35, 40, 50]) h.record(v);
    expect(h.percentile(5)).toBe(15);
    expect(h.percentile(30)).toBe(20);
    expect(h.percentile(40)).toBe(20);
    expect(h.percentile(50)).toBe(35);
    expect(h.percentile(100)).toBe(50);
    expect(h.percentile(0)).toBe(15);
    expect(h.mean).toBe(32);
    h.record(1); // out of order: re-sorted on the next query
    expect(h.percentile(1)).toBe(1);
    expect(h.count).toBe(6);
  });

  it('sketch percentiles stay within the relative error of the exact ones (random data, seeded)', () => {
    const seed = 12345;
    const rng = new Rng(seed);
    for (const alpha of [0.01, 0.05]) {
      const sketch = new Histogram('s', { relativeError: alpha });
      const exact = new Histogram('e', { exact: true });
      const values: number[] = [];
      for (let i = 0; i < 50_000; i++) {
        // mixture: heavy tail, tiny values, zeros and negatives
        const u = rng.float();
        const v = u < 0.05 ? 0 : u < 0.15 ? -rng.exponential(3) : u < 0.5 ? rng.exponential(0.001) : Math.exp(rng.normal() * 4);
        values.push(v);
        sketch.record(v);
        exact.record(v);
      }
      values.sort((a, b) => a - b);
      for (const p of [0, 0.1, 1, 5, 10, 25, 50, 75, 90, 99, 99.9, 100]) {
        const want = nearestRank(values, p);
        expect(exact.percentile(p)).toBe(want);
        const got = sketch.percentile(p);
        expect(Math.abs(got - want), `seed ${seed} alpha ${alpha} p${p}: ${got} vs ${want}`).toBeLessThanOrEqual(alpha * Math.abs(want) + 1e-12);
      }
      expect(sketch.min).toBe(values[0]);
      expect(sketch.max).toBe(values[values.length - 1]);
    }
  });

  it('merges sketches as if all values were recorded in one', () => {
    const rng = new Rng(3);
    const a = new Histogram(), b = new Histogram(), all = new Histogram();
    for (let i = 0; i < 10_000; i++) {
      const v = rng.exponential(50);
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.count).toBe(all.count);
    const { mean, ...rest } = a.summary();
    const { mean: allMean, ...allRest } = all.summary();
    expect(rest).toEqual(allRest);
    expect(mean).toBeCloseTo(allMean, 9); // summation order differs
  });

  it('records repeated values, rejects NaN and bad percentiles; empty is NaN', () => {
    const h = new Histogram('x');
    expect(h.percentile(50)).toBeNaN();
    h.record(10, 99);
    h.record(1000);
    expect(h.count).toBe(100);
    expect(Math.abs(h.percentile(50) - 10)).toBeLessThanOrEqual(0.1);
    expect(h.percentile(100)).toBe(1000);
    expect(() => h.record(NaN)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(RangeError);
  });
});

describe('Counter and TimeSeries', () => {
  it('count and keep points in time order', () => {
    const c = new Counter('sent');
    c.inc();
    c.inc(4);
    expect(c.value).toBe(5);
    const s = new TimeSeries('online');
    s.record(0, 10);
    s.record(100, 20);
    s.record(100, 25);
    s.record(300, 5);
    expect(s.valueAt(-1)).toBeUndefined();
    expect(s.valueAt(100)).toBe(25);
    expect(s.valueAt(299)).toBe(25);
    expect(s.valueAt(1e9)).toBe(5);
    expect(s.firstTimeAtLeast(21)).toBe(100);
    expect(s.last).toBe(5);
    expect(() => s.record(50, 1)).toThrow(RangeError);
    expect(JSON.parse(JSON.stringify(s))).toEqual({ name: 'online', t: [0, 100, 100, 300], v: [10, 20, 25, 5] });
  });
});
