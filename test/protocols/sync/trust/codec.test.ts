/**
 * The trust layer's wire (F_TRUST bodies): every message round-trips, alone and inside a sync frame, and
 * `trustMsgSize` is its exact length; random bytes, truncations and flipped bytes decode to a well-formed
 * message or are refused with SyncWireError (never another error, never a read past the end).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wire from '../../../../src/protocols/sync/index.js';
import type { TrustMsg } from '../../../../src/protocols/sync/index.js';
import { fuzz } from '../../../fuzz.js';

const { SyncWireError, T_KEY, T_OPINIONS, T_PROBE, T_PROOF, decodeTrustMsg, encodeTrustMsg, MAX_WIRE_OPINIONS } = wire;
const u32 = fc.nat({ max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** A DTLS certificate fingerprint as a KEY names it (any 1..65 bytes on the wire). */
const cert = fc.uint8Array({ minLength: 1, maxLength: wire.MAX_CERT_BYTES });
/** Evidence in whole wire units, up to the wire's cap (what survives the fixed-point encoding exactly). */
const weight = fc.nat({ max: wire.MAX_WIRE_WEIGHT }).map((u) => u / wire.OPINION_SCALE);

const msg: fc.Arbitrary<TrustMsg> = fc.oneof(
  fc.record({
    k: fc.constant(T_KEY),
    key: bytes(wire.KEY_BYTES),
    proof: bytes(wire.SIG_BYTES),
    certs: fc.option(fc.record({ from: cert, to: cert }), { nil: null }),
  }),
  fc.record({ k: fc.constant(T_PROBE), nonce: u32, id: fc.record({ origin: u32, session: u32, seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }) }) }),
  fc.record({ k: fc.constant(T_PROOF), nonce: u32, sig: fc.option(bytes(wire.SIG_BYTES), { nil: null }) }),
  fc.record({
    k: fc.constant(T_OPINIONS),
    seq: u32,
    entries: fc.array(fc.record({ peer: u32, good: weight, bad: weight }), { maxLength: MAX_WIRE_OPINIONS }),
  }),
  fc.record({ k: fc.constantFrom(wire.T_PING, wire.T_PONG), nonce: u32 }),
  fc.record({ k: fc.constant(wire.T_KIND), random: fc.boolean() }),
) as fc.Arbitrary<TrustMsg>;

const codec = wire.createSyncCodec({ idBits: 64 });

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
        expect(b.length).toBe(wire.trustMsgSize(m));
        expect(decodeTrustMsg(b)).toEqual(m);
        const f = { t: wire.F_TRUST, m } as const;
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
    expect(() => encodeTrustMsg({ k: T_KEY, key: new Uint8Array(31), proof: new Uint8Array(64), certs: null })).toThrow(/trust.key/);
    expect(() => encodeTrustMsg({ k: T_KEY, key: new Uint8Array(32), proof: new Uint8Array(64), certs: { from: new Uint8Array(0), to: new Uint8Array(33) } })).toThrow(/trust.key.certs.from/);
    expect(() => encodeTrustMsg({ k: T_KEY, key: new Uint8Array(32), proof: new Uint8Array(64), certs: { from: new Uint8Array(33), to: new Uint8Array(66) } })).toThrow(/trust.key.certs.to/);
    // a named certificate longer than any digest, or a flag other than 0/1, is refused on reading
    const key = encodeTrustMsg({ k: T_KEY, key: new Uint8Array(32), proof: new Uint8Array(64), certs: null });
    expect(() => decodeTrustMsg(new Uint8Array([...key.subarray(0, -1), 2]))).toThrow(/trust.key.certs/);
    expect(() => decodeTrustMsg(new Uint8Array([...key.subarray(0, -1), 1, 66, ...new Uint8Array(66), 1, 7]))).toThrow(/trust.key.certs.from: 66 bytes/);
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
