/**
 * One peer's DHT side of a trackerless torrent (BEP 5), in the per-peer sans-IO form: a Kademlia node
 * (routing table, join, FIND_NODE) plus `get_peers` / `announce_peer` with write tokens, a bounded
 * store of announced peers that lapses, the periodic re-announce, and piece discovery (publishing
 * under and looking up piece-group keys). It never touches the swarm directly: it talks to it
 * through a `TorrentLink` (dial these peers; which piece groups are rare here), so the same object
 * could run over real channels beside a real BitTorrent client.
 *
 * Peers are untrusted: a reply is used only if it matches one of our pending requests by rpc id,
 * sender address and sender id; a PEERS reply that breaks any bound (too many peers or nodes, a
 * value that is not an address, a malformed node) is dropped whole and the lookup treats its sender
 * as failed; an announce is stored only with a token we issued to that address in the last two
 * token periods (BEP 5: the secret changes every 5 minutes, tokens up to 10 minutes old are good).
 */
import { hash32, type PeerContext, type PeerId, type PeerProtocol, type TimerId } from '../../core/index.js';
import {
  KademliaNode,
  Lookup,
  idBytes,
  idEquals,
  type Contact,
  type KademliaInit,
  type KadMessage,
  type NodeId,
} from '../kademlia/index.js';
import {
  ANNOUNCE_ACK,
  ANNOUNCE_PEER,
  GET_PEERS,
  PEERS,
  checkPeersReply,
  isTorrentMessage,
  torrentMessageBytes,
  type HybridMessage,
  type ReplyLimits,
  type TorrentMessage,
} from './messages.js';
import { PeerStore } from './peer-store.js';

/** What the DHT side needs from the BitTorrent side of the same peer. */
export interface TorrentLink {
  /** Dial these peers (found in the DHT); returns how many dials went out. */
  connect(peers: readonly PeerId[]): number;
  /** Still missing pieces (a seed only keeps its announce alive). */
  downloading(): boolean;
  /** Connections open or being opened. */
  connections(): number;
  /** Whether there is a connection to `peer` already. */
  connectedTo(peer: PeerId): boolean;
  /** Pieces held (to notice a download that makes no progress). */
  progress(): number;
  /** Piece groups this peer should publish itself under (it holds a piece of the group that is rare around it). */
  rareHeldGroups(): number[];
  /** Piece groups holding a piece this peer lacks that none of its neighbours has. */
  missingUnseenGroups(): number[];
}

/** Counters shared by every peer of a run (the driver sums them into the summary). */
export interface TorrentDhtStats {
  /** get_peers lookups finished (swarm and piece keys). */
  lookupsDone: number;
  /** Sum of their hop counts (hop of the closest node found). */
  lookupHopsSum: number;
  /** Lookups of the info-hash (finding swarm peers). */
  swarmLookups: number;
  /** Lookups of piece-group keys. */
  pieceLookups: number;
  /** Piece-group keys published (each: a get_peers lookup, then announce_peer to the k closest). */
  pieceAnnounces: number;
  /** announce_peer requests sent / stored by their receiver. */
  announcesSent: number;
  announcesStored: number;
  /** announce_peer refused for a bad or stale token. */
  tokenRejects: number;
  /** PEERS replies dropped as malformed or oversized. */
  malformedReplies: number;
  /** Dials made to peers found by info-hash lookups / by piece-group lookups. */
  dialsFromSwarmLookups: number;
  dialsFromPieceLookups: number;
  /** Bytes sent and received by this layer's requests on piece-group keys (the cost of piece discovery). */
  pieceDiscoveryBytes: number;
}

export function emptyTorrentDhtStats(): TorrentDhtStats {
  return {
    lookupsDone: 0, lookupHopsSum: 0, swarmLookups: 0, pieceLookups: 0, pieceAnnounces: 0, announcesSent: 0, announcesStored: 0,
    tokenRejects: 0, malformedReplies: 0, dialsFromSwarmLookups: 0, dialsFromPieceLookups: 0, pieceDiscoveryBytes: 0,
  };
}

