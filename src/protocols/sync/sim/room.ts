/**
 * The simulated room: every peer's transports and the signaling server, modelled over the World, as the
 * SyncHost of each simulated sync peer (and of the y-webrtc model, ywebrtc.ts).
 *
 * - Signaling server: a publish reaches each subscriber (every online peer) `signalingMs` to the server
 *   plus `signalingMs` from it, jittered. It is not subject to the network model's partitions or loss (a
 *   server in the cloud, reachable from both sides of a partition between peers). A `signal` addressed to
 *   one peer is handed to that peer only (the others would drop it) and, for an offer, to those that
 *   heard the addressee's last hello and mean to answer it (they count offers to hold their own back; to
 *   the rest of the topic a copy changes nothing, so it is counted but not simulated); a hello reaches at most
 *   `signalingFanout` random subscribers plus the joiner's DHT neighbourhood (the others would not answer).
 *   The server's fan-out (what it sends: one copy per subscriber) is counted in full.
 * - Links: a negotiation's descriptions are made 1 ms after asked for; a link opens `connectRtts` round
 *   trips after its answer arrives (ICE, DTLS, SCTP), if both ends still want it and no partition
 *   separates them. Frames go through the World (latency, bandwidth, loss, partitions). Closing an open
 *   link tells the other end a latency later, over the network (a partition swallows it); a crashed peer
 *   tells nobody: its neighbours find out by their heartbeats (or, in y-webrtc, ICE consent: ~30 s).
 */
import type { PeerId, Rng } from '../../../core/index.js';
import { rebuildable, type Port, type Protocol, type World } from '../../../sim/index.js';
import type { LinkSignal } from '../wire/frames.js';
import type { SignalingMsg } from '../wire/signaling.js';
import type { SyncParams } from './params.js';

/** What a simulated peer (sync peer or y-webrtc model) takes from the room. */
export interface RoomPeer<M> {
  start(): void;
  stop(graceful: boolean): void;
  onTimer(tag: number, data: unknown): void;
  onSignaling(m: RoomSignal): void;
  /** Whether a copy of an offer made to `to` would change anything here (see SimRoom.publish). */
  heedsOffersTo(to: PeerId): boolean;
  onLocalSignal(peer: PeerId, sig: LinkSignal): void;
  onLinkOpen(peer: PeerId): void;
  onLinkClosed(peer: PeerId, reason: string): void;
  onMessage(from: PeerId, m: M, bytes: number): void;
}

/** What the driver tells the room: how to make a peer, size a message, and what happens to sessions. */
export interface RoomHooks<M> {
  /** Makes the peer for a slot coming online (a fresh session). */
  make(peer: PeerId): RoomPeer<M>;
  /** The peers XOR-closest to a joiner among those online (they watch for it, see view.ts). */
  neighbourhood(peer: PeerId): PeerId[];
  /** A peer came online (the driver decides when its session begins). */
  joined(peer: PeerId): void;
  /** A peer's session began / ended. */
  begun(peer: PeerId): void;
  ended(peer: PeerId): void;
}

/** y-webrtc's own signaling messages (see ywebrtc.ts) beside the sync peer's. */
export type YSignal =
  | { type: 'announce'; from: number }
  | { type: 'ysignal'; from: number; to: number; kind: 'offer' | 'answer' | 'candidate'; token: number; nonce: string };

export type RoomSignal = SignalingMsg | YSignal;

interface Transport {
  initiator: boolean;
  nonce: string;
  open: boolean;
  gen: number;
  peerGen: number;
}

/** A message on a link, with its wire size (measured once, when sent). */
type Wire<M> = { gen: number; m: M; bytes: number } | { gen: number; close: true };

/** An offer's copies the room did not simulate: when each would arrive (NaN: simulated) at whom. */
interface HeldOffer {
  sentAt: number;
  m: RoomSignal;
  audience: PeerId[];
  arrive: Float64Array;
  index?: Map<PeerId, number>;
}

/** Counters of the signaling server and the links (the driver reports them). */
export interface RoomStats {
  /** Messages each peer published, in all and after its first link opened. */
  published: Float64Array;
  publishedAfterLink: Float64Array;
  /** Time each peer's first link of its current session opened (-1: none yet). */
  firstLinkAt: Float64Array;
  /** Copies the server sent (one per subscriber per publish). */
  serverFanout: number;
  linksOpened: number;
  linksFailed: number;
}

