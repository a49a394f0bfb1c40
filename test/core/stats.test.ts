import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, median, quantile, quantileSorted } from '../../src/core/index.js';
import { fuzz } from '../fuzz.js';

describe('quantile (linear interpolation between order statistics)', () => {
  it('matches the textbook values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.9)).toBe(19);
    expect(quantile([7, 1, 9], 1)).toBe(9);
    expect(quantile([7, 1, 9], 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([NaN, Infinity, 5], 0.5)).toBe(5);
  });

  it('computes a median of two with one rounding, as (a + b) / 2', () => {
    const a = 0.1 + 0.2;
    const b = 0.7;
    expect(quantileSorted([a, b], 0.5)).toBe((a + b) / 2);
  });

  it('lies between the order statistics around (n - 1) q and grows with q', () => {
    fuzz(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q1, q2) => {
        const s = [...xs].sort((a, b) => a - b);
        const v = quantileSorted(s, q1);
        const pos = (s.length - 1) * q1;
        expect(v).toBeGreaterThanOrEqual(s[Math.floor(pos)]!);
        expect(v).toBeLessThanOrEqual(s[Math.ceil(pos)]!);
        if (q1 <= q2) expect(v).toBeLessThanOrEqual(quantileSorted(s, q2));
      }),
      { fixedSeed: 5 },
    );
  });
});

describe('aggregate', () => {
  it('gives the mean and a Student-t 95% interval', () => {
    const a = aggregate([1, 2, 3, 4]);
    expect(a?.mean).toBe(2.5);
    expect(a?.sd).toBeCloseTo(1.2909944, 6);
    // t(0.975, 3) = 3.182
    expect(a?.ci95).toBeCloseTo((3.182 * 1.2909944) / 2, 5);
    expect(aggregate([])).toBeNull();
  });
});
