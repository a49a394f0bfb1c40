/**
 * What every part of the swarm shares: the configuration, the content's geometry, each peer's state,
 * the counters, the observers' hooks and the port to the world. The parts (tracker, connections, wire,
 * picker, choker, transfer, super-seed, bans) are functions of this context; `Swarm` is the context
 * plus the world's hooks.
 */
import type { PeerId, Rng } from '../../core/index.js';
import type { Port } from '../../sim/index.js';
import type { SwarmConfig } from './config.js';
import { Content } from './content.js';
import type { Conn } from './connections/conn.js';
import type { ConnIndex } from './connections/conn-list.js';
import { I_BITS, I_PEER_ROW, Rows } from './connections/rows.js';
import { PieceTables, type SwarmPeer } from './swarm-peer.js';
import { SwarmTallies } from './tallies.js';
import { Msg, type WireMsg } from './wire/messages.js';

export type { SwarmStats } from './tallies.js';

/** Timer tags. */
export const T_SERVE = 1, T_RECHOKE = 2, T_ANNOUNCE = 3, T_LEAVE = 4;

/** The initial seeds' super-seeding (BEP 16), shared by all of them. */
export interface SuperSeedState {
  /** How often each piece was handed out by seeds. */
  readonly offeredCount: Uint32Array;
  /** Every piece exists outside the seeds: seeds announce everything and serve as usual. */
  done: boolean;
  /** Pieces some leecher completed (null until the first). */
  servedOnce: Uint8Array | null;
}

export class SwarmContext extends SwarmTallies {
  readonly name = 'bittorrent';
  readonly cfg: SwarmConfig;
  readonly content: Content;
  readonly pieces: number;
  readonly blocksPerPiece: number;
  readonly totalBlocks: number;
  /** 32-bit words per remote-have bitset row. */
  readonly words: number;
  readonly peers: (SwarmPeer | undefined)[] = [];
  readonly superSeed: SuperSeedState;
  /** Every connection's row. */
  readonly rows: Rows;
  /** Every peer's pieces and blocks (made when the swarm joins its world). */
  tables!: PieceTables;
  /** Every peer's connections by remote (made with the tables). */
  connIndex!: ConnIndex;
  port!: Port<WireMsg>;
  rng!: Rng;
  /** The next connection id. */
  nextCid = 1;
  /** The all-zero bitfield every peer with nothing to show sends (messages are never mutated). */
  readonly zeroBits: Uint8Array;
  /** Delivered messages, ready for reuse by `send`. */
  private readonly spare: Msg[] = [];
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
    super();
    this.cfg = cfg;
    this.content = new Content(cfg.fileSize, cfg.pieceLength, cfg.blockSize, cfg.infoToken);
    this.pieces = this.content.pieces;
    this.blocksPerPiece = this.content.blocksPerPiece;
    this.totalBlocks = this.content.totalBlocks;
    this.words = this.content.words;
    this.zeroBits = new Uint8Array(this.pieces);
    this.superSeed = { offeredCount: new Uint32Array(this.pieces), done: false, servedOnce: null };
    this.rows = new Rows(this.words, cfg.pipeline, 64);
  }

  isSeedAtStart(peer: PeerId): boolean {
    return peer < this.cfg.seeds;
  }

  /** Whether the initial seed `peer` (state `st`) is super-seeding now. */
  superSeeding(peer: PeerId, st: SwarmPeer): boolean {
    return st.seed && this.isSeedAtStart(peer) && this.cfg.superSeed && !this.superSeed.done;
  }

  /** Whether the remote of `c` told `st` it has piece `p`. */
  remoteHas(_st: SwarmPeer, c: Conn, p: number): boolean {
    const rows = this.rows;
    return c.slot >= 0 && (((rows.bits[c.slot * rows.stride + I_BITS + (p >>> 5)]! >>> (p & 31)) & 1) === 1);
  }

  /** `msg` was delivered and handled, and nothing holds it: a later `send` may reuse it. Messages not
   * made by `send` (a test's, a hostile peer's) are left alone. */
  recycle(msg: WireMsg): void {
    if (msg instanceof Msg) this.spare.push(msg);
  }

  /** Puts one message on the wire: the next sequence number of `c`, and `bytes` of the peer's uplink. */
  send(peer: PeerId, st: SwarmPeer, c: Conn, type: number, a: number, b: number, tok: number, bits: Uint8Array | null, bytes: number): void {
    const rows = this.rows, port = c.slot >= 0 ? rows.i32[c.slot * rows.stride + I_PEER_ROW]! : -1;
    let msg = this.spare.pop();
    if (msg === undefined) msg = new Msg(type, c.cid, c.sendSeq++, a, b, tok, bits, port);
    else {
      msg.type = type;
      msg.cid = c.cid;
      msg.seq = c.sendSeq++;
      msg.a = a;
      msg.b = b;
      msg.tok = tok;
      msg.bits = bits;
      msg.port = port;
    }
    const up = this.port.world.net.up[peer]!;
    if (up !== Infinity) st.upFree = Math.max(st.upFree, this.port.now()) + bytes / up;
    this.port.send(peer, c.remote, msg, bytes);
  }
}
