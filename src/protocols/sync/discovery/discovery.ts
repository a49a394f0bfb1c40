/**
 * Finding room members through a Kademlia DHT that runs over the sync peers' own links (its messages
 * travel in ROUTE envelopes, relay/). The room is a DHT key: a member looks the key up (FIND_NODE, the
 * existing Kademlia core), ANNOUNCEs itself to the peers closest to it, and gets back a sample of the
 * members they hold (a LIST); GET asks for a sample without announcing. Holders keep announces for
 * `memberTtlMs` in a bounded store (src/protocols/hybrid's PeerStore), so members that vanish lapse.
 *
 * Peers are untrusted: a DHT message whose sender id is not the hash of the peer it came from is
 * dropped (a peer cannot place itself anywhere in the key space), a LIST is used only as the answer to
 * one of our pending requests from that very peer, and everything it carries is bounded by the codec.
 */
import type { PeerContext, PeerId, TimerId } from '../../../core/index.js';
import { PeerStore } from '../../hybrid/peer-store.js';
import { compareDistance, idEquals, KademliaNode, NODES, type KadMessage, type LookupResult, type NodeId } from '../../kademlia/index.js';
import { cont, markStatic } from '../../../sim/snapshot-graph.js';
import { nodeIdOf, roomKey } from '../ids.js';
import { M_ANNOUNCE, M_GET, M_LIST, type MemberMsg } from '../wire/frames.js';

export interface DiscoveryOptions {
  room: string;
  /** DHT id width. Default 64. */
  idBits?: number;
  /** Kademlia bucket size and replication. Default 8. */
  k?: number;
  /** Parallel requests per lookup. Default 3. */
  alpha?: number;
  /** A DHT request with no reply in this time failed. Default 2000 ms. */
  rpcTimeoutMs?: number;
  /** How long a holder keeps an announce. Default 10 min. */
  memberTtlMs?: number;
  /** Most members in one LIST. Default 16. */
  maxListed?: number;
  /** Most holders an announce goes to (the closest of the k found). Default 4. */
  announceTo?: number;
}

export interface DiscoveryStats {
  lookups: number;
  lookupHopsSum: number;
  announces: number;
  lists: number;
  /** DHT messages whose sender id does not match their peer. */
  forged: number;
  /** LISTs that answered nothing we asked. */
  unexpected: number;
}

export function newDiscoveryStats(): DiscoveryStats {
  return { lookups: 0, lookupHopsSum: 0, announces: 0, lists: 0, forged: 0, unexpected: 0 };
}

const T_MEMBER_RPC = 1;

interface Pending {
  to: PeerId;
  timer: TimerId;
  round: MemberRound;
}

/** One ANNOUNCE/GET round to several holders; its callback gets the union of the members they list. */
interface MemberRound {
  left: number;
  found: Set<PeerId>;
  cb: (members: PeerId[], hops: number) => void;
  hops: number;
}

export class Discovery {
  readonly kad: KademliaNode;
  readonly key: NodeId;
  readonly idBits: number;
  private readonly store: PeerStore;
  private readonly pending = new Map<number, Pending>();
  private nextRpc: number;
  private readonly rpcTimeoutMs: number;
  private readonly maxListed: number;
  private readonly announceTo: number;
  private readonly alpha: number;

  constructor(
    private readonly ctx: PeerContext<MemberMsg>,
    kadCtx: PeerContext<KadMessage>,
    opts: DiscoveryOptions,
    readonly stats: DiscoveryStats,
  ) {
    this.idBits = opts.idBits ?? 64;
    this.key = roomKey(opts.room, this.idBits);
    this.rpcTimeoutMs = opts.rpcTimeoutMs ?? 2000;
    this.maxListed = opts.maxListed ?? 16;
    this.announceTo = opts.announceTo ?? 4;
    this.alpha = opts.alpha ?? 3;
    this.kad = new KademliaNode(kadCtx, {
      id: nodeIdOf(ctx.id, this.idBits),
      idBits: this.idBits,
      k: opts.k ?? 8,
      alpha: this.alpha,
      rpcTimeoutMs: this.rpcTimeoutMs,
      // buckets fill from traffic; no values are stored in the DHT itself
      refreshIntervalMs: 0,
      republishIntervalMs: 0,
      cacheTtlMs: 0,
      observed: () => false,
    });
    this.store = new PeerStore(opts.memberTtlMs ?? 600_000, 64, 256);
    this.nextRpc = ctx.rng.nextU32();
  }

