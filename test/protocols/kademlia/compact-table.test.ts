/**
 * The compact storage of routing tables: the one-step prefill fill (`fillSpine`) must build exactly
 * the table that adding its contacts one by one builds; tables sharing a `PeerDirectory` and a
 * `TableArena` must behave as tables of their own; the arena must reuse what a table gives back.
 * Property tests (test/fuzz.ts: a fixed seed and a fresh one; FC_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LocalBook,
  PeerDirectory,
  RoutingTable,
  TableArena,
  commonPrefixLength,
  idEquals,
  type Contact,
} from '../../../src/protocols/kademlia/index.js';
import { fuzz } from '../../fuzz.js';

const SEED = 7122026;
const ID_BITS = 24;

const idArb = fc.uint8Array({ minLength: 3, maxLength: 3 });

/** Everything a caller can see of a table. */
function view(t: RoutingTable): unknown {
  return {
    size: t.size,
    buckets: t.numBuckets,
    ranges: t.ranges().map(({ bucket: b, prefix }) => ({
      prefix: [...prefix],
      depth: b.depth,
      contacts: b.contacts.map((c) => c.peer),
      seen: b.contacts.map((_, i) => b.seenTime(i)),
      replacements: b.replacements.map((c) => c.peer),
      lastTouched: b.lastTouched,
      pinging: b.pinging,
    })),
  };
}

/** Contacts as prefill hands them over: by range (common prefix length with us, ascending), at most k per range, distinct ids. */
function prefillOrder(self: Uint8Array, ids: Uint8Array[], k: number): { contacts: Contact[]; cpl: number[] } {
  const distinct = [...new Map(ids.filter((id) => !idEquals(id, self)).map((id) => [id.join(','), id])).values()];
  const byCpl = new Map<number, Contact[]>();
  distinct.forEach((id, peer) => {
    const p = commonPrefixLength(self, id);
    const list = byCpl.get(p) ?? [];
    if (list.length < k) list.push({ peer, id });
    byCpl.set(p, list);
  });
  const contacts: Contact[] = [];
  const cpl: number[] = [];
  for (const p of [...byCpl.keys()].sort((a, b) => a - b)) {
    for (const c of byCpl.get(p) ?? []) {
      contacts.push({ peer: contacts.length, id: c.id }); // peer i is the i-th contact handed over
      cpl.push(p);
    }
  }
  return { contacts, cpl };
}

describe('RoutingTable.fillSpine', () => {
  it('builds the table that adding the same contacts one by one builds', () => {
    fuzz(
      fc.property(idArb, fc.integer({ min: 1, max: 8 }), fc.array(idArb, { maxLength: 400 }), fc.integer({ min: 0, max: 5 }), (self, k, ids, now) => {
        const { contacts, cpl } = prefillOrder(self, ids, k);
        // the bulk table refers to the contacts through a directory of them (as the simulator does)
        const all = [...contacts, ...ids.slice(0, 40).map((id, i) => ({ peer: contacts.length + i, id }))];
        const bulk = new RoutingTable(self, { k, idBits: ID_BITS, book: new PeerDirectory(all) }, now);
        const single = new RoutingTable(self, { k, idBits: ID_BITS }, now);
        expect(bulk.fillSpine(all, contacts.map((c) => c.peer), cpl, contacts.length, 0)).toBe(true);
        for (const c of contacts) single.add(c);
        expect(view(bulk)).toEqual(view(single));
        // and both go on alike: more adds, removals, lookups of the closest
        const later = all.slice(contacts.length);
        for (const t of [bulk, single]) for (const c of later) t.add(c, 7);
        for (const c of contacts.slice(0, 5)) for (const t of [bulk, single]) t.remove(c.id, 9);
        expect(view(bulk)).toEqual(view(single));
        for (const target of ids.slice(0, 10)) expect(bulk.closest(target, k + 3).map((c) => c.peer)).toEqual(single.closest(target, k + 3).map((c) => c.peer));
      }),
      { numRuns: 300, fixedSeed: SEED },
    );
  });

  it('refuses (and leaves the table as it was) input that adds would not build as a spine', () => {
    const self = Uint8Array.from([0, 0, 0]);
    const t = new RoutingTable(self, { k: 2, idBits: ID_BITS });
    const far = (peer: number, x: number): Contact => ({ peer, id: Uint8Array.from([0x80, 0, x]) });
    // three contacts of one range with k = 2: the third would wait in the replacement cache
    expect(t.fillSpine([far(0, 1), far(1, 2), far(2, 3)], [0, 1, 2], [0, 0, 0], 3, 0)).toBe(false);
    expect(t.size).toBe(0);
    // our own id
    expect(t.fillSpine([{ peer: 0, id: self }], [0], [24], 1, 0)).toBe(false);
    // b > 1 and a table that is not fresh
    expect(new RoutingTable(self, { k: 2, b: 2, idBits: ID_BITS }).fillSpine([far(0, 1)], [0], [0], 1, 0)).toBe(false);
    t.add(far(5, 5));
    expect(t.fillSpine([far(0, 1)], [0], [0], 1, 0)).toBe(false);
    expect(t.all().map((c) => c.peer)).toEqual([5]);
  });
});

describe('tables sharing a PeerDirectory and a TableArena', () => {
  it('behave as tables with books and arenas of their own, whatever contacts claim', () => {
    fuzz(
      fc.property(
        fc.array(idArb, { minLength: 2, maxLength: 60 }),
        fc.array(fc.record({ self: fc.nat(), peer: fc.nat(), claim: fc.option(idArb, { freq: 4 }), remove: fc.boolean() }), { maxLength: 300 }),
        (ids, ops) => {
          const n = ids.length;
          const dir = new PeerDirectory(ids.map((id, peer) => ({ peer, id })));
          const arena = new TableArena(64);
          const shared = ids.map((id) => new RoutingTable(id, { k: 3, idBits: ID_BITS, book: dir, arena }));
          const own = ids.map((id) => new RoutingTable(id, { k: 3, idBits: ID_BITS, book: new LocalBook() }));
          ops.forEach((o, t) => {
            const i = o.self % n;
            const peer = o.peer % n;
            // a claim: some peer says it is `peer` under another id (a contact the directory does not know)
            const c: Contact = { peer, id: o.claim ?? (ids[peer] as Uint8Array) };
            for (const tables of [shared, own]) {
              const table = tables[i]!;
              if (o.remove) table.remove(c.id, t);
              else table.add(c, t);
            }
          });
          for (let i = 0; i < n; i++) expect(view(shared[i]!)).toEqual(view(own[i]!));
        },
      ),
      { numRuns: 200, fixedSeed: SEED },
    );
  });

  it('a disposed table gives its region back for the next table of that size', () => {
    const arena = new TableArena(1 << 12);
    const ids = [0, 1, 2, 3].map((x) => Uint8Array.from([x << 6, 0, 0]));
    const a = new RoutingTable(ids[0] as Uint8Array, { k: 4, idBits: ID_BITS, arena });
    const used = arena.used;
    a.dispose();
    expect(arena.used).toBe(0);
    new RoutingTable(ids[1] as Uint8Array, { k: 4, idBits: ID_BITS, arena });
    expect(arena.used).toBe(used);
    expect(arena.i32.length).toBe(1);
  });
});
