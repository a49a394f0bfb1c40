/**
 * The sync peer's wire: every frame type round-trips and `size` is its exact encoded length; random bytes,
 * truncations and flipped bytes are refused with SyncWireError (never another error, never a half-read
 * frame); payloads, signaling messages and chunked framing the same. Properties run through test/fuzz.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  B_KAD,
  B_MEMBERS,
  B_SIGNAL,
  B_UNREACHABLE,
  createSyncCodec,
  decodePayload,
  encodePayload,
  F_BYE,
  F_DIGEST,
  F_FLOOD,
  F_GOSSIP,
  F_PING,
  F_PUSH,
  F_ROUTE,
  F_SYNC_REPLY,
  F_SYNC_REQ,
  F_SYNC_SEALED,
  LinkFraming,
  M_ANNOUNCE,
  M_GET,
  M_LIST,
  P_AWARENESS,
  P_UPDATE,
  P_UPDATE_AT,
  parseSignaling,
  payloadSize,
  SyncWireError,
  toJson,
  type Frame,
  type LinkSignal,
  type Payload,
} from '../../../src/protocols/sync/index.js';
import { FIND_NODE, NODES, PING } from '../../../src/protocols/kademlia/index.js';
import { createCodec as createGossipCodec, DIGEST, GOSSIP, GRAFT, IHAVE, PRUNE, REPAIR, type PlumtreeMsg } from '../../../src/protocols/gossip/index.js';
import { fuzz } from '../../fuzz.js';

const codec = createSyncCodec({ idBits: 64 });

function update(text: string, client: number): Uint8Array {
  const d = new Y.Doc();
  d.clientID = client;
  d.getText('text').insert(0, text);
  return Y.encodeStateAsUpdate(d);
}

const peer = fc.nat({ max: 0xffffffff });
const id8 = fc.uint8Array({ minLength: 8, maxLength: 8 });
const docName = fc.stringMatching(/^[\w.:/ -]{1,40}$/);
const yupdate = fc.tuple(fc.string({ maxLength: 40 }), fc.nat({ max: 2 ** 31 })).map(([t, c]) => update(t, c));
const sv = yupdate.map((u) => Y.encodeStateVectorFromUpdate(u));
const nonce = fc.stringMatching(/^[0-9a-f]{1,32}$/);
const signal: fc.Arbitrary<LinkSignal> = fc.record({
  kind: fc.constantFrom('offer', 'answer', 'busy', 'candidates'),
  nonce,
  sdp: fc.string({ maxLength: 300 }),
  link: fc.constantFrom('bootstrap', 'dht', 'shuffle'),
});
const msgId = fc.record({ origin: peer, session: peer, seq: fc.nat() });

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(GOSSIP), id: msgId, round: fc.nat({ max: 1000 }), payload: fc.uint8Array({ maxLength: 200 }), repair: fc.boolean() }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(IHAVE), ids: fc.array(fc.record({ id: msgId, round: fc.nat({ max: 99 }) }), { minLength: 1, maxLength: 5 }) }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.constant({ type: PRUNE }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(PRUNE), origin: peer }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(GRAFT), id: msgId, round: fc.nat({ max: 1000 }) }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(DIGEST), reply: fc.boolean(), digest: fc.uint8Array({ maxLength: 100 }) }) }),
  fc.record({ t: fc.constant(F_GOSSIP), g: fc.record({ type: fc.constant(REPAIR), payload: fc.uint8Array({ maxLength: 100 }) }) }),
  fc.record({ t: fc.constant(F_FLOOD), origin: peer, seq: fc.nat(), payload: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ t: fc.constant(F_DIGEST), doc: docName, h1: peer, h2: peer }),
  fc.record({ t: fc.constant(F_SYNC_REQ), doc: docName, sv, back: fc.boolean() }),
  fc.record({ t: fc.constant(F_SYNC_REPLY), doc: docName, update: yupdate }),
  fc.record({ t: fc.constant(F_PUSH), doc: docName, update: yupdate }),
  // with trust: sealed originals anti-entropy sends (gossiped as they were, or pushed with their seal)
  fc.record({
    t: fc.constant(F_SYNC_SEALED),
    doc: docName,
    items: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('gossip' as const), id: msgId, sealed: fc.uint8Array({ maxLength: 200 }) }),
        fc.record({
          kind: fc.constant('push' as const),
          seal: fc.record({ origin: peer, key: fc.uint8Array({ minLength: 32, maxLength: 32 }), sig: fc.uint8Array({ minLength: 64, maxLength: 64 }) }),
          update: yupdate,
        }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  // with trust: the origin's seal travels with the push (wire type PUSH_SEALED)
  fc.record({
    t: fc.constant(F_PUSH),
    doc: docName,
    update: yupdate,
    seal: fc.record({ origin: peer, key: fc.uint8Array({ minLength: 32, maxLength: 32 }), sig: fc.uint8Array({ minLength: 64, maxLength: 64 }) }),
  }),
  fc.record({
    t: fc.constant(F_ROUTE),
    src: peer,
    dst: peer,
    ttl: fc.nat({ max: 16 }),
    path: fc.array(peer, { maxLength: 16 }),
    via: fc.array(peer, { maxLength: 8 }),
    body: fc.oneof(
      fc.record({ b: fc.constant(B_KAD), msg: fc.record({ type: fc.constant(PING), rpc: peer, sender: id8 }) }),
      fc.record({ b: fc.constant(B_KAD), msg: fc.record({ type: fc.constant(FIND_NODE), rpc: peer, sender: id8, target: id8 }) }),
      fc.record({ b: fc.constant(B_KAD), msg: fc.record({ type: fc.constant(NODES), rpc: peer, sender: id8, contacts: fc.array(fc.record({ peer, id: id8 }), { maxLength: 8 }) }) }),
      fc.record({ b: fc.constant(B_MEMBERS), msg: fc.record({ type: fc.constantFrom(M_GET, M_ANNOUNCE), rpc: peer, key: id8 }) }),
      fc.record({ b: fc.constant(B_MEMBERS), msg: fc.record({ type: fc.constant(M_LIST), rpc: peer, key: id8, members: fc.array(peer, { maxLength: 64 }) }) }),
      fc.record({ b: fc.constant(B_SIGNAL), sig: signal }),
      fc.record({ b: fc.constant(B_UNREACHABLE), dst: peer }),
    ),
  }),
  fc.constant({ t: F_PING }),
  fc.constant({ t: F_BYE }),
) as fc.Arbitrary<Frame>;

/** Decoding must return a frame or throw SyncWireError: anything else is a bug. */
/** A decoded frame re-encodes to itself; a refusal is a SyncWireError (asserted either way). */
function decodeOrRefuse(bytes: Uint8Array): Frame | null {
  let f: Frame;
  try {
    f = codec.decode(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SyncWireError);
    return null;
  }
  expect(codec.decode(codec.encode(f))).toEqual(f);
  return f;
}

