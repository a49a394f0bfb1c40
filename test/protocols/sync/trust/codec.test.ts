/**
 * The trust layer's wire (F_TRUST bodies): every message round-trips, alone and inside a sync frame, and
 * `trustMsgSize` is its exact length; random bytes, truncations and flipped bytes decode to a well-formed
 * message or are refused with SyncWireError (never another error, never a read past the end).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSyncCodec,
  decodeTrustMsg,
  encodeTrustMsg,
  F_TRUST,
  MAX_WIRE_OPINIONS,
  OPINION_SCALE,
  SyncWireError,
  T_KEY,
  T_KIND,
  T_OPINIONS,
  T_PING,
  T_PONG,
  T_PROBE,
  T_PROOF,
  trustMsgSize,
  type TrustMsg,
} from '../../../../src/protocols/sync/index.js';
import { fuzz } from '../../../fuzz.js';

const u32 = fc.nat({ max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** Evidence in whole wire units (what survives the fixed-point encoding exactly). */
const weight = fc.nat({ max: 65_536 }).map((u) => u / OPINION_SCALE);

const msg: fc.Arbitrary<TrustMsg> = fc.oneof(
  fc.record({ k: fc.constant(T_KEY), key: bytes(32), proof: bytes(64) }),
  fc.record({ k: fc.constant(T_PROBE), nonce: u32, id: fc.record({ origin: u32, session: u32, seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }) }) }),
  fc.record({ k: fc.constant(T_PROOF), nonce: u32, sig: fc.option(bytes(64), { nil: null }) }),
  fc.record({
    k: fc.constant(T_OPINIONS),
    seq: u32,
    entries: fc.array(fc.record({ peer: u32, good: weight, bad: weight }), { maxLength: MAX_WIRE_OPINIONS }),
  }),
  fc.record({ k: fc.constantFrom(T_PING, T_PONG), nonce: u32 }),
  fc.record({ k: fc.constant(T_KIND), random: fc.boolean() }),
) as fc.Arbitrary<TrustMsg>;

const codec = createSyncCodec({ idBits: 64 });

/** Decodes, or throws only SyncWireError; a message that decodes encodes again to a message that decodes the same. */
function decodesCleanly(b: Uint8Array): void {
  let m: TrustMsg;
  try {
    m = decodeTrustMsg(b);
  } catch (e) {
    if (!(e instanceof SyncWireError)) throw e;
    return;
  }
  expect(decodeTrustMsg(encodeTrustMsg(m))).toEqual(m);
}

describe('trust codec', () => {
  it('round-trips every message; the size is exact; a sync frame carries it', () => {
    fuzz(
      fc.property(msg, (m) => {
        const b = encodeTrustMsg(m);
        expect(b.length).toBe(trustMsgSize(m));
        expect(decodeTrustMsg(b)).toEqual(m);
        const f = { t: F_TRUST, m } as const;
        const fb = codec.encode(f);
        expect(fb.length).toBe(codec.size(f));
        expect(codec.decode(fb)).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses random bytes, truncations, extensions and flipped bytes with SyncWireError', () => {
    fuzz(fc.property(fc.uint8Array({ maxLength: 80 }), decodesCleanly), { numRuns: 500 });
    fuzz(
      fc.property(msg, fc.nat(), fc.nat({ max: 255 }), (m, at, v) => {
        const b = encodeTrustMsg(m);
        for (let cut = 0; cut < b.length; cut++) expect(() => decodeTrustMsg(b.subarray(0, cut))).toThrow(SyncWireError);
        expect(() => decodeTrustMsg(new Uint8Array([...b, v]))).toThrow(SyncWireError);
        const c = b.slice();
        c[at % c.length] = v;
        decodesCleanly(c);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what writers must not send: wrong sizes, too many opinions, counts past the end', () => {
    expect(() => encodeTrustMsg({ k: T_KEY, key: new Uint8Array(31), proof: new Uint8Array(64) })).toThrow(/trust.key/);
    const many = Array.from({ length: MAX_WIRE_OPINIONS + 1 }, (_, i) => ({ peer: i, good: 1, bad: 0 }));
    expect(() => encodeTrustMsg({ k: T_OPINIONS, seq: 1, entries: many })).toThrow(/trust.opinions/);
    expect(() => encodeTrustMsg({ k: T_OPINIONS, seq: 1, entries: [{ peer: 1, good: 1e9, bad: 0 }] })).toThrow(/weight/);
    // 255 entries announced in 6 bytes: refused before any entry is read
    expect(() => decodeTrustMsg(new Uint8Array([T_OPINIONS, 0, 0, 0, 1, 255, 1, 1, 1]))).toThrow(/cannot fit/);
    expect(() => decodeTrustMsg(new Uint8Array([T_PROOF, 0, 0, 0, 1, 2]))).toThrow(/proof.has/);
    expect(() => decodeTrustMsg(new Uint8Array([99]))).toThrow(/unknown kind/);
    expect(() => decodeTrustMsg(new Uint8Array([T_PROBE, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(SyncWireError);
  });
});
