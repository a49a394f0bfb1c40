/**
 * One Kademlia node in the per-peer sans-IO form (`PeerProtocol` driven through a `PeerContext`): the
 * simulator runs it with `PerPeer`, the live network can run the same object over real channels.
 *
 * It answers the four RPCs, keeps its routing table fresh from every message it receives (with the
 * eviction ping of least-recently-seen entries), runs iterative lookups, publishes values to the k
 * closest peers, republishes and expires them, caches a found value one step short of where it was
 * found, hands values to closer newcomers, refreshes idle buckets, and joins through a known peer.
 *
 * Peers are untrusted: replies are matched to our own pending requests by rpc id *and* sender, a
 * reply of the wrong type or from the wrong peer is dropped, and a NODES reply is capped at k.
 */
import type { PeerContext, PeerId, PeerProtocol } from '../../core/index.js';
import { compareDistance, idBytes, idEquals, randomId, randomIdWithPrefix, toHex, type NodeId } from './id.js';
import type { KademliaInit, LastLookup, LookupResult, PutResult } from './node-options.js';
import {
  ON_EVICTION_PING,
  ON_NOTHING,
  ON_QUERY,
  ON_REPLICA,
  THEN_CALLER,
  THEN_JOIN_BUCKET,
  THEN_JOIN_SELF,
  THEN_NOTHING,
  THEN_REPLICATE,
  replyMatches,
  type ActiveLookup,
  type JoinSteps,
  type Pending,
  type Replication,
} from './pending.js';
import { Lookup } from './query/lookup.js';
import type { LookupEvent } from './query/events.js';
import { RoutingTable, type Contact } from './routing-table/index.js';
import { kadMessageBytes } from './rpc/codec.js';
import { onFindNode, onFindValue, onPing, onStore, type HandlerContext } from './rpc/handlers/index.js';
import { FIND_NODE, FIND_VALUE, NODES, PING, STORE, STORE_ACK, VALUE, isRequest, type KadMessage, type KadRequest, type KadResponse } from './rpc/messages.js';
import { ValueStore } from './storage.js';

export type { KademliaInit, LastLookup, LookupResult, PutResult } from './node-options.js';

const TAG_RPC = 1;
const TAG_REFRESH = 2;
const TAG_REPUBLISH = 3;

/** What the RPC handlers see of a node (an object with methods, not closures). */
class NodeHandlers implements HandlerContext {
  constructor(
    readonly self: NodeId,
    readonly k: number,
    readonly table: RoutingTable,
    readonly store: ValueStore,
    readonly maxTtlMs: number,
    private readonly clock: { now(): number },
  ) {}

  now(): number {
    return this.clock.now();
  }
}

export class KademliaNode implements PeerProtocol<KadMessage> {
  readonly id: NodeId;
  readonly k: number;
  readonly alpha: number;
  readonly b: number;
  readonly idBits: number;
  readonly disjointPaths: number;
  readonly table: RoutingTable;
  readonly self: Contact;
  /** Counters for metrics. */
  readonly stats = { requestsHandled: 0, requestsSent: 0, timeouts: 0, dropped: 0, evictions: 0, handedOver: 0 };
  /** The last lookup or publication asked of this node (not its join or refreshes), for the inspector. */
  lastLookup: LastLookup | null = null;
  joined = false;

  private readonly rpcTimeoutMs: number;
  private readonly refreshIntervalMs: number;
  private readonly republishIntervalMs: number;
  private readonly expireMs: number;
  private readonly cacheTtlMs: number;
  private readonly staleLimit: number;
  private readonly bootstrapPeers: Contact[];
  /** Wire size of a message: the init's function, or null for the codec's encoded length. */
  private readonly sizeFn: ((msg: KadMessage) => number) | null;
  private readonly idLen: number;
  private readonly observed: () => boolean;
  private readonly onJoined: (() => void) | undefined;
  private readonly maxStoredValues: number;
  // made on first use: in a population of 10^6 most nodes never hold a value, fail a request, or
  // answer one before the run ends
  private handlersOf: HandlerContext | null = null;
  private storeOf: ValueStore | null = null;
  private pendingOf: Map<number, Pending> | null = null;
  private failuresOf: Map<PeerId, number> | null = null;
  private nextRpc: number;
  private nextLookup = 0;
  private stopped = false;

