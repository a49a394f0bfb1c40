/** What a swarm counts as it runs, BitTorrent's (context.ts) and the ideal schedule's (ideal/) alike: the measures read these. */
import type { PeerId } from '../../core/index.js';

export interface SwarmStats {
  /** Bytes of blocks received that were already had (endgame duplicates, late pieces). */
  duplicateBytes: number;
  /** Bytes of pieces that failed the hash check. */
  corruptBytes: number;
  hashFails: number;
  bans: number;
  violations: number;
  blocksSent: number;
  piecesCompleted: number;
  /** Connections closed because of a protocol violation, by reason. */
  violationReasons: Record<string, number>;
}

export class SwarmTallies {
  readonly stats: SwarmStats = {
    duplicateBytes: 0, corruptBytes: 0, hashFails: 0, bans: 0, violations: 0, blocksSent: 0, piecesCompleted: 0,
    violationReasons: {},
  };
  /** Completion time (ms since join) of each leecher that finished, in order of finishing. */
  readonly completionTimes: number[] = [];
  /** Leechers (peers that must download) ever started. */
  leechersStarted = 0;
  leechersDone = 0;
  /** Optional observer: a piece completed (after verification) at `peer`. */
  onPiece: ((peer: PeerId, piece: number) => void) | null = null;
  onDone: ((peer: PeerId) => void) | null = null;
}
