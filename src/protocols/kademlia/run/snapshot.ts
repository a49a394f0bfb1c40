/**
 * The overlay of a Kademlia run as the dashboard and the report draw it: each of the first peers
 * (`online`, `holder` if it holds a value, or `offline`; its value is the share of its buckets that
 * is full) and a sample of its routing-table links (at most 8 per peer, to peers inside the view).
 */
import type { PeerId } from '../../../core/index.js';
import type { OverlaySnapshot } from '../../driver.js';
import type { Population } from './population.js';

export function overlaySnapshot(pop: Population, k: number, maxPeers: number): OverlaySnapshot {
  const m = Math.min(pop.n, maxPeers);
  const alive = pop.world.alive;
  const peers: OverlaySnapshot['peers'] = [];
  const links: [PeerId, PeerId][] = [];
  const seen = new Set<number>();
  for (let p = 0; p < m; p++) {
    const node = alive[p] === 1 ? pop.nodes[p] : undefined;
    if (!node) {
      peers.push({ id: p, alive: false, state: 'offline' });
      continue;
    }
    const held = node.storedValues > 0;
    peers.push({ id: p, alive: true, state: held ? 'holder' : 'online', value: node.table.size / Math.max(1, k * node.table.numBuckets) });
    let shown = 0;
    for (const c of node.table.all()) {
      if (shown >= 8) break;
      if (c.peer >= m || c.peer === p) continue;
      const a = Math.min(p, c.peer);
      const b = Math.max(p, c.peer);
      const key = a * m + b;
      if (seen.has(key)) continue;
      seen.add(key);
      links.push([a, b]);
      shown++;
    }
  }
  return { timeMs: pop.world.sim.now, peers, links };
}