export interface TorrentDhtInit {
  /** The Kademlia node's init (id, k, alpha, timeouts, ...); its own `bootstrap` should be empty. */
  kad: KademliaInit;
  /**
   * Nodes to join through. BEP 5's bootstrap, not the paper's: put them in the table and look up our
   * own id, no refresh of every bucket (that costs ~log2 N lookups per joining peer, all through the
   * bootstrap nodes at first; buckets fill from traffic and the hourly refresh).
   */
  bootstrap: Contact[];
  /** The torrent's key in the DHT. */
  infoHash: NodeId;
  /** One key per piece group; empty = piece discovery off. */
  groupKeys: NodeId[];
  /** Peers in the world: valid addresses are 0..peers-1. */
  peers: number;
  link: TorrentLink;
  stats: TorrentDhtStats;
  /** Re-announce (and look up) the info-hash this often. Default 5 min. */
  reannounceMs?: number;
  /** How long a stored announce lives (BEP 5: ~30 min). Default 30 min. */
  peerTtlMs?: number;
  /** Token secret rotation (BEP 5: 5 min; the previous secret stays good). Default 5 min. */
  tokenRotateMs?: number;
  /** Most peers in one PEERS reply, sent or accepted. Default 50. */
  maxValues?: number;
  /** Most peers kept from one lookup. Default 100. */
  maxCollect?: number;
  /** Most peers dialled after one lookup (a random sample of those found; BitTorrent's numWant). Default 20. */
  maxDials?: number;
  /** While downloading with too few connections, look up again after this (doubling up to 30 s). Default 1 s. */
  retryMs?: number;
  /** Piece-discovery round period. Default 10 s. */
  pieceCheckMs?: number;
  /** Piece-group keys published per round at most. Default 1. */
  maxPieceAnnounces?: number;
  /** Piece-group lookups per round at most. Default 1. */
  maxPieceLookups?: number;
  /** Announce ourselves under the info-hash (false only to construct a hidden holder in tests). Default true. */
  announceSwarm?: boolean;
  /** The swarm's own re-announce period, the cap of the retry backoff. Default 30 s. */
  maxRetryMs?: number;
  /** A downloading peer that completed no piece for this long looks up more peers (0 = never). Default 5 s. */
  stallMs?: number;
}

// Kademlia uses timer tags 1..3; ours start at 16
const T_RPC = 16, T_REANNOUNCE = 17, T_PIECES = 18, T_RETRY = 19, T_EXPIRE = 20, T_TOKEN = 21, T_STALL = 22;

/** A request in flight: a query of a get_peers walk, or (walk null) an announce nobody waits for. */
interface Pending {
  to: Contact;
  type: number;
  timer: TimerId;
  piece: boolean;
  walk: Walk | null;
}

// What a get_peers walk goes on with when it ends: a method of the node chosen by a code over data,
// not a closure made during the run, so a keyframe of the simulation (src/sim/snapshot.ts) copies it.
const THEN_CALLER = 0;
const THEN_SWARM = 1;
const THEN_PUBLISH_GROUP = 2;
const THEN_FETCH_GROUP = 3;

/** One iterative get_peers in progress. */
interface Walk {
  key: NodeId;
  piece: boolean;
  lookup: Lookup;
  found: Set<PeerId>;
  tokens: Map<PeerId, number>;
  finished: boolean;
  startedAt: number;
  then: number;
  /** The piece group (THEN_PUBLISH_GROUP, THEN_FETCH_GROUP). */
  group: number;
  /** The caller's callback (THEN_CALLER): in a simulation, a `cont()` continuation. */
  cb: ((r: GetPeersResult) => void) | undefined;
}

export interface GetPeersResult {
  key: NodeId;
  /** Peers found (deduplicated, never ourselves). */
  peers: PeerId[];
  /** The k closest nodes that answered, with the token each gave. */
  closest: { contact: Contact; token: number }[];
  hops: number;
  messages: number;
  durationMs: number;
}

