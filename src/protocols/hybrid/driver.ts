/**
 * The lab driver for `protocol.type: hybrid`: a trackerless torrent. Every peer runs a Kademlia node
 * with BEP 5's get_peers / announce_peer (`TorrentDhtNode`, one per online peer) and a BitTorrent peer
 * (the `Swarm` of src/protocols/bittorrent, its tracker switched off) on the same World: the swarm asks
 * for peers when it joins and while it has too few connections, and the DHT answers by looking the
 * info-hash up and dialling what it finds.
 *
 * `tracker: true, dht: false` runs the same swarm with its tracker and no DHT, reporting the same
 * keys, so a comparison differs in the peer source only; both on is a client that uses the tracker
 * and the DHT (the tracker may die at `trackerDownAtMs`).
 *
 * Assembled from its parts in run/:
 * - `params.ts`      the scenario keys
 * - `dht.ts`         node ids, keys, bootstrap nodes, one TorrentDhtNode per online peer, its traffic
 * - `swarm-link.ts`  what a peer's DHT side asks of its swarm side
 * - `workload.ts`    the BitTorrent flash crowd over the DHT (or the tracker)
 * - `measure.ts`     time to a first peer, connections, sampled series
 * - `report.ts`      summary, series and samples
 * - `snapshot.ts`    the overlay view for the dashboard and the report
 */
import type { z } from 'zod';
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import type { DriverRun, ProtocolDriver } from '../driver.js';
import type { BittorrentRun } from '../bittorrent/driver.js';
import type { Swarm } from '../bittorrent/swarm.js';
import type { NodeId } from '../kademlia/index.js';
import type { TorrentDhtNode, TorrentDhtStats } from './torrent-dht.js';
import { Dht, type DhtOptions, type DhtTraffic } from './run/dht.js';
import { HybridMeasures } from './run/measure.js';
import { hybridParams, hybridWorkload, type HybridParams, type HybridWorkload } from './run/params.js';
import { samples, series, summary } from './run/report.js';
import { overlaySnapshot } from './run/snapshot.js';
import { createSwarm } from './run/workload.js';

export { hybridParams, hybridWorkload, TRACKER_REPLY_BYTES, TRACKER_REQUEST_BYTES, type HybridParams, type HybridWorkload } from './run/params.js';
export { keyOf } from './run/dht.js';

export interface HybridRun extends DriverRun {
  readonly bt: BittorrentRun;
  readonly swarm: Swarm;
  readonly stats: TorrentDhtStats;
  readonly ids: readonly NodeId[];
  readonly infoHash: NodeId;
  readonly groupKeys: readonly NodeId[];
  /** The DHT side of an online peer (undefined with dht: false). */
  node(peer: PeerId): TorrentDhtNode | undefined;
  /** DHT traffic so far. */
  dhtTraffic(): DhtTraffic;
}

export type HybridRunOptions = DhtOptions;

export function createHybridRun(world: World, params: HybridParams, workload: HybridWorkload, opts: HybridRunOptions = {}): HybridRun {
  const dht = new Dht(world, params, opts);
  // the DHT joins first, so it is there when the swarm's join asks it for peers
  if (params.dht) world.add(dht.nodes);
  const measures = new HybridMeasures(world, dht.traffic, params.sampleMs);
  const bt = createSwarm(world, params, workload, dht, measures);
  measures.start(bt);
  const n = world.size;
  return {
    bt,
    swarm: bt.swarm,
    stats: dht.stats,
    ids: dht.ids,
    infoHash: dht.infoHash,
    groupKeys: dht.groupKeys,
    node: (peer) => dht.node(peer),
    dhtTraffic: () => ({ ...dht.traffic }),
    isComplete: () => bt.isComplete(),
    summary: () => summary(bt, dht, measures, params, n),
    series: () => series(bt, measures),
    samples: () => samples(bt, measures),
    snapshot: (maxPeers = 1000) => overlaySnapshot(world, bt, maxPeers),
  };
}

export const driver: ProtocolDriver<HybridParams, HybridWorkload> = {
  type: 'hybrid',
  params: hybridParams as unknown as z.ZodType<HybridParams>,
  workload: hybridWorkload,
  create: (ctx, params, workload) => createHybridRun(ctx.world, params, workload),
};
