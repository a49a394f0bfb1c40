/**
 * Plumtree (Leitão, Pereira, Rodrigues: "Epidemic Broadcast Trees", SRDS 2007) as a per-peer sans-IO
 * core, plus push-pull anti-entropy with a pluggable digest.
 *
 * Each neighbour is either eager (gets the full message at once: the tree) or lazy (gets an IHAVE
 * announcement). A duplicate full message means a redundant tree link: the receiver PRUNEs it (the
 * link becomes lazy on both ends). An IHAVE for a message not received within `graftTimeoutMs` means a
 * broken tree: the peer GRAFTs the announcer (link becomes eager, the announcer sends the message).
 * So the tree forms on the first broadcast from the fastest paths and heals itself after failures.
 *
 * Trees per origin (`perOriginTrees`): by default one tree carries every origin's messages, formed from
 * the paths of the first broadcast; with many sources the paths from the others are longer than they
 * need be, and IHAVEs overtake them into GRAFTs. Per-origin trees keep eager/lazy per origin (a PRUNE names
 * its origin), so each source's messages follow the fastest paths from that source. `lazyFanout` caps the
 * IHAVEs per message (to random lazy neighbours): enough to notice a broken tree, at a fraction of the bytes.
 * A per-origin tree also keeps a parent per origin and mends itself where it breaks, with GRAFT and PRUNE
 * alone (plumtree-feeds.ts): a peer whose parent link goes GRAFTs another neighbour at once; a push that
 * crossed our PRUNE is not taken for the parent; a peer already fed makes a new link lazy at once.
 *
 * Anti-entropy (`antiEntropyMs` > 0): every period the peer sends its digest to a random neighbour,
 * which answers with what the sender lacks and its own digest, so the sender can answer in turn
 * (push-pull). The digest is pluggable (`AntiEntropy`): by default the set of message ids held in the
 * bounded cache (`messageIdDigest`); live peers plug in Yjs state vectors and send document diffs.
 *
 * Bounded memory: the seen-set (`seenCapacity` ids), the message cache (`cacheSize` messages,
 * `cacheBytes`), the missing table (`maxMissing` ids, 8 announcers each) forget their oldest entries.
 * Everything a neighbour sends is validated; bad messages are counted (`stats.malformed`) and ignored.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { PeerContext, PeerId, PeerProtocol, TimerId } from '../../core/index.js';
import {
  createCodec,
  DIGEST,
  GOSSIP,
  GRAFT,
  IHAVE,
  PRUNE,
  readMsgId,
  REPAIR,
  validateMsg,
  writeMsgId,
  type MsgId,
  type PlumtreeCodec,
  type PlumtreeMsg,
} from './codec.js';
import { GossipError } from './params.js';
import { Feeds } from './plumtree-feeds.js';
import { newStats, type AntiEntropy, type DeliverInfo, type PlumtreeOptions, type PlumtreeStats } from './plumtree-types.js';

export { newStats, type AntiEntropy, type DeliverInfo, type PlumtreeOptions, type PlumtreeStats } from './plumtree-types.js';

const T_GRAFT = 1;
const T_AE = 2;
const T_FLUSH = 3;

const MAX_ANNOUNCERS = 8;
/** Origins whose trees a peer keeps (per-origin mode). */
const MAX_ORIGINS = 4096;
/** The longest gap in an origin's messages a per-origin tree GRAFTs for (longer ones: anti-entropy). */
const MAX_GAP = 16;

export function idKey(id: MsgId): string {
  return `${id.origin}.${id.session}.${id.seq}`;
}

interface Cached {
  id: MsgId;
  round: number;
  payload: Uint8Array;
  /** Per-origin trees: neighbours known to hold the message (it came from them, or they announced it). */
  holders: PeerId[] | null;
}

interface Missing {
  id: MsgId;
  announcers: { from: PeerId; round: number }[];
  timer: TimerId | null;
}

