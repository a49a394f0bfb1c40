/**
 * Routing-table invariants as property tests (test/fuzz.ts: a fixed seed and a fresh one; FC_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RoutingTable,
  bitAt,
  compareDistance,
  hasPrefix,
  idEquals,
} from '../../../src/protocols/kademlia/index.js';
import { fuzz } from '../../fuzz.js';

const SEED = 5052026;
const ID_BITS = 16;

const idArb = fc.uint8Array({ minLength: 2, maxLength: 2 });
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), id: idArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pong' as const), pick: fc.nat() }) },
);

function checkInvariants(t: RoutingTable, self: Uint8Array): void {
  const ranges = t.ranges();
  const buckets = t.buckets();
  expect(ranges.map((r) => r.bucket)).toEqual(buckets);
  let total = 0;
  let space = 0;
  const seen = new Set<string>();
  for (const { bucket: b, prefix } of ranges) {
    expect(b.contacts.length).toBeLessThanOrEqual(t.k);
    for (let i = 1; i < b.contacts.length; i++) expect(b.seenTime(i)).toBeGreaterThanOrEqual(b.seenTime(i - 1));
    space += 2 ** -b.depth;
    for (const c of b.contacts) {
      expect(hasPrefix(c.id, prefix, b.depth)).toBe(true);
      expect(idEquals(c.id, self)).toBe(false);
      const key = `${c.id[0]},${c.id[1]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    for (const r of b.replacements) expect(hasPrefix(r.id, prefix, b.depth)).toBe(true);
    expect(b.replacements.length).toBeLessThanOrEqual(t.replacementCacheSize);
    // a leaf exists only because its parent was split: the parent held our id, or sat at a depth
    // that is not a multiple of b (accelerated lookups)
    // (why a leaf exists: its parent held our id, sat at a depth that is not a multiple of b, or was
    // split by the unbalanced-tree rule; the last is checked by its own property below)
    total += b.contacts.length;
  }
  expect(space).toBeCloseTo(1, 12); // the leaves partition the id space
  expect(total).toBe(t.size);
  expect(t.numBuckets).toBe(buckets.length);
}

describe('RoutingTable (property)', () => {
  it('keeps its invariants under any sequence of adds, evictions and pongs, for b = 1..4', () => {
    fuzz(
      fc.property(idArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 400 }), (self, b, k, ops) => {
        const t = new RoutingTable(self, { k, b, idBits: ID_BITS, replacementCacheSize: 3 });
        let peer = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const r = t.add({ peer: peer++, id: o.id }, peer);
            if (idEquals(o.id, self)) expect(r.status).toBe('self');
            if (r.status === 'full' && r.ping) expect(t.bucketAt(r.bucket).contacts[0]).toBe(r.ping);
          } else {
            const all = t.all();
            if (all.length === 0) continue;
            const c = all[o.pick % all.length]!;
            if (o.kind === 'remove') {
              const before = t.size;
              const bucket = t.bucketFor(c.id);
              const hadReplacement = bucket.replacements.length > 0;
              t.remove(c.id, peer); // at the current time: a promoted replacement is the most recently seen
              expect(t.has(c.id)).toBe(false);
              expect(t.size).toBe(hadReplacement ? before : before - 1);
            } else {
              t.pingDone(c.id);
              t.add(c, peer);
              const bucket = t.bucketFor(c.id);
              expect(bucket.contacts[bucket.contacts.length - 1]).toBe(c);
            }
          }
        }
        checkInvariants(t, self);
      }),
      { numRuns: 200, fixedSeed: SEED },
    );
  });

  it('keeps the k nearest contacts it ever heard of (the paper\'s unbalanced-tree rule)', () => {
    fuzz(
      fc.property(idArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.array(idArb, { maxLength: 300 }), (self, b, k, ids) => {
        const t = new RoutingTable(self, { k, b, idBits: ID_BITS });
        ids.forEach((id, i) => t.add({ peer: i, id }));
        const distinct = [...new Map(ids.filter((id) => !idEquals(id, self)).map((id) => [id.join(','), id])).values()];
        distinct.sort((x, y) => compareDistance(x, y, self));
        for (const id of distinct.slice(0, k)) expect(t.has(id)).toBe(true);
        checkInvariants(t, self);
      }),
      { numRuns: 200, fixedSeed: SEED },
    );
  });

  it('closest(target, n) equals a brute-force sort of the whole table', () => {
    fuzz(
      fc.property(idArb, fc.integer({ min: 1, max: 3 }), fc.array(idArb, { maxLength: 300 }), idArb, fc.integer({ min: 1, max: 40 }), (self, b, ids, target, n) => {
        const t = new RoutingTable(self, { k: 4, b, idBits: ID_BITS });
        ids.forEach((id, i) => t.add({ peer: i, id }));
        const want = t
          .all()
          .sort((x, y) => compareDistance(x.id, y.id, target))
          .slice(0, n)
          .map((c) => c.id.join(','));
        expect(t.closest(target, n).map((c) => c.id.join(','))).toEqual(want);
      }),
      { numRuns: 200, fixedSeed: SEED },
    );
  });
});

describe('RoutingTable (paper rules)', () => {
  const id = (x: number): Uint8Array => Uint8Array.from([x >> 8, x & 0xff]);

  it('evicts the least-recently seen entry only when its ping fails, promoting the newest replacement', () => {
    const self = id(0x0000);
    const t = new RoutingTable(self, { k: 2, b: 1, idBits: 16 });
    // ids with bit 0 set: the far half, a bucket that never splits
    const a = { peer: 1, id: id(0x8001) };
    const c = { peer: 2, id: id(0x8002) };
    const d = { peer: 3, id: id(0x8003) };
    const e = { peer: 4, id: id(0x8004) };
    expect(t.add(a).status).toBe('added');
    expect(t.add(c).status).toBe('added');
    const r = t.add(d);
    expect(r.status).toBe('full');
    expect(r.status === 'full' && r.ping).toBe(a); // the least recently seen
    // a second newcomer while the ping is in flight: no second ping
    const r2 = t.add(e);
    expect(r2.status === 'full' && r2.ping).toBe(null);
    // a answers: it stays, moved to the tail
    t.pingDone(a.id);
    t.add(a);
    expect(t.bucketFor(a.id).contacts).toEqual([c, a]);
    // next newcomer pings c; c is dead: the newest replacement (e) takes its place
    const r3 = t.add({ peer: 5, id: id(0x8005) });
    expect(r3.status === 'full' && r3.ping).toBe(c);
    t.pingDone(c.id);
    const promoted = t.remove(c.id);
    expect(promoted?.peer).toBe(5);
    expect(t.has(c.id)).toBe(false);
    // the cache holds k = 2: the oldest candidate (3) fell out when 5 arrived
    expect(t.bucketFor(a.id).replacements.map((x) => x.peer)).toEqual([4]);
  });

  it('skips the eviction ping while the oldest entry was heard from within pingAfterMs', () => {
    const t = new RoutingTable(id(0), { k: 1, b: 1, idBits: 16, pingAfterMs: 1000 });
    t.add({ peer: 1, id: id(0x8001) }, 0);
    const r = t.add({ peer: 2, id: id(0x8002) }, 500);
    expect(r.status === 'full' && r.ping).toBe(null);
    const r2 = t.add({ peer: 3, id: id(0x8003) }, 1500);
    expect(r2.status === 'full' && r2.ping?.peer).toBe(1);
  });

  it('splits only the bucket holding our id when b = 1, and digit-wide subtrees when b = 4', () => {
    const self = id(0x0000);
    const one = new RoutingTable(self, { k: 2, b: 1, idBits: 16 });
    const four = new RoutingTable(self, { k: 2, b: 4, idBits: 16 });
    // two near contacts first, so the far half is not needed to hold our k nearest
    for (const t of [one, four]) {
      t.add({ peer: 1, id: id(0x0001) });
      t.add({ peer: 2, id: id(0x0002) });
    }
    for (let x = 0x8000; x < 0x10000; x += 0x0800) {
      one.add({ peer: x, id: id(x) });
      four.add({ peer: x, id: id(x) });
    }
    // b=1: the far half is one bucket of k
    expect(one.ranges().filter((r) => bitAt(r.prefix, 0) === 1).map((r) => r.bucket.depth)).toEqual([1]);
    expect(one.size).toBe(4);
    // b=4: the far half splits down to depth 4 (8 buckets of 2 ids each), as a digit of 4 bits would
    const far = four.ranges().filter((r) => bitAt(r.prefix, 0) === 1);
    expect(far.map((r) => r.bucket.depth)).toEqual(new Array(8).fill(4));
    expect(four.size).toBe(18);
  });
});
