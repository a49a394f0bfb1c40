/**
 * One peer's state in the swarm: its download in progress, its uplink and its connections. Its
 * per-piece and per-block arrays are segments of the swarm-wide arrays in `PieceTables` (one object
 * and one backing store each for the whole swarm: per-peer typed arrays cost ~100 bytes apiece and a
 * cache miss apiece to reach, on every message).
 */
import type { PeerId } from '../../core/index.js';
import type { Conn } from './connections/conn.js';
import { ConnList, type ConnIndex } from './connections/conn-list.js';
import { CHUNK, type Rows } from './connections/rows.js';

/** `PieceTables.blk` value of a block already received (below it: outstanding requests). */
export const RECEIVED = 255;

/** Every peer's pieces and blocks, peer-major: peer `p`'s piece `i` is at `p * pieces + i`. */
export class PieceTables {
  /**
   * Per piece, side by side: copies among the peer's connected neighbours (`ha[2 * i]`, the
   * availability rarest first reads) and 1 once verified (`ha[2 * i + 1]`, have). A `have` from a
   * neighbour reads both: one cache line where two arrays cost a miss each.
   */
  readonly ha: Uint16Array;
  /** Per piece: blocks received. */
  readonly got: Uint16Array;
  /** Per piece: order-free digest of the block tokens received so far. */
  readonly acc: Uint32Array;
  /** Per piece: 1 while it is one of the peer's started pieces (`SwarmPeer.active`). */
  readonly started: Uint8Array;
  /** Per piece: the first peer that sent a block of it (-1: none yet); later senders in `SwarmPeer.moreSenders`. */
  readonly firstSender: Int32Array;
  /** Per block: number of outstanding requests, or RECEIVED. */
  readonly blk: Uint8Array;
  /**
   * Per peer, a bitset (`words` 32-bit words) of the pieces it will not start: had, started, or with
   * blocks received (`refresh` keeps it in step with those three). The picker ANDs a neighbour's
   * have-bitset with its complement a word at a time instead of testing every piece.
   */
  readonly closed: Uint32Array;

  constructor(
    peers: number,
    private readonly pieces: number,
    blocks: number,
    private readonly words: number,
  ) {
    const n = peers * pieces;
    this.closed = new Uint32Array(peers * words);
    this.ha = new Uint16Array(2 * n);
    this.got = new Uint16Array(n);
    this.acc = new Uint32Array(n);
    this.started = new Uint8Array(n);
    this.firstSender = new Int32Array(n).fill(-1);
    this.blk = new Uint8Array(peers * blocks);
  }

  /** Pieces `from` to `from + n` (a peer's) as a bitfield message carries them: one byte each, 0/1. */
  haveBytes(from: number, n: number): Uint8Array {
    const out = new Uint8Array(n), ha = this.ha;
    for (let k = 0; k < n; k++) out[k] = ha[2 * (from + k) + 1]!;
    return out;
  }

  /** Updates `closed` for `peer`'s `piece` after its have, started or got changed. */
  refresh(peer: PeerId, piece: number): void {
    const i = peer * this.pieces + piece, w = peer * this.words + (piece >>> 5), bit = 1 << (piece & 31);
    if (this.ha[2 * i + 1] === 1 || this.started[i] === 1 || this.got[i] !== 0) this.closed[w] = this.closed[w]! | bit;
    else this.closed[w] = this.closed[w]! & ~bit;
  }
}