export class Plumtree implements PeerProtocol<PlumtreeMsg> {
  readonly eager = new Set<PeerId>();
  readonly lazy = new Set<PeerId>();
  readonly stats: PlumtreeStats;
  readonly codec: PlumtreeCodec;
  private readonly seen = new Set<string>();
  private readonly cache = new Map<string, Cached>();
  private cacheBytesUsed = 0;
  private readonly missing = new Map<string, Missing>();
  private readonly lazyQueue = new Map<PeerId, { id: MsgId; round: number }[]>();
  private flushTimer: TimerId | null = null;
  private aeTimer: TimerId | null = null;
  private readonly session: number;
  private seq = 0;
  private readonly o: Required<Omit<PlumtreeOptions, 'antiEntropy' | 'stats' | 'limits' | 'perOriginTrees' | 'sessionBits'>>;
  /** Per-origin trees: every neighbour, and each origin's eager ones (an origin not here: all eager). */
  private readonly perOrigin: boolean;
  private readonly links = new Set<PeerId>();
  private readonly eagerBy = new Map<number, Set<PeerId>>();
  /** Per-origin trees: each origin's parent here, and how the trees mend (plumtree-feeds.ts). */
  private readonly feeds: Feeds | null;
  private readonly ae: AntiEntropy;

  constructor(
    private readonly ctx: PeerContext<PlumtreeMsg>,
    private readonly onDeliver: (payload: Uint8Array, info: DeliverInfo) => void,
    opts: PlumtreeOptions = {},
  ) {
    const graft = opts.graftTimeoutMs ?? 200;
    this.o = {
      graftTimeoutMs: graft,
      graftRetryMs: opts.graftRetryMs ?? graft / 2,
      lazyDelayMs: opts.lazyDelayMs ?? 0,
      antiEntropyMs: opts.antiEntropyMs ?? 0,
      seenCapacity: opts.seenCapacity ?? 100_000,
      cacheSize: opts.cacheSize ?? 1024,
      cacheBytes: opts.cacheBytes ?? 16 * 1024 * 1024,
      maxMissing: opts.maxMissing ?? 10_000,
      lazyFanout: opts.lazyFanout ?? 1_000_000,
    };
    this.perOrigin = opts.perOriginTrees === true;
    for (const [k, v] of Object.entries(this.o))
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new GossipError(`Plumtree: option ${k} must be a number >= 0, got ${v}`);
    if (this.o.graftTimeoutMs <= 0) throw new GossipError('Plumtree: graftTimeoutMs must be > 0');
    this.codec = createCodec(opts.limits);
    this.stats = opts.stats ?? newStats();
    this.ae = opts.antiEntropy ?? messageIdDigest(this);
    const bits = opts.sessionBits ?? 32;
    if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new GossipError(`Plumtree: sessionBits must be an integer in 1..32, got ${bits}`);
    this.session = ctx.rng.nextU32() >>> (32 - bits);
    this.feeds = this.perOrigin
      ? new Feeds({
          links: this.links,
          eagerOf: (origin) => this.eagerOf(origin),
          makeEager: (origin, p) => this.makeEager(origin, p),
          send: (to, msg) => this.sendMsg(to, msg),
          pick: (n) => ctx.rng.int(n),
        })
      : null;
  }

  // ---- membership (set from outside) ------------------------------------------------------------

  /** A link to `peer` is up: it starts eager (the tree forms from the first broadcast's paths). */
  neighborUp(peer: PeerId): void {
    if (this.perOrigin) {
      if (peer === this.ctx.id || this.links.has(peer)) return;
      this.links.add(peer);
      for (const e of this.eagerBy.values()) e.add(peer);
      this.feeds!.linkUp(peer);
      return;
    }
    if (peer === this.ctx.id || this.eager.has(peer) || this.lazy.has(peer)) return;
    this.eager.add(peer);
  }

  /** The link to `peer` is gone. */
  neighborDown(peer: PeerId): void {
    this.eager.delete(peer);
    this.lazy.delete(peer);
    this.links.delete(peer);
    // per-origin trees: below us in our own tree was a subtree that no longer hears from us, and nobody
    // above can adopt it: our next message goes on every link again and the tree forms anew
    const own = this.eagerBy.get(this.ctx.id);
    if (own?.has(peer) === true) for (const l of this.links) own.add(l);
    for (const e of this.eagerBy.values()) e.delete(peer);
    this.lazyQueue.delete(peer);
    for (const m of this.missing.values()) m.announcers = m.announcers.filter((a) => a.from !== peer);
    this.feeds?.linkDown(peer);
  }

  get neighbors(): PeerId[] {
    return this.perOrigin ? [...this.links] : [...this.eager, ...this.lazy];
  }

  // ---- eager / lazy, shared or per origin ------------------------------------------------------