export class SimRoom<M> implements Protocol<Wire<M>> {
  readonly name = 'sync';
  private port!: Port<Wire<M>>;
  readonly peers: (RoomPeer<M> | undefined)[];
  /** Transports of each peer, keyed by the other end. */
  readonly transports: Map<PeerId, Transport>[];
  /** The peers that heard each joiner's last hello (they count offers made to it), and when it went out. */
  private readonly audience = new Map<PeerId, PeerId[]>();
  private readonly helloSentAt = new Map<PeerId, number>();
  /** Offer copies not simulated, per addressee, while they would still be on their way (see offerCopies). */
  private readonly held = new Map<PeerId, HeldOffer[]>();
  /** Per joiner, the members that took up its hello, in that order (they may count offers made to it; a superset). */
  private readonly heeders = new Map<PeerId, Set<PeerId>>();
  /** Scratch marks of the heeders of one offer. */
  private readonly mark: Uint8Array;
  private gen = 0;
  private sigKind = -1;
  private descKind = -1;
  private openKind = -1;
  private dropHeldKind = -1;
  readonly stats: RoomStats;
  private readonly n: number;
  /** A session description of the modelled size (its content is the transport's business). */
  private readonly sdp: string;

  constructor(
    readonly world: World,
    private readonly params: SyncParams,
    readonly rng: Rng,
    private readonly hooks: RoomHooks<M>,
  ) {
    this.n = world.size;
    this.sdp = 'v'.repeat(params.sdpBytes);
    this.peers = new Array(this.n);
    this.transports = Array.from({ length: this.n }, () => new Map());
    this.mark = new Uint8Array(this.n);
    this.stats = {
      published: new Float64Array(this.n),
      publishedAfterLink: new Float64Array(this.n),
      firstLinkAt: new Float64Array(this.n).fill(-1),
      serverFanout: 0,
      linksOpened: 0,
      linksFailed: 0,
    };
  }

  attach(port: Port<Wire<M>>): void {
    this.port = port;
    const sim = port.world.sim;
    this.sigKind = sim.register((to, _arg, obj) => this.deliverSignal(to, obj as RoomSignal));
    this.descKind = sim.register((peer, gen, obj) => this.deliverDesc(peer, gen, obj as { to: PeerId; sig: LinkSignal }));
    this.openKind = sim.register((a, gen, obj) => this.open(a, gen, obj as { b: PeerId }));
    this.dropHeldKind = sim.register((to) => void this.heldOffers(to, this.port.now()));
  }

  now(): number {
    return this.port.now();
  }

  /** A timer of `peer`'s current session (it dies with the session). */
  setTimer(peer: PeerId, delayMs: number, tag: number, data?: unknown): number {
    return this.port.setTimer(peer, delayMs, tag, data);
  }

  cancelTimer(id: number): boolean {
    return this.port.cancelTimer(id);
  }

  /** Emits a protocol event on the feed (only built when someone listens). */
  emit(peer: PeerId, kind: string, data?: Record<string, unknown>): void {
    if (this.port.observed) this.port.emit(kind, peer, data);
  }

  // ---- peers coming and going ---------------------------------------------------------------------

  /** Starts a peer's session now (the driver calls it when the peer joins the room). */
  begin(peer: PeerId): void {
    if (this.world.alive[peer] !== 1 || this.peers[peer]) return;
    this.transports[peer]!.clear();
    this.stats.firstLinkAt[peer] = -1;
    // a keyframe restore makes the peer again the same way (its construction wires closures)
    const p = rebuildable(this.hooks.make, peer);
    this.peers[peer] = p;
    this.hooks.begun(peer);
    p.start();
  }

  onJoin(peer: PeerId): void {
    // sessions begin when the driver says (join window, late joiners, churn): see driver.ts
    this.hooks.joined(peer);
  }

  onLeave(peer: PeerId, graceful: boolean): void {
    const p = this.peers[peer];
    if (!p) return;
    // a graceful leave says goodbye first (the World still carries its messages)
    if (graceful) p.stop(true);
    this.peers[peer] = undefined;
    this.transports[peer]!.clear();
    this.hooks.ended(peer);
  }

  onMessage(peer: PeerId, from: PeerId, w: Wire<M>): void {
    const p = this.peers[peer];
    const t = this.transports[peer]!.get(from);
    if (!p || !t?.open || t.peerGen !== w.gen) return;
    if ('close' in w) {
      this.transports[peer]!.delete(from);
      p.onLinkClosed(from, 'remote');
      return;
    }
    p.onMessage(from, w.m, w.bytes);
  }

  onTimer(peer: PeerId, tag: number, data: unknown): void {
    this.peers[peer]?.onTimer(tag, data);
  }

  // ---- signaling ----------------------------------------------------------------------------------

  private signalDelay(): number {
    const s = this.params.signalingMs;
    return s * (1.8 + 0.4 * this.rng.float());
  }

