/**
 * The scenario keys of `protocol.type: hybrid`: BitTorrent's (src/protocols/bittorrent/params.ts) plus
 * the peer sources, the DHT (BEP 5) and piece discovery. The workload is BitTorrent's (when leechers
 * arrive).
 */
import { z } from 'zod';
import { bittorrentParams, bittorrentWorkload, type BittorrentWorkload } from '../../bittorrent/params.js';
import { intIn as int, numIn as num } from '../../../core/schema.js';

export const hybridParams = bittorrentParams
  .extend({
    /** Peers come from a tracker (BitTorrent's, with its `numWant` and `trackerDownAtMs`). */
    tracker: z.boolean().default(false),
    /** Peers come from the DHT (BEP 5). */
    dht: z.boolean().default(true),
    /** Kademlia bucket size and replication factor (BEP 5 uses 8). */
    k: int(2, 64).default(8),
    /** Parallel requests per lookup. */
    alpha: int(1, 16).default(3),
    /** Node id width in bits. */
    idBits: int(32, 512).default(160),
    /** Well-known bootstrap nodes a joining peer starts from (the last ids, like router.bittorrent.com). */
    bootstrap: int(1, 64).default(3),
    /** Re-announce (with a fresh lookup) of the info-hash this often, and of a published piece group at most this often. */
    reannounceMs: num(1000).default(900_000),
    /** How long a node keeps an announced peer (BEP 5: ~30 min). */
    peerTtlMs: num(1000).default(1_800_000),
    /** Token secret rotation (BEP 5: 5 min; the previous one stays valid). */
    tokenRotateMs: num(1000).default(300_000),
    /** A DHT request with no reply within this has failed. */
    rpcTimeoutMs: num(10).default(2000),
    /** Most peers in one get_peers reply (sent or accepted: a longer list is dropped). */
    maxPeersPerReply: int(1, 1000).default(50),
    /** While downloading with too few connections, look up again after this (doubling up to 30 s). */
    retryMs: num(10).default(1000),
    /** Kademlia bucket refresh period (0 = off). */
    refreshIntervalMs: num(0).default(900_000),
    /** Piece discovery through the DHT (publish under and look up piece-group keys). */
    pieceDiscovery: z.boolean().default(true),
    /** Pieces per piece-group key. */
    pieceGroupSize: int(1, 65535).default(8),
    /** A held piece is rare (worth publishing) when at most this many neighbours have it. */
    rareMaxNeighbours: int(0, 1000).default(0),
    /** Piece-discovery round period. */
    pieceCheckMs: num(100).default(10_000),
    /** Piece-group keys a peer publishes per round at most. */
    maxPieceAnnounces: int(0, 1000).default(1),
    /** Piece-group lookups a peer makes per round at most. */
    maxPieceLookups: int(0, 1000).default(1),
  })
  .superRefine((p, ctx) => {
    if (!p.tracker && !p.dht) ctx.addIssue({ code: 'custom', path: ['dht'], message: 'with tracker: false the DHT is the only peer source: dht must be true' });
  });
export type HybridParams = z.infer<typeof hybridParams>;
export const hybridWorkload = bittorrentWorkload;
export type HybridWorkload = BittorrentWorkload;

/** HTTP tracker announce (GET with info_hash, peer_id, port, counters, compact=1, headers) and reply framing, bytes. */
export const TRACKER_REQUEST_BYTES = 350;
export const TRACKER_REPLY_BYTES = 120;