export class TorrentDhtNode implements PeerProtocol<HybridMessage> {
  readonly kad: KademliaNode;
  readonly store: PeerStore;
  readonly id: NodeId;
  private readonly k: number;
  private readonly alpha: number;
  private readonly idLen: number;
  private readonly limits: ReplyLimits;
  private readonly rpcTimeoutMs: number;
  private readonly reannounceMs: number;
  private readonly tokenRotateMs: number;
  private readonly maxValues: number;
  private readonly maxCollect: number;
  private readonly maxDials: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly pieceCheckMs: number;
  private readonly maxPieceAnnounces: number;
  private readonly maxPieceLookups: number;
  private readonly announceSwarm: boolean;
  private readonly stallMs: number;
  /** Pieces held at the last stall check (a peer with none after the first period has stalled too). */
  private lastProgress = 0;
  private readonly pending = new Map<number, Pending>();
  private nextRpc: number;
  private secret: number;
  private prevSecret: number;
  private stopped = false;
  private swarmBusy = false;
  /** Our last swarm announce reached at least one node. */
  private announced = false;
  private retries = 0;
  private retryTimer: TimerId | null = null;
  /** Last time each piece group was published / looked up by us. */
  private readonly groupAnnouncedAt: Float64Array;
  private readonly groupLookedAt: Float64Array;
  private readonly groupBusy: Uint8Array;

