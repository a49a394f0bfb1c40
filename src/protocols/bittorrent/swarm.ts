/**
 * The BitTorrent swarm, sans-IO, in the world-level form (one object runs every peer, so 10^4 peers
 * cost objects per connection, not per event). It speaks the BEP 3 peer wire protocol's messages
 * (handshake, bitfield, have, interested/not interested, choke/unchoke, request/piece/cancel) with
 * their wire sizes, so every block crosses the network model's upload and download queues.
 *
 * Peer logic, in the field's words:
 * - a `tracker` hands a joining peer a random subset of the swarm (`numWant`);
 * - piece picking: `randomFirst` pieces, then `rarestFirst` by availability among neighbours, always
 *   finishing partial pieces first (strict priority); `endgame` requests the last blocks everywhere
 *   and cancels duplicates;
 * - choking: tit-for-tat every `rechokeMs` (the `uploadSlots` peers that uploaded most to us over a
 *   rolling window of two rechoke periods get unchoked, then those that ever uploaded to us), plus an
 *   `optimisticUnchoke` rotated every `optimisticMs`; a slot freed between rechokes goes by the same
 *   ranking, so a free rider gets a regular slot only when no peer that uploaded to us wants it; a peer that has
 *   everything serves first the peers that uploaded to it while it was leeching (`seedChoking`);
 * - a peer uploads only when its uplink is free (`serve`): the network's upload queue holds at most
 *   one block, so choking decisions take effect at once, like a TCP send buffer kept short;
 * - `superSeed` (optional, documented in docs/bittorrent.md): a seed announces one piece at a time to
 *   each peer, the piece it has handed out least, so the first copies of all pieces leave the seed
 *   as fast as its uplink allows; as BEP 16 says, a peer is offered its next piece only once its
 *   last one shows up at another neighbour, so a peer that passes nothing on gets nothing more;
 * - every completed piece is checked against its digest; a failed piece is dropped and fetched again
 *   from a single peer, and a peer that sent a failed piece alone (or was among the senders of
 *   `banAfter` failed pieces) is banned.
 *
 * Content model: hashing megabytes per piece in a simulation of 10^4 peers is pointless, so a block's
 * content is a 32-bit token derived from (torrent, piece, block); a piece's digest mixes its blocks'
 * tokens, and `verify` compares it to the digest the metainfo promised. A corrupt peer's tokens
 * differ, so the check catches it exactly as SHA-1 would. The real SHA-1 path is metainfo.ts.
 *
 * Connections are TCP-like: messages of one connection are delivered in order (a sequence number and
 * a small reorder buffer undo the network model's per-message jitter), and any protocol violation
 * closes that one connection (never throws).
 */
import { hash32, type PeerId, type Rng } from '../../core/index.js';
import type { Port, Protocol } from '../../sim/index.js';

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

// ---- wire messages -------------------------------------------------------------------------------

export const HANDSHAKE = 0, BITFIELD = 1, HAVE = 2, INTERESTED = 3, NOT_INTERESTED = 4, CHOKE = 5, UNCHOKE = 6,
  REQUEST = 7, PIECE = 8, CANCEL = 9;

export interface WireMsg {
  type: number;
  /** Connection id (a TCP connection's identity). */
  cid: number;
  /** Per-connection sequence number (TCP ordering). */
  seq: number;
  /** piece index (have, request, piece, cancel); info token (handshake) */
  a: number;
  /** block index (request, piece, cancel) */
  b: number;
  /** block content token (piece) */
  tok: number;
  /** bitfield (one byte per piece, 0/1) */
  bits: Uint8Array | null;
}

const HEADER = 5; // 4-byte length + 1-byte id

// timer tags
const T_SERVE = 1, T_RECHOKE = 2, T_ANNOUNCE = 3, T_LEAVE = 4;

const RECEIVED = 255;

const MAX_REORDER = 4096;

/**
 * The empty upload queue every idle connection shares (frozen: pushing to it would throw). Most of a
 * peer's ~40 connections are choked at any time, so giving each its own array cost ~100 bytes per
 * connection for nothing; a queue gets its own array with its first request and drops it when empty.
 */
const NONE: number[] = Object.freeze([]) as unknown as number[];

// A connection's scalar state lives in its owner's row arrays (struct of arrays, row = `Conn.slot`):
// a class with two dozen fields cost ~220 bytes per connection (doubles boxed), a row ~60.
const I_SEND_SEQ = 0, I_RECV_SEQ = 1, I_REMOTE_COUNT = 2, I_WANTED = 3, I_OFFERED = 4, I_OFFERED_SENT = 5, I_FLAGS = 6, I_OUT_LEN = 7, I_OFFERED_PREV = 8, I_STRIDE = 9;
const F_RECV_WINDOW = 0, F_SENT_WINDOW = 1, F_RECV_RATE = 2, F_SENT_RATE = 3, F_RECV_TOTAL = 4, F_SINCE = 5, F_STRIDE = 6;
const ESTABLISHED = 1, AM_CHOKING = 2, AM_INTERESTED = 4, PEER_CHOKING = 8, PEER_INTERESTED = 16, IN_SERVE_QUEUE = 32;

/**
 * One peer's connection rows: integers, doubles, the remote-have bitset (`words` 32-bit words) and
 * the outstanding requests (at most `outCap` = `pipeline` block ids) of each connection. Rows are
 * recycled through `free`; the arrays grow by 8 rows when full.
 */
class Rows {
  i32: Int32Array;
  f64: Float64Array;
  /** Blocks requested from each remote, `outCap` slots per row, `I_OUT_LEN` of them in use. */
  out: Int32Array;
  /** The remotes' have-bitsets: 16 bytes per connection for 128 pieces, where a Uint8Array each
   * cost ~400 (object, ArrayBuffer, backing store). */
  bits: Uint32Array;
  readonly free: number[] = [];
  used = 0;
  capacity: number;
  constructor(
    readonly words: number,
    readonly outCap: number,
    capacity: number,
  ) {
    this.capacity = capacity;
    this.out = new Int32Array(capacity * outCap);
    this.i32 = new Int32Array(capacity * I_STRIDE);
    this.f64 = new Float64Array(capacity * F_STRIDE);
    this.bits = new Uint32Array(capacity * words);
  }

  alloc(): number {
    const row = this.free.length > 0 ? (this.free.pop() as number) : this.used++;
    if (row >= this.capacity) {
      const cap = this.capacity + 8; // small steps: a peer's ~40 connections leave little slack
      const i32 = new Int32Array(cap * I_STRIDE), f64 = new Float64Array(cap * F_STRIDE), bits = new Uint32Array(cap * this.words);
      const out = new Int32Array(cap * this.outCap);
      out.set(this.out);
      this.out = out;
      i32.set(this.i32);
      f64.set(this.f64);
      bits.set(this.bits);
      this.i32 = i32;
      this.f64 = f64;
      this.bits = bits;
      this.capacity = cap;
    }
    // a fresh connection: both sides choking, not interested, nothing offered
    this.i32.fill(0, row * I_STRIDE, row * I_STRIDE + I_STRIDE);
    this.i32[row * I_STRIDE + I_FLAGS] = AM_CHOKING | PEER_CHOKING;
    this.i32[row * I_STRIDE + I_OFFERED] = -1;
    this.i32[row * I_STRIDE + I_OFFERED_PREV] = -1;
    this.f64.fill(0, row * F_STRIDE, row * F_STRIDE + F_STRIDE);
    this.bits.fill(0, row * this.words, row * this.words + this.words);
    return row;
  }
}

