/**
 * The per-peer Plumtree core and its codec, the code live peers run. Cores are wired back to back
 * through an in-memory network that delivers a random pending message (seeded), can cut links, and
 * fires timers in order of due time; then every replica must hold every broadcast exactly once.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCodec,
  DIGEST,
  GossipDecodeError,
  GOSSIP,
  GRAFT,
  IHAVE,
  PRUNE,
  REPAIR,
  type PlumtreeMsg,
} from '../../../src/protocols/gossip/codec.js';
import { GossipError } from '../../../src/protocols/gossip/params.js';
import { type AntiEntropy } from '../../../src/protocols/gossip/plumtree.js';
import { Rng } from '../../../src/core/index.js';
import { fuzz } from '../../fuzz.js';
import { TestNet } from './plumtree-net.js';

const payload = (i: number): Uint8Array => new Uint8Array([i & 255, (i >> 8) & 255, 7, 7]);

describe('Plumtree core', () => {
  it('delivers every broadcast once to every peer of a connected overlay; the tree then carries N-1 copies', () => {
    for (const seed of [1, 2, 3]) {
      const N = 40;
      const net = new TestNet(N, seed);
      const rng = new Rng(seed + 100);
      for (let i = 1; i < N; i++) net.link(i, rng.int(i)); // a random tree keeps it connected
      for (let k = 0; k < 60; k++) {
        const a = rng.int(N);
        const b = rng.int(N);
        if (a !== b) net.link(a, b);
      }
      net.cores[0]!.broadcast(payload(0));
      net.run();
      for (let i = 1; i < N; i++) expect(net.got[i]!.length, `seed ${seed} peer ${i}`).toBe(1);
      expect(net.got[0]!.length).toBe(0); // not delivered to its own origin
      const before = net.cores.reduce((s, c) => s + c.stats.gossipSent, 0);
      net.cores[0]!.broadcast(payload(1));
      net.run();
      const after = net.cores.reduce((s, c) => s + c.stats.gossipSent, 0);
      expect(after - before, `seed ${seed}`).toBe(N - 1);
      for (let i = 1; i < N; i++) expect(net.got[i]!.map((p) => p[0])).toEqual([0, 1]);
    }
  });

  it('a lazy link becomes eager by GRAFT when the IHAVE comes first and the payload does not', () => {
    const net = new TestNet(3, 5, () => ({ graftTimeoutMs: 100 }));
    net.link(0, 1);
    net.link(1, 2);
    // make 1-2 a lazy link on both ends (as after a PRUNE)
    net.cores[2]!.onMessage(1, { type: PRUNE });
    net.cores[1]!.onMessage(2, { type: PRUNE });
    expect(net.cores[1]!.lazy.has(2)).toBe(true);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    expect(net.got[2]!.length).toBe(1);
    expect(net.cores[2]!.stats.graftSent).toBe(1);
    expect(net.now).toBeGreaterThanOrEqual(100); // it waited graftTimeoutMs for the payload first
    expect(net.cores[1]!.eager.has(2)).toBe(true);
    expect(net.cores[2]!.eager.has(1)).toBe(true);
  });

  it('after a tree link dies, the orphan is served by another neighbour', () => {
    const net = new TestNet(4, 5, () => ({ graftTimeoutMs: 100 }));
    for (const [a, b] of [[0, 1], [1, 2], [2, 3], [3, 0]] as const) net.link(a, b);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    const parent = net.from[2]![0]!;
    net.cut.add(`${parent}-2`);
    net.cores[0]!.broadcast(payload(1));
    net.run();
    expect(net.got[2]!.length).toBe(2);
    expect(net.from[2]![1]).not.toBe(parent);
  });

  it('neighborDown forgets the link; PRUNE makes it lazy; a stranger cannot GRAFT', () => {
    const net = new TestNet(3, 6);
    net.link(0, 1);
    net.link(0, 2);
    net.link(1, 2);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    const c0 = net.cores[0]!;
    expect(c0.eager.size + c0.lazy.size).toBe(2);
    c0.neighborDown(1);
    expect(c0.neighbors).toEqual([2]);
    c0.onMessage(1, { type: GRAFT, id: { origin: 0, session: 0, seq: 0 }, round: 0 });
    expect(c0.eager.has(1)).toBe(false);
    c0.onMessage(2, { type: PRUNE });
    expect(c0.lazy.has(2)).toBe(true);
  });

  it('keeps its duplicate-suppression memory bounded', () => {
    const net = new TestNet(2, 7, () => ({ seenCapacity: 16, cacheSize: 4 }));
    net.link(0, 1);
    for (let i = 0; i < 100; i++) net.cores[0]!.broadcast(payload(i));
    net.run();
    expect(net.got[1]!.length).toBe(100);
    const c1 = net.cores[1]!;
    expect((c1 as unknown as { seen: Set<string> }).seen.size).toBe(16);
    expect(c1.cachedIds().length).toBe(4);
  });

  it('ignores and counts malformed messages from a peer, and keeps working', () => {
    const net = new TestNet(2, 8);
    net.link(0, 1);
    const c1 = net.cores[1]!;
    const bad: unknown[] = [
      null,
      42,
      { type: 99 },
      { type: GOSSIP, id: { origin: -1, session: 0, seq: 0 }, round: 0, payload: new Uint8Array(1), repair: false },
      { type: GOSSIP, id: { origin: 1, session: 0, seq: 0 }, round: 0, payload: 'text', repair: false },
      { type: GOSSIP, id: { origin: 1, session: 0, seq: 0 }, round: 0, payload: new Uint8Array(2 * 1024 * 1024), repair: false },
      { type: IHAVE, ids: [] },
      { type: IHAVE, ids: new Array(2000).fill({ id: { origin: 1, session: 0, seq: 0 }, round: 0 }) },
      { type: DIGEST, reply: 1, digest: new Uint8Array(0) },
    ];
    for (const m of bad) c1.onMessage(0, m as PlumtreeMsg);
    expect(c1.stats.malformed).toBe(bad.length);
    // a well-formed digest whose content is garbage: rejected by the default hook, counted
    c1.onMessage(0, { type: DIGEST, reply: false, digest: new Uint8Array([200, 200, 200]) });
    expect(c1.stats.malformed).toBe(bad.length + 1);
    net.cores[0]!.broadcast(payload(3));
    net.run();
    expect(net.got[1]!.length).toBe(1);
  });

  it('rejects an oversize broadcast with a clear error', () => {
    const net = new TestNet(1, 9, () => ({ limits: { maxPayloadBytes: 100 } }));
    expect(() => net.cores[0]!.broadcast(new Uint8Array(101))).toThrow(GossipError);
    expect(() => net.cores[0]!.broadcast(new Uint8Array(101))).toThrow(/101 bytes exceeds maxPayloadBytes \(100\)/);
  });

  it('anti-entropy (message-id digest) repairs a peer that was cut off during broadcasts', () => {
    const net = new TestNet(3, 10, () => ({ antiEntropyMs: 1000 }));
    net.link(0, 1);
    net.link(1, 2);
    net.cut.add('1-2');
    net.cut.add('2-1');
    for (let i = 0; i < 5; i++) net.cores[0]!.broadcast(payload(i));
    for (const c of net.cores) c.start();
    // deliver the broadcasts, then heal the link and let anti-entropy rounds run
    net.run(200);
    expect(net.got[2]!.length).toBe(0);
    net.cut.clear();
    net.run(2000);
    expect(net.got[2]!.map((p) => p[0]).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(net.got[1]!.length).toBe(5);
  });

  it('anti-entropy with a pluggable digest (state-vector style): REPAIR payloads bring a replica up to date', () => {
    // each replica holds a set of numbered updates; the digest is the sorted list, the answer the missing ones
    const held: Set<number>[] = [new Set([1, 2, 3]), new Set([3])];
    const hook = (me: number): AntiEntropy => ({
      digest: () => new Uint8Array([...held[me]!].sort()),
      onDigest: (_from, d) => [...held[me]!].filter((u) => !d.includes(u)).map((u) => new Uint8Array([u])),
    });
    const net = new TestNet(2, 11, (i) => ({ antiEntropyMs: 500, antiEntropy: hook(i) }));
    // the application applies repairs idempotently
    net.got[0] = new Proxy([], { get: (t, k) => (k === 'push' ? (p: Uint8Array) => held[0]!.add(p[0]!) : Reflect.get(t, k)) });
    net.got[1] = new Proxy([], { get: (t, k) => (k === 'push' ? (p: Uint8Array) => held[1]!.add(p[0]!) : Reflect.get(t, k)) });
    net.link(0, 1);
    net.cores[0]!.start();
    net.cores[1]!.start();
    net.run(50);
    expect([...held[1]!].sort()).toEqual([1, 2, 3]);
  });
});

describe('codec', () => {
  const codec = createCodec({ maxPayloadBytes: 1000, maxIds: 8, maxDigestBytes: 100 });
  const id = fc.record({ origin: fc.nat(), session: fc.nat({ max: 2 ** 32 - 1 }), seq: fc.maxSafeNat() });
  const msg: fc.Arbitrary<PlumtreeMsg> = fc.oneof(
    fc.record({ type: fc.constant(GOSSIP), id, round: fc.nat(), payload: fc.uint8Array({ maxLength: 1000 }), repair: fc.boolean() }),
    fc.record({ type: fc.constant(IHAVE), ids: fc.array(fc.record({ id, round: fc.nat() }), { minLength: 1, maxLength: 8 }) }),
    fc.record({ type: fc.constant(GRAFT), id, round: fc.nat() }),
    fc.record({ type: fc.constant(PRUNE) }),
    fc.record({ type: fc.constant(DIGEST), reply: fc.boolean(), digest: fc.uint8Array({ maxLength: 100 }) }),
    fc.record({ type: fc.constant(REPAIR), payload: fc.uint8Array({ maxLength: 1000 }) }),
  ) as fc.Arbitrary<PlumtreeMsg>;

  it('round-trips every message and sizeOf is the encoded length (fixed seed 4242 and a fresh one)', () => {
    fuzz(
      fc.property(msg, (m) => {
        const bytes = codec.encode(m);
        expect(codec.sizeOf(m)).toBe(bytes.length);
        expect(codec.decode(bytes)).toEqual(m);
      }),
      { numRuns: 500, fixedSeed: 4242 },
    );
  });

  it('throws GossipDecodeError on truncated or extended input, never anything else (fixed seed 77 and a fresh one)', () => {
    fuzz(
      fc.property(msg, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (m, cutAt, extra) => {
        const bytes = codec.encode(m);
        const cut = bytes.slice(0, cutAt % bytes.length);
        expect(() => codec.decode(cut)).toThrow(GossipDecodeError);
        const longer = new Uint8Array([...bytes, ...extra]);
        expect(() => codec.decode(longer)).toThrow(GossipDecodeError);
      }),
      { numRuns: 300, fixedSeed: 77 },
    );
  });

  it('random bytes either decode within bounds or throw GossipDecodeError (seed 99)', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        try {
          const m = codec.decode(b);
          expect(codec.encode(m).length).toBeLessThanOrEqual(b.length);
        } catch (e) {
          expect(e).toBeInstanceOf(GossipDecodeError);
        }
      }),
      { numRuns: 2000, fixedSeed: 99 },
    );
  });

  it('names what is wrong', () => {
    expect(() => codec.decode(new Uint8Array([])).valueOf()).toThrow(/empty message/);
    expect(() => codec.decode(new Uint8Array([42]))).toThrow(/unknown message type 42/);
    const big = codec.encode({ type: REPAIR, payload: new Uint8Array(1000) });
    const tooBig = createCodec({ maxPayloadBytes: 999 });
    expect(() => tooBig.decode(big)).toThrow(/payload: 1000 bytes exceeds the limit of 999/);
    expect(() => codec.decode(new Uint8Array([IHAVE, 9]))).toThrow(/ihave count: 9 not in \[1, 8\]/);
    expect(() => codec.decode(new Uint8Array([GOSSIP, 2]))).toThrow(/gossip flags/);
  });
});
