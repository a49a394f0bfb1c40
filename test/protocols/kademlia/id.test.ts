import { describe, expect, it } from 'vitest';
import {
  bucketIndex,
  commonPrefixLength,
  compareDistance,
  distanceBigInt,
  fromHex,
  hasPrefix,
  randomId,
  randomIdWithPrefix,
  toHex,
  xorDistance,
} from '../../../src/protocols/kademlia/index.js';
import { Rng } from '../../../src/core/index.js';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('XOR distance (hand-checked vectors)', () => {
  it('matches hand-checked distances as byte strings', () => {
    expect(distanceBigInt(b(0x00), b(0x01))).toBe(1n);
    expect(distanceBigInt(b(0x02), b(0x01))).toBe(3n);
    expect(distanceBigInt(b(0x01, 0x24), b(0x40, 0x24))).toBe(16640n);
    expect([...xorDistance(b(0x01, 0x24), b(0x40, 0x24))]).toEqual([0x41, 0x00]);
  });

  it('is a metric on ids: d(x,x)=0, symmetric, and unidirectional', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const x = randomId(rng, 32);
      const y = randomId(rng, 32);
      const z = randomId(rng, 32);
      expect(distanceBigInt(x, x)).toBe(0n);
      expect(distanceBigInt(x, y)).toBe(distanceBigInt(y, x));
      // XOR is a metric with the triangle inequality
      expect(distanceBigInt(x, z) <= distanceBigInt(x, y) + distanceBigInt(y, z)).toBe(true);
      const sign = Math.sign(compareDistance(x, y, z));
      const want = distanceBigInt(x, z) < distanceBigInt(y, z) ? -1 : distanceBigInt(x, z) > distanceBigInt(y, z) ? 1 : 0;
      expect(sign).toBe(want);
    }
  });
});

describe('bucket index', () => {
  it('is the shared prefix length (hand-checked)', () => {
    expect(bucketIndex(b(0x00), b(0x01), 8)).toBe(7);
    expect(bucketIndex(b(0x02), b(0x01), 8)).toBe(6);
    expect(bucketIndex(b(0x80), b(0x00), 8)).toBe(0);
    expect(bucketIndex(b(0x01, 0x24), b(0x40, 0x24), 16)).toBe(1);
    expect(bucketIndex(b(0x01, 0x24), b(0x01, 0x25), 16)).toBe(15);
    expect(bucketIndex(b(0x01, 0x24), b(0x01, 0x24), 16)).toBe(16);
    expect(commonPrefixLength(b(0xff, 0x00, 0x10), b(0xff, 0x00, 0x18))).toBe(20);
  });

  it('puts d in [2^(B-1-i), 2^(B-i)) for bucket i', () => {
    const rng = new Rng(11);
    for (let n = 0; n < 300; n++) {
      const x = randomId(rng, 24);
      const y = randomId(rng, 24);
      const i = bucketIndex(x, y, 24);
      if (i === 24) continue;
      const d = distanceBigInt(x, y);
      expect(d >= 1n << BigInt(23 - i)).toBe(true);
      expect(d < 1n << BigInt(24 - i)).toBe(true);
    }
  });
});

describe('ids of configurable width', () => {
  it('masks the unused bits of a width that is not a multiple of 8', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 50; i++) {
      const id = randomId(rng, 13);
      expect(id.length).toBe(2);
      expect(id[1]! & 0x07).toBe(0);
    }
    expect(() => fromHex('0001', 13)).toThrow(/beyond idBits/);
  });

  it('draws a random id inside a prefix, and round-trips hex', () => {
    const rng = new Rng(5);
    const prefix = randomId(rng, 160);
    for (const depth of [0, 1, 7, 8, 9, 33, 159, 160]) {
      const id = randomIdWithPrefix(rng, prefix, depth, 160);
      expect(hasPrefix(id, prefix, depth)).toBe(true);
      expect(commonPrefixLength(id, prefix)).toBeGreaterThanOrEqual(depth);
    }
    expect(toHex(fromHex('0124', 16))).toBe('0124');
    expect(randomId(new Rng(1), 160)).toEqual(randomId(new Rng(1), 160));
  });
});
