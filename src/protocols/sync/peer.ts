/**
 * SyncPeer: one peer of a room, syncing its Yjs documents with the others. Sans-IO: time, randomness
 * and timers come from a SyncContext, links and the signaling server from a SyncHost; the simulator,
 * the in-memory test network and live peers (src/live/overlay/room.ts) run this same object.
 *
 * It is composed of: discovery/ (Kademlia over the overlay, the room as a DHT key), relay/ (routed
 * envelopes), links/ (negotiation, rate bounds), view.ts (the partial view), dissemination/ (Plumtree or
 * flood), anti-entropy.ts (state vectors). This file wires them, reads frames (one switch), runs the
 * housekeeping tick, and enforces the link rules: a frame that breaks them closes that one link, is
 * counted, and the peer is refused for `banMs`; it never throws into the host.
 */
import type * as Y from 'yjs';
import type { PeerId, TimerId } from '../../core/index.js';
import { NODES, type KadMessage } from '../kademlia/index.js';
import { AntiEntropy } from './anti-entropy.js';
import { partContext, TAGS_DISCOVERY, TAGS_GOSSIP, TAGS_KAD, TAGS_PEER, TAGS_TRUST, type SyncContext } from './context.js';
import { Discovery, newDiscoveryStats, type DiscoveryStats } from './discovery/discovery.js';
import { Dissemination, gossipClass } from './dissemination/index.js';
import { EMPTY_UPDATE, newDocState, type DocState } from './docs.js';
import { SyncConfigError } from './errors.js';
import { newSyncStats, type SyncEvent, type SyncHost, type SyncStats } from './host.js';
import { LinkTable, type BucketRates, type Channel, type LinkState } from './links/link-table.js';
import { Negotiation } from './links/negotiation.js';
import { resolveOptions, type ResolvedOptions, type SyncOptions } from './options.js';
import { newRelayStats, Relay, type RelayStats } from './relay/relay.js';
import { addCandidates, PartialView } from './view.js';
import { cont } from '../../sim/snapshot-graph.js';
import { createSyncCodec, type SyncCodec } from './wire/codec.js';
import {
  B_KAD,
  B_MEMBERS,
  B_SIGNAL,
  B_UNREACHABLE,
  F_BYE,
  F_DIGEST,
  F_FLOOD,
  F_GOSSIP,
  F_PING,
  F_PUSH,
  F_ROUTE,
  F_SYNC_REPLY,
  F_SYNC_REQ,
  F_SYNC_SEALED,
  F_TRUST,
  M_LIST,
  validDocName,
  type Frame,
  type LinkSignal,
  type MemberMsg,
  type PushFrame,
  type RouteBody,
  type TrafficClass,
} from './wire/frames.js';
import type { SignalingMsg } from './wire/signaling.js';
import type { PlumtreeStats } from '../gossip/index.js';
import type { TrustCrypto } from './trust/crypto.js';
import type { TrustStats } from './trust/io.js';
import { resolveTrust, type TrustOptions } from './trust/options.js';
import { unseal } from './trust/sealed.js';
import { SyncTrust } from './trust/trust.js';

const T_TICK = 1;
const T_ANTI_ENTROPY = 2;
const T_SHUFFLE = 3;
const T_ANSWER_HELLO = 4;
const T_ANNOUNCE = 5;

/** Counters a host may share among many peers (the simulator sums a run this way). */
export interface SharedStats {
  sync?: SyncStats;
  relay?: RelayStats;
  discovery?: DiscoveryStats;
  plumtree?: PlumtreeStats;
  trust?: TrustStats;
}

/** Trust on (trust/): the peer's key pair and the trust layer's options. The peer id must be the key's (crypto.ts). */
export interface PeerTrust {
  crypto: TrustCrypto;
  options?: TrustOptions;
}

/** The traffic class each frame's bytes are counted in. */
export function trafficClass(f: Frame): TrafficClass {
  switch (f.t) {
    case F_GOSSIP:
    case F_FLOOD:
      return gossipClass(f);
    case F_PUSH:
      return 'updates';
    case F_DIGEST:
    case F_SYNC_REQ:
    case F_SYNC_REPLY:
    case F_SYNC_SEALED:
      return 'antiEntropy';
    case F_ROUTE:
      return f.body.b === B_SIGNAL ? 'negotiation' : 'dht';
    default:
      return 'control';
  }
}

