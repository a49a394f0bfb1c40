/**
 * After its first link a sync peer leaves the signaling server alone: a link that fails or times out
 * between two peers still in the room (a transport that broke, a link starved under load) is replaced
 * through the overlay, not retried through the server; a lost neighbour the DHT cannot find (gone, or
 * across a split) is still chased through it, and a peer that lost every link bootstraps again.
 */
import { describe, expect, it } from 'vitest';
import { TestNet } from './testnet.js';

function room(seed: number, n: number): TestNet {
  const net = new TestNet({ seed });
  for (let i = 1; i <= n; i++) {
    net.add(i);
    net.run(200);
  }
  net.run(10_000);
  return net;
}

const published = (net: TestNet) => net.alivePeers().reduce((a, p) => a + p.published, 0);

describe('signaling after the first link', () => {
  for (const seed of [3, 5, 8]) {
    it(`links that fail between peers still in the room are replaced through the overlay, with no signaling (seed ${seed})`, () => {
      const net = room(seed, 10);
      const before = published(net);
      // break a link of every peer, one after another, as a loaded machine does
      for (const p of net.alivePeers()) {
        const [q] = p.sync.links.neighbours();
        if (q !== undefined) net.cut(p.id, q);
        net.run(300);
      }
      net.run(20_000);
      expect(published(net) - before, net.dump()).toBe(0);
      for (const p of net.alivePeers()) expect(p.sync.links.open, net.dump()).toBeGreaterThanOrEqual(p.sync.o.degree);
      expect(net.connected()).toBe(true);
    });
  }

  it('a neighbour that crashed is looked up in the DHT, not found, and only then tried through signaling (twice at most)', () => {
    const net = room(21, 10);
    const victim = net.peers.get(4)!;
    const neighbours = victim.sync.links.neighbours();
    // the survivors' messages only (the victim's own, counted before, leave the sum when it dies)
    const before = published(net) - victim.published;
    net.crash(4);
    net.run(40_000);
    const sent = published(net) - before;
    // each neighbour offers it a link through signaling at most twice (it never answers), nobody else speaks
    expect(sent, net.dump()).toBeGreaterThan(0);
    expect(sent, net.dump()).toBeLessThanOrEqual(2 * neighbours.length);
    for (const p of net.alivePeers()) expect(p.sync.links.open).toBeGreaterThanOrEqual(p.sync.o.degree);
  });

  it('a peer that lost every link bootstraps again through signaling', () => {
    const net = room(31, 8);
    const p = net.peers.get(6)!;
    const before = p.published;
    for (const q of p.sync.links.neighbours()) net.cut(6, q);
    expect(p.sync.links.open).toBe(0);
    net.run(15_000);
    expect(p.published).toBeGreaterThan(before);
    expect(p.sync.links.open).toBeGreaterThan(0);
    expect(net.connected()).toBe(true);
  });

  it('a split room still heals through signaling', () => {
    const net = room(41, 10);
    net.partition((id) => (id <= 5 ? 0 : 1));
    net.run(15_000);
    net.heal();
    net.run(60_000);
    expect(net.connected(), net.dump()).toBe(true);
  });
});
