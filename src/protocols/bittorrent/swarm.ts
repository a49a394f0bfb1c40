/**
 * The BitTorrent swarm, sans-IO, in the world-level form (one object runs every peer, so 10^4 peers
 * cost objects per connection, not per event). It speaks the BEP 3 peer wire protocol's messages
 * (handshake, bitfield, have, interested/not interested, choke/unchoke, request/piece/cancel) with
 * their wire sizes, so every block crosses the network model's upload and download queues.
 *
 * `Swarm` is the shared context (context.ts) plus the world's hooks: joins, departures, timers and
 * messages. The peer logic lives in the concept folders, in the field's words:
 * - `tracker/`     hands a joining peer a random subset of the swarm (`numWant`);
 * - `connections/` TCP-like connections (per-connection state as typed-array rows), opening, refusing,
 *                  closing, violations;
 * - `wire/`        the messages, one sender and one handler per type, in-order delivery;
 * - `picker/`      strict priority, `randomFirst`, `rarestFirst`, `endgame`;
 * - `choker/`      tit-for-tat every `rechokeMs`, the `optimisticUnchoke`, `seedChoking`;
 * - `transfer/`    requests (`pipeline`), the uplink piece by piece (`serve`), hash checks, becoming a seed;
 * - `super-seed/`  BEP 16 for the initial seeds;
 * - `bans.ts`      strikes and bans after failed pieces; `content.ts` the stand-in for the file's bytes.
 */
import type { PeerId } from '../../core/index.js';
import type { Port, Protocol } from '../../sim/index.js';
import { rechoke } from './choker/choker.js';
import type { SwarmConfig } from './config.js';
import { ConnIndex } from './connections/conn-list.js';
import { ACCEPT_SLACK, close, dial } from './connections/lifecycle.js';
import { SwarmContext, T_ANNOUNCE, T_LEAVE, T_RECHOKE, T_SERVE } from './context.js';
import { SwarmPeer, PieceTables } from './swarm-peer.js';
import { Tracker } from './tracker/tracker.js';
import { serve } from './transfer/upload.js';
import type { WireMsg } from './wire/messages.js';
import { receive } from './wire/receive.js';

export class Swarm extends SwarmContext implements Protocol<WireMsg> {
  private readonly tracker = new Tracker();

  constructor(cfg: SwarmConfig) {
    super(cfg);
  }

  // ---- world hooks ---------------------------------------------------------------------------------

  attach(port: Port<WireMsg>): void {
    this.port = port;
    this.rng = port.rng;
    this.peers.length = port.world.size;
    this.tables = new PieceTables(port.world.size, this.pieces, this.totalBlocks, this.words);
    this.connIndex = new ConnIndex(port.world.size, this.cfg.maxConnections + ACCEPT_SLACK, this.rows);
  }

  onJoin(peer: PeerId): void {
    const seed = this.isSeedAtStart(peer) || (this.peers[peer]?.doneAt ?? -1) >= 0;
    const prev = this.peers[peer];
    const st = new SwarmPeer(peer, this.connIndex, this.pieces, this.totalBlocks, seed, !seed && this.cfg.isFreeRider(peer), !seed && this.cfg.isCorrupt(peer));
    this.resetPieces(st, seed);
    if (prev && prev.doneAt >= 0) st.doneAt = prev.doneAt;
    st.joinedAt = this.port.now();
    if (seed) st.haveCount = this.pieces;
    else if (!prev) this.leechersStarted++;
    this.peers[peer] = st;
    if (seed && this.isSeedAtStart(peer) && this.cfg.seedLeaveMs !== null) this.port.setTimer(peer, this.cfg.seedLeaveMs, T_LEAVE);
    this.announce(peer, st);
    this.port.setTimer(peer, this.cfg.rechokeMs * (0.5 + this.rng.float()), T_RECHOKE);
    this.port.setTimer(peer, this.cfg.announceMs, T_ANNOUNCE);
  }

  onLeave(peer: PeerId): void {
    const st = this.peers[peer];
    if (!st) return;
    for (const c of [...st.conns.values()]) close(this, peer, c);
    st.releaseRows(this.rows);
    this.tracker.remove(peer);
    // keep the record (completion time, counters) but drop the big arrays' owner from the swarm
  }

  onTimer(peer: PeerId, tag: number): void {
    const st = this.peers[peer];
    if (!st) return;
    switch (tag) {
      case T_SERVE:
        st.serving = false;
        serve(this, peer, st);
        break;
      case T_RECHOKE:
        rechoke(this, peer, st);
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

  onMessage(peer: PeerId, from: PeerId, msg: WireMsg): void {
    receive(this, peer, from, msg);
  }

  /** A (re)joining peer starts with every piece (a seed) or none: what it had before is gone. */
  private resetPieces(st: SwarmPeer, seed: boolean): void {
    const t = this.tables, P = this.pieces, pb = st.pieceBase;
    for (let i = pb; i < pb + P; i++) {
      t.ha[2 * i] = 0;
      t.ha[2 * i + 1] = seed ? 1 : 0;
    }
    t.got.fill(0, pb, pb + P);
    t.acc.fill(0, pb, pb + P);
    t.started.fill(0, pb, pb + P);
    t.firstSender.fill(-1, pb, pb + P);
    t.blk.fill(0, st.blockBase, st.blockBase + this.totalBlocks);
    for (let p = 0; p < P; p++) t.refresh(st.id, p);
  }

  /** Whether `peer` has verified `piece`. */
  hasPiece(peer: PeerId, piece: number): boolean {
    return this.tables.ha[2 * (peer * this.pieces + piece) + 1] === 1;
  }

  /** Copies of `piece` among `peer`'s connected neighbours. */
  availability(peer: PeerId, piece: number): number {
    return this.tables.ha[2 * (peer * this.pieces + piece)]!;
  }

  // ---- finding peers -------------------------------------------------------------------------------

  /** Announce: the tracker returns up to numWant random other peers; connect to them. */
  private announce(peer: PeerId, st: SwarmPeer): void {
    this.onNeedPeers?.(peer);
    if (this.cfg.tracker === false) return;
    const down = this.cfg.trackerDownAtMs;
    if (down !== undefined && down !== null && this.port.now() >= down) return;
    this.trackerAnnounces++;
    dial(this, peer, st, this.tracker.announce(peer, this.cfg.numWant, this.rng));
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
    return dial(this, peer, st, ok);
  }

  // ---- observation ---------------------------------------------------------------------------------

  state(peer: PeerId): SwarmPeer | undefined {
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