  /** The eager set of an origin's tree (per-origin: made, all neighbours eager, on first use). */
  private eagerOf(origin: number): Set<PeerId> {
    if (!this.perOrigin) return this.eager;
    let e = this.eagerBy.get(origin);
    if (e === undefined) {
      e = new Set(this.links);
      this.eagerBy.set(origin, e);
      // bounded: a forgotten origin's tree forms again (all eager, then pruned)
      if (this.eagerBy.size > MAX_ORIGINS) this.eagerBy.delete(this.eagerBy.keys().next().value as number);
    }
    return e;
  }

  private isNeighbour(p: PeerId): boolean {
    return this.perOrigin ? this.links.has(p) : this.eager.has(p) || this.lazy.has(p);
  }

  private makeEager(origin: number, p: PeerId): void {
    if (this.perOrigin) {
      if (this.links.has(p)) this.eagerOf(origin).add(p);
      return;
    }
    if (!this.isNeighbour(p)) return;
    this.lazy.delete(p);
    this.eager.add(p);
  }

  /** A redundant tree link for `origin`: lazy, and the other end is told (PRUNE). */
  private prune(origin: number, p: PeerId): void {
    if (this.perOrigin) {
      if (this.eagerOf(origin).delete(p)) {
        this.sendMsg(p, { type: PRUNE, origin });
        this.feeds!.pruned(origin, p);
      }
      return;
    }
    if (!this.eager.has(p)) return;
    this.eager.delete(p);
    this.lazy.add(p);
    this.sendMsg(p, { type: PRUNE });
  }

  start(): void {
    if (this.o.antiEntropyMs > 0 && this.aeTimer === null)
      this.aeTimer = this.ctx.setTimer(this.ctx.rng.float() * this.o.antiEntropyMs, T_AE);
  }

  stop(): void {
    if (this.aeTimer !== null) this.ctx.cancelTimer(this.aeTimer);
    if (this.flushTimer !== null) this.ctx.cancelTimer(this.flushTimer);
    for (const m of this.missing.values()) if (m.timer !== null) this.ctx.cancelTimer(m.timer);
    this.aeTimer = null;
    this.flushTimer = null;
  }

  // ---- broadcast --------------------------------------------------------------------------------

  /** Broadcasts an opaque payload to every peer (not delivered to this peer's own onDeliver). */
  broadcast(payload: Uint8Array): MsgId {
    if (!(payload instanceof Uint8Array)) throw new GossipError('Plumtree.broadcast: payload must be a Uint8Array');
    if (payload.length > this.codec.limits.maxPayloadBytes)
      throw new GossipError(
        `Plumtree.broadcast: payload of ${payload.length} bytes exceeds maxPayloadBytes (${this.codec.limits.maxPayloadBytes})`,
      );
    const id: MsgId = { origin: this.ctx.id, session: this.session, seq: this.seq++ };
    const key = idKey(id);
    this.remember(key);
    this.store(key, id, 0, payload, null);
    this.eagerPush(id, 0, payload, -1, false);
    this.lazyPush(id, 0, -1, null);
    return id;
  }

  /** The id the next `broadcast` will give its message (a caller that signs it first needs it). */
  nextId(): MsgId {
    return { origin: this.ctx.id, session: this.session, seq: this.seq };
  }

  /** True if this peer has seen the message (within the seen-set's memory). */
  has(id: MsgId): boolean {
    return this.seen.has(idKey(id));
  }

  // ---- incoming ---------------------------------------------------------------------------------

  onMessage(from: PeerId, msg: PlumtreeMsg): void {
    if (!validateMsg(msg, this.codec.limits)) {
      this.stats.malformed++;
      return;
    }
    switch (msg.type) {
      case GOSSIP:
        return this.onGossip(from, msg.id, msg.round, msg.payload, msg.repair);
      case IHAVE:
        for (const x of msg.ids) this.onIHave(from, x.id, x.round);
        return;
      case GRAFT:
        return this.onGraft(from, msg.id, msg.round);
      case PRUNE:
        return this.onPrune(from, msg.origin);
      case DIGEST:
        return this.onDigest(from, msg.reply, msg.digest);
      case REPAIR:
        this.stats.delivered++;
        this.onDeliver(msg.payload, { id: null, from, round: 0 });
        return;
    }
  }