/**
 * One side of a connection, as peer `self` sees it: identity, the request queues and accessors into
 * the owner's `Rows`. Kept small: a peer holds up to `maxConnections + 5` of these, and at 10^4 peers
 * connections are most of the swarm's memory.
 */
class Conn {
  /** Messages that arrived ahead of `recvSeq`; null when none wait (the common case). */
  reorder: Map<number, WireMsg> | null = null;
  /** Blocks the remote requested from us, in order; `NONE` when empty. */
  inq: number[] = NONE;
  constructor(
    readonly remote: PeerId,
    readonly cid: number,
    /** Row in `rows` (-1 once the connection is dropped). */
    public slot: number,
    private readonly rows: Rows,
  ) {}

  private flag(f: number): boolean {
    return ((this.rows.i32[this.slot * I_STRIDE + I_FLAGS] as number) & f) !== 0;
  }
  private setFlag(f: number, on: boolean): void {
    const i = this.slot * I_STRIDE + I_FLAGS, v = this.rows.i32[i] as number;
    this.rows.i32[i] = on ? v | f : v & ~f;
  }
  private int(k: number): number {
    return this.rows.i32[this.slot * I_STRIDE + k] as number;
  }
  private setInt(k: number, v: number): void {
    this.rows.i32[this.slot * I_STRIDE + k] = v;
  }
  private dbl(k: number): number {
    return this.rows.f64[this.slot * F_STRIDE + k] as number;
  }
  private setDbl(k: number, v: number): void {
    this.rows.f64[this.slot * F_STRIDE + k] = v;
  }

  /** Blocks we requested from the remote (global block ids), oldest first. */
  get outLength(): number { return this.int(I_OUT_LEN); }
  outAt(i: number): number {
    return this.rows.out[this.slot * this.rows.outCap + i] as number;
  }
  outIndexOf(id: number): number {
    const o = this.rows.out, base = this.slot * this.rows.outCap, n = this.outLength;
    for (let i = 0; i < n; i++) if (o[base + i] === id) return i;
    return -1;
  }
  /** Appends a request; the caller keeps at most `outCap` outstanding. */
  outPush(id: number): void {
    const n = this.outLength;
    this.rows.out[this.slot * this.rows.outCap + n] = id;
    this.setInt(I_OUT_LEN, n + 1);
  }
  outRemoveAt(i: number): void {
    const base = this.slot * this.rows.outCap, n = this.outLength;
    this.rows.out.copyWithin(base + i, base + i + 1, base + n);
    this.setInt(I_OUT_LEN, n - 1);
  }
  outClear(): void {
    this.setInt(I_OUT_LEN, 0);
  }

  get established(): boolean { return this.flag(ESTABLISHED); }
  set established(v: boolean) { this.setFlag(ESTABLISHED, v); }
  get amChoking(): boolean { return this.flag(AM_CHOKING); }
  set amChoking(v: boolean) { this.setFlag(AM_CHOKING, v); }
  get amInterested(): boolean { return this.flag(AM_INTERESTED); }
  set amInterested(v: boolean) { this.setFlag(AM_INTERESTED, v); }
  get peerChoking(): boolean { return this.flag(PEER_CHOKING); }
  set peerChoking(v: boolean) { this.setFlag(PEER_CHOKING, v); }
  get peerInterested(): boolean { return this.flag(PEER_INTERESTED); }
  set peerInterested(v: boolean) { this.setFlag(PEER_INTERESTED, v); }
  get inServeQueue(): boolean { return this.flag(IN_SERVE_QUEUE); }
  set inServeQueue(v: boolean) { this.setFlag(IN_SERVE_QUEUE, v); }
  get sendSeq(): number { return this.int(I_SEND_SEQ); }
  set sendSeq(v: number) { this.setInt(I_SEND_SEQ, v); }
  get recvSeq(): number { return this.int(I_RECV_SEQ); }
  set recvSeq(v: number) { this.setInt(I_RECV_SEQ, v); }
  /** Pieces the remote has told us of. */
  get remoteCount(): number { return this.int(I_REMOTE_COUNT); }
  set remoteCount(v: number) { this.setInt(I_REMOTE_COUNT, v); }
  /** Pieces the remote has that we lack (interest = wanted > 0). */
  get wanted(): number { return this.int(I_WANTED); }
  set wanted(v: number) { this.setInt(I_WANTED, v); }
  /** Super-seeding: the piece currently offered to this peer (-1 none), and its blocks sent. */
  get offered(): number { return this.int(I_OFFERED); }
  set offered(v: number) { this.setInt(I_OFFERED, v); }
  /** The piece offered before `offered`, until it is seen at another neighbour (-1 none). */
  get offeredPrev(): number { return this.int(I_OFFERED_PREV); }
  set offeredPrev(v: number) { this.setInt(I_OFFERED_PREV, v); }
  get offeredSent(): number { return this.int(I_OFFERED_SENT); }
  set offeredSent(v: number) { this.setInt(I_OFFERED_SENT, v); }
  /** Bytes received from / sent to the remote since the last rechoke (`*Window`) and in the rechoke
   * period before it (`*Rate`): the two buckets of the rolling tit-for-tat window. */
  get recvWindow(): number { return this.dbl(F_RECV_WINDOW); }
  set recvWindow(v: number) { this.setDbl(F_RECV_WINDOW, v); }
  get sentWindow(): number { return this.dbl(F_SENT_WINDOW); }
  set sentWindow(v: number) { this.setDbl(F_SENT_WINDOW, v); }
  get recvRate(): number { return this.dbl(F_RECV_RATE); }
  set recvRate(v: number) { this.setDbl(F_RECV_RATE, v); }
  get sentRate(): number { return this.dbl(F_SENT_RATE); }
  set sentRate(v: number) { this.setDbl(F_SENT_RATE, v); }
  /** Bytes received from the remote over the connection's life (a new seed remembers who gave). */
  get recvTotal(): number { return this.dbl(F_RECV_TOTAL); }
  set recvTotal(v: number) { this.setDbl(F_RECV_TOTAL, v); }
  /** When the handshake completed (virtual ms): a new connection is favoured by the optimistic unchoke. */
  get since(): number { return this.dbl(F_SINCE); }
  set since(v: number) { this.setDbl(F_SINCE, v); }
}

/**
 * A peer's connections by remote id, in the order they were made: what a Map gave, at under half
 * its memory (a Map's hash table cost ~50 bytes per entry); scanning ~40 small integers is as quick
 * as hashing. `values()` is the live list: iterate a copy if the loop may close connections.
 */
class ConnList {
  private readonly keys: PeerId[] = [];
  private readonly list: Conn[] = [];
  get size(): number {
    return this.list.length;
  }
  private find(remote: PeerId): number {
    const k = this.keys;
    for (let i = 0; i < k.length; i++) if (k[i] === remote) return i;
    return -1;
  }
  get(remote: PeerId): Conn | undefined {
    const i = this.find(remote);
    return i < 0 ? undefined : this.list[i];
  }
  has(remote: PeerId): boolean {
    return this.find(remote) >= 0;
  }
  set(remote: PeerId, c: Conn): void {
    const i = this.find(remote);
    if (i >= 0) this.list[i] = c;
    else {
      this.keys.push(remote);
      this.list.push(c);
    }
  }
  delete(remote: PeerId): boolean {
    const i = this.find(remote);
    if (i < 0) return false;
    this.keys.splice(i, 1);
    this.list.splice(i, 1);
    return true;
  }
  values(): readonly Conn[] {
    return this.list;
  }
  entries(): [PeerId, Conn][] {
    return this.list.map((c, i) => [this.keys[i] as PeerId, c]);
  }
}

