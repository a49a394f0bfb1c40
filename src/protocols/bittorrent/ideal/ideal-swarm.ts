/**
 * The ideal schedule (`protocol.scheduler: ideal`): the baseline a swarm's rules are measured against.
 * One omniscient scheduler decides every transfer, as in the proof of the Kumar-Ross lower bound
 * (Kumar & Ross 2006) and Mundinger's optimal schedules: whenever a peer's uplink is free it sends one
 * block to a peer that lacks it, so no uplink idles while it holds anything someone lacks, and every
 * peer's download keeps pace with the others'. No requests, no choking, no hash-check wait: a block can
 * be passed on the moment it arrives. Only the blocks themselves (with a piece message's 13-byte
 * header) cross the network model's upload and download queues, so latency and bandwidth apply to the
 * ideal as to the swarm.
 *
 * The rules, each for a reason the bound's proof gives:
 * - the initial seeds hand out every block once before any block twice (their upload is the only
 *   source of new content, F/u_s of the bound);
 * - the receiver is the peer with the fewest blocks held or on the way (ties: the one that reached
 *   that count first), so every download advances together and the last ones finish together — the
 *   bound's N·F/(u_s + Σu) term assumes exactly that — skipping peers whose downlink is backed up;
 * - the block is the rarest (fewest copies held or on the way) among those the sender has and the
 *   receiver lacks, sampled from a random place in the bitset, so every peer keeps holding something
 *   the others need and its uplink stays busy.
 * A block lost by the network (loss, a partition) is owed to its receiver no more once it is overdue
 * (`LOST_MS` plus four transfer times), so it is sent again; one sent to a peer that left went with it.
 */
import type { PeerId } from '../../../core/index.js';
import type { Port, Protocol } from '../../../sim/index.js';
import { SwarmTallies } from '../tallies.js';
import { Buckets } from './buckets.js';

/** A block on the wire: its index and the receiver's incarnation when it was sent. */
export interface IdealMsg {
  readonly block: number;
  readonly inc: number;
}

export interface IdealConfig {
  fileSize: number;
  pieceLength: number;
  /** The unit of transfer: a block can be passed on once it arrived. */
  blockSize: number;
  /** Peers 0..seeds-1 start with the whole file. */
  seeds: number;
  seedLeaveMs: number | null;
  stayAfterDone: boolean;
  isFreeRider: (peer: PeerId) => boolean;
}

/** A piece message's header (length, id, index, begin). */
const PIECE_HEADER = 13;
/** Receivers examined per decision before the sender waits. */
const SCAN = 48;
/** Candidate blocks examined per decision (rarest among them). */
const SAMPLE = 32;
/** A block not arrived this long (plus four times its transfer time) after it was sent is taken as lost. */
const LOST_MS = 2000;
/** Longest a receiver's downlink may be booked ahead before it is skipped. */
const BACKLOG_MS = 250;
/** Longest an idle sender waits before looking again. */
const MAX_IDLE_MS = 500;
const T_SERVE = 1, T_LEAVE = 2;

/** One peer's record: what the measures and the dashboard read (the fields of a swarm peer). */
export class IdealPeer {
  /** Pieces whose every block arrived. */
  haveCount = 0;
  /** Blocks arrived. */
  blocks = 0;
  uploaded = 0;
  downloaded = 0;
  joinedAt = 0;
  doneAt = -1;
  busy = false;
  idleMs = 0;
  constructor(readonly seed: boolean, readonly freeRider: boolean) {}
}

