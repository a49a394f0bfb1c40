/**
 * The overlay under the adaptive peer: a partial view of links agreed by both ends (connect / accept /
 * reject / disconnect), infect-and-die push gossip over it with a bounded dedup cache, and the
 * admission rule (an honest peer links only with peers that are not blacklisted and score at least
 * `admitThreshold`). Reputation, probes and rewiring build on it (peer.ts, probes.ts, rewiring.ts).
 */
import type { PeerContext, PeerId } from '../../core/index.js';
import { ID_SPLIT, type AdaptiveMsg, type GossipMsg } from './messages.js';
import type { ReputationParams, RewiringParams } from './params.js';
import { TrustTable } from './reputation.js';

export interface AdaptiveConfig {
  /** Peer ids are below this (opinion entries are checked against it). */
  peers: number;
  degree: number;
  maxDegree: number;
  fanout: number;
  headerBytes: number;
  cacheSize: number;
  maintainMs: number;
  /** Payload bytes of a junk message. */
  junkBytes: number;
  reputation: ReputationParams;
  rewiring: RewiringParams;
}

export type LinkDownReason = 'cut' | 'rewire' | 'disconnect' | 'down';

/** What the peer tells its host (the simulator's metrics, or a live app). Called synchronously. */
export interface AdaptiveHost {
  /** A uniformly random live peer other than `self` (the peer-sampling service: Cyclon/HyParView in a live network). */
  sample(): PeerId;
  /** A new valid message arrived (or was broadcast here). */
  deliver(msg: GossipMsg): void;
  linkUp?(other: PeerId): void;
  linkDown?(other: PeerId, why: LinkDownReason): void;
  /** Bytes this peer sent for reputation (opinions, probes and their answers). */
  reputationBytes?(bytes: number): void;
  /** A message from `from` was malformed and dropped (`what` says why). */
  malformed?(from: PeerId, what: string): void;
}

/** What a peer keeps about one of its neighbours (an open overlay link). */
export interface Neighbour {
  /** A random link (initial overlay, repair, or asked for as random), not one picked by the metric. */
  random: boolean;
  since: number;
  /** EWMA of measured round-trip times; NaN until measured. */
  rtt: number;
  /** Valid messages received from it this window (aged each period). */
  delivered: number;
  /** Messages it delivered first (aged each period). */
  first: number;
  /** Recent message ids we pushed to it, with when (a ring, for probes). */
  sentIds: number[];
  sentAt: number[];
  sentNext: number;
}

export interface PendingConnect {
  at: number;
  /** Rewiring: the link this one replaces once accepted (-1 for a repair link). */
  replace: PeerId;
}

/** Recent pushes remembered per link (the messages a probe may ask for). */
const SENT_RING = 4;

export class OverlayPeer {
  readonly id: PeerId;
  readonly links = new Map<PeerId, Neighbour>();
  readonly trust: TrustTable;
  readonly pending = new Map<PeerId, PendingConnect>();
  /** Message id -> a valid copy (FIFO, bounded by cacheSize). */
  protected readonly seen = new Map<number, GossipMsg>();
  /** Sequence number of this peer's next broadcast. */
  protected seq = 0;
  /** Whether this peer gathers evidence and judges its neighbours (honest, with reputation on). */
  judging: boolean;
  readonly stats = { invalidReceived: 0, duplicates: 0, malformed: 0, cuts: 0, rewires: 0, probesTimedOut: 0 };

  constructor(
    readonly ctx: PeerContext<AdaptiveMsg>,
    readonly cfg: AdaptiveConfig,
    readonly host: AdaptiveHost,
  ) {
    this.id = ctx.id;
    const r = cfg.reputation;
    this.judging = r.enabled;
    this.trust = new TrustTable(ctx.id, {
      ageing: r.ageing,
      indirectWeight: r.indirectWeight,
      maxOpinions: r.maxOpinions,
      maxReportWeight: r.maxReportWeight,
      maxKnown: r.maxKnown,
      peers: cfg.peers,
    });
  }

  /** Leaving: a goodbye on every link. */
  stop(): void {
    for (const p of [...this.links.keys()]) {
      this.send(p, { t: 'disconnect' }, 0);
      this.removeLink(p, 'disconnect');
    }
  }

  /** A crash: links vanish without a goodbye (the host reports them down). */
  crash(): void {
    for (const p of [...this.links.keys()]) this.removeLink(p, 'down');
  }

  /** The id the next broadcast from this peer will carry. */
  peekNextId(): number {
    return this.seq * ID_SPLIT + this.id;
  }