class PeerState {
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

export class Swarm implements Protocol<WireMsg> {
  readonly name = 'bittorrent';
  readonly cfg: SwarmConfig;
  readonly pieces: number;
  readonly blocksPerPiece: number;
  readonly totalBlocks: number;
  /** 32-bit words per remote-have bitset row. */
  readonly words: number;
  readonly peers: (PeerState | undefined)[] = [];
  readonly stats: SwarmStats = {
    duplicateBytes: 0, corruptBytes: 0, hashFails: 0, bans: 0, violations: 0, blocksSent: 0, piecesCompleted: 0,
    violationReasons: {},
  };
  /** Completion time (ms since join) of each leecher that finished, in order of finishing. */
  readonly completionTimes: number[] = [];
  /** Leechers (peers that must download) ever started. */
  leechersStarted = 0;
  leechersDone = 0;
  /** Peers that announced to the tracker and are online. */
  private readonly trackerList: PeerId[] = [];
  private readonly trackerIndex = new Map<PeerId, number>();
  /** Super-seed: how often each piece was handed out by seeds. */
  private readonly offeredCount: Uint32Array;
  private superSeedDone = false;
  private port!: Port<WireMsg>;
  private rng!: Rng;
  private nextCid = 1;
  private readonly pieceDigest: Uint32Array;
  /** The all-zero bitfield every peer with nothing to show sends (messages are never mutated). */
  private readonly zeroBits: Uint8Array;
  /** Optional observer: a piece completed (after verification) at `peer`. */
  onPiece: ((peer: PeerId, piece: number) => void) | null = null;
  onDone: ((peer: PeerId) => void) | null = null;
  /**
   * Optional: called whenever a peer would ask the tracker for peers (on join, and every `announceMs`
   * while it has fewer than numWant/2 connections and is not done), tracker or not; another peer
   * source (the hybrid's DHT) answers through `connectTo`.
   */
  onNeedPeers: ((peer: PeerId) => void) | null = null;
  /** Optional observer: a connection between `peer` and `remote` completed its handshake (called at both ends). */
  onConnected: ((peer: PeerId, remote: PeerId) => void) | null = null;
  /** Announces the tracker answered (for tracker-traffic estimates). */
  trackerAnnounces = 0;
  /** Dials `connectTo` skipped because the remote was offline (a refused TCP connect). */
  dialsRefused = 0;

  constructor(cfg: SwarmConfig) {
    if (!(cfg.fileSize >= 1) || !(cfg.pieceLength >= 1) || !(cfg.blockSize >= 1)) throw new RangeError('Swarm: sizes must be >= 1');
    this.cfg = cfg;
    this.pieces = Math.ceil(cfg.fileSize / cfg.pieceLength);
    this.blocksPerPiece = Math.ceil(cfg.pieceLength / cfg.blockSize);
    if (this.blocksPerPiece > 65535) throw new RangeError('Swarm: too many blocks per piece');
    if (this.pieces > 65535) throw new RangeError('Swarm: more than 65535 pieces');
    this.totalBlocks = this.pieces * this.blocksPerPiece;
    this.words = (this.pieces + 31) >>> 5;
    this.zeroBits = new Uint8Array(this.pieces);
    this.offeredCount = new Uint32Array(this.pieces);
    this.pieceDigest = new Uint32Array(this.pieces);
    for (let p = 0; p < this.pieces; p++) this.pieceDigest[p] = this.digestOf(p, (b) => this.goodToken(p, b));
  }

  // ---- content model ------------------------------------------------------------------------------

  pieceBytes(piece: number): number {
    return piece === this.pieces - 1 ? this.cfg.fileSize - piece * this.cfg.pieceLength : this.cfg.pieceLength;
  }

  blocksIn(piece: number): number {
    return Math.ceil(this.pieceBytes(piece) / this.cfg.blockSize);
  }

  blockBytes(piece: number, block: number): number {
    const pb = this.pieceBytes(piece);
    return Math.min(this.cfg.blockSize, pb - block * this.cfg.blockSize);
  }

  goodToken(piece: number, block: number): number {
    return hash32(this.cfg.infoToken, piece * 65536 + block);
  }

  /** A piece's digest: an order-free mix of its blocks' tokens (blocks arrive in any order). */
  private digestOf(piece: number, tokenOf: (b: number) => number): number {
    let h = 0;
    const n = this.blocksIn(piece);
    for (let b = 0; b < n; b++) h = (h ^ hash32(tokenOf(b) >>> 0, piece * this.blocksPerPiece + b)) >>> 0;
    return h;
  }

  // ---- world hooks ---------------------------------------------------------------------------------

  attach(port: Port<WireMsg>): void {
    this.port = port;
    this.rng = port.rng;
    this.peers.length = port.world.size;
  }

  isSeedAtStart(peer: PeerId): boolean {
    return peer < this.cfg.seeds;
  }

  onJoin(peer: PeerId): void {
    const seed = this.isSeedAtStart(peer) || (this.peers[peer]?.doneAt ?? -1) >= 0;
    const prev = this.peers[peer];
    const st = new PeerState(this.pieces, this.totalBlocks, this.cfg.pipeline, seed, !seed && this.cfg.isFreeRider(peer), !seed && this.cfg.isCorrupt(peer));
    if (prev && prev.doneAt >= 0) st.doneAt = prev.doneAt;
    st.joinedAt = this.port.now();
    if (seed) {
      st.have.fill(1);
      st.haveCount = this.pieces;
    } else if (!prev) this.leechersStarted++;
    this.peers[peer] = st;
    if (seed && this.isSeedAtStart(peer) && this.cfg.seedLeaveMs !== null) this.port.setTimer(peer, this.cfg.seedLeaveMs, T_LEAVE);
    this.announce(peer, st);
    this.port.setTimer(peer, this.cfg.rechokeMs * (0.5 + this.rng.float()), T_RECHOKE);
    this.port.setTimer(peer, this.cfg.announceMs, T_ANNOUNCE);
  }

  onLeave(peer: PeerId): void {
    const st = this.peers[peer];
    if (!st) return;
    for (const c of [...st.conns.values()]) this.close(peer, c, null);
    this.trackerRemove(peer);
    // keep the record (completion time, counters) but drop the big arrays' owner from the swarm
  }

  onTimer(peer: PeerId, tag: number): void {
    const st = this.peers[peer];
    if (!st) return;
    switch (tag) {
      case T_SERVE:
        st.serving = false;
        this.serve(peer, st);
        break;
      case T_RECHOKE:
        this.rechoke(peer, st);
        this.port.setTimer(peer, this.cfg.rechokeMs, T_RECHOKE);
        break;
      case T_ANNOUNCE:
        if (st.conns.size < this.cfg.numWant / 2 && st.haveCount < this.pieces) this.announce(peer, st);
        this.port.setTimer(peer, this.cfg.announceMs, T_ANNOUNCE);
        break;
      case T_LEAVE:
        this.port.world.leave(peer, true);
        break;
    }
  }

  // ---- tracker ------------------------------------------------------------------------------------

  private trackerRemove(peer: PeerId): void {
    const i = this.trackerIndex.get(peer);
    if (i === undefined) return;
    const last = this.trackerList.pop() as PeerId;
    if (last !== peer) {
      this.trackerList[i] = last;
      this.trackerIndex.set(last, i);
    }
    this.trackerIndex.delete(peer);
  }

