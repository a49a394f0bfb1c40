/** The bittorrent protocol's scenario keys (`protocol:` and `workload:`), as zod schemas with defaults. */
import { z } from 'zod';
import { intIn as int, numIn as num } from '../../core/schema.js';
import { DEFAULT_SWARM } from './config.js';

export const bittorrentParams = z.object({
  /** Bytes of the shared file. */
  fileSize: int(1, 2 ** 40).default(DEFAULT_SWARM.fileSize),
  /** Bytes per piece (each piece is hash-checked). */
  pieceLength: int(1024, 64 * 1024 * 1024).default(DEFAULT_SWARM.pieceLength),
  /** Bytes per requested block (16 KiB in real clients). */
  blockSize: int(256, 4 * 1024 * 1024).default(DEFAULT_SWARM.blockSize),
  /** Initial seeds: peers 0..seeds-1. */
  seeds: int(1).default(DEFAULT_SWARM.seeds),
  /** Upload of the initial seeds in bytes/s (overrides their network class); null keeps the class. */
  seedUpBps: num(1).nullable().default(null),
  /** Regular (tit-for-tat) unchoke slots per peer. */
  uploadSlots: int(1, 1000).default(DEFAULT_SWARM.uploadSlots),
  /** Rechoke period. */
  rechokeMs: num(1).default(DEFAULT_SWARM.rechokeMs),
  /** Optimistic unchoke rotation period. */
  optimisticMs: num(1).default(DEFAULT_SWARM.optimisticMs),
  /** Peers the tracker returns per announce. */
  numWant: int(1, 1000).default(DEFAULT_SWARM.numWant),
  /** Most connections per peer. */
  maxConnections: int(1, 1000).default(DEFAULT_SWARM.maxConnections),
  /** Outstanding block requests per connection. */
  pipeline: int(1, 250).default(DEFAULT_SWARM.pipeline),
  /** Pieces chosen at random before rarest-first. */
  randomFirst: int(0).default(DEFAULT_SWARM.randomFirst),
  /** rarest (rarest first) | random (baseline). */
  pieceSelection: z.enum(['rarest', 'random']).default('rarest'),
  /** tft (tit-for-tat choking) | none (baseline: unchoke every interested peer). */
  choking: z.enum(['tft', 'none']).default('tft'),
  /** Endgame mode (request the last blocks from everyone, cancel duplicates). */
  endgame: z.boolean().default(DEFAULT_SWARM.endgame),
  /** Initial seeds hand out pieces one at a time, least-handed-out first (super-seeding). */
  superSeed: z.boolean().default(DEFAULT_SWARM.superSeed),
  /** How seeds choose whom to unchoke: fastest (mainline) | behind (who uploaded to it while it leeched, fewest pieces first; then the rest at random). */
  seedChoking: z.enum(['fastest', 'behind']).default(DEFAULT_SWARM.seedChoking),
  /** Initial seeds leave at this time (ms); null = they stay. */
  seedLeaveMs: num(0).nullable().default(null),
  /** Leechers that finish stay and seed (true) or leave at once (false). */
  stayAfterDone: z.boolean().default(true),
  /** Fraction of leechers that never upload. */
  freeRiders: num(0, 1).default(0),
  /** Fraction of leechers that send corrupt blocks. */
  corruptPeers: num(0, 1).default(0),
  /** Failed pieces a peer may be part of before it is banned. */
  banAfter: int(1, 1000).default(DEFAULT_SWARM.banAfter),
  /** Sampling period of the series. */
  sampleMs: num(1).default(1000),
  /** The tracker stops answering at this time (ms): later announces get no peers. null = it never fails. */
  trackerDownAtMs: num(0).nullable().default(null),
});
export type BittorrentParams = z.infer<typeof bittorrentParams>;

/**
 * `protocol.type: bittorrent`'s keys: the swarm's, plus who schedules the transfers — BitTorrent's
 * rules (the default) or the ideal schedule of the Kumar-Ross bound's proof (ideal/), the baseline the
 * rules are measured against. (The hybrid takes the swarm's keys only: its swarm is BitTorrent's.)
 */
export const bittorrentDriverParams = bittorrentParams.extend({
  /** bittorrent (rarest first, tit-for-tat, ...) | ideal (one omniscient scheduler keeps every uplink busy). */
  scheduler: z.enum(['bittorrent', 'ideal']).default('bittorrent'),
});
export type BittorrentDriverParams = z.infer<typeof bittorrentDriverParams>;

export const bittorrentWorkload = z.object({
  /** Leechers join uniformly over [0, arrivalMs] (0 = flash crowd: all at once). */
  arrivalMs: num(0).default(0),
});
export type BittorrentWorkload = z.infer<typeof bittorrentWorkload>;
