/**
 * A trackerless torrent: BitTorrent peers that find each other, and rare pieces, through a Kademlia
 * DHT (BEP 5 and its piece-discovery extension here). Every peer runs both on one World.
 * - `messages.ts`     get_peers / announce_peer and their replies, wire sizes, validation of replies
 * - `peer-store.ts`   the bounded store of announced peers, which lapse (BEP 5: ~30 min)
 * - `torrent-dht.ts`  TorrentDhtNode: one peer's Kademlia node + BEP 5 + piece discovery (per-peer form)
 * - `driver.ts`       the lab driver (`protocol.type: hybrid`), also a tracker-only baseline, from its parts in run/
 * - `flash-crowd.ts`  one seed and N leechers finding each other through the DHT (bench and tests)
 */
export * from './messages.js';
export * from './peer-store.js';
export * from './torrent-dht.js';
export { driver, hybridParams, hybridWorkload, createHybridRun, keyOf, type HybridParams, type HybridWorkload, type HybridRun } from './driver.js';
export { hybridSetup, type HybridSetupOptions } from './flash-crowd.js';