  /** Announce: the tracker returns up to numWant random other peers; connect to them. */
  private announce(peer: PeerId, st: PeerState): void {
    this.onNeedPeers?.(peer);
    if (this.cfg.tracker === false) return;
    const down = this.cfg.trackerDownAtMs;
    if (down !== undefined && down !== null && this.port.now() >= down) return;
    this.trackerAnnounces++;
    const list = this.trackerList;
    const want = this.cfg.numWant;
    const picked: PeerId[] = [];
    if (list.length <= want + 1) {
      for (const q of list) if (q !== peer) picked.push(q);
    } else {
      const seen = new Set<PeerId>();
      let tries = 0;
      while (picked.length < want && tries < want * 4) {
        tries++;
        const q = list[this.rng.int(list.length)] as PeerId;
        if (q === peer || seen.has(q)) continue;
        seen.add(q);
        picked.push(q);
      }
    }
    if (!this.trackerIndex.has(peer)) {
      this.trackerIndex.set(peer, list.length);
      list.push(peer);
    }
    this.dial(peer, st, picked);
  }

  private dial(peer: PeerId, st: PeerState, picked: readonly PeerId[]): number {
    let n = 0;
    for (const q of picked) {
      if (st.conns.size >= this.cfg.maxConnections) break;
      if (st.conns.has(q) || st.banned?.has(q) === true) continue;
      // a seed does not dial seeds, a done peer neither
      const c = new Conn(q, this.nextCid++, st.rows.alloc(), st.rows);
      st.conns.set(q, c);
      this.send(peer, st, c, HANDSHAKE, this.cfg.infoToken, 0, 0, null, 68);
      this.sendBitfield(peer, st, c);
      n++;
    }
    return n;
  }

  /**
   * Dials peers learned elsewhere (a DHT lookup): the same as the tracker's answer, up to
   * `maxConnections`. A peer id outside the world, ourselves, or an offline peer (a refused TCP
   * connect, seen at once) is skipped. Returns how many dials went out.
   */
  connectTo(peer: PeerId, remotes: readonly PeerId[]): number {
    const st = this.peers[peer];
    if (!st || this.port.world.alive[peer] !== 1) return 0;
    const ok: PeerId[] = [];
    for (const q of remotes) {
      if (!(Number.isInteger(q) && q >= 0 && q < this.port.world.size) || q === peer) continue;
      if (this.port.world.alive[q] !== 1) {
        if (!st.conns.has(q)) this.dialsRefused++;
        continue;
      }
      ok.push(q);
    }
    return this.dial(peer, st, ok);
  }

  // ---- remote-have bitsets ------------------------------------------------------------------------

  /** Whether the remote of `c` told `st` it has piece `p`. */
  private remoteHas(st: PeerState, c: Conn, p: number): boolean {
    return c.slot >= 0 && ((((st.rows.bits[c.slot * this.words + (p >>> 5)] as number) >>> (p & 31)) & 1) === 1);
  }

  /** Releases a dropped connection's row, taking its pieces out of the availability counts. */
  private freeRow(st: PeerState, c: Conn): void {
    if (c.slot < 0) return;
    const bits = st.rows.bits, avail = st.avail, base = c.slot * this.words;
    for (let w = 0; w < this.words; w++) {
      let x = bits[base + w] as number;
      while (x !== 0) {
        const low = x & -x;
        const p = w * 32 + 31 - Math.clz32(low);
        avail[p] = (avail[p] as number) - 1;
        x ^= low;
      }
    }
    st.rows.free.push(c.slot);
    c.slot = -1;
  }

  // ---- sending ------------------------------------------------------------------------------------

  private send(peer: PeerId, st: PeerState, c: Conn, type: number, a: number, b: number, tok: number, bits: Uint8Array | null, bytes: number): void {
    const msg: WireMsg = { type, cid: c.cid, seq: c.sendSeq++, a, b, tok, bits };
    const up = this.port.world.net.up[peer] as number;
    if (up !== Infinity) st.upFree = Math.max(st.upFree, this.port.now()) + bytes / up;
    this.port.send(peer, c.remote, msg, bytes);
  }

  private sendBitfield(peer: PeerId, st: PeerState, c: Conn): void {
    // super-seeding hides the seed's pieces; BEP 3 lets a peer with nothing skip the bitfield, but we
    // always send one (of zeros if need be) so the receiver's state machine has one shape
    const hide = st.seed && this.isSeedAtStart(peer) && this.cfg.superSeed && !this.superSeedDone;
    // one copy of `have` per change, shared by every bitfield sent until the next piece completes
    const bits = hide || st.haveCount === 0 ? this.zeroBits : (st.bitfield ??= st.have.slice());
    this.send(peer, st, c, BITFIELD, 0, 0, 0, bits, HEADER + Math.ceil(this.pieces / 8));
  }

  // ---- receiving ----------------------------------------------------------------------------------

  onMessage(peer: PeerId, from: PeerId, msg: WireMsg): void {
    const st = this.peers[peer];
    if (!st) return;
    const c = st.conns.get(from);
    if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'number') return; // not even a frame
    if (msg.type === HANDSHAKE && msg.seq === 0) {
      if (c && c.cid === msg.cid) {
        // the reply to our own dial
        if (c.established) return this.violate(peer, st, c, 'second handshake');
        if (msg.a !== this.cfg.infoToken) return this.violate(peer, st, c, 'wrong info-hash');
        c.established = true;
        c.since = this.port.now();
        c.recvSeq = 1;
        this.onConnected?.(peer, from);
        this.drainReorder(peer, st, c);
        return;
      }
      this.acceptHandshake(peer, st, from, msg, c);
      return;
    }
    if (!c || c.cid !== msg.cid) return; // a closed or replaced connection's leftovers
    if (msg.seq !== c.recvSeq) {
      if (!(msg.seq > c.recvSeq)) return this.violate(peer, st, c, 'bad sequence');
      if (!c.reorder) c.reorder = new Map();
      if (c.reorder.size >= MAX_REORDER) return this.violate(peer, st, c, 'reorder overflow');
      c.reorder.set(msg.seq, msg);
      return;
    }
    c.recvSeq++;
    this.handle(peer, st, c, msg);
    this.drainReorder(peer, st, c);
  }

  private drainReorder(peer: PeerId, st: PeerState, c: Conn): void {
    const r = c.reorder;
    if (!r) return;
    while (r.size > 0 && st.conns.get(c.remote) === c) {
      const m = r.get(c.recvSeq);
      if (!m) break;
      r.delete(c.recvSeq);
      c.recvSeq++;
      this.handle(peer, st, c, m);
    }
    if (r.size === 0 && c.reorder === r) c.reorder = null;
  }

  private acceptHandshake(peer: PeerId, st: PeerState, from: PeerId, msg: WireMsg, existing: Conn | undefined): void {
    if (msg.a !== this.cfg.infoToken || st.banned?.has(from) === true) {
      this.refuse(from, msg.cid);
      return;
    }
    if (existing) {
      // simultaneous dials: keep the connection the lower id opened
      if (existing.established || peer < from) return; // the remote will drop its dial on our handshake
      this.dropConn(peer, st, existing);
    } else if (st.conns.size >= this.cfg.maxConnections + 5) {
      this.refuse(from, msg.cid);
      return;
    }
    const c = new Conn(from, msg.cid, st.rows.alloc(), st.rows);
    c.established = true;
    c.since = this.port.now();
    c.recvSeq = 1;
    st.conns.set(from, c);
    this.send(peer, st, c, HANDSHAKE, this.cfg.infoToken, 0, 0, null, 68);
    this.sendBitfield(peer, st, c);
    this.onConnected?.(peer, from);
  }