  constructor(
    private readonly ctx: PeerContext<KadMessage>,
    init: KademliaInit,
  ) {
    this.id = init.id;
    this.k = init.k ?? 20;
    this.alpha = init.alpha ?? 3;
    this.b = init.b ?? 1;
    this.idBits = init.idBits ?? 160;
    this.disjointPaths = init.disjointPaths ?? 1;
    if (init.id.length !== idBytes(this.idBits)) throw new RangeError(`KademliaNode: id has ${init.id.length} bytes, idBits=${this.idBits}`);
    if (!Number.isInteger(this.alpha) || this.alpha < 1) throw new RangeError(`alpha: expected an integer >= 1, got ${this.alpha}`);
    if (!Number.isInteger(this.disjointPaths) || this.disjointPaths < 1)
      throw new RangeError(`disjointPaths: expected an integer >= 1, got ${this.disjointPaths}`);
    this.rpcTimeoutMs = init.rpcTimeoutMs ?? 2000;
    this.refreshIntervalMs = init.refreshIntervalMs ?? 3_600_000;
    this.republishIntervalMs = init.republishIntervalMs ?? 3_600_000;
    this.expireMs = init.expireMs ?? 86_400_000;
    this.cacheTtlMs = init.cacheTtlMs ?? 600_000;
    this.staleLimit = init.staleLimit ?? 1;
    this.bootstrapPeers = init.bootstrap ?? [];
    this.observed = init.observed ?? (() => true);
    this.onJoined = init.onJoined;
    this.sizeFn = init.size ?? null;
    this.idLen = idBytes(this.idBits);
    this.table = new RoutingTable(
      this.id,
      {
        k: this.k,
        b: this.b,
        idBits: this.idBits,
        replacementCacheSize: init.replacementCacheSize ?? this.k,
        pingAfterMs: init.pingAfterMs ?? 900_000,
        ...(init.book ? { book: init.book } : {}),
        ...(init.arena ? { arena: init.arena } : {}),
      },
      ctx.now(),
    );
    this.maxStoredValues = init.maxStoredValues ?? 65536;
    this.self = init.self ?? { peer: ctx.id, id: this.id };
    this.nextRpc = ctx.rng.nextU32();
  }

  /** The values this node holds. */
  get store(): ValueStore {
    return (this.storeOf ??= new ValueStore(this.maxStoredValues));
  }

  /** Values held, without making the store. */
  get storedValues(): number {
    return this.storeOf === null ? 0 : this.storeOf.size;
  }

  private get handlers(): HandlerContext {
    return (this.handlersOf ??= new NodeHandlers(this.id, this.k, this.table, this.store, this.expireMs, this.ctx));
  }

  private get failures(): Map<PeerId, number> {
    return (this.failuresOf ??= new Map());
  }

  private sizeOf(msg: KadMessage): number {
    return this.sizeFn === null ? kadMessageBytes(msg, this.idLen) : this.sizeFn(msg);
  }