  private onGossip(from: PeerId, id: MsgId, round: number, payload: Uint8Array, repair: boolean): void {
    const key = idKey(id);
    if (this.seen.has(key)) {
      this.stats.duplicates++;
      if (this.perOrigin) this.heldBy(key, from);
      // a redundant tree link: make it lazy on both ends (anti-entropy repairs are not tree traffic)
      if (!repair && this.feeds?.duplicate(id, from, round) !== true) this.prune(id.origin, from);
      return;
    }
    this.remember(key);
    const miss = this.missing.get(key);
    if (miss) {
      if (miss.timer !== null) this.ctx.cancelTimer(miss.timer);
      this.missing.delete(key);
    }
    let holders: PeerId[] | null = null;
    if (this.perOrigin) {
      holders = [from];
      if (miss) for (const a of miss.announcers) if (a.from !== from) holders.push(a.from);
    }
    this.store(key, id, round + 1, payload, holders);
    this.stats.delivered++;
    this.onDeliver(payload, { id, from, round: round + 1 });
    if (repair) {
      // anti-entropy repairs are not tree traffic
    } else if (this.feeds) {
      const before = this.feeds.delivered(id, from, round + 1);
      if (before >= 0 && id.seq > before + 1) this.gap(id, before, from, round);
    } else this.makeEager(id.origin, from);
    this.eagerPush(id, round + 1, payload, from, repair);
    // per-origin trees: who announced it to us holds it, and needs no IHAVE of it
    this.lazyPush(id, round + 1, from, holders);
  }

  private onIHave(from: PeerId, id: MsgId, round: number): void {
    this.feeds?.announced(id, from, round);
    const key = idKey(id);
    if (this.seen.has(key)) {
      if (this.perOrigin) this.heldBy(key, from);
      return;
    }
    this.await(id, from, round);
  }

  /** `from` holds `id`, which we lack: GRAFT it (or an earlier announcer) unless the message comes first. */
  private await(id: MsgId, from: PeerId, round: number): void {
    const key = idKey(id);
    let m = this.missing.get(key);
    if (!m) {
      if (this.missing.size >= this.o.maxMissing) {
        const [oldKey, old] = this.missing.entries().next().value as [string, Missing];
        if (old.timer !== null) this.ctx.cancelTimer(old.timer);
        this.missing.delete(oldKey);
      }
      m = { id, announcers: [], timer: null };
      this.missing.set(key, m);
    }
    if (m.announcers.length < MAX_ANNOUNCERS) {
      let known = false;
      for (const a of m.announcers) if (a.from === from) known = true;
      if (!known) m.announcers.push({ from, round });
    }
    if (m.timer === null) m.timer = this.ctx.setTimer(this.o.graftTimeoutMs, T_GRAFT, key);
  }

  /**
   * Per-origin trees carry an origin's messages in order along each path: a message past the one after
   * our newest shows a loss with no byte on the wire. The first missing one is awaited as if `from` had
   * announced it (a per-origin GRAFT brings the later ones too); a long gap is left to anti-entropy.
   */
  private gap(id: MsgId, before: number, from: PeerId, round: number): void {
    if (id.seq - before - 1 > MAX_GAP) return;
    const first: MsgId = { origin: id.origin, session: id.session, seq: before + 1 };
    this.stats.gaps++;
    this.await(first, from, round);
  }

  private onGraftTimer(key: string): void {
    const m = this.missing.get(key);
    if (!m) return;
    m.timer = null;
    const a = m.announcers.shift();
    if (!a) {
      this.missing.delete(key);
      return;
    }
    this.makeEager(m.id.origin, a.from);
    this.feeds?.grafted(m.id.origin, a.from);
    this.sendMsg(a.from, { type: GRAFT, id: m.id, round: a.round });
    m.timer = this.ctx.setTimer(this.o.graftRetryMs, T_GRAFT, key);
  }

  private onGraft(from: PeerId, id: MsgId, _round: number): void {
    // only neighbours may graft (a stranger cannot make us push to it)
    if (!this.isNeighbour(from)) return;
    this.makeEager(id.origin, from);
    if (this.perOrigin) {
      // a per-origin GRAFT asks for that message and the origin's later ones: a peer whose parent went
      // names the message after its newest, and gets what was in flight on the lost link as well
      for (const c of this.cache.values())
        if (c.id.origin === id.origin && c.id.session === id.session && c.id.seq >= id.seq)
          this.sendMsg(from, { type: GOSSIP, id: c.id, round: c.round, payload: c.payload, repair: false });
      return;
    }
    const c = this.cache.get(idKey(id));
    if (c) this.sendMsg(from, { type: GOSSIP, id: c.id, round: c.round, payload: c.payload, repair: false });
  }