  /** TCP refusal: the dialer's half-open connection closes (seen at once; a RST is tiny). */
  private refuse(dialer: PeerId, cid: number): void {
    const st = this.peers[dialer];
    if (!st || this.port.world.alive[dialer] !== 1) return;
    const c = [...st.conns.values()].find((x) => x.cid === cid);
    if (c) this.dropConn(dialer, st, c);
  }

  private violate(peer: PeerId, st: PeerState, c: Conn, reason: string): void {
    this.stats.violations++;
    this.stats.violationReasons[reason] = (this.stats.violationReasons[reason] ?? 0) + 1;
    if (this.port.observed) this.port.emit('violation', peer, { from: c.remote, reason });
    this.close(peer, c, reason);
  }

  /** Closes a connection on both ends (the remote sees the TCP close). */
  close(peer: PeerId, c: Conn, _reason: string | null): void {
    const st = this.peers[peer];
    if (st && st.conns.get(c.remote) === c) this.dropConn(peer, st, c);
    const rs = this.peers[c.remote];
    const rc = rs?.conns.get(peer);
    if (rs && rc && rc.cid === c.cid) this.dropConn(c.remote, rs, rc);
  }

  /** Forget one side of a connection: undo its availability and outstanding requests. */
  private dropConn(peer: PeerId, st: PeerState, c: Conn): void {
    st.conns.delete(c.remote);
    const wasUnchoked = !c.amChoking;
    this.releaseRequests(st, c);
    this.freeRow(st, c); // from here on `c` has no row: only its identity and queues remain
    c.inq = NONE;
    if (st.optimistic === c) st.optimistic = null;
    if (wasUnchoked) this.fillSlots(peer, st);
    // lost a request source: others may take over
    if (!st.seed && st.conns.size > 0) this.refillAll(peer, st);
  }

  private releaseRequests(st: PeerState, c: Conn): void {
    for (let i = 0, n = c.outLength; i < n; i++) {
      const id = c.outAt(i);
      const v = st.blk[id] as number;
      if (v !== RECEIVED && v > 0) st.blk[id] = v - 1;
    }
    c.outClear();
  }

  private handle(peer: PeerId, st: PeerState, c: Conn, m: WireMsg): void {
    const P = this.pieces;
    const validPiece = Number.isInteger(m.a) && m.a >= 0 && m.a < P;
    if (!c.established) return this.violate(peer, st, c, 'message before handshake');
    switch (m.type) {
      case BITFIELD: {
        if (m.seq !== 1) return this.violate(peer, st, c, 'late bitfield');
        const bits = m.bits;
        if (!(bits instanceof Uint8Array) || bits.length !== P) return this.violate(peer, st, c, 'bitfield length');
        for (let p = 0; p < P; p++) {
          const v = bits[p] as number;
          if (v > 1) return this.violate(peer, st, c, 'bitfield value');
        }
        for (let p = 0; p < P; p++) if (bits[p] === 1) this.remoteGained(st, c, p);
        this.updateInterest(peer, st, c);
        if (st.seed && this.isSeedAtStart(peer) && this.cfg.superSeed && !this.superSeedDone) this.offerNext(peer, st, c);
        return;
      }
      case HAVE: {
        if (!validPiece) return this.violate(peer, st, c, 'have out of range');
        if (this.remoteHas(st, c, m.a)) return; // harmless repeat
        this.remoteGained(st, c, m.a);
        if (st.seed && this.isSeedAtStart(peer) && this.cfg.superSeed && !this.superSeedDone) {
          // BEP 16: a peer is offered a new piece only once the piece before its last one shows up
          // at another peer (it passed it on), so a peer that never uploads gets two pieces from the
          // seed, not dozens (one piece of slack keeps an honest peer's next piece coming meanwhile)
          if (c.offered < 0 || (c.offered === m.a && this.mayOfferNext(st, c))) this.offerNext(peer, st, c);
          for (const o of st.conns.values()) {
            if (o === c || o.offeredPrev !== m.a || this.superSeedDone) continue;
            o.offeredPrev = -1; // it spread
            if (o.offered >= 0 && (o.offeredSent >= this.blocksIn(o.offered) || this.remoteHas(st, o, o.offered))) this.offerNext(peer, st, o);
          }
        }
        this.updateInterest(peer, st, c);
        if (c.amInterested && !c.peerChoking) this.fill(peer, st, c);
        return;
      }
      case INTERESTED:
        c.peerInterested = true;
        this.maybeUnchokeNow(peer, st, c);
        return;
      case NOT_INTERESTED:
        c.peerInterested = false;
        // an unchoke slot held by a peer that wants nothing is wasted upload: free it now rather
        // than at the next rechoke (which, for a download of seconds, may never come)
        if (!c.amChoking) {
          this.choke(peer, st, c);
          this.fillSlots(peer, st);
        }
        return;
      case CHOKE:
        c.peerChoking = true;
        if (!st.seed && c.outLength > 0) {
          this.releaseRequests(st, c);
          this.refillAll(peer, st);
        }
        return;
      case UNCHOKE:
        c.peerChoking = false;
        if (!st.seed) this.fill(peer, st, c);
        return;
      case REQUEST: {
        const n = validPiece ? this.blocksIn(m.a) : 0;
        if (!validPiece || !Number.isInteger(m.b) || m.b < 0 || m.b >= n) return this.violate(peer, st, c, 'request out of range');
        if (st.have[m.a] !== 1) return this.violate(peer, st, c, 'request for a piece we do not have');
        if (c.amChoking) return; // a request that crossed our choke: dropped, as BEP 3 says
        if (c.inq.length >= 256) return this.violate(peer, st, c, 'too many requests');
        if (c.inq === NONE) c.inq = [];
        c.inq.push(m.a * this.blocksPerPiece + m.b);
        if (!c.inServeQueue && st.serveCur !== c) {
          c.inServeQueue = true;
          st.serveQueue.push(c);
        }
        this.serve(peer, st);
        return;
      }
      case CANCEL: {
        if (!validPiece || !Number.isInteger(m.b) || m.b < 0 || m.b >= this.blocksPerPiece) return this.violate(peer, st, c, 'cancel out of range');
        const id = m.a * this.blocksPerPiece + m.b;
        const i = c.inq.indexOf(id);
        if (i >= 0) c.inq.splice(i, 1);
        if (c.inq.length === 0) c.inq = NONE;
        return;
      }
      case PIECE:
        return this.onBlock(peer, st, c, m);
      case HANDSHAKE:
        return this.violate(peer, st, c, 'second handshake');
      default:
        return this.violate(peer, st, c, 'unknown message type');
    }
  }

  private remoteGained(st: PeerState, c: Conn, p: number): void {
    const w = c.slot * this.words + (p >>> 5);
    st.rows.bits[w] = (st.rows.bits[w] as number) | (1 << (p & 31));
    c.remoteCount++;
    st.avail[p] = (st.avail[p] as number) + 1;
    if (st.have[p] !== 1) c.wanted++;
  }