  /** Gives the routing table's memory back to its arena (the node is discarded, e.g. after a crash). */
  dispose(): void {
    this.stopped = true;
    this.table.dispose();
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  start(): void {
    const rng = this.ctx.rng;
    if (this.refreshIntervalMs > 0) this.ctx.setTimer(rng.float() * this.refreshIntervalMs, TAG_REFRESH);
    if (this.republishIntervalMs > 0) this.ctx.setTimer(rng.float() * this.republishIntervalMs, TAG_REPUBLISH);
    if (this.bootstrapPeers.length > 0) this.join(this.bootstrapPeers);
    else this.joined = true;
  }

  stop(): void {
    this.stopped = true;
    if (this.pendingOf === null) return;
    for (const p of this.pendingOf.values()) this.ctx.cancelTimer(p.timer);
    this.pendingOf.clear();
  }

  /**
   * Joins through known peers (paper section 2.3): put them in the table, look up our own id, then
   * refresh every bucket farther away than our closest neighbour.
   */
  join(peers: readonly Contact[]): void {
    for (const c of peers) if (!idEquals(c.id, this.id)) this.table.add(c, this.ctx.now());
    this.lookup(this.id, false, THEN_JOIN_SELF, null, undefined);
  }

  /** The join's self-lookup ended: refresh every bucket but our own. */
  private joinBuckets(): void {
    const own = this.table.bucketFor(this.id).index;
    const buckets = this.table.ranges().filter((r) => r.bucket.index !== own);
    if (buckets.length === 0) return this.joinDone();
    const steps: JoinSteps = { left: buckets.length };
    for (const b of buckets) this.lookup(randomIdWithPrefix(this.ctx.rng, b.prefix, b.bucket.depth, this.idBits), false, THEN_JOIN_BUCKET, steps, undefined);
  }

  private joinDone(): void {
    this.joined = true;
    this.onJoined?.();
  }

  // ---- transport ----------------------------------------------------------------------------------

  onMessage(from: PeerId, msg: KadMessage): void {
    if (this.stopped || from === this.ctx.id) return;
    if (isRequest(msg)) {
      this.stats.requestsHandled++;
      this.seen(from, msg.sender);
      let reply: KadResponse;
      switch (msg.type) {
        case PING:
          reply = onPing(this.handlers, msg);
          break;
        case FIND_NODE:
          reply = onFindNode(this.handlers, from, msg);
          break;
        case FIND_VALUE:
          reply = onFindValue(this.handlers, from, msg);
          break;
        case STORE:
          reply = onStore(this.handlers, msg);
          break;
      }
      this.ctx.send(from, reply, this.sizeOf(reply));
      return;
    }
    const p = this.pendingOf?.get(msg.rpc);
    if (p === undefined || p.to.peer !== from || !replyMatches(p.type, msg.type) || !idEquals(p.to.id, msg.sender)) {
      this.stats.dropped++;
      return;
    }
    this.pendingOf?.delete(msg.rpc);
    this.ctx.cancelTimer(p.timer);
    this.failuresOf?.delete(from);
    this.seen(from, msg.sender);
    this.settle(p, msg);
  }

  onTimer(tag: number, data: unknown): void {
    if (this.stopped) return;
    switch (tag) {
      case TAG_RPC: {
        const rpc = data as number;
        const p = this.pendingOf?.get(rpc);
        if (p === undefined) return;
        this.pendingOf?.delete(rpc);
        this.stats.timeouts++;
        const fails = (this.failures.get(p.to.peer) ?? 0) + 1;
        if (fails >= this.staleLimit) {
          this.failures.delete(p.to.peer);
          const cur = this.table.get(p.to.id);
          if (cur !== undefined && cur.peer === p.to.peer) this.table.remove(p.to.id, this.ctx.now());
        } else this.failures.set(p.to.peer, fails);
        this.settle(p, null);
        return;
      }
      case TAG_REFRESH:
        this.refresh();
        this.ctx.setTimer(this.refreshIntervalMs, TAG_REFRESH);
        return;
      case TAG_REPUBLISH:
        this.republish();
        this.ctx.setTimer(this.republishIntervalMs, TAG_REPUBLISH);
        return;
    }
  }

  /**
   * A peer spoke to us through an extension of this node (BEP 5's get_peers / announce_peer in
   * src/protocols/hybrid): record it as any message would (table upkeep, eviction ping, hand-over).
   */
  heard(from: PeerId, id: NodeId): void {
    if (this.stopped || from === this.ctx.id) return;
    this.seen(from, id);
  }

  /** An extension's request to `c` timed out: count it as our own requests' timeouts are counted. */
  unresponsive(c: Contact): void {
    if (this.stopped) return;
    this.stats.timeouts++;
    const fails = (this.failures.get(c.peer) ?? 0) + 1;
    if (fails >= this.staleLimit) {
      this.failures.delete(c.peer);
      const cur = this.table.get(c.id);
      if (cur !== undefined && cur.peer === c.peer) this.table.remove(c.id, this.ctx.now());
    } else this.failures.set(c.peer, fails);
  }

  /**
   * The transport knows `peer` cannot be reached now (a relay reported it): its pending requests fail at
   * once, counted as timeouts, instead of waiting out rpcTimeoutMs.
   */
  unreachable(peer: PeerId): void {
    if (this.stopped || this.pendingOf === null) return;
    for (const [rpc, p] of this.pendingOf)
      if (p.to.peer === peer) {
        this.ctx.cancelTimer(p.timer);
        this.onTimer(TAG_RPC, rpc);
      }
  }

  /** Sends a request; its reply, or null on timeout, goes to `settle` with `on` saying what it continues. */
  private request(to: Contact, msg: KadRequest, on: number, ref: ActiveLookup | Replication | null, hop: number): void {
    const rpc = (this.nextRpc = (this.nextRpc + 1) >>> 0);
    msg.rpc = rpc;
    const timer = this.ctx.setTimer(this.rpcTimeoutMs, TAG_RPC, rpc);
    (this.pendingOf ??= new Map()).set(rpc, { to, type: msg.type, timer, on, ref, hop });
    this.stats.requestsSent++;
    this.ctx.send(to.peer, msg, this.sizeOf(msg));
  }

  /** A request was answered (`reply`) or timed out (null): what it was for goes on. */
  private settle(p: Pending, reply: KadResponse | null): void {
    switch (p.on) {
      case ON_QUERY:
        return this.onQueryReply(p.ref as ActiveLookup, p.to, p.hop, reply);
      case ON_EVICTION_PING: {
        const old = p.to;
        this.table.pingDone(old.id);
        if (reply !== null) this.table.add(old, this.ctx.now());
        else {
          this.stats.evictions++;
          this.table.remove(old.id, this.ctx.now());
        }
        return;
      }
      case ON_REPLICA: {
        const r = p.ref as Replication;
        if (reply !== null && reply.type === STORE_ACK && reply.stored) r.stored++;
        if (--r.left === 0) r.cb?.({ stored: r.stored, closest: r.closest });
        return;
      }
    }
  }

  /** We heard from a peer: record it, and ping the oldest entry if its bucket is full. */
  private seen(from: PeerId, id: NodeId): void {
    let contact = this.table.get(id);
    if (contact === undefined || contact.peer !== from) contact = { peer: from, id };
    const r = this.table.add(contact, this.ctx.now());
    if (r.status === 'added') {
      if (this.storedValues > 0) this.handOver(contact);
    } else if (r.status === 'full' && r.ping !== null) {
      this.request(r.ping, { type: PING, rpc: 0, sender: this.id }, ON_EVICTION_PING, null, 0);
    }
  }

  /**
   * A newcomer: give it the values it should hold (paper section 2.5): those it is among the k
   * closest to, when no contact of ours is closer to the key than we are.
   */
  private handOver(c: Contact): void {
    const now = this.ctx.now();
    for (const r of this.store.values()) {
      if (r.cached || r.expiresAt <= now) continue;
      const near = this.table.closest(r.key, this.k);
      if (near.length === this.k && compareDistance(c.id, near[this.k - 1]!.id, r.key) > 0) continue;
      let weAreClosest = true;
      for (const x of near) {
        if (x.peer === c.peer) continue;
        if (compareDistance(x.id, this.id, r.key) < 0) weAreClosest = false;
        break;
      }
      if (!weAreClosest) continue;
      this.stats.handedOver++;
      this.request(c, { type: STORE, rpc: 0, sender: this.id, key: r.key, value: r.value, ttlMs: Math.max(1, Math.floor(r.expiresAt - now)) }, ON_NOTHING, null, 0);
    }
  }

  // ---- lookups ------------------------------------------------------------------------------------

  /**
   * Iterative FIND_NODE: the k closest peers to `target`. In a simulation that takes keyframes, `cb`
   * is kept with the lookup, so it must be a `cont()` continuation (or made when the run was built).
   */
  findNode(target: NodeId, cb?: (r: LookupResult) => void): void {
    this.lookup(target, false, cb ? THEN_CALLER : THEN_NOTHING, null, cb);
  }

  /** Iterative FIND_VALUE: stops at the first peer holding the value. */
  findValue(key: NodeId, cb?: (r: LookupResult) => void): void {
    const local = this.storeOf?.get(key, this.ctx.now());
    if (local) {
      const now = this.ctx.now();
      cb?.({ target: key, findValue: true, found: true, value: local.value, closest: [], hops: 0, roundTrips: 0, messages: 0, startedAt: now, durationMs: 0 });
      return;
    }
    this.lookup(key, true, cb ? THEN_CALLER : THEN_NOTHING, null, cb);
  }

  private lookup(target: NodeId, findValue: boolean, then: number, ref: ActiveLookup['ref'], cb: ((r: LookupResult) => void) | undefined): void {
    this.table.touch(target, this.ctx.now());
    const lookup = new Lookup(target, this.table.closest(target, this.k), { k: this.k, alpha: this.alpha, paths: this.disjointPaths, findValue }, this.ctx.id);
    const al: ActiveLookup = { id: this.nextLookup++, lookup, startedAt: this.ctx.now(), finished: false, then, ref, cb };
    this.pump(al);
  }

  private emit(ev: LookupEvent): void {
    if (this.observed()) this.ctx.emit(ev.type, ev as unknown as Record<string, unknown>);
  }

  private pump(al: ActiveLookup): void {
    const l = al.lookup;
    for (const q of l.next()) {
      const to = q.contact;
      if (this.observed()) this.emit({ type: 'SEND_QUERY', lookup: al.id, to: to.peer, hop: q.hop, path: q.path, rpc: l.findValue ? 'FIND_VALUE' : 'FIND_NODE' });
      const msg: KadRequest = l.findValue
        ? { type: FIND_VALUE, rpc: 0, sender: this.id, key: l.target }
        : { type: FIND_NODE, rpc: 0, sender: this.id, target: l.target };
      this.request(to, msg, ON_QUERY, al, q.hop);
    }
    if (l.done && !al.finished) this.finish(al);
  }

  /** A lookup's query to `to` (at `hop`) was answered, or timed out (null). */
  private onQueryReply(al: ActiveLookup, to: Contact, hop: number, reply: KadResponse | null): void {
    if (al.finished) return;
    const l = al.lookup;
    if (reply === null) {
      l.onFailure(to.peer);
      if (this.observed()) this.emit({ type: 'QUERY_ERROR', lookup: al.id, peer: to.peer, reason: 'timeout' });
    } else if (reply.type === VALUE && idEquals(reply.key, l.target)) {
      l.onValue(to.peer, reply.value);
      if (this.observed()) this.emit({ type: 'PEER_RESPONSE', lookup: al.id, from: to.peer, hop, closer: 0, value: true });
    } else if (reply.type === NODES) {
      const contacts = reply.contacts.length > this.k ? reply.contacts.slice(0, this.k) : reply.contacts;
      const closer = l.onNodes(to.peer, contacts);
      if (this.observed()) this.emit({ type: 'PEER_RESPONSE', lookup: al.id, from: to.peer, hop, closer, value: false });
    } else l.onFailure(to.peer);
    this.pump(al);
  }

  private finish(al: ActiveLookup): void {
    al.finished = true;
    const l = al.lookup;
    const now = this.ctx.now();
    const closest = l.closest();
    const found = l.findValue ? l.value !== null : closest.length > 0;
    const result: LookupResult = {
      target: l.target,
      findValue: l.findValue,
      found,
      value: l.value,
      closest,
      hops: l.hops,
      roundTrips: l.maxAnsweredHop,
      messages: l.messages,
      startedAt: al.startedAt,
      durationMs: now - al.startedAt,
    };
    if (this.observed())
      this.emit({
        type: 'FINAL_PEERS',
        lookup: al.id,
        target: toHex(l.target),
        findValue: l.findValue,
        found,
        peers: closest.map((c) => c.peer),
        hops: result.hops,
        roundTrips: result.roundTrips,
        messages: result.messages,
        durationMs: result.durationMs,
      });
    // cache one step short of where the value was found (paper section 2.3)
    if (l.findValue && l.value !== null && this.cacheTtlMs > 0) {
      const at = closest.find((c) => c.peer !== l.valueFrom?.peer);
      if (at) this.request(at, { type: STORE, rpc: 0, sender: this.id, key: l.target, value: l.value, ttlMs: this.cacheTtlMs }, ON_NOTHING, null, 0);
    }
    if (al.then === THEN_CALLER || al.then === THEN_REPLICATE) {
      const end = l.value !== null ? l.valueFrom : (closest[0] ?? null);
      this.lastLookup = { ...result, closest: [], value: null, path: end ? l.chainTo(end.peer) : [] };
    }
    switch (al.then) {
      case THEN_CALLER:
        return al.cb?.(result);
      case THEN_JOIN_SELF:
        return this.joinBuckets();
      case THEN_JOIN_BUCKET:
        if (--(al.ref as JoinSteps).left === 0) this.joinDone();
        return;
      case THEN_REPLICATE:
        return this.storeReplicas(al.ref as Replication, result);
    }
  }

  // ---- values -------------------------------------------------------------------------------------

  /** Publishes a value: keeps it as its original publisher and STOREs it at the k closest peers. */
  put(key: NodeId, value: Uint8Array, cb?: (r: PutResult) => void): void {
    this.store.put(key, value, this.expireMs, this.ctx.now(), 'original');
    this.replicate(key, value, this.expireMs, cb);
  }

  private replicate(key: NodeId, value: Uint8Array, ttlMs: number, cb?: (r: PutResult) => void): void {
    const r: Replication = { key, value, ttlMs, left: 0, stored: 0, closest: [], cb };
    this.lookup(key, false, THEN_REPLICATE, r, undefined);
  }

  /** The key's lookup ended: STORE at the k closest it found. */
  private storeReplicas(r: Replication, res: LookupResult): void {
    r.closest = res.closest;
    r.left = res.closest.length;
    if (r.left === 0) return r.cb?.({ stored: 0, closest: res.closest });
    for (const c of res.closest) this.request(c, { type: STORE, rpc: 0, sender: this.id, key: r.key, value: r.value, ttlMs: r.ttlMs }, ON_REPLICA, r, 0);
  }

  /** The value if we hold it. */
  getLocal(key: NodeId): Uint8Array | undefined {
    return this.storeOf?.get(key, this.ctx.now())?.value;
  }

  /**
   * Hourly duty (paper section 2.5): drop expired values; the original publisher re-stores its values
   * with a fresh lifetime; a holder re-stores a value (keeping its expiry) unless someone stored it
   * here within the interval, which spares the other k-1 holders the same work.
   */
  private republish(): void {
    const now = this.ctx.now();
    const store = this.storeOf;
    if (store === null) return;
    store.expire(now);
    for (const r of [...store.values()]) {
      if (r.cached) continue;
      if (r.original) {
        r.lastStoredAt = now;
        this.replicate(r.key, r.value, this.expireMs);
      } else if (now - r.lastStoredAt >= this.republishIntervalMs) {
        r.lastStoredAt = now;
        const ttl = Math.floor(r.expiresAt - now);
        if (ttl > 0) this.replicate(r.key, r.value, ttl);
      }
    }
  }

  /** Looks up a random id in every bucket that saw no lookup for a refresh interval. */
  private refresh(): void {
    const now = this.ctx.now();
    for (const { bucket, prefix } of this.table.ranges()) {
      if (now - bucket.lastTouched >= this.refreshIntervalMs) {
        this.findNode(randomIdWithPrefix(this.ctx.rng, prefix, bucket.depth, this.idBits));
      }
    }
  }

  /** A random id in our id space (for tests and workloads). */
  randomTarget(): NodeId {
    return randomId(this.ctx.rng, this.idBits);
  }
}
