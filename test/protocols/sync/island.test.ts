/**
 * Peers that met the room only through one neighbour, and then refuse it (a ban, or a trust cut), are left
 * in a piece of their own whose DHT knows nobody else, and which hears no hello from the rest: they must
 * suspect the split themselves and ask the signaling server again.
 */
import { describe, expect, it } from 'vitest';
import { TestNet } from './testnet.js';

const MAIN = [1, 2, 3, 4, 5];
const ISLAND = [6, 7];
const BRIDGE = 8;

function bridgedRoom(seed: number): TestNet {
  const net = new TestNet({ seed, peer: { banMs: 600_000 } });
  // the island's peers can reach the bridge but not the rest (yet)
  net.apart = (a, b) => (ISLAND.includes(a) && MAIN.includes(b)) || (ISLAND.includes(b) && MAIN.includes(a));
  for (const id of [...MAIN, BRIDGE, ...ISLAND]) {
    net.add(id);
    net.run(200);
  }
  net.run(30_000);
  return net;
}

describe('a piece left by a refused neighbour', () => {
  for (const seed of [3, 5, 7])
    it(`peers that met the room only through a neighbour they ban find the rest again through signaling (seed ${seed})`, () => {
      const net = bridgedRoom(seed);
      for (const id of ISLAND) {
        const links = net.peers.get(id)!.sync.links.neighbours();
        expect(links, net.dump()).toContain(BRIDGE);
        for (const q of links) expect([...ISLAND, BRIDGE]).toContain(q);
      }
      expect(net.connected(), net.dump()).toBe(true);
      net.apart = null;
      // the bridge breaks the rules on its links to the island: banned there, the island is cut off
      for (const id of ISLAND) net.peers.get(id)!.sync.violation(BRIDGE, 'test: forged frame');
      net.run(5000);
      for (const id of ISLAND) net.edit(id);
      net.edit(1);
      net.run(30_000);
      expect(net.connected(), net.dump()).toBe(true);
      for (const id of ISLAND) expect(net.peers.get(id)!.sync.links.isOpen(BRIDGE)).toBe(false);
      expect(net.converged(), net.dump()).toBe(true);
    });
});