describe('sync frame codec', () => {
  it('round-trips every frame type, and size() is the exact encoded length', () => {
    fuzz(
      fc.property(frame, (f) => {
        const bytes = codec.encode(f);
        expect(bytes.length).toBe(codec.size(f));
        expect(codec.decode(bytes)).toEqual(f);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses random bytes with SyncWireError only', () => {
    fuzz(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeOrRefuse(b)), { numRuns: 500 });
    // and random bytes behind every valid type byte
    fuzz(fc.property(fc.integer({ min: 0, max: 19 }), fc.uint8Array({ maxLength: 120 }), (t, b) => void decodeOrRefuse(Uint8Array.of(t, ...b))), { numRuns: 500 });
  });

  it('refuses every truncation of a valid frame, and survives flipped bytes', () => {
    fuzz(
      fc.property(frame, fc.nat(), fc.nat({ max: 255 }), (f, at, x) => {
        const bytes = codec.encode(f);
        for (let n = 0; n < bytes.length; n++) {
          // a prefix is refused, except where the frame could end there too (a shorter tail of ids/bytes)
          const got = decodeOrRefuse(bytes.subarray(0, n));
          if (got !== null) expect(codec.encode(got).length).toBe(n);
        }
        const flipped = bytes.slice();
        if (flipped.length > 0) flipped[at % flipped.length] = flipped[at % flipped.length]! ^ (x || 1);
        const got = decodeOrRefuse(flipped);
        if (got !== null) expect(codec.decode(codec.encode(got))).toEqual(got);
      }),
      { numRuns: 200 },
    );
  });

  it('names the field of a bound it breaks', () => {
    const route = (extra: Partial<Extract<Frame, { t: typeof F_ROUTE }>>): Uint8Array =>
      codec.encode({ t: F_ROUTE, src: 1, dst: 2, ttl: 3, path: [1], via: [], body: { b: B_UNREACHABLE, dst: 9 }, ...extra });
    const tooLongPath = route({});
    tooLongPath[1 + 1 + 1 + 1] = 17; // path count
    expect(() => codec.decode(tooLongPath)).toThrow(/route.path/);
    expect(() => codec.encode({ t: F_ROUTE, src: 1, dst: 2, ttl: 3, path: new Array(17).fill(1), via: [], body: { b: B_UNREACHABLE, dst: 9 } })).toThrow(/route.path/);
    expect(() => codec.encode({ t: F_DIGEST, doc: 'bad\nname', h1: 0, h2: 0 })).toThrow(/doc/);
    const req = codec.encode({ t: F_SYNC_REQ, doc: 'text', sv: Uint8Array.of(1, 5), back: false });
    expect(() => codec.decode(req)).toThrow(/stateVector/);
    const reply = codec.encode({ t: F_SYNC_REPLY, doc: 'text', update: Uint8Array.of(9, 9, 9) });
    expect(() => codec.decode(reply)).toThrow(/update/);
    expect(() => codec.decode(Uint8Array.of(10, 1, 2))).toThrow(/chunk/);
    const sealed = codec.encode({ t: F_PUSH, doc: 'text', update: update('a', 1), seal: { origin: 7, key: new Uint8Array(32), sig: new Uint8Array(64) } });
    expect(sealed[0]).toBe(12);
    expect(() => codec.decode(sealed.subarray(0, 1 + 1 + 32 + 10))).toThrow(/push.sig/);
    expect(() => codec.encode({ t: F_PUSH, doc: 'text', update: update('a', 1), seal: { origin: 7, key: new Uint8Array(31), sig: new Uint8Array(64) } })).toThrow(/push.key/);
    expect(() => codec.decode(Uint8Array.of(99))).toThrow(/unknown frame type 99/);
    expect(() => codec.decode(Uint8Array.of(F_PING, 0))).toThrow(/trailing/);
    // a compact IHAVE holds at most maxIds ids
    const ids = Array.from({ length: codec.gossip.limits.maxIds }, (_, i) => ({ id: { origin: 1, session: 2, seq: i }, round: 1 }));
    const full = codec.encode({ t: F_GOSSIP, g: { type: IHAVE, ids } });
    expect(() => codec.encode({ t: F_GOSSIP, g: { type: IHAVE, ids: [...ids, ids[0]!] } })).toThrow(/gossip/);
    expect(() => codec.decode(Uint8Array.of(...full, 1, 2, 3, 1))).toThrow(/ihave/);
  });

  it('sends a copy in 3 bytes less than the gossip codec, and an IHAVE in 2 less', () => {
    const plain = createGossipCodec();
    const id = { origin: 999, session: 0x1fffff, seq: 130 };
    const copy: Extract<PlumtreeMsg, { type: typeof GOSSIP }> = { type: GOSSIP, id, round: 4, payload: new Uint8Array(30), repair: false };
    const ihave: PlumtreeMsg = { type: IHAVE, ids: [{ id, round: 4 }] };
    // the sync frame's own type byte is the Plumtree message's: 1 + 2 + 3 + 2 + 1 + 30
    expect(codec.encode({ t: F_GOSSIP, g: copy }).length).toBe(39);
    expect(codec.size({ t: F_GOSSIP, g: copy })).toBe(1 + plain.sizeOf(copy) - 3);
    expect(codec.size({ t: F_GOSSIP, g: ihave })).toBe(1 + plain.sizeOf(ihave) - 2);
    expect(codec.decode(codec.encode({ t: F_GOSSIP, g: { ...copy, repair: true } }))).toEqual({ t: F_GOSSIP, g: { ...copy, repair: true } });
  });
});

describe('gossip payloads', () => {
  const payload: fc.Arbitrary<Payload> = fc.oneof(
    fc.record({ kind: fc.constant(P_UPDATE), doc: docName, update: yupdate }),
    fc.record({ kind: fc.constant(P_UPDATE_AT), doc: docName, sentAt: fc.double({ noNaN: true, noDefaultInfinity: true }), update: yupdate }),
    fc.record({ kind: fc.constant(P_AWARENESS), doc: docName, awareness: fc.uint8Array({ maxLength: 100 }) }),
  ) as fc.Arbitrary<Payload>;

  it('carries the update to its end, with no length of its own', () => {
    const u = update('abc', 7);
    expect(encodePayload({ kind: P_UPDATE, doc: 'text', update: u }).length).toBe(1 + 5 + u.length);
    expect(decodePayload(encodePayload({ kind: P_AWARENESS, doc: 'text', awareness: new Uint8Array(0) }))).toEqual({ kind: P_AWARENESS, doc: 'text', awareness: new Uint8Array(0) });
    // bytes after a valid update are part of it, and refused where Yjs refuses them
    expect(() => decodePayload(Uint8Array.of(P_UPDATE, 4, 116, 101, 120, 116, 255, 255, 255))).toThrow(SyncWireError);
  });

  it('round-trip with the exact size; garbage is refused with SyncWireError', () => {
    fuzz(
      fc.property(payload, (p) => {
        const b = encodePayload(p);
        expect(b.length).toBe(payloadSize(p));
        expect(decodePayload(b)).toEqual(p);
      }),
      { numRuns: 200 },
    );
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          decodePayload(b);
        } catch (e) {
          expect(e).toBeInstanceOf(SyncWireError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('signaling messages', () => {
  it('round-trip through JSON; anything malformed is null, never an exception', () => {
    const msg = fc.oneof(
      fc.record({ type: fc.constant('hello' as const), from: peer }),
      fc.record({ type: fc.constant('bye' as const), from: peer }),
      fc.record({ type: fc.constant('signal' as const), from: peer, to: peer, sig: signal }),
    );
    fuzz(fc.property(msg, (m) => void expect(parseSignaling(JSON.parse(JSON.stringify(toJson(m))))).toEqual(m)), { numRuns: 200 });
    fuzz(fc.property(fc.jsonValue(), (v) => void parseSignaling(v)), { numRuns: 500 });
    expect(parseSignaling({ type: 'hello', from: '99999999999' })).toBeNull();
    expect(parseSignaling({ type: 'signal', from: '1', to: '2', sig: { kind: 'offer', nonce: 'zz', sdp: '', link: 'dht' } })).toBeNull();
    expect(parseSignaling({ type: 'signal', from: '1', to: '2', sig: { kind: 'offer', nonce: 'ab', sdp: 'x'.repeat(70_000), link: 'dht' } })).toBeNull();
  });
});

describe('link framing', () => {
  it('chunks large frames and puts them back together, interleaved with small ones', () => {
    fuzz(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 3000 }), fc.nat({ max: 1000 })), { minLength: 1, maxLength: 8 }), (docs) => {
        const tx = new LinkFraming(codec, { chunkBytes: 256 });
        const rx = new LinkFraming(codec, { chunkBytes: 256 });
        const frames: Frame[] = docs.map(([t, c]) => ({ t: F_SYNC_REPLY, doc: 'text', update: update(t, c) }));
        const out: Frame[] = [];
        for (const f of frames) for (const m of tx.encode(f)!) {
          expect(m.length).toBeLessThanOrEqual(256 + 16);
          const got = rx.decode(m);
          if (got) out.push(got.frame);
        }
        expect(out).toEqual(frames);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a frame past maxAssembledBytes on both sides', () => {
    const tx = new LinkFraming(codec, { chunkBytes: 1024, maxAssembledBytes: 4096 });
    expect(tx.encode({ t: F_PUSH, doc: 'text', update: update('x'.repeat(5000), 1) })).toBeNull();
    const big = new LinkFraming(codec, { chunkBytes: 1024 }).encode({ t: F_PUSH, doc: 'text', update: update('x'.repeat(5000), 1) })!;
    const rx = new LinkFraming(codec, { chunkBytes: 1024, maxAssembledBytes: 4096 });
    expect(() => rx.decode(big[0]!)).toThrow(SyncWireError);
  });
});