export class SyncPeer {
  readonly id: PeerId;
  readonly o: ResolvedOptions;
  readonly stats: SyncStats;
  readonly links = new LinkTable();
  readonly docs = new Map<string, DocState>();
  readonly relay: Relay;
  readonly discovery: Discovery;
  readonly dissemination: Dissemination;
  readonly antiEntropy: AntiEntropy;
  readonly view: PartialView;
  readonly negotiation: Negotiation;
  readonly codec: SyncCodec;
  /** The trust layer (null: trust off, every peer believed). */
  readonly trust: SyncTrust | null = null;
  private readonly banned = new Map<PeerId, number>();
  private readonly blocked = new Set<PeerId>();
  private readonly rates: BucketRates;
  private readonly timers: TimerId[] = [];
  private started = false;
  private stopped = false;

  constructor(
    private readonly ctx: SyncContext,
    private readonly host: SyncHost,
    options: SyncOptions,
    shared: SharedStats = {},
    codec?: SyncCodec,
    trust?: PeerTrust,
  ) {
    this.id = ctx.id;
    if (!Number.isInteger(ctx.id) || ctx.id < 0 || ctx.id > 0xffffffff) throw new SyncConfigError('peerId', `expected a u32, got ${ctx.id}`);
    this.o = resolveOptions(options);
    const o = this.o;
    this.stats = shared.sync ?? newSyncStats();
    this.codec = codec ?? createSyncCodec({ idBits: o.idBits, maxContacts: Math.max(32, o.k) });
    this.rates = { relayRate: o.relayRate, relayBurst: o.relayBurst, syncRate: o.syncRate, syncBurst: o.syncBurst };
    const isNeighbour = (p: PeerId): boolean => this.links.isOpen(p);
    this.relay = new Relay(
      {
        self: this.id,
        now: () => ctx.now(),
        isNeighbour,
        sendFrame: (to, f) => void this.send(to, f),
        deliver: (src, body, path) => this.onRouted(src, body, path),
      },
      shared.relay ?? newRelayStats(),
    );
    const kadCtx = partContext<KadMessage>(ctx, TAGS_KAD, (to, msg) => void this.relay.send(to, { b: B_KAD, msg: this.vouched(msg) }));
    const memberCtx = partContext<MemberMsg>(ctx, TAGS_DISCOVERY, (to, msg) => void this.relay.send(to, { b: B_MEMBERS, msg }));
    this.discovery = new Discovery(memberCtx, kadCtx, { room: o.room, idBits: o.idBits, k: o.k, alpha: o.alpha, rpcTimeoutMs: o.rpcTimeoutMs }, shared.discovery ?? newDiscoveryStats());
    this.dissemination = new Dissemination(
      ctx,
      {
        docs: this.docs,
        send: (p, f) => this.send(p, f),
        neighbours: () => this.links.neighbours(),
        changed: (d) => this.host.docChanged?.(d.name),
        gossiped: (d, from) => this.antiEntropy.gossiped(d, from),
        onAwareness: (doc, u, from) => this.host.onAwareness?.(doc, u, from),
        event: (e) => this.event(e),
        violation: (p, why) => this.violation(p, why),
        wallMs: () => this.host.wallMs?.() ?? ctx.now(),
        stats: this.stats,
        ...(trust ? { seal: (payload: Uint8Array) => this.trust?.broadcast(payload), unseal: (payload: Uint8Array) => unseal(payload)?.payload ?? null } : {}),
        ...(trust ? { sealPush: (doc: string, update: Uint8Array, send: (f: PushFrame) => void) => this.trust?.sealPush(doc, update, send) } : {}),
      },
      o,
      shared.plumtree,
    );
    this.antiEntropy = new AntiEntropy({
      rng: ctx.rng,
      now: () => ctx.now(),
      docs: this.docs,
      link: (p) => this.links.get(p),
      openLinks: () => this.links.openLinks(),
      send: (p, f) => this.send(p, f),
      changed: (d) => this.host.docChanged?.(d.name),
      stats: this.stats,
      ...(trust ? { originals: (p: PeerId, doc: string, sv: Uint8Array) => this.trust?.answer(p, doc, sv) ?? sv } : {}),
    }, o.antiEntropySettleMs);
    this.negotiation = new Negotiation({
      self: this.id,
      now: () => ctx.now(),
      host,
      relay: this.relay,
      links: this.links,
      stats: this.stats,
      maxLinks: o.maxLinks,
      deadLinkMs: o.deadLinkMs,
      rates: this.rates,
      refused: (p) => this.refused(p),
      drop: (p, why) => this.closeLink(p, why, false),
      failed: (p, why) => this.view.failed(p, why),
      answered: (p) => this.view.answered(p),
    });
    this.view = new PartialView(
      {
        self: this.id,
        rng: ctx.rng,
        now: () => ctx.now(),
        host,
        links: this.links,
        relay: this.relay,
        discovery: this.discovery,
        negotiation: this.negotiation,
        stats: this.stats,
        refused: (p) => this.refused(p),
        scheduleAnswer: (p, ms) => void ctx.setTimer(ms, TAGS_PEER + T_ANSWER_HELLO, p),
        dropLink: (p, why) => this.closeLink(p, why, true),
        event: (e) => this.event(e),
        pickDrop: (peers) => this.trust?.rewiring.pickDrop(peers) ?? null,
      },
      o,
    );
    if (trust) {
      const tctx = partContext<never>(ctx, TAGS_TRUST, () => {});
      this.trust = new SyncTrust(
        {
          self: this.id,
          room: o.room,
          rng: ctx.rng,
          now: () => ctx.now(),
          setTimer: (ms, tag, data) => tctx.setTimer(ms, tag, data),
          sendRaw: (p, f) => this.sendFrame(p, f),
          linkNonce: (p) => {
            const l = this.links.get(p);
            return l?.open ? l.nonce : undefined;
          },
          bindsCerts: host.linkCerts !== undefined,
          linkCerts: (p) => (this.links.get(p)?.open ? (host.linkCerts?.(p) ?? null) : null),
          drop: (p, why) => this.closeLink(p, why, true),
          violation: (p, why) => this.violation(p, why),
          ready: (p) => this.linkReady(p),
          process: (p, f) => this.dispatch(p, f),
          spread: (payload) => this.dissemination.spreadNow(payload),
          nextId: () => this.dissemination.nextId(),
          trial: () => this.view.trial(),
          event: (e) => this.event(e),
        },
        resolveTrust(trust.options ?? {}),
        trust.crypto,
        shared.trust,
      );
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  start(): void {
    if (this.started) return;
    this.started = true;
    const rng = this.ctx.rng;
    this.discovery.start();
    this.dissemination.start();
    this.trust?.start();
    this.ctx.setTimer(rng.float() * this.o.tickMs, T_TICK);
    this.ctx.setTimer(rng.float() * this.o.antiEntropyMs + this.o.antiEntropyMs, T_ANTI_ENTROPY);
    this.ctx.setTimer(rng.float() * this.o.shuffleMs + this.o.shuffleMs, T_SHUFFLE);
    this.ctx.setTimer(this.o.announceMs, T_ANNOUNCE);
  }

  /** Leaves: BYE on every link and on signaling, links closed, timers dead. */
  stop(graceful = true): void {
    if (this.stopped) return;
    if (graceful) {
      for (const l of this.links.openLinks()) this.send(l.peer, { t: F_BYE });
      if (this.host.signalingUp()) this.publish({ type: 'bye', from: this.id });
    }
    this.stopped = true;
    for (const l of [...this.links.values()]) this.host.closeLink(l.peer);
    this.discovery.stop();
    this.dissemination.stop();
    this.trust?.stop();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  // ---- documents ----------------------------------------------------------------------------------

  /** Starts syncing a document (once per name). */
  openDoc(name: string, doc: Y.Doc): void {
    if (!validDocName(name)) throw new RangeError(`document name must match [\\w.:/ -]{1,128}: ${JSON.stringify(name)}`);
    if (this.docs.has(name)) return;
    const d = newDocState(name, doc);
    this.docs.set(name, d);
    this.antiEntropy.docOpened(d);
  }

  /** A local change of a document (an edit, a load): spread it. */
  localUpdate(name: string, update: Uint8Array): void {
    const d = this.docs.get(name);
    if (!d || this.stopped) return;
    d.dirty = true;
    this.dissemination.broadcastUpdate(name, update);
  }

  /** A local awareness change of a document: spread it. */
  localAwareness(name: string, update: Uint8Array): void {
    if (this.docs.has(name) && !this.stopped) this.dissemination.broadcastAwareness(name, update);
  }

  // ---- signaling ----------------------------------------------------------------------------------

  private publish(m: SignalingMsg): void {
    this.stats.signalingOut++;
    this.host.publish(m);
  }

  /** A message on the room's signaling topic (already validated by parseSignaling). */
  onSignaling(m: SignalingMsg): void {
    if (this.stopped || m.from === this.id) return;
    switch (m.type) {
      case 'hello':
        this.view.onHello(m.from);
        return;
      case 'bye':
        this.view.onBye(m.from);
        return;
      case 'signal':
        if (m.to !== this.id) {
          // someone else's negotiation: it only tells us a joiner was offered a link
          if (m.sig.kind === 'offer') this.view.onOfferSeen(m.to);
          return;
        }
        this.negotiation.onRemoteSignal(m.from, m.sig, { via: 'signaling' });
        return;
    }
  }

  // ---- links --------------------------------------------------------------------------------------

  /** The transport to `peer` produced a description (offer or answer) to send. */
  onLocalSignal(peer: PeerId, sig: LinkSignal): void {
    if (!this.stopped) this.negotiation.onLocalSignal(peer, sig);
  }

  /** The channel to `peer` is open. */
  onLinkOpen(peer: PeerId): void {
    const l = this.links.get(peer);
    if (!l || l.open || this.stopped) return;
    this.links.markOpen(l, this.ctx.now());
    this.stats.linksOpened++;
    // with trust, the far end proves its key first (trust/trust.ts), then the link comes up
    if (this.trust) this.trust.linkOpen(peer);
    else this.linkReady(peer);
  }

  /** The link to `peer` is open (and, with trust, its far end proved its key): it joins every part. */
  private linkReady(peer: PeerId): void {
    const l = this.links.get(peer);
    if (!l?.open || this.stopped) return;
    this.dissemination.neighborUp(peer);
    this.discovery.neighbourUp(peer);
    this.event({ type: 'link-up', peer, kind: l.kind, initiator: l.initiator });
    this.antiEntropy.linkUp(peer);
    this.view.linkUp(peer);
  }

  /** The transport to `peer` closed by itself (remote closed, failed, or broke the wire rules). */
  onLinkClosed(peer: PeerId, reason: string): void {
    if (!this.links.has(peer)) return;
    if (reason.startsWith('violation')) this.violation(peer, reason.slice(reason.indexOf(':') + 1).trim());
    else this.closeLink(peer, reason, false);
  }

  /** Closes our link to `peer` (saying BYE first when `bye` and it is open). */
  closeLink(peer: PeerId, reason: string, bye: boolean): void {
    const l = this.links.get(peer);
    if (!l) return;
    if (bye && l.open) this.send(peer, { t: F_BYE });
    this.links.delete(peer);
    this.host.closeLink(peer);
    this.trust?.linkDown(peer);
    if (l.open) {
      this.stats.linksClosed++;
      if (reason === 'timeout') this.stats.linksTimedOut++;
      this.dissemination.neighborDown(peer);
      this.event({ type: 'link-down', peer, reason });
      if (!this.stopped) this.antiEntropy.linkDown(peer, bye || reason === 'bye');
    } else this.stats.negotiationsFailed++;
    if (!this.stopped) this.view.linkDown(peer, reason, l.open);
  }

  /** A peer broke the rules on its link: close it, count it, refuse the peer for banMs. */
  violation(peer: PeerId, reason: string): void {
    this.stats.violations++;
    this.banned.set(peer, this.ctx.now() + this.o.banMs);
    this.event({ type: 'violation', peer, reason });
    this.closeLink(peer, `violation: ${reason}`, false);
  }

  refused(peer: PeerId): boolean {
    if (this.blocked.has(peer) || this.trust?.refuses(peer) === true) return true;
    const until = this.banned.get(peer);
    if (until === undefined) return false;
    if (until <= this.ctx.now()) {
      this.banned.delete(peer);
      return false;
    }
    return true;
  }

  /** A partition made on purpose: closes the links to these peers and refuses them until `unblock`. */
  block(peers: Iterable<PeerId>): void {
    for (const p of peers) {
      this.blocked.add(p);
      this.closeLink(p, 'blocked', true);
    }
  }

  /** Heals a partition made by `block`: the peers cut off are chased through signaling, as lost neighbours. */
  unblock(): void {
    const cut = [...this.blocked];
    this.blocked.clear();
    if (!this.stopped) this.view.chase(cut);
  }

  // ---- frames -------------------------------------------------------------------------------------

  /** Sends a frame on the open link to `peer`; false if there is none (or, for an attacker, if it keeps it). */
  send(peer: PeerId, f: Frame): boolean {
    if (this.trust) {
      const g = this.trust.outbound(peer, f);
      if (g === null) return false;
      f = g;
    }
    return this.sendFrame(peer, f);
  }

  private sendFrame(peer: PeerId, f: Frame): boolean {
    const l = this.links.get(peer);
    if (!l?.open || this.stopped) return false;
    const bytes = this.codec.size(f);
    l.lastSent = this.ctx.now();
    l.bytesOut += bytes;
    l.framesOut++;
    this.host.send(peer, f, bytes, trafficClass(f));
    return true;
  }

  /**
   * Bytes from `peer` arrived that do not make a whole frame yet (a chunk of a large one): the link is
   * alive, and a sync reply in many chunks is still coming (it must not be taken for a dead link).
   */
  heard(peer: PeerId): void {
    const l = this.links.get(peer);
    if (l?.open && !this.stopped) l.lastHeard = l.lastChunk = this.ctx.now();
  }

  /** A frame from `from` (decoded and bounded by the host's codec, or an object in the simulator). */
  onFrame(from: PeerId, f: Frame, bytes = 0): void {
    const l = this.links.get(from);
    if (!l?.open || this.stopped) return;
    const now = this.ctx.now();
    l.lastHeard = now;
    l.bytesIn += bytes;
    l.framesIn++;
    if (this.trust) this.trust.inbound(from, f, bytes);
    else this.dispatch(from, f);
  }

  /** A frame's effect (after the trust layer, when it is on). */
  private dispatch(from: PeerId, f: Frame): void {
    const l = this.links.get(from);
    if (!l?.open || this.stopped) return;
    const now = this.ctx.now();
    switch (f.t) {
      case F_GOSSIP:
        return this.dissemination.onGossip(from, f.g);
      case F_FLOOD:
        return this.dissemination.onFlood(from, f);
      case F_DIGEST:
        return this.antiEntropy.onDigest(from, f.doc, f.h1, f.h2);
      case F_SYNC_REQ:
        if (!this.bounded(l, l.sync, now)) return;
        return this.antiEntropy.onRequest(from, f.doc, f.sv, f.back);
      case F_SYNC_REPLY:
        // with trust, what the replier sends beyond sealed originals is its own claim (trust/originals.ts)
        // (a refused reply still ends the wait for it: an empty update)
        return this.antiEntropy.onReply(from, f.doc, this.trust && !this.trust.acceptReply(from, f.update) ? EMPTY_UPDATE : f.update, false);
      case F_SYNC_SEALED:
        if (!this.trust) return this.violation(from, 'sealed originals where trust is off');
        return this.antiEntropy.onOriginals(from, f.doc, this.trust.updatesOf(f.items));
      case F_PUSH:
        return this.dissemination.onPush(from, f);
      case F_ROUTE: {
        if (!this.bounded(l, l.relay, now)) return;
        const bad = this.relay.onFrame(from, f);
        if (bad !== null) this.violation(from, bad);
        return;
      }
      case F_PING:
        return;
      case F_BYE:
        return this.closeLink(from, 'bye', false);
      case F_TRUST:
        // a trust frame in a room without trust is not ours to read
        return this.violation(from, 'a trust frame where trust is off');
    }
  }

  /** A rate bound: false (dropped) when exceeded; a link that keeps exceeding it is cut and banned. */
  private bounded(l: LinkState, bucket: LinkState['relay'], now: number): boolean {
    if (bucket.take(now)) return true;
    this.stats.rateDropped++;
    if (bucket.strikes >= this.o.floodLimit) this.violation(l.peer, 'flooding: rate bound exceeded');
    return false;
  }

  /** A NODES reply names only contacts we reach by a link or a recent exact route: the asker will reach
   * them through us, and a contact only heard of through someone else leads down second-hand routes. */
  private vouched(msg: KadMessage): KadMessage {
    if (msg.type !== NODES) return msg;
    const contacts = msg.contacts.filter((c) => this.relay.fresh(c.peer));
    return contacts.length === msg.contacts.length ? msg : { ...msg, contacts };
  }

  /** A routed envelope for us. */
  private onRouted(src: PeerId, body: RouteBody, path: readonly number[]): void {
    switch (body.b) {
      case B_KAD:
        for (const c of Discovery.contactsOf(body.msg)) this.relay.routes.learnVia(c, src, this.id, this.ctx.now());
        return this.discovery.onKad(src, body.msg);
      case B_MEMBERS:
        if (body.msg.type === M_LIST) for (const m of body.msg.members) this.relay.routes.learnVia(m, src, this.id, this.ctx.now());
        return this.discovery.onMember(src, body.msg);
      case B_SIGNAL: {
        const channel: Channel = { via: 'overlay', path: [...path] };
        return this.negotiation.onRemoteSignal(src, body.sig, channel);
      }
      case B_UNREACHABLE:
        // a relay on the way could not go on: the route is stale; a negotiation along it is over
        this.relay.routes.forget(body.dst);
        this.discovery.kad.unreachable(body.dst);
        return this.negotiation.unreachable(body.dst);
    }
  }

  // ---- timers -------------------------------------------------------------------------------------

  onTimer(tag: number, data: unknown): void {
    if (this.stopped) return;
    if (tag >= TAGS_TRUST) return this.trust?.onTimer(tag - TAGS_TRUST, data);
    if (tag >= TAGS_GOSSIP) return this.dissemination.onTimer(tag - TAGS_GOSSIP, data);
    if (tag >= TAGS_DISCOVERY) return this.discovery.onTimer(tag - TAGS_DISCOVERY, data);
    if (tag >= TAGS_KAD) return this.discovery.kad.onTimer(tag - TAGS_KAD, data);
    const o = this.o;
    switch (tag) {
      case T_TICK:
        this.ctx.setTimer(o.tickMs, T_TICK);
        return this.tick();
      case T_ANTI_ENTROPY:
        this.ctx.setTimer(o.antiEntropyMs, T_ANTI_ENTROPY);
        return this.antiEntropy.round();
      case T_SHUFFLE:
        this.ctx.setTimer(o.shuffleMs, T_SHUFFLE);
        return this.view.shuffle();
      case T_ANSWER_HELLO:
        return this.view.answerHello(data as PeerId);
      case T_ANNOUNCE:
        this.ctx.setTimer(o.announceMs, T_ANNOUNCE);
        if (this.links.open > 0) this.discovery.findMembers(true, cont(addCandidates, this.view));
        return;
    }
  }

  /** Housekeeping: liveness, negotiations that never opened, keeping `degree` links. */
  private tick(): void {
    const now = this.ctx.now();
    const o = this.o;
    const dead: PeerId[] = [];
    for (const l of this.links.values()) {
      if (!l.open) continue;
      if (now - l.lastHeard > o.deadLinkMs) dead.push(l.peer);
      else if (now - l.lastSent >= o.heartbeatMs) this.send(l.peer, { t: F_PING });
    }
    for (const p of dead) this.closeLink(p, 'timeout', false);
    this.negotiation.expire(o.connectTimeoutMs);
    this.view.tick();
  }

  private event(e: SyncEvent): void {
    this.host.event?.(e);
  }

  // ---- what the inspector and the views read ------------------------------------------------------

  /** Open links with how each was found. */
  linkKinds(): { peer: PeerId; kind: string; initiator: boolean; openedAt: number }[] {
    return this.links.openLinks().map((l) => ({ peer: l.peer, kind: l.kind, initiator: l.initiator, openedAt: l.openedAt }));
  }
}

