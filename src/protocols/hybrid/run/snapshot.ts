/** The overlay for the dashboard and the report: BitTorrent's peers (a finished leecher is a seed) and its open connections. */
import type { PeerId } from '../../../core/index.js';
import type { World } from '../../../sim/index.js';
import type { OverlaySnapshot } from '../../driver.js';
import type { BittorrentRun } from '../../bittorrent/driver.js';

export function overlaySnapshot(world: World, bt: BittorrentRun, maxPeers: number): OverlaySnapshot {
  const snap = bt.snapshot(maxPeers);
  const sw = bt.swarm;
  const lim = Math.min(maxPeers, world.size);
  const links: [PeerId, PeerId][] = [];
  for (let p = 0; p < lim; p++) {
    const st = sw.state(p);
    if (!st || world.alive[p] !== 1) continue;
    for (const c of st.conns.values()) if (c.established && c.remote > p && c.remote < lim) links.push([p, c.remote]);
  }
  return { timeMs: snap.timeMs, peers: snap.peers.map((x) => ({ ...x, state: x.state === 'done' ? 'seed' : x.state })), links };
}
