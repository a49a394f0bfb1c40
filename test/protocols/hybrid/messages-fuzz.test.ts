/**
 * A trackerless-torrent node (BEP 5 over Kademlia) under random torrent RPCs from other peers
 * (fast-check, seed policy in test/fuzz.ts): get_peers, announce_peer, peers replies and acks with
 * random field values (wrong-length ids, forged tokens, bad peer lists). It never throws, stores only
 * real peer addresses, and the swarm goes on to finish the download.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hybridSetup } from '../../../src/protocols/hybrid/flash-crowd.js';
import { ANNOUNCE_ACK, ANNOUNCE_PEER, checkPeersReply, GET_PEERS, PEERS, type HybridMessage, type PeersMsg } from '../../../src/protocols/hybrid/messages.js';
import { fuzz } from '../../fuzz.js';

const KiB = 1024;
const N = 12; // leechers; peers are 0..N (one seed)

const num = fc.oneof(fc.integer({ min: -2, max: 40 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 32, 2 ** 53), fc.nat());
const id = (len: number) => fc.oneof(fc.uint8Array({ minLength: len, maxLength: len }), fc.uint8Array({ maxLength: 24 }), fc.constant(null), fc.string({ maxLength: 4 }));
const list = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.array(a, { maxLength: 30 }), fc.constant(null), fc.string({ maxLength: 3 }));

describe('trackerless node under random torrent RPCs', () => {
  it('never throws, stores only real peer addresses, and the swarm still completes', () => {
    fuzz(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: N }),
            to: fc.integer({ min: 0, max: N }),
            type: fc.constantFrom(GET_PEERS, PEERS, ANNOUNCE_PEER, ANNOUNCE_ACK),
            rpc: num,
            sender: id(20),
            infoHash: fc.oneof(fc.constant('key' as const), id(20)),
            token: fc.oneof(num, fc.constant('issued' as const)),
            values: list(num),
            contacts: list(fc.record({ peer: num, id: id(20) })),
            ok: fc.oneof(fc.boolean(), num),
            atMs: fc.integer({ min: 0, max: 400 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (msgs) => {
          const hs = hybridSetup({ leechers: N, seed: 3, fileSize: 256 * KiB, pieceLength: 32 * KiB, upBps: 512 * KiB, downBps: 2048 * KiB, seedUpBps: 2048 * KiB, params: { pieceDiscovery: false } });
          const run = hs.run;
          for (const m of msgs) {
            hs.sim.runUntil(hs.sim.now + m.atMs);
            const node = run.node(m.to);
            if (!node) continue;
            const msg = {
              type: m.type,
              rpc: m.rpc,
              sender: m.sender ?? run.ids[m.from],
              infoHash: m.infoHash === 'key' ? run.infoHash : m.infoHash,
              token: m.token === 'issued' ? node.tokenFor(m.from) : m.token,
              values: m.values,
              contacts: m.contacts,
              ok: m.ok,
            } as unknown as HybridMessage;
            node.onMessage(m.from, msg);
          }
          for (let p = 0; p <= N; p++) {
            const stored = run.node(p)?.store.get(run.infoHash, hs.sim.now, 1000) ?? [];
            for (const q of stored) expect(Number.isInteger(q) && q >= 0 && q <= N, `peer ${p} stored ${q}`).toBe(true);
          }
          hs.sim.runUntil(hs.sim.now + 120_000);
          const s = run.summary();
          expect(s.completed, JSON.stringify(s)).toBe(1); // the fraction of leechers done
        },
      ),
      { numRuns: 25 },
    );
  });

  it('checkPeersReply accepts a reply only if every peer and node in it is real, for any values', () => {
    const lim = { peers: 30, idLen: 20, maxValues: 50, maxContacts: 8 };
    fuzz(
      fc.property(fc.record({ values: list(num), contacts: list(fc.oneof(fc.record({ peer: num, id: id(20) }), fc.constant(null))), token: num }), (r) => {
        const m = { type: PEERS, rpc: 1, sender: new Uint8Array(20), infoHash: new Uint8Array(20), ...r } as unknown as PeersMsg;
        const why = checkPeersReply(m, lim);
        if (why !== null) {
          expect(typeof why).toBe('string');
          return;
        }
        expect(Array.isArray(m.values) && m.values.length <= lim.maxValues).toBe(true);
        for (const v of m.values) expect(Number.isInteger(v) && v >= 0 && v < lim.peers).toBe(true);
        expect(Array.isArray(m.contacts) && m.contacts.length <= lim.maxContacts).toBe(true);
        for (const c of m.contacts) expect(Number.isInteger(c.peer) && c.peer >= 0 && c.peer < lim.peers && c.id instanceof Uint8Array && c.id.length === 20).toBe(true);
        expect(Number.isInteger(m.token) && m.token >= 0 && m.token <= 0xffffffff).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
