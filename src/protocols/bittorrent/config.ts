/** The swarm's configuration: every knob of the peer logic, with mainline's defaults. */
import type { PeerId } from '../../core/index.js';

export type PieceSelection = 'rarest' | 'random';
export type ChokingMode = 'tft' | 'none';

export interface SwarmConfig {
  /** Bytes of the shared file. */
  fileSize: number;
  pieceLength: number;
  /** Request granularity (BEP 3 clients use 16 KiB). */
  blockSize: number;
  /** Peers 0..seeds-1 start with the whole file. */
  seeds: number;
  /** Regular unchoke slots per peer (tit-for-tat). */
  uploadSlots: number;
  rechokeMs: number;
  optimisticMs: number;
  /** Peers the tracker returns per announce. */
  numWant: number;
  /** Most connections a peer keeps (in + out). */
  maxConnections: number;
  /** Outstanding block requests per connection. */
  pipeline: number;
  /** Pieces picked at random before rarest-first starts. */
  randomFirst: number;
  pieceSelection: PieceSelection;
  choking: ChokingMode;
  endgame: boolean;
  superSeed: boolean;
  /** How a peer that has everything picks whom to unchoke: `fastest` (mainline: who downloads from it
   * fastest) or `behind` (first the peers that uploaded to it while it was leeching, fewest pieces
   * first, which evens completion times; then the others in random order: a seed cannot tell a free
   * rider from a newcomer, and the peer furthest behind is most often a free rider). */
  seedChoking: 'fastest' | 'behind';
  /** Initial seeds leave at this time (ms), or never (null). */
  seedLeaveMs: number | null;
  /** A leecher that finishes stays as a seed (true) or leaves at once (false). */
  stayAfterDone: boolean;
  /** Leechers that never upload. */
  isFreeRider: (peer: PeerId) => boolean;
  /** Leechers that send corrupt blocks. */
  isCorrupt: (peer: PeerId) => boolean;
  /** Failed pieces a peer may take part in before it is banned. */
  banAfter: number;
  /** Re-announce period when below `numWant / 2` connections. */
  announceMs: number;
  /** Torrent identity (the handshake's info-hash): peers of another torrent are refused. */
  infoToken: number;
  /** There is a tracker (default true). False: peers come only through `connectTo` (e.g. a DHT, src/protocols/hybrid). */
  tracker?: boolean;
  /** The tracker stops answering at this time (ms); null/undefined: never. Announces after it return no peers. */
  trackerDownAtMs?: number | null;
}

export const DEFAULT_SWARM: Omit<SwarmConfig, 'isFreeRider' | 'isCorrupt'> = {
  fileSize: 32 * 1024 * 1024,
  pieceLength: 256 * 1024,
  blockSize: 16 * 1024,
  seeds: 1,
  uploadSlots: 4,
  rechokeMs: 10_000,
  optimisticMs: 30_000,
  numWant: 20,
  maxConnections: 80,
  pipeline: 6,
  randomFirst: 4,
  pieceSelection: 'rarest',
  choking: 'tft',
  endgame: true,
  superSeed: true,
  seedChoking: 'behind',
  seedLeaveMs: null,
  stayAfterDone: true,
  banAfter: 3,
  announceMs: 30_000,
  infoToken: 0x6274,
};