  private onPrune(from: PeerId, origin: number | undefined): void {
    if (!this.perOrigin) {
      if (this.eager.delete(from)) this.lazy.add(from);
      return;
    }
    if (origin !== undefined) this.eagerOf(origin).delete(from);
    else for (const e of this.eagerBy.values()) e.delete(from);
    this.feeds!.prunedBy(from, origin);
  }

  // ---- anti-entropy -----------------------------------------------------------------------------

  private antiEntropyRound(): void {
    const ns = this.neighbors;
    if (ns.length === 0) return;
    const to = ns[this.ctx.rng.int(ns.length)]!;
    this.sendMsg(to, { type: DIGEST, reply: false, digest: this.ae.digest() });
  }

  private onDigest(from: PeerId, reply: boolean, digest: Uint8Array): void {
    if (!this.isNeighbour(from)) return;
    let payloads: Uint8Array[];
    try {
      payloads = this.ae.onDigest(from, digest);
    } catch (_e) {
      this.stats.malformed++;
      return;
    }
    for (const p of payloads) this.sendMsg(from, { type: REPAIR, payload: p });
    if (!reply) this.sendMsg(from, { type: DIGEST, reply: true, digest: this.ae.digest() });
  }

  /** Sends `from` the cached messages whose ids are not in `ids` (the default digest's answer). */
  sendMissingFromCache(to: PeerId, has: Set<string>): void {
    for (const [key, c] of this.cache)
      if (!has.has(key)) this.sendMsg(to, { type: GOSSIP, id: c.id, round: c.round, payload: c.payload, repair: true });
  }

  /** The ids of the cached messages (what the default digest lists). */
  cachedIds(): MsgId[] {
    return [...this.cache.values()].map((c) => c.id);
  }

  // ---- timers -----------------------------------------------------------------------------------

  onTimer(tag: number, data: unknown): void {
    switch (tag) {
      case T_GRAFT:
        if (typeof data === 'string') this.onGraftTimer(data);
        return;
      case T_AE:
        this.aeTimer = this.ctx.setTimer(this.o.antiEntropyMs, T_AE);
        this.antiEntropyRound();
        return;
      case T_FLUSH:
        this.flushTimer = null;
        this.flushLazy();
        return;
    }
  }

  // ---- sending ----------------------------------------------------------------------------------

  private eagerPush(id: MsgId, round: number, payload: Uint8Array, except: PeerId, repair: boolean): void {
    // per-origin trees: never back up to the parent (it holds the message; its duplicate would prune us)
    const parent = this.feeds?.parentOf(id.origin) ?? -1;
    for (const p of this.eagerOf(id.origin))
      if (p !== except && p !== parent) this.sendMsg(p, { type: GOSSIP, id, round, payload, repair });
  }

  /** `p` holds the cached message `key` (it sent a copy, or announced it): it needs no IHAVE of it. */
  private heldBy(key: string, p: PeerId): void {
    const h = this.cache.get(key)?.holders;
    if (h && h.length < MAX_ANNOUNCERS && !h.includes(p)) h.push(p);
  }

  /** The lazy neighbours of `origin`'s tree an IHAVE goes to (at most lazyFanout, chosen at random). */
  private lazyTargets(origin: number, except: PeerId, holders: readonly PeerId[] | null): Iterable<PeerId> {
    const eager = this.eagerOf(origin);
    const all = this.perOrigin ? this.links : this.lazy;
    const skip = (p: PeerId): boolean => p === except || (this.perOrigin && (eager.has(p) || (holders?.includes(p) ?? false)));
    if (this.o.lazyFanout >= all.size) {
      const out: PeerId[] = [];
      for (const p of all) if (!skip(p)) out.push(p);
      return out;
    }
    const lazy: PeerId[] = [];
    for (const p of all) if (!skip(p)) lazy.push(p);
    return this.ctx.rng.sampleInPlace(lazy, Math.min(this.o.lazyFanout, lazy.length));
  }

