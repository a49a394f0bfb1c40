/** One peer's state in the swarm: its pieces, its download in progress, its uplink and its connections. */
import type { PeerId } from '../../core/index.js';
import type { Conn } from './connections/conn.js';
import { ConnList } from './connections/conn-list.js';
import { Rows } from './connections/rows.js';

/** `PeerState.blk` value of a block already received (below it: outstanding requests). */
export const RECEIVED = 255;

export class PeerState {
  readonly conns = new ConnList();
  readonly rows: Rows;
  readonly have: Uint8Array;
  haveCount = 0;
  /** A copy of `have` for bitfield messages, shared until `have` changes. */
  bitfield: Uint8Array | null = null;
  /** Per block: number of outstanding requests, or RECEIVED. */
  readonly blk: Uint8Array;
  /** Per piece: order-free digest of the block tokens received so far. */
  readonly acc: Uint32Array;
  // the collections below stay null until first needed: without corrupt peers most never are
  /** Pieces that failed a hash check once (re-fetched from a single peer). */
  failed: Set<number> | null = null;
  /** Per piece: blocks received. */
  readonly got: Uint16Array;
  /** Per piece: availability among connected peers. */
  readonly avail: Uint16Array;
  /** Partially downloaded pieces (insertion order). */
  readonly active = new Set<number>();
  /** Who sent blocks of each active piece. */
  readonly contributors = new Map<number, PeerId[]>();
  /** After a hash failure the piece is fetched from one peer only. */
  singleSource: Map<number, PeerId> | null = null;
  strikes: Map<PeerId, number> | null = null;
  banned: Set<PeerId> | null = null;
  /** Conns with pending requests to serve (round robin). */
  readonly serveQueue: Conn[] = [];
  upFree = 0;
  serving = false;
  /** The connection the uplink is serving a piece to, and that piece. */
  serveCur: Conn | null = null;
  serveCurPiece = -1;
  optimistic: Conn | null = null;
  rechokes = 0;
  uploaded = 0;
  downloaded = 0;
  joinedAt = 0;
  doneAt = -1;
  readonly seed: boolean;
  readonly freeRider: boolean;
  readonly corrupt: boolean;
  constructor(pieces: number, blocks: number, pipeline: number, seed: boolean, freeRider: boolean, corrupt: boolean) {
    this.rows = new Rows((pieces + 31) >>> 5, pipeline, 8);
    this.have = new Uint8Array(pieces);
    this.blk = new Uint8Array(seed ? 0 : blocks);
    this.acc = new Uint32Array(seed ? 0 : pieces);
    this.got = new Uint16Array(seed ? 0 : pieces);
    this.avail = new Uint16Array(pieces);
    this.seed = seed;
    this.freeRider = freeRider;
    this.corrupt = corrupt;
  }
}