  start(): void {
    this.kad.start();
  }

  stop(): void {
    this.kad.stop();
    for (const p of this.pending.values()) this.ctx.cancelTimer(p.timer);
    this.pending.clear();
  }

  /** A link to `peer` opened: it is a DHT contact we can reach. */
  neighbourUp(peer: PeerId): void {
    this.kad.heard(peer, nodeIdOf(peer, this.idBits));
  }

  /** A Kademlia message from `from` (through the relay). */
  onKad(from: PeerId, msg: KadMessage): void {
    if (!idEquals(msg.sender, nodeIdOf(from, this.idBits))) {
      this.stats.forged++;
      return;
    }
    this.kad.onMessage(from, msg);
  }

  /** The contacts a NODES reply from `from` named (so the relay can learn routes through `from`). */
  static contactsOf(msg: KadMessage): PeerId[] {
    return msg.type === NODES ? msg.contacts.map((c) => c.peer) : [];
  }

  onMember(from: PeerId, msg: MemberMsg): void {
    const now = this.ctx.now();
    switch (msg.type) {
      case M_ANNOUNCE:
      case M_GET: {
        if (!idEquals(msg.key, this.key)) return; // not our room's key: we hold nothing for it
        if (msg.type === M_ANNOUNCE) {
          this.stats.announces++;
          this.store.add(msg.key, from, now);
        }
        const members = this.store.get(msg.key, now, this.maxListed + 1, this.ctx.rng).filter((p) => p !== from).slice(0, this.maxListed);
        this.ctx.send(from, { type: M_LIST, rpc: msg.rpc, key: msg.key, members }, 0);
        return;
      }
      case M_LIST: {
        const p = this.pending.get(msg.rpc);
        if (p === undefined || p.to !== from || !idEquals(msg.key, this.key)) {
          this.stats.unexpected++;
          return;
        }
        this.stats.lists++;
        this.pending.delete(msg.rpc);
        this.ctx.cancelTimer(p.timer);
        for (const m of msg.members) if (m !== this.ctx.id) p.round.found.add(m);
        this.roundStep(p.round);
        return;
      }
    }
  }

  onTimer(tag: number, data: unknown): void {
    if (tag !== T_MEMBER_RPC) return;
    const p = this.pending.get(data as number);
    if (p === undefined) return;
    this.pending.delete(data as number);
    this.roundStep(p.round);
  }

  private roundStep(round: MemberRound): void {
    if (--round.left === 0) round.cb([...round.found], round.hops);
  }

  /**
   * Looks the room key up and asks the closest holders for members (announcing ourselves to them when
   * `announce`). `cb` gets the members found (never ourselves) and the lookup's hop count.
   */
  findMembers(announce: boolean, cb: (members: PeerId[], hops: number) => void): void {
    this.kad.findNode(this.key, cont(keyFound, this, announce, cb));
  }

  /** The room key's lookup ended (findMembers): ask the closest holders. */
  keyFound(announce: boolean, cb: (members: PeerId[], hops: number) => void, r: LookupResult): void {
    this.counted(r);
    const holders = r.closest.slice(0, announce ? this.announceTo : this.alpha);
    const round: MemberRound = { left: holders.length, found: new Set(), cb, hops: r.hops };
    // the holders themselves are members too (the DHT holds only this room's peers)
    for (const c of r.closest) if (c.peer !== this.ctx.id) round.found.add(c.peer);
    if (holders.length === 0) return cb([...round.found], r.hops);
    for (const c of holders) {
      const rpc = (this.nextRpc = (this.nextRpc + 1) >>> 0);
      const timer = this.ctx.setTimer(this.rpcTimeoutMs, T_MEMBER_RPC, rpc);
      this.pending.set(rpc, { to: c.peer, timer, round });
      this.ctx.send(c.peer, { type: announce ? M_ANNOUNCE : M_GET, rpc, key: this.key }, 0);
    }
  }

