import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FIND_NODE,
  FIND_VALUE,
  KademliaCodecError,
  NODES,
  PING,
  PONG,
  STORE,
  STORE_ACK,
  VALUE,
  createCodec,
  type KadMessage,
} from '../../../src/protocols/kademlia/index.js';
import { fuzz } from '../../fuzz.js';

const SEED = 5052026;

const codec = createCodec({ idBits: 160, maxContacts: 20, maxValueBytes: 64 });
const id = (x: number): Uint8Array => new Uint8Array(20).fill(x);

const samples: KadMessage[] = [
  { type: PING, rpc: 1, sender: id(1) },
  { type: PONG, rpc: 0xffffffff, sender: id(2) },
  { type: FIND_NODE, rpc: 3, sender: id(3), target: id(4) },
  { type: NODES, rpc: 4, sender: id(5), contacts: [] },
  { type: NODES, rpc: 5, sender: id(5), contacts: Array.from({ length: 20 }, (_, i) => ({ peer: i * 1000, id: id(i) })) },
  { type: FIND_VALUE, rpc: 6, sender: id(6), key: id(7) },
  { type: VALUE, rpc: 7, sender: id(8), key: id(9), value: Uint8Array.from([1, 2, 3]) },
  { type: STORE, rpc: 8, sender: id(10), key: id(11), ttlMs: 86_400_000, value: new Uint8Array(64).fill(7) },
  { type: STORE_ACK, rpc: 9, sender: id(12), stored: true },
  { type: STORE_ACK, rpc: 10, sender: id(12), stored: false },
];

describe('codec round trip', () => {
  it('decode(encode(m)) equals m, and encodedLength is exact, for every message type', () => {
    for (const m of samples) {
      const bytes = codec.encode(m);
      expect(bytes.length).toBe(codec.encodedLength(m));
      expect(codec.decode(bytes)).toEqual(m);
    }
  });

  it('round-trips random messages (property)', () => {
    const idA = fc.uint8Array({ minLength: 20, maxLength: 20 });
    const base = { rpc: fc.nat({ max: 0xffffffff }), sender: idA };
    const msg = fc.oneof(
      fc.record({ type: fc.constant(PING), ...base }),
      fc.record({ type: fc.constant(FIND_NODE), ...base, target: idA }),
      fc.record({ type: fc.constant(NODES), ...base, contacts: fc.array(fc.record({ peer: fc.nat({ max: 0xffffffff }), id: idA }), { maxLength: 20 }) }),
      fc.record({ type: fc.constant(STORE), ...base, key: idA, ttlMs: fc.nat({ max: 0xffffffff }), value: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ type: fc.constant(VALUE), ...base, key: idA, value: fc.uint8Array({ maxLength: 64 }) }),
    ) as fc.Arbitrary<KadMessage>;
    fuzz(
      fc.property(msg, (m) => {
        expect(codec.decode(codec.encode(m))).toEqual(m);
      }),
      { numRuns: 300, fixedSeed: SEED },
    );
  });
});

describe('malformed input is rejected with KademliaCodecError', () => {
  const expectCodecError = (f: () => unknown, pattern: RegExp): void => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KademliaCodecError);
    expect((err as Error).message).toMatch(pattern);
  };

  it('rejects every truncation of every message type', () => {
    for (const m of samples) {
      const bytes = codec.encode(m);
      for (let n = 0; n < bytes.length; n++) expectCodecError(() => codec.decode(bytes.subarray(0, n)), /truncated/);
    }
  });

  it('rejects trailing bytes, unknown types and bad flags', () => {
    const ping = codec.encode(samples[0]!);
    expectCodecError(() => codec.decode(Uint8Array.from([...ping, 0])), /trailing/);
    expectCodecError(() => codec.decode(Uint8Array.from([99, ...ping.subarray(1)])), /type at byte 0: unknown message type 99/);
    const ack = codec.encode(samples[8]!);
    ack[ack.length - 1] = 2;
    expectCodecError(() => codec.decode(ack), /stored.*expected 0 or 1/);
  });

  it('rejects oversized contact lists and values before reading them', () => {
    const nodes = codec.encode(samples[3]!);
    nodes[nodes.length - 1] = 21; // count 21 > maxContacts 20
    expectCodecError(() => codec.decode(nodes), /contacts.count.*21 contacts exceeds the limit of 20/);
    const value = codec.encode(samples[6]!);
    const lenAt = 1 + 4 + 20 + 20;
    new DataView(value.buffer).setUint32(lenAt, 0xffffffff);
    expectCodecError(() => codec.decode(value), /value.length at byte 45: 4294967295 bytes exceeds the limit of 64/);
  });

  it('rejects ids with bits beyond idBits', () => {
    const narrow = createCodec({ idBits: 12 });
    const ok = narrow.encode({ type: PING, rpc: 1, sender: Uint8Array.from([0xab, 0xc0]) });
    ok[ok.length - 1] = 0xc1;
    expectCodecError(() => narrow.decode(ok), /sender.*bits beyond idBits/);
  });

  it('rejects wrong types on encode (a bug of ours never reaches the wire)', () => {
    const bad = (m: unknown): KadMessage => m as KadMessage;
    expectCodecError(() => codec.encode(bad({ type: PING, rpc: -1, sender: id(1) })), /rpc.*u32/);
    expectCodecError(() => codec.encode(bad({ type: PING, rpc: 1, sender: 'abc' })), /sender.*Uint8Array/);
    expectCodecError(() => codec.encode(bad({ type: FIND_NODE, rpc: 1, sender: id(1), target: new Uint8Array(19) })), /target.*20 bytes/);
    expectCodecError(() => codec.encode(bad({ type: NODES, rpc: 1, sender: id(1), contacts: 'x' })), /contacts.*array/);
    expectCodecError(() => codec.encode(bad({ type: NODES, rpc: 1, sender: id(1), contacts: [{ peer: 1.5, id: id(1) }] })), /contacts\[0\].peer/);
    expectCodecError(() => codec.encode(bad({ type: STORE, rpc: 1, sender: id(1), key: id(1), ttlMs: 1, value: new Uint8Array(65) })), /value.*65 bytes/);
    expectCodecError(() => codec.encode(bad({ type: STORE_ACK, rpc: 1, sender: id(1), stored: 1 })), /stored.*boolean/);
    expectCodecError(() => codec.encode(bad({ type: 42, rpc: 1, sender: id(1) })), /unknown message type 42/);
    expectCodecError(() => codec.decode('not bytes' as unknown as Uint8Array), /Uint8Array/);
  });

  it('never throws anything but KademliaCodecError on random bytes (property)', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 8 }), (bytes, type) => {
        const b = bytes.length > 0 ? Uint8Array.from([type, ...bytes.subarray(1)]) : bytes;
        try {
          const m = codec.decode(b);
          expect(codec.encode(m)).toEqual(b); // whatever decodes re-encodes to the same bytes
        } catch (e) {
          expect(e).toBeInstanceOf(KademliaCodecError);
        }
      }),
      { numRuns: 1000, fixedSeed: SEED },
    );
  });
});