  constructor(
    private readonly ctx: PeerContext<HybridMessage>,
    private readonly init: TorrentDhtInit,
  ) {
    this.kad = new KademliaNode(ctx as PeerContext<KadMessage>, init.kad);
    this.id = init.kad.id;
    this.k = this.kad.k;
    this.alpha = this.kad.alpha;
    this.idLen = idBytes(this.kad.idBits);
    this.rpcTimeoutMs = init.kad.rpcTimeoutMs ?? 2000;
    this.reannounceMs = init.reannounceMs ?? 300_000;
    this.tokenRotateMs = init.tokenRotateMs ?? 300_000;
    this.maxValues = init.maxValues ?? 50;
    this.maxCollect = init.maxCollect ?? 100;
    this.maxDials = init.maxDials ?? 20;
    this.retryMs = init.retryMs ?? 1000;
    this.maxRetryMs = init.maxRetryMs ?? 30_000;
    this.pieceCheckMs = init.pieceCheckMs ?? 10_000;
    this.maxPieceAnnounces = init.maxPieceAnnounces ?? 1;
    this.maxPieceLookups = init.maxPieceLookups ?? 1;
    this.announceSwarm = init.announceSwarm ?? true;
    this.stallMs = init.stallMs ?? 5000;
    this.store = new PeerStore(init.peerTtlMs ?? 1_800_000);
    this.limits = { peers: init.peers, idLen: this.idLen, maxValues: this.maxValues, maxContacts: this.k };
    this.nextRpc = ctx.rng.nextU32();
    this.secret = ctx.rng.nextU32();
    this.prevSecret = this.secret;
    const groups = init.groupKeys.length;
    this.groupAnnouncedAt = new Float64Array(groups).fill(-Infinity);
    this.groupLookedAt = new Float64Array(groups).fill(-Infinity);
    this.groupBusy = new Uint8Array(groups);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  start(): void {
    this.kad.start();
    const now = this.ctx.now();
    for (const c of this.init.bootstrap) if (c.peer !== this.ctx.id) this.kad.table.add(c, now);
    if (this.init.bootstrap.length > 0) this.kad.findNode(this.id);
    const rng = this.ctx.rng;
    this.ctx.setTimer(this.reannounceMs * (0.5 + rng.float()), T_REANNOUNCE);
    this.ctx.setTimer(this.tokenRotateMs, T_TOKEN);
    this.ctx.setTimer(60_000, T_EXPIRE);
    if (this.init.groupKeys.length > 0) this.ctx.setTimer(this.pieceCheckMs * rng.float(), T_PIECES);
    if (this.stallMs > 0) this.ctx.setTimer(this.stallMs, T_STALL);
  }

  stop(): void {
    this.stopped = true;
    this.kad.stop();
    for (const p of this.pending.values()) this.ctx.cancelTimer(p.timer);
    this.pending.clear();
  }

  /** The swarm wants peers (on join, and while it has too few connections): look up the info-hash. */
  needPeers(): void {
    if (this.stopped || this.swarmBusy) return;
    this.lookupSwarm();
  }

  // ---- transport ----------------------------------------------------------------------------------

  onMessage(from: PeerId, msg: HybridMessage): void {
    if (this.stopped || from === this.ctx.id || msg === null || typeof msg !== 'object') return;
    if (!isTorrentMessage(msg)) {
      this.kad.onMessage(from, msg);
      return;
    }
    if (!(msg.sender instanceof Uint8Array) || msg.sender.length !== this.idLen) return;
    switch (msg.type) {
      case GET_PEERS:
        return this.onGetPeers(from, msg.sender, msg.rpc, msg.infoHash);
      case ANNOUNCE_PEER:
        return this.onAnnouncePeer(from, msg.sender, msg.rpc, msg.infoHash, msg.token);
      case PEERS:
      case ANNOUNCE_ACK:
        return this.onReply(from, msg);
    }
  }

  onTimer(tag: number, data: unknown): void {
    if (this.stopped) return;
    switch (tag) {
      case T_RPC: {
        const rpc = data as number;
        const p = this.pending.get(rpc);
        if (p === undefined) return;
        this.pending.delete(rpc);
        this.kad.unresponsive(p.to);
        if (p.walk !== null) this.onWalkReply(p.walk, p.to, null);
        return;
      }
      case T_REANNOUNCE:
        if (!this.swarmBusy) this.lookupSwarm();
        this.ctx.setTimer(this.reannounceMs, T_REANNOUNCE);
        return;
      case T_PIECES:
        this.pieceRound();
        this.ctx.setTimer(this.pieceCheckMs, T_PIECES);
        return;
      case T_RETRY:
        this.retryTimer = null;
        if (!this.swarmBusy && (this.wantsPeers() || (this.announceSwarm && !this.announced))) this.lookupSwarm();
        return;
      case T_EXPIRE:
        this.store.expire(this.ctx.now());
        this.ctx.setTimer(60_000, T_EXPIRE);
        return;
      case T_STALL: {
        // peer turnover, as clients do when the download rate is low: peers that joined late may sit
        // among neighbours that all have better partners (choked, waiting for a 30 s optimistic
        // unchoke); more neighbours, from a fresh lookup, get them going
        const link = this.init.link;
        const p = link.progress();
        if (link.downloading() && p === this.lastProgress && !this.swarmBusy) this.lookupSwarm();
        this.lastProgress = p;
        this.ctx.setTimer(this.stallMs, T_STALL);
        return;
      }
      case T_TOKEN:
        this.prevSecret = this.secret;
        this.secret = this.ctx.rng.nextU32();
        this.ctx.setTimer(this.tokenRotateMs, T_TOKEN);
        return;
      default:
        this.kad.onTimer(tag, data);
    }
  }

  private send(to: PeerId, msg: TorrentMessage): number {
    const bytes = torrentMessageBytes(msg, this.idLen);
    this.ctx.send(to, msg, bytes);
    return bytes;
  }

  private request(to: Contact, msg: TorrentMessage, piece: boolean, walk: Walk | null): void {
    const rpc = (this.nextRpc = (this.nextRpc + 1) >>> 0);
    msg.rpc = rpc;
    const timer = this.ctx.setTimer(this.rpcTimeoutMs, T_RPC, rpc);
    this.pending.set(rpc, { to, type: msg.type, timer, piece, walk });
    const bytes = this.send(to.peer, msg);
    if (piece) this.init.stats.pieceDiscoveryBytes += bytes;
  }

  private onReply(from: PeerId, msg: TorrentMessage): void {
    const p = this.pending.get(msg.rpc);
    const expected = p?.type === GET_PEERS ? PEERS : p?.type === ANNOUNCE_PEER ? ANNOUNCE_ACK : -1;
    if (p === undefined || p.to.peer !== from || msg.type !== expected || !idEquals(p.to.id, msg.sender)) return;
    this.pending.delete(msg.rpc);
    this.ctx.cancelTimer(p.timer);
    if (p.piece) this.init.stats.pieceDiscoveryBytes += torrentMessageBytes(msg, this.idLen);
    this.kad.heard(from, msg.sender);
    if (p.walk !== null) this.onWalkReply(p.walk, p.to, msg);
  }

  // ---- tokens (BEP 5) -----------------------------------------------------------------------------

  /** The token a requester at `peer` gets now: a keyed hash of its address. */
  tokenFor(peer: PeerId): number {
    return hash32(this.secret, peer);
  }

  private tokenValid(peer: PeerId, token: number): boolean {
    return token === hash32(this.secret, peer) || token === hash32(this.prevSecret, peer);
  }

  // ---- handlers -----------------------------------------------------------------------------------

  private onGetPeers(from: PeerId, sender: NodeId, rpc: number, key: NodeId): void {
    if (!(key instanceof Uint8Array) || key.length !== this.idLen) return;
    this.kad.heard(from, sender);
    const values = this.store.get(key, this.ctx.now(), this.maxValues + 1, this.ctx.rng).filter((p) => p !== from);
    if (values.length > this.maxValues) values.length = this.maxValues;
    // libtorrent's behaviour: closer nodes as well as values, so the asker's lookup keeps converging
    // on the k closest (it must announce to them)
    const contacts = this.kad.table.closest(key, this.k, from);
    this.send(from, { type: PEERS, rpc, sender: this.id, infoHash: key, token: this.tokenFor(from), values, contacts });
  }

  private onAnnouncePeer(from: PeerId, sender: NodeId, rpc: number, key: NodeId, token: number): void {
    if (!(key instanceof Uint8Array) || key.length !== this.idLen) return;
    this.kad.heard(from, sender);
    let ok = typeof token === 'number' && this.tokenValid(from, token);
    if (!ok) {
      this.init.stats.tokenRejects++;
      this.ctx.emit('announce_refused', { from, reason: 'token' });
    } else {
      // BEP 5: the stored address is the sender's own (from the transport), never one it names
      ok = this.store.add(key, from, this.ctx.now());
      if (ok) this.init.stats.announcesStored++;
    }
    this.send(from, { type: ANNOUNCE_ACK, rpc, sender: this.id, ok });
  }

  // ---- lookups ------------------------------------------------------------------------------------

  /**
   * Iterative get_peers: walks toward `key` like FIND_NODE, collecting peers and tokens on the way. In
   * a simulation that takes keyframes, `cb` is kept with the walk: make it with `cont()`.
   */
  getPeers(key: NodeId, piece: boolean, cb: (r: GetPeersResult) => void): void {
    this.walk(key, piece, THEN_CALLER, -1, cb);
  }

  private walk(key: NodeId, piece: boolean, then: number, group: number, cb: ((r: GetPeersResult) => void) | undefined): void {
    const now = this.ctx.now();
    // a table emptied by timeouts (its bootstrap nodes swamped by a flash crowd of joins) starts
    // again from the bootstrap nodes, as clients do; otherwise the peer could never look anything up
    if (this.kad.table.size === 0) for (const c of this.init.bootstrap) if (c.peer !== this.ctx.id) this.kad.table.add(c, now);
    const lookup = new Lookup(key, this.kad.table.closest(key, this.k), { k: this.k, alpha: this.alpha, findValue: false }, this.ctx.id);
    this.pump({ key, piece, lookup, found: new Set(), tokens: new Map(), finished: false, startedAt: now, then, group, cb });
  }

  private pump(w: Walk): void {
    if (this.stopped) return;
    const l = w.lookup;
    for (const q of l.next()) this.request(q.contact, { type: GET_PEERS, rpc: 0, sender: this.id, infoHash: w.key }, w.piece, w);
    if (l.done && !w.finished) {
      w.finished = true;
      const stats = this.init.stats;
      stats.lookupsDone++;
      stats.lookupHopsSum += l.hops;
      const closest = l.closest().filter((c) => w.tokens.has(c.peer)).map((c) => ({ contact: c, token: w.tokens.get(c.peer) as number }));
      this.walkDone(w, { key: w.key, peers: [...w.found], closest, hops: l.hops, messages: l.sent, durationMs: this.ctx.now() - w.startedAt });
    }
  }

  /** A walk's query to `to` was answered, or timed out (null). */
  private onWalkReply(w: Walk, to: Contact, reply: TorrentMessage | null): void {
    if (w.finished) return;
    const l = w.lookup;
    if (reply === null || reply.type !== PEERS || !idEquals(reply.infoHash, w.key)) l.onFailure(to.peer);
    else {
      const why = checkPeersReply(reply, this.limits);
      if (why !== null) {
        this.init.stats.malformedReplies++;
        this.ctx.emit('malformed_reply', { from: to.peer, reason: why });
        l.onFailure(to.peer);
      } else {
        w.tokens.set(to.peer, reply.token);
        for (const v of reply.values) if (v !== this.ctx.id && w.found.size < this.maxCollect) w.found.add(v);
        l.onNodes(to.peer, reply.contacts);
      }
    }
    this.pump(w);
  }

  private walkDone(w: Walk, r: GetPeersResult): void {
    switch (w.then) {
      case THEN_CALLER:
        return w.cb?.(r);
      case THEN_SWARM:
        return this.swarmLookupDone(r);
      case THEN_PUBLISH_GROUP:
        this.groupBusy[w.group] = 0;
        if (!this.stopped) this.announceTo(this.init.groupKeys[w.group]!, r.closest, true);
        return;
      case THEN_FETCH_GROUP:
        this.groupBusy[w.group] = 0;
        if (this.stopped || r.peers.length === 0) return;
        this.init.stats.dialsFromPieceLookups += this.init.link.connect(this.sample(r.peers));
        return;
    }
  }

  /** Up to maxDials of the `found` peers we are not connected to, a uniform sample (like a tracker's numWant answer). */
  private sample(found: PeerId[]): PeerId[] {
    const link = this.init.link;
    return this.ctx.rng.sampleInPlace(
      found.filter((p) => !link.connectedTo(p)),
      this.maxDials,
    );
  }

  /** announce_peer to the k closest nodes that gave us a token. */
  private announceTo(key: NodeId, closest: GetPeersResult['closest'], piece: boolean): void {
    for (const { contact, token } of closest) {
      this.init.stats.announcesSent++;
      this.request(contact, { type: ANNOUNCE_PEER, rpc: 0, sender: this.id, infoHash: key, token }, piece, null);
    }
  }

  private lookupSwarm(): void {
    this.swarmBusy = true;
    this.init.stats.swarmLookups++;
    this.walk(this.init.infoHash, false, THEN_SWARM, -1, undefined);
  }

  private swarmLookupDone(r: GetPeersResult): void {
    this.swarmBusy = false;
    if (this.stopped) return;
    const link = this.init.link;
    const dials = r.peers.length > 0 ? link.connect(this.sample(r.peers)) : 0;
    this.init.stats.dialsFromSwarmLookups += dials;
    if (this.announceSwarm) {
      this.announceTo(this.init.infoHash, r.closest, false);
      this.announced = r.closest.length > 0;
    }
    // too few peers (the DHT may still be filling in a flash crowd, or the peers found were full),
    // or nobody to announce to yet (a seed alone in an empty DHT): look again soon, backing off
    if ((link.downloading() || (this.announceSwarm && !this.announced)) && this.retryTimer === null) {
      if (dials > 0) this.retries = 0;
      const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** this.retries);
      this.retries = Math.min(this.retries + 1, 16);
      this.retryTimer = this.ctx.setTimer(delay, T_RETRY);
    }
  }

