/**
 * BitTorrent in peerlab:
 * - `bencode.ts`  strict canonical bencode (errors carry the byte offset);
 * - `metainfo.ts` BEP 3 .torrent parsing/building, piece hashing, info-hash (SHA-1 injected);
 * - `swarm.ts`    the sans-IO swarm (world-level form), composed of the concept folders:
 *     `tracker/`, `connections/` (TCP-like connections as typed-array rows), `wire/` (the BEP 3
 *     messages, a sender and a handler per type), `picker/` (strict priority, random first, rarest
 *     first, endgame), `choker/` (tit-for-tat, optimistic unchoke), `transfer/` (requests, the
 *     uplink, hash checks), `super-seed/` (BEP 16), `bans.ts`, `content.ts` (tokens for bytes);
 *     `config.ts` its knobs, `context.ts` what the parts share, `swarm-peer.ts` one peer's state;
 * - `ideal/`      the ideal schedule (`scheduler: ideal`): one omniscient scheduler, the baseline of
 *                 the Kumar-Ross bound's proof, measured like the swarm;
 * - `driver.ts`   the lab driver (`protocol.type: bittorrent`): `params.ts` (scenario keys),
 *                 `population.ts` (seeds, leechers, the bound; arrivals and measures around either
 *                 scheduler), `workload.ts` (free riders, corrupt peers, arrivals), `measure.ts` and
 *                 `tallies.ts` (summary, series, samples), `snapshot.ts` (the dashboard's picture),
 *                 `bound.ts` (Kumar-Ross);
 * - `flash-crowd.ts` one seed and N leechers on one World: the set-up `peerlab bench bittorrent`, the
 *                 hybrid and the tests share.
 * File-system work (walking folders, reading files) lives in src/cli/torrent.ts.
 */
export * from './bencode.js';
export * from './metainfo.js';
export { Swarm } from './swarm.js';
export { DEFAULT_SWARM, type SwarmConfig, type PieceSelection, type ChokingMode } from './config.js';
export type { SwarmStats } from './context.js';
export * from './wire/messages.js';
export { driver, createRun, type BittorrentRun, type CreateRunOptions } from './driver.js';
export { bittorrentParams, bittorrentWorkload, type BittorrentParams, type BittorrentWorkload } from './params.js';
export { kumarRossBoundMs } from './bound.js';
export { flashCrowd, flashCrowdWorld, type FlashCrowdOptions } from './flash-crowd.js';
