/**
 * The Plumtree core's option, statistics and hook types (plumtree.ts re-exports them).
 */
import type { PeerId } from '../../core/index.js';
import type { CodecLimits, MsgId } from './codec.js';

/** Where a delivered payload came from (the simulator's metrics use it; live apps may ignore it). */
export interface DeliverInfo {
  /** null for payloads produced by a custom anti-entropy hook (REPAIR). */
  id: MsgId | null;
  from: PeerId;
  /** Hops from the origin along the path it came. */
  round: number;
}

/** Pluggable anti-entropy: what a peer holds, and what to send a peer given what it holds. */
export interface AntiEntropy {
  /** A summary of what this peer holds (e.g. a Yjs state vector). */
  digest(): Uint8Array;
  /**
   * `from` holds what `digest` says: return the payloads it lacks (e.g. a Yjs diff update), or []. They
   * arrive there through its onDeliver (REPAIR messages: the application must apply them idempotently).
   * Throw to reject a malformed digest (counted as malformed, ignored).
   */
  onDigest(from: PeerId, digest: Uint8Array): Uint8Array[];
}

export interface PlumtreeOptions {
  /** Wait after the first IHAVE of a missing message before GRAFTing. Default 200 ms. */
  graftTimeoutMs?: number;
  /** Wait before trying the next announcer after a GRAFT brought nothing. Default graftTimeoutMs / 2. */
  graftRetryMs?: number;
  /** Batch IHAVEs for this long (0 = send each at once). Default 0. */
  lazyDelayMs?: number;
  /** Eager/lazy per origin instead of one tree for all (see the header). Default false. */
  perOriginTrees?: boolean;
  /** IHAVEs per message at most, to random lazy neighbours. Default: every lazy neighbour. */
  lazyFanout?: number;
  /** Anti-entropy period; 0 = off. Default 0. */
  antiEntropyMs?: number;
  /** Custom anti-entropy (default: message-id set digest over the cache). */
  antiEntropy?: AntiEntropy;
  /** Ids remembered for duplicate suppression. Default 100,000. */
  seenCapacity?: number;
  /** Full messages kept to answer GRAFTs and anti-entropy. Default 1,024. */
  cacheSize?: number;
  /** ...and at most this many payload bytes. Default 16 MiB. */
  cacheBytes?: number;
  /** Missing messages tracked (announced, not received). Default 10,000. */
  maxMissing?: number;
  /** Codec limits (payload size, ids per IHAVE, digest size). */
  limits?: CodecLimits;
  /**
   * Bits of the random session that tells this instance's messages from an earlier one's of the same
   * origin (a restart: its sequence numbers start again at 0). Default 32 (5 bytes on the wire); 14 bits
   * take 2 bytes in every message id, and two instances of one origin then share a session once in
   * ~16,000 restarts (the later one's first messages would pass for seen while the earlier ones are
   * remembered).
   */
  sessionBits?: number;
  /** Counters to add to (the simulator shares one object among all peers). */
  stats?: PlumtreeStats;
}

export interface PlumtreeStats {
  delivered: number;
  duplicates: number;
  /** Messages a per-origin tree showed missing (a later one of the same origin came first). */
  gaps: number;
  malformed: number;
  gossipSent: number;
  ihaveSent: number;
  graftSent: number;
  pruneSent: number;
  digestSent: number;
  repairSent: number;
  bytesSent: number;
}

export function newStats(): PlumtreeStats {
  return {
    delivered: 0,
    duplicates: 0,
    gaps: 0,
    malformed: 0,
    gossipSent: 0,
    ihaveSent: 0,
    graftSent: 0,
    pruneSent: 0,
    digestSent: 0,
    repairSent: 0,
    bytesSent: 0,
  };
}