  private lazyPush(id: MsgId, round: number, except: PeerId, holders: readonly PeerId[] | null): void {
    if (this.o.lazyDelayMs <= 0) {
      for (const p of this.lazyTargets(id.origin, except, holders)) this.sendMsg(p, { type: IHAVE, ids: [{ id, round }] });
      return;
    }
    for (const p of this.lazyTargets(id.origin, except, holders)) {
      let q = this.lazyQueue.get(p);
      if (!q) this.lazyQueue.set(p, (q = []));
      q.push({ id, round });
      if (q.length >= this.codec.limits.maxIds) {
        this.lazyQueue.delete(p);
        this.sendMsg(p, { type: IHAVE, ids: q });
      }
    }
    if (this.flushTimer === null && this.lazyQueue.size > 0) this.flushTimer = this.ctx.setTimer(this.o.lazyDelayMs, T_FLUSH);
  }

  private flushLazy(): void {
    for (const [p, queued] of this.lazyQueue) {
      if (!(this.perOrigin ? this.links.has(p) : this.lazy.has(p))) continue;
      // per-origin trees: a neighbour that sent or announced the message meanwhile holds it
      const ids = this.perOrigin ? queued.filter((x) => !(this.cache.get(idKey(x.id))?.holders?.includes(p) ?? false)) : queued;
      if (ids.length > 0) this.sendMsg(p, { type: IHAVE, ids });
    }
    this.lazyQueue.clear();
  }

  private sendMsg(to: PeerId, msg: PlumtreeMsg): void {
    const s = this.stats;
    switch (msg.type) {
      case GOSSIP:
        s.gossipSent++;
        break;
      case IHAVE:
        s.ihaveSent++;
        break;
      case GRAFT:
        s.graftSent++;
        break;
      case PRUNE:
        s.pruneSent++;
        break;
      case DIGEST:
        s.digestSent++;
        break;
      case REPAIR:
        s.repairSent++;
        break;
    }
    const bytes = this.codec.sizeOf(msg);
    s.bytesSent += bytes;
    this.ctx.send(to, msg, bytes);
  }

  // ---- bounded memory ---------------------------------------------------------------------------

  private remember(key: string): void {
    this.seen.add(key);
    if (this.seen.size > this.o.seenCapacity) this.seen.delete(this.seen.values().next().value as string);
  }

  private store(key: string, id: MsgId, round: number, payload: Uint8Array, holders: PeerId[] | null): void {
    if (this.o.cacheSize === 0 || payload.length > this.o.cacheBytes) return;
    this.cache.set(key, { id, round, payload, holders });
    this.cacheBytesUsed += payload.length;
    while (this.cache.size > this.o.cacheSize || this.cacheBytesUsed > this.o.cacheBytes) {
      const [k, c] = this.cache.entries().next().value as [string, { payload: Uint8Array }];
      this.cache.delete(k);
      this.cacheBytesUsed -= c.payload.length;
    }
  }
}

/**
 * The default anti-entropy digest: the ids of the messages in the peer's cache (varUint count, then
 * msgIds). The answer is every cached message missing from the other's list, sent as repair GOSSIP
 * (so it is deduplicated and delivered once like any broadcast). Returns no REPAIR payloads itself.
 */
export function messageIdDigest(core: Plumtree): AntiEntropy {
  return {
    digest() {
      const e = encoding.createEncoder();
      const ids = core.cachedIds();
      encoding.writeVarUint(e, ids.length);
      for (const id of ids) writeMsgId(e, id);
      return encoding.toUint8Array(e);
    },
    onDigest(from, digest) {
      const d = decoding.createDecoder(digest);
      const count = decoding.readVarUint(d);
      if (count > 1_000_000) throw new GossipError('digest: too many ids');
      const has = new Set<string>();
      for (let i = 0; i < count; i++) has.add(idKey(readMsgId(d)));
      if (decoding.hasContent(d)) throw new GossipError('digest: trailing bytes');
      core.sendMissingFromCache(from, has);
      return [];
    },
  };
}

/** A core plus its codec for one peer: what the live overlay plugs in (see index.ts). */
export const plumtreeFactory = {
  name: 'plumtree',
  codec: createCodec(),
  create(
    ctx: PeerContext<PlumtreeMsg>,
    onDeliver: (payload: Uint8Array, info?: DeliverInfo) => void,
    opts?: PlumtreeOptions,
  ): Plumtree {
    return new Plumtree(ctx, onDeliver, opts);
  },
};