export class IdealSwarm extends SwarmTallies implements Protocol<IdealMsg> {
  readonly name = 'bittorrent';
  readonly pieces: number;
  /** Blocks in the file (the unit of transfer). */
  readonly blocks: number;
  readonly words: number;
  readonly peers: (IdealPeer | undefined)[] = [];
  /** Bytes of each block, and its piece. */
  private readonly blockBytes: Uint32Array;
  private readonly pieceOf: Uint32Array;
  /** Blocks per piece (the last piece may have fewer). */
  private readonly blocksInPiece: Uint32Array;
  /** Copies of each block held or on the way, initial seeds not counted. */
  private readonly copies: Uint32Array;
  /** The initial seeds' order of first hand-outs (a random permutation) and how far it got. */
  private fresh!: Uint32Array;
  private freshAt = 0;
  private port!: Port<IdealMsg>;
  /** Per peer, a bitset of blocks held, and one of blocks held or on the way. */
  private have!: Uint32Array;
  private owed!: Uint32Array;
  /** Per peer: blocks held or on the way, and its incarnation (joins so far). */
  private owedCount!: Int32Array;
  private inc!: Int32Array;
  /** Per peer: until when its downlink is booked by blocks sent to it (ms). */
  private downBusy!: Float64Array;
  /** Uploaders with nothing to do because nobody wants anything (woken by the next join). */
  private readonly sleeping: PeerId[] = [];
  /** Per peer and piece: blocks arrived. */
  private got!: Uint16Array;
  /** Peers still missing blocks, fewest held or on the way first. */
  private wanting!: Buckets;
  /** Blocks on the way, oldest first: receiver, block, receiver's incarnation, sender, when it is overdue. */
  private ring = new Float64Array(5 * 1024);
  private ringHead = 0;
  private ringLen = 0;

  constructor(readonly cfg: IdealConfig) {
    super();
    const pieces = Math.ceil(cfg.fileSize / cfg.pieceLength);
    if (pieces > 65535) throw new RangeError('ideal scheduler: more than 65535 pieces');
    const perPiece = Math.ceil(cfg.pieceLength / cfg.blockSize);
    const bytes: number[] = [], pieceOf: number[] = [];
    this.blocksInPiece = new Uint32Array(pieces);
    for (let p = 0; p < pieces; p++) {
      const pb = p === pieces - 1 ? cfg.fileSize - p * cfg.pieceLength : cfg.pieceLength;
      for (let b = 0; b < perPiece && b * cfg.blockSize < pb; b++) {
        bytes.push(Math.min(cfg.blockSize, pb - b * cfg.blockSize));
        pieceOf.push(p);
        this.blocksInPiece[p] = this.blocksInPiece[p]! + 1;
      }
    }
    this.pieces = pieces;
    this.blocks = bytes.length;
    this.words = (this.blocks + 31) >>> 5;
    this.blockBytes = Uint32Array.from(bytes);
    this.pieceOf = Uint32Array.from(pieceOf);
    this.copies = new Uint32Array(this.blocks);
  }

  attach(port: Port<IdealMsg>): void {
    this.port = port;
    const n = port.world.size, w = this.words;
    this.peers.length = n;
    this.have = new Uint32Array(n * w);
    this.owed = new Uint32Array(n * w);
    this.owedCount = new Int32Array(n);
    this.inc = new Int32Array(n);
    this.downBusy = new Float64Array(n);
    this.got = new Uint16Array(n * this.pieces);
    this.wanting = new Buckets(n, this.blocks);
    const fresh = (this.fresh = new Uint32Array(this.blocks));
    for (let i = 0; i < fresh.length; i++) fresh[i] = i;
    for (let i = fresh.length - 1; i > 0; i--) {
      const j = port.rng.int(i + 1);
      const t = fresh[i]!;
      fresh[i] = fresh[j]!;
      fresh[j] = t;
    }
  }

  isSeedAtStart(peer: PeerId): boolean {
    return peer < this.cfg.seeds;
  }

  state(peer: PeerId): IdealPeer | undefined {
    return this.peers[peer];
  }

  hasPiece(peer: PeerId, piece: number): boolean {
    const st = this.peers[peer];
    return st !== undefined && (st.seed || this.got[peer * this.pieces + piece] === this.blocksInPiece[piece]);
  }

  // ---- world hooks ---------------------------------------------------------------------------------