  private updateInterest(peer: PeerId, st: PeerState, c: Conn): void {
    const want = !st.seed && c.wanted > 0;
    if (want && !c.amInterested) {
      c.amInterested = true;
      this.send(peer, st, c, INTERESTED, 0, 0, 0, null, HEADER);
    } else if (!want && c.amInterested) {
      c.amInterested = false;
      this.send(peer, st, c, NOT_INTERESTED, 0, 0, 0, null, HEADER);
    }
  }

  // ---- downloading --------------------------------------------------------------------------------

  private onBlock(peer: PeerId, st: PeerState, c: Conn, m: WireMsg): void {
    const validPiece = Number.isInteger(m.a) && m.a >= 0 && m.a < this.pieces;
    if (!validPiece || !Number.isInteger(m.b) || m.b < 0 || m.b >= this.blocksIn(m.a) || typeof m.tok !== 'number')
      return this.violate(peer, st, c, 'piece out of range');
    const id = m.a * this.blocksPerPiece + m.b;
    const bytes = this.blockBytes(m.a, m.b);
    const i = c.outIndexOf(id);
    if (i < 0) {
      // not outstanding: a block we cancelled (endgame) or a request the choke released; only a block
      // we never asked this peer for at all would be a violation, and we do not keep that history
      this.stats.duplicateBytes += bytes;
      return;
    }
    c.outRemoveAt(i);
    c.recvWindow += bytes;
    c.recvTotal += bytes;
    st.downloaded += bytes;
    if (st.seed || st.blk[id] === RECEIVED || st.have[m.a] === 1) {
      this.stats.duplicateBytes += bytes;
    } else {
      st.blk[id] = RECEIVED;
      st.acc[m.a] = ((st.acc[m.a] as number) ^ hash32(m.tok >>> 0, id)) >>> 0;
      const got = (st.got[m.a] as number) + 1;
      st.got[m.a] = got;
      const who = st.contributors.get(m.a);
      if (!who) st.contributors.set(m.a, [c.remote]);
      else if (!who.includes(c.remote)) who.push(c.remote);
      if (this.cfg.endgame) this.cancelElsewhere(peer, st, c, m.a, m.b, id);
      if (got === this.blocksIn(m.a)) this.pieceDone(peer, st, m.a);
    }
    if (st.conns.get(c.remote) === c && !st.seed) this.fill(peer, st, c);
  }

  private cancelElsewhere(peer: PeerId, st: PeerState, from: Conn, piece: number, block: number, id: number): void {
    for (const o of st.conns.values()) {
      if (o === from || o.outLength === 0) continue;
      const j = o.outIndexOf(id);
      if (j >= 0) {
        o.outRemoveAt(j);
        this.send(peer, st, o, CANCEL, piece, block, 0, null, 17);
      }
    }
  }

  private pieceDone(peer: PeerId, st: PeerState, piece: number): void {
    const base = piece * this.blocksPerPiece;
    const ok = st.acc[piece] === this.pieceDigest[piece];
    st.acc[piece] = 0;
    const who = st.contributors.get(piece);
    st.contributors.delete(piece);
    st.active.delete(piece);
    const n = this.blocksIn(piece);
    if (!ok) {
      this.stats.hashFails++;
      this.stats.corruptBytes += this.pieceBytes(piece);
      st.blk.fill(0, base, base + n);
      st.got[piece] = 0;
      const senders = who ? [...who] : [];
      for (const q of senders) {
        const strikes = (st.strikes ??= new Map());
        const s = (strikes.get(q) ?? 0) + 1;
        strikes.set(q, s);
        if (senders.length === 1 || s >= this.cfg.banAfter) this.ban(peer, st, q);
      }
      // fetch it again from one peer, so a second failure names the culprit
      st.singleSource?.delete(piece);
      (st.failed ??= new Set()).add(piece);
      if (this.port.observed) this.port.emit('hashFail', peer, { piece, senders });
      this.refillAll(peer, st);
      return;
    }
    st.singleSource?.delete(piece);
    st.have[piece] = 1;
    st.haveCount++;
    st.bitfield = null;
    this.stats.piecesCompleted++;
    this.notePieceOutside(piece);
    this.onPiece?.(peer, piece);
    for (const c of st.conns.values()) {
      if (this.remoteHas(st, c, piece)) {
        // no HAVE to a peer that has the piece (libtorrent's default, "redundant haves" off): it
        // changes nothing there and is most of the message count late in a swarm
        c.wanted--;
        if (c.wanted === 0) this.updateInterest(peer, st, c);
      } else if (c.established) this.send(peer, st, c, HAVE, piece, 0, 0, null, 9);
    }
    if (st.haveCount === this.pieces) this.becomeSeed(peer, st);
  }

  private ban(peer: PeerId, st: PeerState, q: PeerId): void {
    if (st.banned?.has(q) === true) return;
    (st.banned ??= new Set()).add(q);
    this.stats.bans++;
    // whatever it sent into unfinished pieces is suspect: drop those blocks and fetch them again
    for (const p of [...st.active]) {
      const who = st.contributors.get(p);
      if (st.singleSource?.get(p) === q) st.singleSource.delete(p);
      if (!who?.includes(q)) continue;
      const base = p * this.blocksPerPiece, n = this.blocksIn(p);
      for (let b = 0; b < n; b++) if (st.blk[base + b] === RECEIVED) st.blk[base + b] = 0;
      st.got[p] = 0;
      st.acc[p] = 0;
      st.contributors.delete(p);
      // blocks still requested elsewhere keep their counts; the piece stays active so they land
      if (st.got[p] === 0 && !this.anyRequested(st, p)) st.active.delete(p);
    }
    if (this.port.observed) this.port.emit('ban', peer, { banned: q });
    const c = st.conns.get(q);
    if (c) this.close(peer, c, 'banned');
  }

  private becomeSeed(peer: PeerId, st: PeerState): void {
    st.doneAt = this.port.now();
    this.leechersDone++;
    this.completionTimes.push(st.doneAt - st.joinedAt);
    if (this.port.observed) this.port.emit('done', peer, { ms: st.doneAt - st.joinedAt });
    this.onDone?.(peer);
    for (const c of [...st.conns.values()]) {
      if (st.conns.get(c.remote) !== c) continue;
      this.releaseRequests(st, c);
      // two seeds have nothing to say to each other
      if (c.remoteCount === this.pieces) this.close(peer, c, null);
    }
    if (!this.cfg.stayAfterDone) this.port.world.leave(peer, true);
    // a new seed re-picks its unchokes at once by the seed rule (the peers furthest behind)
    else this.rechoke(peer, st, false);
  }

  /** Asks again on every unchoked connection (after requests were released). */
  private refillAll(peer: PeerId, st: PeerState): void {
    if (st.haveCount === this.pieces) return;
    for (const c of st.conns.values()) if (c.amInterested && !c.peerChoking) this.fill(peer, st, c);
  }

  /** Keeps `pipeline` requests outstanding on a connection. */
  private fill(peer: PeerId, st: PeerState, c: Conn): void {
    if (!c.amInterested || c.peerChoking || st.haveCount === this.pieces) return;
    while (c.outLength < this.cfg.pipeline) {
      const id = this.pickBlock(st, c);
      if (id < 0) break;
      st.blk[id] = (st.blk[id] as number) + 1;
      c.outPush(id);
      const piece = (id / this.blocksPerPiece) | 0;
      this.send(peer, st, c, REQUEST, piece, id - piece * this.blocksPerPiece, 0, null, 17);
    }
  }

