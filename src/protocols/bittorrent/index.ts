/**
 * BitTorrent in peerlab:
 * - `bencode.ts`  strict canonical bencode (errors carry the byte offset);
 * - `metainfo.ts` BEP 3 .torrent parsing/building, piece hashing, info-hash (SHA-1 injected);
 * - `swarm.ts`    the sans-IO swarm (world-level form): peer wire messages, tracker, rarest first,
 *                 tit-for-tat and optimistic unchoke, endgame, super-seeding, hash checks and bans;
 * - `driver.ts`   the lab driver (`protocol.type: bittorrent`) and the Kumar-Ross lower bound;
 * - `flash-crowd.ts` one seed and N leechers on one World: the set-up `peerlab bench bittorrent`, the
 *                 hybrid and the tests share.
 * File-system work (walking folders, reading files) lives in src/cli/torrent.ts.
 */
export * from './bencode.js';
export * from './metainfo.js';
export { Swarm, DEFAULT_SWARM, type SwarmConfig, type SwarmStats, type WireMsg } from './swarm.js';
export { driver, bittorrentParams, bittorrentWorkload, createRun, kumarRossBoundMs, type BittorrentParams, type BittorrentWorkload } from './driver.js';
export { flashCrowd, flashCrowdWorld, type FlashCrowdOptions } from './flash-crowd.js';
