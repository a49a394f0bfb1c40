/**
 * The workload: BitTorrent's flash crowd (seeds, then leechers arriving as the workload says) on the
 * same World as the DHT. A peer's swarm side asks its DHT side for peers when it joins and while it has
 * too few connections (`dht: true`), or its tracker (`tracker: true`), or both.
 */
import type { World } from '../../../sim/index.js';
import { createRun, type BittorrentRun } from '../../bittorrent/driver.js';
import type { Dht } from './dht.js';
import type { HybridMeasures } from './measure.js';
import type { HybridParams, HybridWorkload } from './params.js';

export function createSwarm(world: World, params: HybridParams, workload: HybridWorkload, dht: Dht, measures: HybridMeasures): BittorrentRun {
  return createRun(world, params, workload, {
    tracker: params.tracker,
    beforeAdd: (s) => {
      dht.side.swarm = s;
      if (params.dht) s.onNeedPeers = (peer) => dht.node(peer)?.needPeers();
      s.onConnected = (peer) => measures.connectedAt(s, peer);
    },
  });
}
