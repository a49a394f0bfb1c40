/**
 * Kademlia nodes back to back in memory (memnet.ts, random delivery order, no simulator): joins
 * through a known peer, lookups return the true k closest, values are stored, found, cached and
 * survive the loss of their publisher; the codec on every hop.
 */
import { describe, expect, it } from 'vitest';
import {
  compareDistance,
  randomId,
  type KademliaNode,
  type LookupResult,
} from '../../../src/protocols/kademlia/index.js';
import { Rng } from '../../../src/core/index.js';
import { MemNet } from './memnet.js';

const SEED = 424242;
console.log(`kademlia memnet seed ${SEED}`);

function build(n: number, k: number, wire: boolean, seed = SEED): MemNet {
  const net = new MemNet(seed, wire);
  const idRng = new Rng(seed + 1);
  const opts = { k, alpha: 3, refreshIntervalMs: 0, republishIntervalMs: 0, pingAfterMs: 0 };
  net.add({ ...opts, id: randomId(idRng, 160) }).start();
  for (let i = 1; i < n; i++) {
    const via = net.nodes[net.rng.int(i)]!;
    net.add({ ...opts, id: randomId(idRng, 160), bootstrap: [via.self] }).start();
    net.settle();
  }
  return net;
}

function trueClosest(net: MemNet, target: Uint8Array, k: number, exclude: number): number[] {
  return net.nodes
    .filter((n) => n.self.peer !== exclude && !net.down.has(n.self.peer))
    .sort((a, b) => compareDistance(a.id, b.id, target))
    .slice(0, k)
    .map((n) => n.self.peer);
}

function lookup(net: MemNet, from: KademliaNode, target: Uint8Array, value = false): LookupResult {
  let res: LookupResult | undefined;
  if (value) from.findValue(target, (r) => (res = r));
  else from.findNode(target, (r) => (res = r));
  net.settle();
  expect(res).toBeDefined();
  return res!;
}

describe('Kademlia in memory, back to back', () => {
  const K = 8;
  const net = build(120, K, false);

  it('joins every node; tables hold most k-nearest pairs, and all of them after a self-lookup', () => {
    // nearness is not symmetric: a node can be among my k nearest without my being among its k
    // nearest, so its join may never have reached me; a refresh of my own neighbourhood finds it
    const coverage = (): number => {
      let have = 0;
      let want = 0;
      for (const n of net.nodes) {
        const tbl = new Set(n.table.all().map((c) => c.peer));
        for (const p of trueClosest(net, n.id, K, n.self.peer)) {
          want++;
          if (tbl.has(p)) have++;
        }
      }
      return have / want;
    };
    for (const n of net.nodes) expect(n.joined).toBe(true);
    const before = coverage();
    expect(before).toBeGreaterThan(0.9);
    for (const n of net.nodes) lookup(net, n, n.id);
    expect(coverage()).toBe(1);
  });

  it('returns exactly the true k closest for random targets', () => {
    const rng = new Rng(SEED + 2);
    for (let i = 0; i < 40; i++) {
      const from = net.nodes[rng.int(net.nodes.length)]!;
      const target = randomId(rng, 160);
      const r = lookup(net, from, target);
      expect(r.closest.map((c) => c.peer)).toEqual(trueClosest(net, target, K, from.self.peer));
      expect(r.hops).toBeGreaterThanOrEqual(1);
      expect(r.roundTrips).toBeGreaterThanOrEqual(r.hops);
    }
  });

  it('stores a value at the k closest, finds it from anywhere, caches it one step short', () => {
    const rng = new Rng(SEED + 3);
    const key = randomId(rng, 160);
    const value = Uint8Array.from([1, 2, 3, 4]);
    const publisher = net.nodes[5]!;
    let stored = -1;
    publisher.put(key, value, (r) => (stored = r.stored));
    net.settle();
    expect(stored).toBe(K);
    const holders = trueClosest(net, key, K, publisher.self.peer);
    for (const p of holders) expect(net.nodes[p]!.getLocal(key)).toEqual(value);
    let hits = 0;
    for (let i = 0; i < 20; i++) {
      const from = net.nodes[rng.int(net.nodes.length)]!;
      const r = lookup(net, from, key, true);
      if (r.found) hits++;
      expect(r.value === null || r.value.join() === value.join()).toBe(true);
    }
    expect(hits).toBe(20);
    const withCopy = net.nodes.filter((n) => n.getLocal(key) !== undefined).length;
    expect(withCopy).toBeGreaterThan(K + 1); // publisher + k holders + caches along paths
  });

  it('a lookup for a missing key fails cleanly after asking the k closest', () => {
    const r = lookup(net, net.nodes[0]!, randomId(new Rng(99), 160), true);
    expect(r.found).toBe(false);
    expect(r.closest.length).toBe(K);
  });
});

describe('failures', () => {
  it('times out dead peers and still finds nearly all of the k closest live ones', () => {
    const K = 6;
    const net = build(80, K, false, SEED + 10);
    const rng = new Rng(SEED + 11);
    for (let p = 0; p < 80; p++) if (p % 4 === 1) net.down.add(p); // 25% crash
    let recall = 0;
    const runs = 20;
    for (let i = 0; i < runs; i++) {
      let from = net.nodes[rng.int(80)]!;
      while (net.down.has(from.self.peer)) from = net.nodes[rng.int(80)]!;
      const target = randomId(rng, 160);
      const r = lookup(net, from, target);
      const got = r.closest.map((c) => c.peer);
      for (const p of got) expect(net.down.has(p)).toBe(false); // only peers that answered
      const truth = trueClosest(net, target, K, from.self.peer);
      recall += truth.filter((p) => got.includes(p)).length / truth.length;
    }
    // with a quarter of the network dead and no refresh yet, a lookup may miss a live peer that
    // only dead peers knew of; nearly all are found
    expect(recall / runs).toBeGreaterThan(0.9);
    const timeouts = net.nodes.reduce((s, n) => s + n.stats.timeouts, 0);
    expect(timeouts).toBeGreaterThan(0);
  });

  it('keeps a value reachable after its publisher and half its holders crash', () => {
    const K = 6;
    const net = build(60, K, false, SEED + 20);
    const key = randomId(new Rng(1), 160);
    net.nodes[3]!.put(key, Uint8Array.from([9]));
    net.settle();
    net.down.add(3);
    const holders = trueClosest(net, key, K, -1);
    for (const p of holders.slice(0, K / 2)) net.down.add(p);
    let from = 0;
    while (net.down.has(from)) from++;
    const r = lookup(net, net.nodes[from]!, key, true);
    expect(r.found).toBe(true);
  });
});

describe('over the wire codec', () => {
  it('joins and finds the true k closest with every message encoded and decoded', () => {
    const K = 5;
    const net = build(40, K, true, SEED + 30);
    const rng = new Rng(SEED + 31);
    for (let i = 0; i < 10; i++) {
      const from = net.nodes[rng.int(40)]!;
      const target = randomId(rng, 160);
      expect(lookup(net, from, target).closest.map((c) => c.peer)).toEqual(trueClosest(net, target, K, from.self.peer));
    }
  });
});