  /** The next block to request from `c`, or -1. */
  private pickBlock(st: PeerState, c: Conn): number {
    const B = this.blocksPerPiece;
    const blk = st.blk;
    // 1. strict priority: finish pieces already started
    for (const p of st.active) {
      if (!this.remoteHas(st, c, p)) continue;
      const ss = st.singleSource?.get(p);
      if (ss !== undefined && ss !== c.remote) {
        if (st.conns.has(ss)) continue;
        (st.singleSource as Map<number, PeerId>).set(p, c.remote); // the chosen source went away: this peer takes over
      }
      const n = this.blocksIn(p);
      const base = p * B;
      for (let b = 0; b < n; b++) if (blk[base + b] === 0) return base + b;
    }
    // 2. a new piece: random first, then rarest first
    const p = this.pickPiece(st, c);
    if (p >= 0) {
      st.active.add(p);
      return p * B;
    }
    // 3. endgame: once every missing block is requested somewhere, ask this peer too
    if (this.cfg.endgame && this.inEndgame(st)) {
      for (const q of st.active) {
        if (!this.remoteHas(st, c, q)) continue;
        const n = this.blocksIn(q);
        const base = q * B;
        for (let b = 0; b < n; b++) {
          const v = blk[base + b] as number;
          if (v !== RECEIVED && v < 3 && c.outIndexOf(base + b) < 0) return base + b;
        }
      }
    }
    return -1;
  }

  private anyRequested(st: PeerState, p: number): boolean {
    const base = p * this.blocksPerPiece, n = this.blocksIn(p);
    for (let b = 0; b < n; b++) if (st.blk[base + b] !== 0) return true;
    return false;
  }

  /** True when every piece we lack is under way and none of their blocks is unrequested. */
  private inEndgame(st: PeerState): boolean {
    if (st.haveCount + st.active.size < this.pieces) return false;
    const B = this.blocksPerPiece;
    for (const p of st.active) {
      const base = p * B, n = this.blocksIn(p);
      for (let b = 0; b < n; b++) if (st.blk[base + b] === 0) return false;
    }
    return true;
  }

  private pickPiece(st: PeerState, c: Conn): number {
    const P = this.pieces;
    const have = st.have, rb = st.rows.bits, rbase = c.slot * this.words, avail = st.avail, active = st.active, got = st.got;
    const random = this.cfg.pieceSelection === 'random' || st.haveCount < this.cfg.randomFirst;
    let best = -1, bestAvail = Infinity, ties = 0;
    for (let p = 0; p < P; p++) {
      if (have[p] === 1 || (((rb[rbase + (p >>> 5)] as number) >>> (p & 31)) & 1) !== 1 || got[p] !== 0 || active.has(p)) continue;
      if (random) {
        // reservoir sampling: uniform over candidates
        ties++;
        if (this.rng.int(ties) === 0) best = p;
        continue;
      }
      const a = avail[p] as number;
      if (a < bestAvail) {
        bestAvail = a;
        best = p;
        ties = 1;
      } else if (a === bestAvail) {
        ties++;
        if (this.rng.int(ties) === 0) best = p;
      }
    }
    if (best >= 0 && st.failed?.has(best) === true) (st.singleSource ??= new Map()).set(best, c.remote);
    return best;
  }

  // ---- uploading ----------------------------------------------------------------------------------

  /**
   * Sends the next requested block when the uplink is free; one block in the network queue at most.
   * Piece by piece: the uplink stays with one connection until that piece's blocks are sent, then
   * moves on round robin. Interleaving blocks of five pieces would deliver all five five times later;
   * whole pieces first means a peer can pass each piece on (after its hash check) sooner, which is
   * what makes a flash crowd's early phase grow fast.
   */
  private serve(peer: PeerId, st: PeerState): void {
    if (st.serving) return;
    const now = this.port.now();
    const q = st.serveQueue;
    const B = this.blocksPerPiece;
    for (;;) {
      let c = st.serveCur;
      if (c && (st.conns.get(c.remote) !== c || c.amChoking || c.inq.length === 0 || ((c.inq[0] as number) / B | 0) !== st.serveCurPiece)) {
        // done with that piece (or the connection): back of the queue if it still wants more
        if (st.conns.get(c.remote) === c && !c.amChoking && c.inq.length > 0 && !c.inServeQueue) {
          c.inServeQueue = true;
          q.push(c);
        }
        c = st.serveCur = null;
      }
      if (!c) {
        while (q.length > 0) {
          const x = q.shift() as Conn;
          x.inServeQueue = false;
          if (st.conns.get(x.remote) === x && !x.amChoking && x.inq.length > 0) {
            c = x;
            break;
          }
        }
        if (!c) return;
        st.serveCur = c;
        st.serveCurPiece = ((c.inq[0] as number) / B) | 0;
      }
      if (st.upFree > now + 1e-9) {
        st.serving = true;
        this.port.setTimer(peer, st.upFree - now, T_SERVE);
        return;
      }
      const id = c.inq.shift() as number;
      if (c.inq.length === 0) c.inq = NONE;
      const piece = (id / B) | 0;
      const block = id - piece * B;
      const bytes = this.blockBytes(piece, block);
      // signed 32-bit on the wire: a small integer in V8, where a token >= 2^31 would box a double
      let tok = this.goodToken(piece, block) | 0;
      if (st.corrupt) tok ^= 0x5a5a5a5a;
      this.stats.blocksSent++;
      st.uploaded += bytes;
      c.sentWindow += bytes;
      this.send(peer, st, c, PIECE, piece, block, tok, null, 13 + bytes);
      if (piece === c.offered && ++c.offeredSent >= this.blocksIn(piece) && this.cfg.superSeed && !this.superSeedDone) {
        // super-seeding: that piece has left; offer the next unless the one before has not spread
        if (this.mayOfferNext(st, c)) this.offerNext(peer, st, c);
      }
    }
  }

  private unchoke(peer: PeerId, st: PeerState, c: Conn): void {
    if (!c.amChoking) return;
    c.amChoking = false;
    this.send(peer, st, c, UNCHOKE, 0, 0, 0, null, HEADER);
  }

  private choke(peer: PeerId, st: PeerState, c: Conn): void {
    if (c.amChoking) return;
    c.amChoking = true;
    c.inq = NONE;
    this.send(peer, st, c, CHOKE, 0, 0, 0, null, HEADER);
  }

  private unchokedCount(st: PeerState): number {
    let n = 0;
    for (const c of st.conns.values()) if (!c.amChoking) n++;
    return n;
  }

  /** An interested peer may take a free slot at once rather than wait for the next rechoke. */
  private maybeUnchokeNow(peer: PeerId, st: PeerState, c: Conn): void {
    if (st.freeRider || !c.amChoking) return;
    if (this.cfg.choking === 'none') return this.unchoke(peer, st, c);
    if (this.unchokedCount(st) < this.cfg.uploadSlots + 1) this.unchoke(peer, st, c);
  }

  /**
   * Gives free unchoke slots (a partner lost interest or left) to the best interested, choked peers
   * by the same rule as a rechoke: a leecher's freed slot goes to whoever uploaded to it most
   * recently, not to a random peer, so between rechokes a free rider gets a slot only when no peer
   * that uploaded to us wants one.
   */
  private fillSlots(peer: PeerId, st: PeerState): void {
    if (st.freeRider || this.cfg.choking === 'none') return;
    const free = this.cfg.uploadSlots + 1 - this.unchokedCount(st);
    if (free <= 0) return;
    const pool: Conn[] = [];
    for (const c of st.conns.values()) if (c.amChoking && c.peerInterested && c.established) pool.push(c);
    this.rankForUnchoke(st, pool);
    for (let i = 0; i < free && i < pool.length; i++) this.unchoke(peer, st, pool[i] as Conn);
  }