  onJoin(peer: PeerId): void {
    const prev = this.peers[peer];
    const seed = this.isSeedAtStart(peer) || (prev?.doneAt ?? -1) >= 0;
    const st = new IdealPeer(seed, !seed && this.cfg.isFreeRider(peer));
    if (prev && prev.doneAt >= 0) st.doneAt = prev.doneAt;
    else if (!prev && !seed) this.leechersStarted++;
    st.joinedAt = this.port.now();
    this.peers[peer] = st;
    this.inc[peer] = this.inc[peer]! + 1;
    const w = this.words, base = peer * w;
    this.got.fill(0, peer * this.pieces, (peer + 1) * this.pieces);
    if (seed) {
      this.have.fill(~0, base, base + w);
      this.owed.fill(~0, base, base + w);
      const tail = this.blocks & 31;
      if (tail !== 0) this.have[base + w - 1] = this.owed[base + w - 1] = (1 << tail) - 1;
      st.haveCount = this.pieces;
      st.blocks = this.blocks;
      this.owedCount[peer] = this.blocks;
      if (!this.isSeedAtStart(peer)) this.addCopies(peer, 1);
    } else {
      this.have.fill(0, base, base + w);
      this.owed.fill(0, base, base + w);
      this.owedCount[peer] = 0;
      this.wanting.insert(peer, 0);
      this.wakeSleepers();
    }
    if (seed && this.isSeedAtStart(peer) && this.cfg.seedLeaveMs !== null) this.port.setTimer(peer, this.cfg.seedLeaveMs, T_LEAVE);
    this.wake(peer);
  }

  onLeave(peer: PeerId): void {
    const st = this.peers[peer];
    if (!st) return;
    this.wanting.remove(peer);
    // what it held or was owed leaves with it (owed blocks still on the wire are dropped on arrival)
    if (!this.isSeedAtStart(peer)) this.addCopies(peer, -1);
    st.busy = false;
  }

  onTimer(peer: PeerId, tag: number): void {
    const st = this.peers[peer];
    if (!st) return;
    if (tag === T_LEAVE) this.port.world.leave(peer, true);
    else if (tag === T_SERVE) {
      st.busy = false;
      this.serve(peer, st);
    }
  }

  onMessage(peer: PeerId, from: PeerId, msg: IdealMsg): void {
    const st = this.peers[peer];
    if (!st || msg.inc !== this.inc[peer]) return;
    const b = msg.block, i = peer * this.words + (b >>> 5), bit = 1 << (b & 31);
    const bytes = this.blockBytes[b]! + PIECE_HEADER;
    this.peers[from]!.uploaded += bytes - PIECE_HEADER;
    if ((this.have[i]! & bit) !== 0) {
      // sent again after it was taken as lost, and both copies came
      this.stats.duplicateBytes += bytes - PIECE_HEADER;
      return;
    }
    if ((this.owed[i]! & bit) === 0) this.owe(peer, b); // taken as lost, then came after all
    this.have[i]! |= bit;
    st.blocks++;
    st.downloaded += bytes - PIECE_HEADER;
    this.stats.blocksSent++;
    const piece = this.pieceOf[b]!, gi = peer * this.pieces + piece;
    if (++this.got[gi]! === this.blocksInPiece[piece]) {
      st.haveCount++;
      this.stats.piecesCompleted++;
      this.onPiece?.(peer, piece);
    }
    if (st.blocks === this.blocks) this.finish(peer, st);
    else if (!st.busy) this.wake(peer);
  }

  // ---- scheduling ----------------------------------------------------------------------------------

  /** Serves now if the peer uploads and its uplink is free. */
  private wake(peer: PeerId): void {
    const st = this.peers[peer]!;
    st.idleMs = 0;
    if (!st.busy && !st.freeRider) this.serve(peer, st);
  }