  /** Originates a broadcast of `bytes` payload; returns its id. */
  broadcast(bytes: number): number {
    const msg: GossipMsg = { t: 'gossip', id: this.seq++ * ID_SPLIT + this.id, origin: this.id, valid: true, bytes };
    this.remember(msg);
    this.host.deliver(msg);
    this.forward(msg, -1);
    return msg.id;
  }

  /** Whether this peer holds message `id`. */
  has(id: number): boolean {
    return this.seen.has(id);
  }

  /** Measured RTT of a link (NaN if not measured). */
  rttOf(p: PeerId): number {
    return this.links.get(p)?.rtt ?? NaN;
  }

  // ---- links -------------------------------------------------------------------------------------

  addLink(p: PeerId, random: boolean): void {
    if (this.links.has(p)) return;
    this.links.set(p, { random, since: this.ctx.now(), rtt: NaN, delivered: 0, first: 0, sentIds: [], sentAt: [], sentNext: 0 });
    this.host.linkUp?.(p);
  }

  removeLink(p: PeerId, why: LinkDownReason): void {
    if (!this.links.delete(p)) return;
    this.host.linkDown?.(p, why);
  }

  /** Honest peers link only with peers that are not blacklisted and not below the threshold. */
  acceptable(p: PeerId): boolean {
    if (p === this.id) return false;
    if (!this.judging) return true;
    return !this.trust.isBlacklisted(p) && this.trust.score(p) >= this.cfg.reputation.admitThreshold;
  }

  /** Asks `p` for a link; `replace` is the link it will replace once accepted (-1: a random link). */
  connect(p: PeerId, replace: PeerId): void {
    this.pending.set(p, { at: this.ctx.now(), replace });
    this.send(p, { t: 'connect', random: replace < 0 }, 1);
  }

  /** Random links held and asked for. */
  randomLinks(): number {
    let c = 0;
    for (const l of this.links.values()) if (l.random) c++;
    for (const pc of this.pending.values()) if (pc.replace < 0) c++;
    return c;
  }

  protected onConnect(from: PeerId, random: boolean): void {
    this.admitConnect(from, random);
  }

  /** Answers a connect: accepted if `from` is acceptable and there is room. */
  protected admitConnect(from: PeerId, random: boolean): void {
    if (this.links.has(from)) {
      this.send(from, { t: 'accept' }, 0);
      return;
    }
    if (!this.acceptable(from) || this.links.size >= this.cfg.maxDegree) {
      this.send(from, { t: 'reject' }, 0);
      return;
    }
    this.pending.delete(from);
    this.addLink(from, random);
    this.send(from, { t: 'accept' }, 0);
  }

  /** `from` accepted our connect. Returns the pending request it answered, if the link was made. */
  protected onAccept(from: PeerId): PendingConnect | null {
    const pc = this.pending.get(from);
    if (pc === undefined || !this.acceptable(from) || (pc.replace < 0 && this.links.size >= this.cfg.maxDegree)) {
      this.pending.delete(from);
      // we gave up on it (or learnt it is bad meanwhile): close the link it opened
      if (!this.links.has(from)) this.send(from, { t: 'disconnect' }, 0);
      return null;
    }
    this.pending.delete(from);
    this.addLink(from, pc.replace < 0);
    return pc;
  }

  // ---- gossip ------------------------------------------------------------------------------------

  send(to: PeerId, msg: AdaptiveMsg, payload: number): number {
    const bytes = this.cfg.headerBytes + payload;
    this.ctx.send(to, msg, bytes);
    return bytes;
  }

  protected remember(msg: GossipMsg): void {
    this.seen.set(msg.id, msg);
    if (this.seen.size > this.cfg.cacheSize) {
      const oldest = this.seen.keys().next().value as number;
      this.seen.delete(oldest);
    }
  }

  /** Pushes to `fanout` random neighbours other than `except`. */
  protected forward(msg: GossipMsg, except: PeerId): void {
    const ids: PeerId[] = [];
    for (const p of this.links.keys()) if (p !== except) ids.push(p);
    const k = Math.min(this.cfg.fanout, ids.length);
    const rng = this.ctx.rng;
    const now = this.ctx.now();
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(ids.length - i);
      const to = ids[j]!;
      ids[j] = ids[i]!;
      ids[i] = to;
      this.send(to, msg, msg.bytes);
      const l = this.links.get(to) as Neighbour;
      l.sentIds[l.sentNext] = msg.id;
      l.sentAt[l.sentNext] = now;
      l.sentNext = (l.sentNext + 1) % SENT_RING;
    }
  }
}