  /** Downloading with fewer than half the connections one lookup may dial (the swarm's own rule for its tracker). */
  private wantsPeers(): boolean {
    const link = this.init.link;
    return link.downloading() && link.connections() < this.maxDials / 2;
  }

  /**
   * Piece discovery: publish ourselves under the groups we hold rare pieces of (bounded per round,
   * each group at most once per re-announce period), and look up the groups holding pieces that
   * none of our neighbours has (bounded per round, each group at most once per round).
   */
  private pieceRound(): void {
    const link = this.init.link;
    const keys = this.init.groupKeys;
    const now = this.ctx.now();
    let published = 0;
    for (const g of link.rareHeldGroups()) {
      if (published >= this.maxPieceAnnounces) break;
      if (now - this.groupAnnouncedAt[g]! < this.reannounceMs || this.groupBusy[g] === 1) continue;
      this.groupAnnouncedAt[g] = now;
      this.groupBusy[g] = 1;
      published++;
      this.init.stats.pieceAnnounces++;
      this.walk(keys[g]!, true, THEN_PUBLISH_GROUP, g, undefined);
    }
    if (!link.downloading()) return;
    const missing = link.missingUnseenGroups();
    let looked = 0;
    // start at a random group so the rounds spread over all the groups that need it
    const off = missing.length > 0 ? this.ctx.rng.int(missing.length) : 0;
    for (let i = 0; i < missing.length && looked < this.maxPieceLookups; i++) {
      const g = missing[(off + i) % missing.length]!;
      if (now - this.groupLookedAt[g]! < this.pieceCheckMs || this.groupBusy[g] === 1) continue;
      this.groupLookedAt[g] = now;
      this.groupBusy[g] = 1;
      looked++;
      this.init.stats.pieceLookups++;
      this.walk(keys[g]!, true, THEN_FETCH_GROUP, g, undefined);
    }
  }
}
