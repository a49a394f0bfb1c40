/**
 * The trackerless torrent (BEP 5 over our Kademlia, plus piece discovery) in the simulator: peers
 * find each other with no tracker, tokens are checked, stored peers lapse, bad peer lists are
 * dropped, piece discovery finds a holder nobody announced, runs are deterministic, and bad
 * configuration names its key. Seeds are fixed and printed in the test names.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/index.js';
import { hybridSetup, type HybridSetupOptions } from '../../../src/protocols/hybrid/flash-crowd.js';
import { hybridParams } from '../../../src/protocols/hybrid/driver.js';
import {
  ANNOUNCE_PEER,
  GET_PEERS,
  PEERS,
  checkPeersReply,
  type HybridMessage,
  type PeersMsg,
} from '../../../src/protocols/hybrid/messages.js';
import { PeerStore } from '../../../src/protocols/hybrid/peer-store.js';
import type { GetPeersResult } from '../../../src/protocols/hybrid/torrent-dht.js';
import { flashCrowd } from '../../../src/protocols/bittorrent/flash-crowd.js';
import { scenarioFromText } from '../../../src/lab/load.js';

const SEED = 1;
const KiB = 1024, MiB = 1024 * 1024;
const base: HybridSetupOptions = {
  leechers: 60,
  seed: SEED,
  fileSize: 2 * MiB,
  pieceLength: 128 * KiB,
  upBps: 512 * KiB,
  downBps: 2 * MiB,
  seedUpBps: 2 * MiB,
};

function runTo(o: Partial<HybridSetupOptions>) {
  const hs = hybridSetup({ ...base, ...o });
  hs.go();
  return hs;
}

describe(`hybrid: a trackerless swarm (seed ${SEED})`, () => {
  const hs = runTo({});
  const s = hs.run.summary();

  it('every leecher completes with no tracker: all connections come from DHT lookups', () => {
    console.log(`trackerless 60: last ${s.lastCompletionMs} ms, ratio ${s.boundRatio}, first peer ${s.timeToFirstPeerMs} ms, DHT ${s.dhtBytesPerPeer} B/peer, hops ${s.lookupHops}`);
    expect(s.completed).toBe(1);
    expect(s.boundRatio).not.toBeNull();
    expect(hs.run.swarm.cfg.tracker).toBe(false);
    expect(s.trackerAnnounces).toBe(0);
    expect(s.peersWithoutPeer).toBe(0);
    // every connection is one dial, and with no tracker every dial followed a DHT lookup: the
    // connections ever opened are at most the dials the lookups made
    expect(s.connectionsOpened as number).toBeGreaterThanOrEqual(hs.world.size * 5);
    expect(s.connectionsOpened as number).toBeLessThanOrEqual(s.dialsFromDht as number);
    expect(s.swarmLookups as number).toBeGreaterThanOrEqual(hs.world.size);
    expect(s.announcesStored as number).toBeGreaterThan(0);
    expect(s.lookupHops as number).toBeGreaterThan(0);
    expect(s.lookupHops as number).toBeLessThan(Math.log2(hs.world.size) + 1);
    for (const k of ['meanCompletionMs', 'lastCompletionMs', 'lowerBoundMs', 'boundRatio', 'completed', 'timeToFirstPeerMs', 'dhtMessagesPerPeer', 'dhtBytesPerPeer', 'lookupsDone', 'lookupHops', 'pieceLookups'])
      expect(s, k).toHaveProperty(k);
    const series = hs.run.series();
    for (const k of ['completed', 'connectedPeers', 'dhtBytesPerPeer']) expect(series[k]?.t.length ?? 0, k).toBeGreaterThan(3);
    expect(hs.run.samples().timeToFirstPeerMs).toHaveLength(60);
  });

  it('the snapshot draws BitTorrent connections, states seed/leecher, progress as value', () => {
    const snap = hs.run.snapshot(30);
    expect(snap.peers).toHaveLength(30);
    expect(snap.peers[0]?.state).toBe('seed');
    expect(snap.peers.every((p) => p.value === 1)).toBe(true);
    expect(snap.links.length).toBeGreaterThan(10);
    for (const [a, b] of snap.links) expect(hs.run.swarm.state(a)?.conns.has(b)).toBe(true);
  });

  it('is deterministic: same seed same summary, another seed differs', () => {
    const again = runTo({}).run.summary();
    expect(again).toEqual(s);
    const other = runTo({ seed: 2 }).run.summary();
    expect(other.lastCompletionMs).not.toBe(s.lastCompletionMs);
  });

  it('tracker: true, dht: false is the bittorrent driver, bit for bit', () => {
    const tr = runTo({ params: { tracker: true, dht: false } }).run.summary();
    const fc = flashCrowd({ leechers: 60, seed: SEED, fileSize: 2 * MiB, pieceLength: 128 * KiB, blockSize: 16 * KiB, upBps: 512 * KiB, downBps: 2 * MiB, seedUpBps: 2 * MiB });
    fc.go();
    const bt = fc.run.summary();
    for (const k of ['meanCompletionMs', 'lastCompletionMs', 'boundRatio', 'wastedBytes']) expect(tr[k], k).toBe(bt[k]);
    expect(tr.dhtMessagesPerPeer).toBe(0);
    expect(tr.trackerAnnounces as number).toBeGreaterThanOrEqual(61);
  });
});

describe(`hybrid: BEP 5 tokens and the peer store (seed ${SEED})`, () => {
  const hs = hybridSetup({ ...base, leechers: 20, params: { tokenRotateMs: 1000, peerTtlMs: 5000, pieceDiscovery: false } });
  hs.sim.runUntil(500);
  const run = hs.run;
  const key = run.infoHash;
  const B = run.node(5)!;
  const msg = (from: number, token: number): HybridMessage => ({ type: ANNOUNCE_PEER, rpc: 77, sender: run.ids[from]!, infoHash: key, token });
  const stored = (p: number) => B.store.get(key, hs.sim.now, 1000).includes(p);

  it('a forged token is refused, a token for another address too, the issued one is accepted', () => {
    const before = run.stats.tokenRejects;
    B.store.expire(Infinity); // forget what the warm-up stored
    B.onMessage(1, msg(1, (B.tokenFor(1) ^ 1) >>> 0));
    expect(stored(1)).toBe(false);
    B.onMessage(1, msg(1, B.tokenFor(2)));
    expect(stored(1)).toBe(false);
    expect(run.stats.tokenRejects).toBe(before + 2);
    B.onMessage(1, msg(1, B.tokenFor(1)));
    expect(stored(1)).toBe(true);
  });

  it('a token stays good for two rotation periods, then is refused (BEP 5)', () => {
    const t = B.tokenFor(3);
    hs.sim.runUntil(hs.sim.now + 1000); // one rotation: still the previous secret
    B.onMessage(3, msg(3, t));
    expect(stored(3)).toBe(true);
    hs.sim.runUntil(hs.sim.now + 1000); // two: gone
    const before = run.stats.tokenRejects;
    B.onMessage(4, msg(4, t));
    B.onMessage(3, msg(3, t));
    expect(run.stats.tokenRejects).toBe(before + 2);
  });

  it('stored peer lists expire after peerTtlMs unless re-announced', () => {
    B.onMessage(6, msg(6, B.tokenFor(6)));
    const at = hs.sim.now;
    hs.sim.runUntil(at + 4900);
    expect(stored(6)).toBe(true);
    hs.sim.runUntil(at + 5001);
    expect(stored(6)).toBe(false);
  });

  it('the peer store is bounded per key and in keys', () => {
    const ps = new PeerStore(1000, 2, 3);
    const k = (i: number) => new Uint8Array([i, 0, 0, 0]);
    for (let p = 0; p < 10; p++) ps.add(k(1), p, p);
    expect(ps.get(k(1), 10, 100).sort()).toEqual([7, 8, 9]); // the ones expiring first made room
    expect(ps.add(k(2), 1, 10)).toBe(true);
    expect(ps.add(k(3), 1, 10)).toBe(false);
    expect(ps.get(k(1), 2000, 100)).toEqual([]);
    expect(ps.add(k(3), 1, 2000)).toBe(true); // lapsed keys free their room
    const sample = new PeerStore(1000);
    for (let p = 0; p < 200; p++) sample.add(k(9), p, 0);
    const got = sample.get(k(9), 1, 50, new Rng(SEED));
    expect(new Set(got).size).toBe(50);
    expect(got.some((p) => p < 100)).toBe(true); // a uniform sample, not the 50 latest
  });
});

describe(`hybrid: untrusted peer lists (seed ${SEED})`, () => {
  const limits = { peers: 100, idLen: 20, maxValues: 50, maxContacts: 8 };
  const reply = (over: Partial<PeersMsg>): PeersMsg => ({ type: PEERS, rpc: 1, sender: new Uint8Array(20), infoHash: new Uint8Array(20), token: 5, values: [1, 2], contacts: [], ...over });

  it('checkPeersReply names what is wrong', () => {
    expect(checkPeersReply(reply({}), limits)).toBeNull();
    expect(checkPeersReply(reply({ values: Array.from({ length: 51 }, (_, i) => i) }), limits)).toBe('values: 51 peers exceed the limit of 50');
    expect(checkPeersReply(reply({ values: [3, -1] }), limits)).toBe('values[1]: not a peer address');
    expect(checkPeersReply(reply({ values: [100] }), limits)).toBe('values[0]: not a peer address');
    expect(checkPeersReply(reply({ values: [1.5] }), limits)).toBe('values[0]: not a peer address');
    expect(checkPeersReply(reply({ values: 'x' as unknown as number[] }), limits)).toBe('values: not a list');
    const c = { peer: 1, id: new Uint8Array(20) };
    expect(checkPeersReply(reply({ contacts: Array.from({ length: 9 }, () => c) }), limits)).toBe('contacts: 9 nodes exceed the limit of 8');
    expect(checkPeersReply(reply({ contacts: [{ peer: 1, id: new Uint8Array(3) }] }), limits)).toBe('contacts[0].id: not a 20-byte id');
    expect(checkPeersReply(reply({ contacts: [null as unknown as typeof c] }), limits)).toBe('contacts[0]: not a node');
    expect(checkPeersReply(reply({ token: -1 }), limits)).toBe('token: not a u32');
  });

  it('a malformed or oversized peer list from a node is dropped whole; the lookup goes on without it', () => {
    const hs = hybridSetup({ ...base, leechers: 30, params: { pieceDiscovery: false } });
    hs.sim.runUntil(3000);
    const run = hs.run;
    const A = run.node(1)!;
    const evilPeers = [7, 8, 9, 10];
    const bad: ((ok: number[]) => Partial<PeersMsg>)[] = [
      (ok) => ({ values: [...ok, ...Array.from({ length: 60 }, (_, i) => i % 31)] }), // oversized
      (ok) => ({ values: [...ok, -1] }),
      (ok) => ({ values: [...ok, 31] }), // no such peer
      (ok) => ({ values: ok, contacts: [{ peer: 2, id: new Uint8Array(4) }] }),
    ];
    // each evil node answers get_peers at once with a list that carries 29 as its bait
    const asked = new Set<number>();
    evilPeers.forEach((x, i) => {
      const node = run.node(x)!;
      const orig = node.onMessage.bind(node);
      node.onMessage = (from, m) => {
        if (m.type === GET_PEERS && from === 1) {
          asked.add(x);
          A.onMessage(x, { type: PEERS, rpc: m.rpc, sender: run.ids[x]!, infoHash: m.infoHash, token: 1, values: [29], contacts: [], ...bad[i]!([29]) } as PeersMsg);
          return;
        }
        orig(from, m);
      };
    });
    // A knows only the four evil nodes: its lookup asks every one of them
    // (a removal promotes a replacement-cache entry: empty the table in passes)
    for (let pass = 0; pass < 20 && A.kad.table.all().length > 0; pass++) for (const c of A.kad.table.all()) A.kad.table.remove(c.id, hs.sim.now);
    for (const x of evilPeers) A.kad.table.add({ peer: x, id: run.ids[x]! }, hs.sim.now);
    expect(A.kad.table.all().map((c) => c.peer).sort((a, b) => a - b)).toEqual(evilPeers);
    const before = run.stats.malformedReplies;
    // a key nobody announced: any peer in the result could only come from the evil lists
    const key = run.groupKeys[0] ?? new Uint8Array(20).fill(0x5a);
    let result: GetPeersResult | null = null;
    A.getPeers(key, false, (r) => (result = r));
    hs.sim.runUntil(hs.sim.now + 5000);
    expect(asked.size).toBe(4);
    expect(run.stats.malformedReplies - before).toBe(4);
    expect(result!.peers).toEqual([]);
    expect(result!.closest).toEqual([]);
    // with one honest node known as well, the lookup goes on through it and the evil ones stay out
    A.kad.table.add({ peer: 12, id: run.ids[12]! }, hs.sim.now);
    let again: GetPeersResult | null = null;
    A.getPeers(key, false, (r) => (again = r));
    hs.sim.runUntil(hs.sim.now + 5000);
    expect(again!.peers).toEqual([]);
    expect(again!.closest.length).toBeGreaterThan(0);
    expect(again!.closest.some((c) => evilPeers.includes(c.contact.peer))).toBe(false);
  });
});

describe(`hybrid: piece discovery (seed ${SEED})`, () => {
  // the only holder of the file (the seed) never announces under the info-hash, so no leecher can
  // learn of it as a swarm peer; it publishes piece-group keys as a holder of rare pieces
  const hidden = { leechers: 30, fileSize: 1 * MiB, maxMs: 120_000, announceSwarm: (p: number) => p !== 0 };

  it('finds a piece held only by a peer no neighbour knows', () => {
    const on = runTo({ ...hidden, params: { pieceGroupSize: 4 } });
    const s = on.run.summary();
    console.log(`hidden holder, discovery on: completed ${s.completed}, last ${s.lastCompletionMs} ms, piece lookups ${s.pieceLookups}, dials ${s.dialsFromPieceLookups}`);
    expect(s.completed).toBe(1);
    expect(s.pieceLookups as number).toBeGreaterThan(0);
    expect(s.dialsFromPieceLookups as number).toBeGreaterThan(0);
    expect(on.run.stats.pieceAnnounces).toBeGreaterThan(0);
  });

  it('without piece discovery nobody ever reaches it', () => {
    const off = runTo({ ...hidden, maxMs: 60_000, params: { pieceDiscovery: false } });
    const s = off.run.summary();
    expect(s.completed).toBe(0);
    expect(s.pieceLookups).toBe(0);
    expect(off.run.swarm.state(0)?.conns.size).toBe(0);
  });
});

describe('hybrid: configuration errors name the key', () => {
  it('zod issues carry the path', () => {
    const r = hybridParams.safeParse({ k: 0 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['k']);
    const both = hybridParams.safeParse({ tracker: false, dht: false });
    expect(both.error?.issues[0]?.path).toEqual(['dht']);
  });

  it('a scenario with a bad key says where', () => {
    const doc = (proto: string) => `name: t\nseed: 1\npeers: 10\nprotocol: { type: hybrid, ${proto} }\n`;
    expect(() => scenarioFromText(doc('alpha: 0'), 'x.yaml')).toThrow(/protocol\.alpha: expected an integer in \[1, 16\]/);
    expect(() => scenarioFromText(doc('pieceGroupSize: -2'), 'x.yaml')).toThrow(/protocol\.pieceGroupSize/);
    expect(() => scenarioFromText(doc('dht: false'), 'x.yaml')).toThrow(/protocol\.dht: with tracker: false the DHT is the only peer source/);
    expect(() => scenarioFromText(doc('reannounceMs: 10'), 'x.yaml')).toThrow(/protocol\.reannounceMs/);
    expect(() => scenarioFromText(doc('pieceGroup: 4'), 'x.yaml')).toThrow(/protocol\.pieceGroup: unknown key \(hybrid takes .*pieceGroupSize/);
  });
});

describe(`hybrid: the tracker dies mid-run (seed ${SEED})`, () => {
  it('tracker alone strands late arrivals; with the DHT as well every leecher completes', () => {
    const o = { leechers: 40, arrivalMs: 20_000, maxMs: 90_000 };
    const trackerOnly = runTo({ ...o, params: { tracker: true, dht: false, trackerDownAtMs: 5000 } }).run.summary();
    const both = runTo({ ...o, params: { tracker: true, dht: true, trackerDownAtMs: 5000 } }).run.summary();
    console.log(`tracker down at 5 s: tracker only completed ${trackerOnly.completed}, tracker + DHT ${both.completed} (last ${both.lastCompletionMs} ms)`);
    expect(trackerOnly.completed as number).toBeLessThan(1);
    expect(both.completed).toBe(1);
  });
});