  /** Sends the uplink's next block, or waits (less and less often) until something changes. */
  private serve(u: PeerId, st: IdealPeer): void {
    if (st.freeRider || st.blocks === 0 || this.port.world.alive[u] !== 1) return; // a first block wakes it
    this.reclaimLost();
    const now = this.port.now();
    const net = this.port.world.net, downBusy = this.downBusy;
    const fromInitial = this.isSeedAtStart(u);
    let r = this.wanting.firstFrom(0), examined = 0;
    while (r !== -1 && examined < SCAN) {
      examined++;
      if (r !== u && downBusy[r]! - now <= BACKLOG_MS) {
        const b = fromInitial ? this.freshBlock(u, r) : this.rarestBlock(u, r);
        if (b >= 0) {
          this.owe(r, b);
          const bytes = this.blockBytes[b]! + PIECE_HEADER;
          this.pushRing(r, b, u, now + LOST_MS + 4 * (bytes / net.up[u]! + bytes / net.down[r]!));
          this.port.send(u, r, { block: b, inc: this.inc[r]! }, bytes);
          downBusy[r] = Math.max(downBusy[r]!, now) + bytes / net.down[r]!;
          st.busy = true;
          st.idleMs = 0;
          // the uplink is free again once this block is out: one block at a time keeps every choice fresh
          this.port.setTimer(u, bytes / net.up[u]!, T_SERVE);
          return;
        }
      }
      const nx = this.wanting.next[r]!;
      r = nx !== -1 ? nx : this.wanting.firstFrom(this.wanting.key[r]! + 1);
    }
    if (this.wanting.firstFrom(0) === -1 && this.ringLen === 0) {
      this.sleeping.push(u); // nobody wants anything, nothing can be lost: the next join wakes it
      return;
    }
    // nothing to send now: look again after a block's time, then less often
    st.idleMs = Math.min(MAX_IDLE_MS, Math.max(10, st.idleMs * 2));
    st.busy = true;
    this.port.setTimer(u, st.idleMs, T_SERVE);
  }

  /** An initial seed's block for `r`: the next never handed out, else the rarest. */
  private freshBlock(u: PeerId, r: PeerId): number {
    const fresh = this.fresh;
    while (this.freshAt < fresh.length && this.copies[fresh[this.freshAt]!]! > 0) this.freshAt++;
    if (this.freshAt < fresh.length) return fresh[this.freshAt]!;
    return this.rarestBlock(u, r);
  }

  /** The rarest of up to SAMPLE blocks `u` has and `r` neither has nor is owed, from a random word on; -1 if none. */
  private rarestBlock(u: PeerId, r: PeerId): number {
    const w = this.words, ub = u * w, rb = r * w, have = this.have, owed = this.owed, copies = this.copies;
    let best = -1, bestCopies = Infinity, seen = 0;
    const start = this.port.rng.int(w);
    for (let k = 0; k < w && seen < SAMPLE; k++) {
      let wi = start + k;
      if (wi >= w) wi -= w;
      let d = have[ub + wi]! & ~owed[rb + wi]!;
      while (d !== 0 && seen < SAMPLE) {
        const bit = 31 - Math.clz32(d & -d);
        d &= d - 1;
        const b = (wi << 5) | bit;
        seen++;
        const c = copies[b]!;
        if (c < bestCopies) {
          bestCopies = c;
          best = b;
        }
      }
    }
    return best;
  }

  /** `peer` holds or is owed `b`. */
  private owe(peer: PeerId, b: number): void {
    this.owed[peer * this.words + (b >>> 5)]! |= 1 << (b & 31);
    this.copies[b] = this.copies[b]! + 1;
    const n = ++this.owedCount[peer]!;
    this.wanting.remove(peer);
    if (n < this.blocks) this.wanting.insert(peer, n);
  }

  /** Adds `sign` to the copies of every block `peer` holds or is owed. */
  private addCopies(peer: PeerId, sign: 1 | -1): void {
    const w = this.words, base = peer * w, owed = this.owed, copies = this.copies;
    for (let wi = 0; wi < w; wi++) {
      let d = owed[base + wi]!;
      while (d !== 0) {
        const b = (wi << 5) | (31 - Math.clz32(d & -d));
        d &= d - 1;
        copies[b] = copies[b]! + sign;
      }
    }
  }