  /** A lookup of our own id: fills the routing table near us (the join of the paper, without bucket refresh). */
  findSelf(cb: () => void): void {
    this.kad.findNode(this.kad.id, cont(selfFound, this, cb));
  }

  /** A lookup of ours ended: counted. */
  counted(r: LookupResult): void {
    this.stats.lookups++;
    this.stats.lookupHopsSum += r.hops;
  }

  /**
   * Whether we are among the k peers closest to `peer`'s id that we know of: its self-lookup when it joins
   * ends at those, so we should hear from it through the overlay soon after it joins.
   */
  amongClosest(peer: PeerId): boolean {
    const target = nodeIdOf(peer, this.idBits);
    const k = this.kad.k;
    const near = this.kad.table.closest(target, k, peer);
    if (near.length < k) return true;
    return compareDistance(this.kad.id, (near[k - 1] as { id: NodeId }).id, target) < 0;
  }

  /**
   * Looks `peer` up in the DHT; `cb(true)` if it answered (it is in our piece of the room). `strict`: only
   * its own answer counts, not our table holding it (a neighbour just lost is still in it).
   */
  probe(peer: PeerId, cb: (found: boolean) => void, strict = false): void {
    this.kad.findNode(nodeIdOf(peer, this.idBits), cont(probed, this, peer, cb, strict));
  }

  /** A probe's lookup ended. */
  probed(peer: PeerId, cb: (found: boolean) => void, strict: boolean, r: LookupResult): void {
    this.counted(r);
    // the lookup ends at it, or our table holds it: we heard from it since it joined (NODES replies
    // name only contacts the replier can reach, so a small room's lookup may end short of the target)
    cb(r.closest.some((c) => c.peer === peer) || (!strict && this.kad.table.has(nodeIdOf(peer, this.idBits))));
  }

  /**
   * A random sample of members: a lookup of a random id ends at the k peers closest to it, a uniform
   * sample of the room, each of which just answered us (so we have a fresh way to it).
   */
  sample(cb: (peers: PeerId[], hops: number) => void): void {
    this.kad.findNode(this.kad.randomTarget(), cont(sampled, this, cb));
  }

  /** A sample's lookup ended. */
  sampled(cb: (peers: PeerId[], hops: number) => void, r: LookupResult): void {
    this.counted(r);
    cb(r.closest.map((c) => c.peer).filter((p) => p !== this.ctx.id), r.hops);
  }

  /** Up to `n` random contacts of the routing table (peers known to be in the room). */
  sampleContacts(n: number): PeerId[] {
    const all = this.kad.table.closest(this.kad.randomTarget(), Math.max(n * 2, this.kad.k));
    return this.ctx.rng.sampleInPlace(all.map((c) => c.peer), Math.min(n, all.length));
  }

  /** Whether `peer` is in our routing table (we heard from it through the overlay). */
  knows(peer: PeerId): boolean {
    return this.kad.table.has(nodeIdOf(peer, this.idBits));
  }

  /** Contacts in the routing table. */
  get tableSize(): number {
    return this.kad.table.size;
  }
}

// lookups keep their callbacks while they run: continuations over these (a keyframe of a simulated
// room copies them; see src/sim/snapshot.ts)
const keyFound = markStatic((d: Discovery, announce: boolean, cb: (members: PeerId[], hops: number) => void, r: LookupResult): void => d.keyFound(announce, cb, r));
const selfFound = markStatic((d: Discovery, cb: () => void, r: LookupResult): void => {
  d.counted(r);
  cb();
});
const probed = markStatic((d: Discovery, peer: PeerId, cb: (found: boolean) => void, strict: boolean, r: LookupResult): void => d.probed(peer, cb, strict, r));
const sampled = markStatic((d: Discovery, cb: (peers: PeerId[], hops: number) => void, r: LookupResult): void => d.sampled(cb, r));
