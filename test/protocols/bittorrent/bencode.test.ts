import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BencodeError, decode, decodeWithSpans, encode, fromLatin1, latin1, type BValue } from '../../../src/protocols/bittorrent/bencode.js';
import { fuzz } from '../../fuzz.js';

const SEED = 0x6274_0001;
const ascii = (s: string): Uint8Array => fromLatin1(s);

/** Any bencode value: safe integers, bigints, byte strings, lists, dicts with arbitrary byte keys. */
const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(10n ** 20n - 1n), max: 10n ** 20n - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.array(fc.tuple(fc.uint8Array({ maxLength: 8 }).map(latin1), tie('v')), { maxLength: 5 }).map((kv) => new Map(kv)),
  ),
})).v;

function errorOf(input: string | Uint8Array, limits = {}): BencodeError {
  try {
    decode(typeof input === 'string' ? ascii(input) : input, limits);
  } catch (e) {
    if (e instanceof BencodeError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('bencode', () => {
  it(`round-trips any value, and re-encoding the decoded value gives the same bytes (fixed seed ${SEED} and a fresh one)`, () => {
    fuzz(
      fc.property(bvalue, (v) => {
        const bytes = encode(v);
        const back = decode(bytes);
        expect(back).toEqual(v);
        expect(encode(back)).toEqual(bytes);
      }),
      { numRuns: 400, fixedSeed: SEED },
    );
  });

  it(`rejects every proper prefix of a valid encoding, at an offset inside the input (fixed seed ${SEED} and a fresh one)`, () => {
    fuzz(
      fc.property(bvalue, fc.nat(), (v, k) => {
        const bytes = encode(v);
        const cut = k % bytes.length; // 0..len-1: a strict prefix
        const e = errorOf(bytes.subarray(0, cut));
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(cut);
      }),
      { numRuns: 300, fixedSeed: SEED },
    );
  });

  it('encodes known values canonically', () => {
    const m = new Map<string, BValue>([['spam', ascii('eggs')], ['cow', ascii('moo')]]);
    expect(latin1(encode(m))).toBe('d3:cow3:moo4:spam4:eggse');
    expect(latin1(encode([1, -3, 0, ascii('')]))).toBe('li1ei-3ei0e0:e');
    expect(latin1(encode(2n ** 64n))).toBe('i18446744073709551616e');
    expect(decode(ascii('i18446744073709551616e'))).toBe(2n ** 64n);
  });

  it.each([
    ['i03e', 1, 'leading zero'],
    ['i-0e', 1, 'negative zero'],
    ['i-03e', 2, 'leading zero'],
    ['ie', 1, 'empty integer'],
    ['i-e', 2, 'empty integer'],
    ['i+3e', 1, 'unexpected byte'],
    ['i3', 2, 'unexpected end'],
    ['03:abc', 0, 'leading zero'],
    ['4:abc', 5, 'truncated'],
    ['3abc', 1, 'unexpected byte'],
    ['d1:bi1e1:ai2ee', 7, 'out of order'],
    ['d1:ai1e1:ai2ee', 7, 'duplicate'],
    ['di1ei2ee', 1, 'key must be a byte string'],
    ['l', 1, 'unexpected end'],
    ['d1:a', 4, 'unexpected end'],
    ['i1ei2e', 3, 'trailing data'],
    ['x', 0, 'unexpected byte'],
    ['', 0, 'empty input'],
    ['i123456789012345678901234e', 1, 'too many digits'],
  ])('rejects %j at byte %i (%s)', (input, offset, what) => {
    const e = errorOf(input);
    expect(e.offset).toBe(offset);
    expect(e.message).toContain(what);
    expect(e.message).toContain(`at byte ${offset}`);
  });

  it('bounds nesting depth, string length and item counts', () => {
    expect(errorOf('l'.repeat(70) + 'e'.repeat(70)).message).toContain('nesting deeper than 64');
    expect(decode(ascii('l'.repeat(10) + 'e'.repeat(10)), { maxDepth: 10 })).toBeDefined();
    expect(errorOf('l'.repeat(11) + 'e'.repeat(11), { maxDepth: 10 }).offset).toBe(10);
    expect(errorOf('5:hello', { maxStringLength: 4 }).message).toContain('exceeds the limit');
    expect(errorOf('99999999999:x').message).toContain('exceeds the limit');
    expect(errorOf('li1ei2ei3ee', { maxItems: 2 }).offset).toBe(7);
  });

  it('reports the byte span of each top-level value', () => {
    const bytes = ascii('d4:infod1:ai1ee4:name1:xe');
    const { spans } = decodeWithSpans(bytes);
    const [s, e] = spans.get('info')!;
    expect(latin1(bytes.subarray(s, e))).toBe('d1:ai1ee');
  });
});