  private finish(peer: PeerId, st: IdealPeer): void {
    const now = this.port.now();
    st.doneAt = now;
    this.leechersDone++;
    this.completionTimes.push(now - st.joinedAt);
    if (this.port.observed) this.port.emit('done', peer, { ms: now - st.joinedAt });
    this.onDone?.(peer);
    if (!this.cfg.stayAfterDone) this.port.world.leave(peer, true);
    else if (!st.busy) this.wake(peer);
  }

  // ---- blocks on the way ---------------------------------------------------------------------------

  private pushRing(r: PeerId, b: number, u: PeerId, overdue: number): void {
    if (this.ringLen * 5 === this.ring.length) {
      const bigger = new Float64Array(this.ring.length * 2);
      for (let i = 0; i < this.ringLen; i++) bigger.set(this.ring.subarray(this.slot(i), this.slot(i) + 5), i * 5);
      this.ring = bigger;
      this.ringHead = 0;
    }
    const s = this.slot(this.ringLen++);
    const ring = this.ring;
    ring[s] = r;
    ring[s + 1] = b;
    ring[s + 2] = this.inc[r]!;
    ring[s + 3] = u;
    ring[s + 4] = overdue;
  }

  private slot(i: number): number {
    return ((this.ringHead + i) % (this.ring.length / 5)) * 5;
  }

  /**
   * Drops the records of blocks that arrived (or whose receiver left), oldest first, and gives back
   * those overdue: the receiver is owed them no more.
   */
  private reclaimLost(): void {
    const now = this.port.now(), ring = this.ring, cap = ring.length / 5;
    while (this.ringLen > 0) {
      const s = this.ringHead * 5;
      const r = ring[s]!, b = ring[s + 1]!, inc = ring[s + 2]!;
      // a receiver that left or came back took its owed blocks' copies with it (onLeave)
      const arrived = inc !== this.inc[r] || this.port.world.alive[r] !== 1 || (this.have[r * this.words + (b >>> 5)]! & (1 << (b & 31))) !== 0;
      if (!arrived) {
        if (now < ring[s + 4]!) return;
        this.unowe(r, b);
      }
      this.ringHead = (this.ringHead + 1) % cap;
      this.ringLen--;
    }
  }

  private unowe(peer: PeerId, b: number): void {
    this.owed[peer * this.words + (b >>> 5)]! &= ~(1 << (b & 31));
    this.copies[b] = this.copies[b]! - 1;
    const n = --this.owedCount[peer]!;
    this.wanting.remove(peer);
    this.wanting.insert(peer, n);
    this.wakeSleepers();
  }

  /** Someone wants a block again (a join, a lost block): the uploaders that had nothing to do look again. */
  private wakeSleepers(): void {
    if (this.sleeping.length === 0) return;
    // by timer, not at once: this runs inside another peer's choice
    for (const q of this.sleeping.splice(0)) {
      const st = this.peers[q];
      if (!st || st.busy || this.port.world.alive[q] !== 1) continue;
      st.busy = true;
      st.idleMs = 0;
      this.port.setTimer(q, 0, T_SERVE);
    }
  }

  /** Transfers under way (sender, receiver), each pair once, among peers below `limit`: for drawing. */
  unchokedLinks(limit: number): [PeerId, PeerId][] {
    const out: [PeerId, PeerId][] = [];
    const seen = new Set<number>();
    for (let i = 0; i < this.ringLen; i++) {
      const s = this.slot(i);
      const r = this.ring[s]!, b = this.ring[s + 1]!, u = this.ring[s + 3]!;
      if (r >= limit || u >= limit || (this.have[r * this.words + (b >>> 5)]! & (1 << (b & 31))) !== 0) continue;
      const key = Math.min(u, r) * 16777216 + Math.max(u, r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push([u, r]);
    }
    return out;
  }
}