  /** A peer publishes on the room's topic. */
  publish(from: PeerId, m: RoomSignal): void {
    const st = this.stats;
    st.published[from]!++;
    if (st.firstLinkAt[from]! >= 0) st.publishedAfterLink[from]!++;
    const online = this.world.online;
    st.serverFanout += online - 1;
    const sim = this.world.sim;
    const send = (to: PeerId): void => {
      if (to !== from && this.peers[to]) sim.schedule(this.signalDelay(), this.sigKind, to, 0, m);
    };
    switch (m.type) {
      case 'hello':
      case 'announce':
      case 'bye': {
        const cap = this.params.signalingFanout;
        let audience: PeerId[];
        if (online <= cap || m.type === 'announce') {
          audience = [];
          for (let q = 0; q < this.n; q++) if (q !== from && this.peers[q]) audience.push(q);
        } else {
          const seen = new Set<PeerId>();
          for (let i = 0; i < cap * 2 && seen.size < cap; i++) {
            const q = this.rng.int(this.n);
            if (q !== from && this.peers[q]) seen.add(q);
          }
          for (const q of this.hooks.neighbourhood(from)) if (q !== from && this.peers[q]) seen.add(q);
          audience = [...seen];
        }
        if (m.type !== 'hello') {
          for (const q of audience) send(q);
          return;
        }
        const now = this.port.now();
        this.audience.set(from, audience);
        this.helloSentAt.set(from, now);
        const held = this.heldOffers(from, now);
        for (const q of audience) {
          if (q === from || !this.peers[q]) continue;
          const delay = this.signalDelay();
          sim.schedule(delay, this.sigKind, q, 0, m);
          if (held) this.replayHeld(held, q, now + delay);
        }
        return;
      }
      case 'signal': {
        send(m.to);
        if (m.sig.kind === 'offer') this.offerCopies(from, m.to, m);
        return;
      }
      case 'ysignal':
        send(m.to);
        return;
    }
  }

  /**
   * The copies of an offer to `to` that the members who heard its last hello receive. The server sends
   * every subscriber one (counted in serverFanout); a copy changes something only at a member that
   * means to answer that hello (it counts offers made before its own), so only those are simulated: a
   * member heeds offers to `to` from hearing its hello until it answers, so it is one now, or its copy
   * of the hello is still on its way (every hello has arrived `maxSignalDelay` after it went out), or a
   * later hello of `to`'s reaches it before the copy would (replayHeld). Each skipped copy still draws
   * its delay, so the room's random stream, and every result, is the same as with every copy delivered.
   */
  private offerCopies(from: PeerId, to: PeerId, m: RoomSignal): void {
    const audience = this.audience.get(to);
    if (!audience) return;
    const sim = this.world.sim;
    const now = this.port.now();
    const all = now - this.helloSentAt.get(to)! <= this.maxSignalDelay();
    // who heeds offers to `to` now: among those that took up its hello, the ones still waiting to answer
    const mark = this.mark;
    const heeding = all ? [] : this.heeding(to);
    for (const q of heeding) mark[q] = 1;
    let arrive: Float64Array | undefined;
    for (let i = 0; i < audience.length; i++) {
      const q = audience[i]!;
      if (q === to || q === from || !this.peers[q]) continue;
      const delay = this.signalDelay();
      if (all || mark[q] === 1) {
        sim.schedule(delay, this.sigKind, q, 0, m);
      } else {
        arrive ??= new Float64Array(audience.length).fill(NaN);
        arrive[i] = now + delay;
      }
    }
    for (const q of heeding) mark[q] = 0;
    if (!arrive) return;
    const list = this.heldOffers(to, now) ?? [];
    list.push({ sentAt: now, m, audience, arrive });
    this.held.set(to, list);
    // let go of it once every copy would have arrived
    sim.schedule(this.maxSignalDelay() + 1, this.dropHeldKind, to);
  }

  /** The members that heed offers to `to` now (the list keeps only those). */
  private heeding(to: PeerId): PeerId[] {
    const set = this.heeders.get(to);
    if (!set) return [];
    const still: PeerId[] = [];
    for (const q of set) {
      if (this.peers[q]?.heedsOffersTo(to) === true) still.push(q);
      else set.delete(q);
    }
    if (still.length === 0) this.heeders.delete(to);
    return still;
  }

  /** `to`'s held offers that may still be on their way (older ones are dropped). */
  private heldOffers(to: PeerId, now: number): HeldOffer[] | undefined {
    const list = this.held.get(to);
    if (!list) return undefined;
    const live = list.filter((h) => now - h.sentAt <= this.maxSignalDelay());
    if (live.length === 0) {
      this.held.delete(to);
      return undefined;
    }
    if (live.length !== list.length) this.held.set(to, live);
    return live;
  }

