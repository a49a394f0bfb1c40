import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash32 } from '../../src/core/index.js';
import { fuzz } from '../fuzz.js';

describe('hash32', () => {
  it('keeps its values: network jitter, piece content and DHT tokens of every run derive from them', () => {
    expect([hash32(0, 0), hash32(1, 0), hash32(0, 1), hash32(0xffffffff, 12345)]).toEqual([2771612854, 2329102332, 1617221374, 2142218949]);
  });

  it('is an unsigned 32-bit integer for any two words', () => {
    fuzz(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (a, b) => {
        const h = hash32(a, b);
        expect(h >>> 0, `hash32(${a}, ${b})`).toBe(h); // an integer in [0, 2^32)
      }),
      { fixedSeed: 17 },
    );
  });

  it('spreads one flipped input bit over about half the output bits (avalanche)', () => {
    let flipped = 0;
    let trials = 0;
    for (let i = 0; i < 2000; i++) {
      const a = (i * 2654435761) >>> 0;
      const b = (i * 40503) >>> 0;
      const h = hash32(a, b);
      for (let bit = 0; bit < 32; bit += 7) {
        for (const [x, y] of [
          [a ^ (1 << bit), b],
          [a, b ^ (1 << bit)],
        ] as const) {
          let d = (h ^ hash32(x >>> 0, y >>> 0)) >>> 0;
          while (d) {
            flipped += d & 1;
            d >>>= 1;
          }
          trials += 32;
        }
      }
    }
    expect(flipped / trials).toBeGreaterThan(0.47);
    expect(flipped / trials).toBeLessThan(0.53);
  });
});