  /** Bytes `c`'s remote uploaded to us in the last one to two rechoke periods: a rolling window of
   * two buckets (the last whole period and the current one), ~20 s with the 10 s rechoke, like
   * mainline's rate estimate. */
  private recvScore(c: Conn): number {
    return c.recvRate + c.recvWindow;
  }

  private sentScore(c: Conn): number {
    return c.sentRate + c.sentWindow;
  }

  /** Orders unchoke candidates best first (random among equals): a leecher by what they uploaded to
   * it (tit-for-tat), a peer that has everything by `seedChoking`. */
  private rankForUnchoke(st: PeerState, list: Conn[]): void {
    this.rng.shuffle(list);
    if (st.haveCount < this.pieces) list.sort((x, y) => this.recvScore(y) - this.recvScore(x) || y.recvTotal - x.recvTotal);
    else if (this.cfg.seedChoking === 'fastest') list.sort((x, y) => this.sentScore(y) - this.sentScore(x));
    else list.sort((x, y) => (x.recvTotal > 0 ? 0 : 1) - (y.recvTotal > 0 ? 0 : 1) || (x.recvTotal > 0 && y.recvTotal > 0 ? x.remoteCount - y.remoteCount : 0));
  }

  /** Tit-for-tat: unchoke the best `uploadSlots` interested peers plus one optimistic unchoke. */
  private rechoke(peer: PeerId, st: PeerState, periodic = true): void {
    // the rolling window moves on one bucket: the period just ended becomes the previous one
    if (periodic) for (const c of st.conns.values()) {
      c.recvRate = c.recvWindow;
      c.sentRate = c.sentWindow;
      c.recvWindow = 0;
      c.sentWindow = 0;
    }
    if (st.freeRider) return;
    if (this.cfg.choking === 'none') {
      for (const c of st.conns.values()) if (c.peerInterested && c.established) this.unchoke(peer, st, c);
      return;
    }
    if (periodic) st.rechokes++;
    const candidates: Conn[] = [];
    for (const c of st.conns.values()) if (c.peerInterested && c.established) candidates.push(c);
    this.rankForUnchoke(st, candidates);
    const keep = new Set<Conn>(candidates.slice(0, this.cfg.uploadSlots));
    const rotate = st.rechokes % Math.max(1, Math.round(this.cfg.optimisticMs / this.cfg.rechokeMs)) === 1 || !st.optimistic;
    if (rotate || (st.optimistic && (!st.optimistic.peerInterested || keep.has(st.optimistic)))) {
      st.optimistic = this.pickOptimistic(candidates.filter((c) => !keep.has(c)));
    }
    if (st.optimistic && st.conns.get(st.optimistic.remote) === st.optimistic) keep.add(st.optimistic);
    for (const c of st.conns.values()) {
      if (keep.has(c)) this.unchoke(peer, st, c);
      else if (!c.amChoking) this.choke(peer, st, c);
    }
  }

  /**
   * The optimistic unchoke: a random interested peer outside the regular slots, where connections made
   * within the last rotation period count three times (mainline: "new connections are three times as
   * likely to start as the current optimistic unchoke"), so a newcomer that has nothing to trade yet is
   * not left waiting a whole rotation or more among peers that already trade with each other.
   */
  private pickOptimistic(pool: Conn[]): Conn | null {
    if (pool.length === 0) return null;
    const recent = this.port.now() - this.cfg.optimisticMs;
    let total = 0;
    for (const c of pool) total += c.since > recent ? 3 : 1;
    let r = this.rng.int(total);
    for (const c of pool) {
      r -= c.since > recent ? 3 : 1;
      if (r < 0) return c;
    }
    return pool[pool.length - 1] as Conn;
  }

  // ---- super-seeding ------------------------------------------------------------------------------

  /** Offers the least-handed-out piece this peer lacks (a HAVE for just that piece). */
  private offerNext(peer: PeerId, st: PeerState, c: Conn): void {
    let best = -1, bestCount = Infinity, ties = 0;
    const oc = this.offeredCount;
    let allOut = true;
    for (let p = 0; p < this.pieces; p++) {
      const n = oc[p] as number;
      if (n === 0) allOut = false;
      if (this.remoteHas(st, c, p)) continue;
      if (n < bestCount) {
        best = p;
        bestCount = n;
        ties = 1;
      } else if (n === bestCount) {
        ties++;
        if (this.rng.int(ties) === 0) best = p;
      }
    }
    if (allOut && this.haveAllBeenServed()) {
      this.endSuperSeed();
      return;
    }
    if (best < 0) return;
    c.offeredPrev = c.offered;
    c.offered = best;
    c.offeredSent = 0;
    oc[best] = (oc[best] as number) + 1;
    this.send(peer, st, c, HAVE, best, 0, 0, null, 9);
  }

  /** BEP 16's condition for a new offer to `c`: the piece before its last one is seen elsewhere. */
  private mayOfferNext(st: PeerState, c: Conn): boolean {
    const q = c.offeredPrev;
    if (q < 0) return true;
    if (!this.heldElsewhere(st, c, q)) return false;
    c.offeredPrev = -1;
    return true;
  }

  /** Whether a neighbour other than `c` has announced piece `p` to us. */
  private heldElsewhere(st: PeerState, c: Conn, p: number): boolean {
    for (const o of st.conns.values()) if (o !== c && this.remoteHas(st, o, p)) return true;
    return false;
  }

  private servedOnce: Uint8Array | null = null;

  private haveAllBeenServed(): boolean {
    // a piece counts as out once some leecher announced it (any seed's neighbour saw a HAVE)
    if (!this.servedOnce) return false;
    for (let p = 0; p < this.pieces; p++) if (this.servedOnce[p] !== 1) return false;
    return true;
  }

  /** Called when any peer completes a piece: once every piece exists outside the seeds, seeds go normal. */
  notePieceOutside(piece: number): void {
    if (this.superSeedDone) return;
    if (!this.servedOnce) this.servedOnce = new Uint8Array(this.pieces);
    this.servedOnce[piece] = 1;
  }

  private endSuperSeed(): void {
    if (this.superSeedDone) return;
    this.superSeedDone = true;
    // every seed now announces all it has
    for (let s = 0; s < this.peers.length; s++) {
      const st = this.peers[s];
      if (!st || !st.seed || this.port.world.alive[s] !== 1) continue;
      for (const c of st.conns.values()) {
        if (!c.established) continue;
        for (let p = 0; p < this.pieces; p++) if (p !== c.offered && !this.remoteHas(st, c, p)) this.send(s, st, c, HAVE, p, 0, 0, null, 9);
      }
    }
  }

  // ---- observation --------------------------------------------------------------------------------

  state(peer: PeerId): PeerState | undefined {
    return this.peers[peer];
  }

  /** Current unchoked connections (each pair once), for drawing. */
  unchokedLinks(limit: number): [PeerId, PeerId][] {
    const out: [PeerId, PeerId][] = [];
    const seen = new Set<number>();
    for (let p = 0; p < Math.min(limit, this.peers.length); p++) {
      const st = this.peers[p];
      if (!st || this.port.world.alive[p] !== 1) continue;
      for (const c of st.conns.values()) {
        if (c.amChoking || c.remote >= limit) continue;
        const key = Math.min(p, c.remote) * 16777216 + Math.max(p, c.remote);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([p, c.remote]);
      }
    }
    return out;
  }
}