  /** A new hello reaches `q` at `helloAt`: the held copies that would have reached it after count there. */
  private replayHeld(held: HeldOffer[], q: PeerId, helloAt: number): void {
    for (const h of held) {
      h.index ??= new Map(h.audience.map((p, i) => [p, i]));
      const i = h.index.get(q);
      if (i === undefined) continue;
      const t = h.arrive[i]!;
      if (t > helloAt) {
        this.world.sim.at(t, this.sigKind, q, 0, h.m);
        h.arrive[i] = NaN;
      }
    }
  }

  private maxSignalDelay(): number {
    return this.params.signalingMs * 2.2;
  }

  private deliverSignal(to: PeerId, m: RoomSignal): void {
    const p = this.peers[to];
    if (!p) return;
    p.onSignaling(m);
    // a member starts heeding offers to a joiner only here, on its hello (see offerCopies)
    if (m.type === 'hello' && p.heedsOffersTo(m.from)) {
      // a set: at 10^4 peers a joiner's hello is taken up by hundreds while the window is young
      const set = this.heeders.get(m.from);
      if (!set) this.heeders.set(m.from, new Set([to]));
      else set.add(to);
    }
  }

  // ---- links --------------------------------------------------------------------------------------

  /** A peer starts a transport toward `to`; an initiator's offer is ready 1 ms later. */
  openLink(peer: PeerId, to: PeerId, initiator: boolean): void {
    if (!this.peers[peer]) return;
    const t: Transport = { initiator, nonce: '', open: false, gen: ++this.gen, peerGen: -1 };
    this.transports[peer]!.set(to, t);
    if (initiator) {
      t.nonce = this.rng.nextU32().toString(16);
      this.world.sim.schedule(1, this.descKind, peer, t.gen, { to, sig: { kind: 'offer', nonce: t.nonce, sdp: this.sdp, link: 'bootstrap' } as LinkSignal });
    }
  }

  /** A remote description for `peer`'s transport toward `from`. */
  remoteSignal(peer: PeerId, from: PeerId, sig: LinkSignal): void {
    const t = this.transports[peer]!.get(from);
    if (!t) return;
    if (sig.kind === 'offer' && !t.initiator) {
      t.nonce = sig.nonce;
      this.world.sim.schedule(1, this.descKind, peer, t.gen, { to: from, sig: { kind: 'answer', nonce: sig.nonce, sdp: this.sdp, link: 'bootstrap' } as LinkSignal });
    } else if (sig.kind === 'answer' && t.initiator && sig.nonce === t.nonce) {
      const rtt = 2 * this.world.net.baseLatency(peer, from);
      this.world.sim.schedule(this.params.connectRtts * rtt, this.openKind, peer, t.gen, { b: from });
    }
  }

  private deliverDesc(peer: PeerId, gen: number, d: { to: PeerId; sig: LinkSignal }): void {
    const t = this.transports[peer]!.get(d.to);
    if (t?.gen === gen) this.peers[peer]?.onLocalSignal(d.to, d.sig);
  }

  private open(a: PeerId, gen: number, d: { b: PeerId }): void {
    const b = d.b;
    const ta = this.transports[a]!.get(b);
    const tb = this.transports[b]!.get(a);
    if (!ta || ta.gen !== gen || !tb || tb.initiator || tb.nonce !== ta.nonce || !this.peers[a] || !this.peers[b] || this.world.net.separated(a, b)) {
      this.stats.linksFailed++;
      return;
    }
    ta.open = tb.open = true;
    ta.peerGen = tb.gen;
    tb.peerGen = ta.gen;
    this.stats.linksOpened++;
    const now = this.port.now();
    if (this.stats.firstLinkAt[a]! < 0) this.stats.firstLinkAt[a] = now;
    if (this.stats.firstLinkAt[b]! < 0) this.stats.firstLinkAt[b] = now;
    this.peers[a]!.onLinkOpen(b);
    if (this.transports[b]!.get(a) === tb) this.peers[b]?.onLinkOpen(a);
  }

  /** Sends on `peer`'s open link to `to`. */
  send(peer: PeerId, to: PeerId, m: M, bytes: number): void {
    const t = this.transports[peer]!.get(to);
    if (!t?.open) return;
    this.port.send(peer, to, { gen: t.gen, m, bytes }, bytes);
  }

  /** Closes `peer`'s transport to `to`; an open one tells the other end over the network. */
  closeLink(peer: PeerId, to: PeerId): void {
    const t = this.transports[peer]!.get(to);
    if (!t) return;
    this.transports[peer]!.delete(to);
    if (t.open) this.port.send(peer, to, { gen: t.gen, close: true }, 28);
  }

  isOpen(peer: PeerId, to: PeerId): boolean {
    return this.transports[peer]!.get(to)?.open === true;
  }
}