export class SwarmPeer {
  readonly conns: ConnList;
  /** Where this peer's pieces start in the `PieceTables` arrays (and its blocks). */
  readonly pieceBase: number;
  readonly blockBase: number;
  haveCount = 0;
  /** A copy of `have` for bitfield messages, shared until `have` changes. */
  bitfield: Uint8Array | null = null;
  /** Started pieces in the order they were started (the strict-priority order). */
  readonly active: number[] = [];
  // the collections below stay null until first needed: without corrupt peers most never are
  /** Pieces that failed a hash check once (re-fetched from a single peer). */
  failed: Set<number> | null = null;
  /** Senders of each started piece after the first (`PieceTables.firstSender`), in order of their first block. */
  moreSenders: Map<number, PeerId[]> | null = null;
  /** After a hash failure the piece is fetched from one peer only. */
  singleSource: Map<number, PeerId> | null = null;
  strikes: Map<PeerId, number> | null = null;
  banned: Set<PeerId> | null = null;
  /** Free connection rows this peer holds, and the chunks of rows it took from the pool. */
  private readonly freeRows: number[] = [];
  private readonly chunks: number[] = [];
  /** Conns with pending requests to serve (round robin). */
  readonly serveQueue: Conn[] = [];
  upFree = 0;
  serving = false;
  /** The connection the uplink is serving a piece to, and that piece. */
  serveCur: Conn | null = null;
  serveCurPiece = -1;
  optimistic: Conn | null = null;
  /** Connections we do not choke (kept by `choke`, `unchoke` and `dropConn`): a free unchoke slot is
   * checked on every `interested`, and counting ~40 connections' flags cost a cache miss each. */
  unchoked = 0;
  rechokes = 0;
  uploaded = 0;
  downloaded = 0;
  joinedAt = 0;
  doneAt = -1;
  readonly seed: boolean;
  readonly freeRider: boolean;
  readonly corrupt: boolean;
  constructor(
    readonly id: PeerId,
    index: ConnIndex,
    pieces: number,
    blocks: number,
    seed: boolean,
    freeRider: boolean,
    corrupt: boolean,
  ) {
    this.conns = new ConnList(index, id);
    this.pieceBase = id * pieces;
    this.blockBase = id * blocks;
    this.seed = seed;
    this.freeRider = freeRider;
    this.corrupt = corrupt;
  }

  /** A fresh connection row from this peer's chunks (taking another chunk from `rows` when out). */
  allocRow(rows: Rows): number {
    if (this.freeRows.length === 0) {
      const chunk = rows.takeChunk();
      this.chunks.push(chunk);
      for (let r = chunk * CHUNK + CHUNK - 1; r >= chunk * CHUNK; r--) this.freeRows.push(r);
    }
    const row = this.freeRows.pop() as number;
    rows.reset(row);
    return row;
  }

  freeRow(row: number): void {
    this.freeRows.push(row);
  }

  /** The peer left and closed every connection: its chunks go back to the pool. */
  releaseRows(rows: Rows): void {
    for (const chunk of this.chunks) rows.giveChunk(chunk);
    this.chunks.length = 0;
    this.freeRows.length = 0;
  }

  /** `piece` was started (a block of it requested first). */
  startPiece(t: PieceTables, piece: number): void {
    this.active.push(piece);
    t.started[this.pieceBase + piece] = 1;
    t.refresh(this.id, piece);
  }

  /** `piece` is no longer under way (verified, failed, or its blocks dropped). */
  stopPiece(t: PieceTables, piece: number): void {
    if (t.started[this.pieceBase + piece] !== 1) return;
    t.started[this.pieceBase + piece] = 0;
    t.refresh(this.id, piece);
    this.active.splice(this.active.indexOf(piece), 1);
  }

  /** Who sent blocks of `piece`, in the order of their first block (undefined if none). */
  senders(t: PieceTables, piece: number): PeerId[] | undefined {
    const first = t.firstSender[this.pieceBase + piece]!;
    if (first < 0) return undefined;
    const more = this.moreSenders?.get(piece);
    return more ? [first, ...more] : [first];
  }

  /** `q` sent a block of `piece`. */
  addSender(t: PieceTables, piece: number, q: PeerId): void {
    const i = this.pieceBase + piece;
    const first = t.firstSender[i]!;
    if (first < 0) t.firstSender[i] = q;
    else if (first !== q) {
      const more = (this.moreSenders ??= new Map());
      const list = more.get(piece);
      if (!list) more.set(piece, [q]);
      else if (!list.includes(q)) list.push(q);
    }
  }

  forgetSenders(t: PieceTables, piece: number): void {
    t.firstSender[this.pieceBase + piece] = -1;
    this.moreSenders?.delete(piece);
  }
}
