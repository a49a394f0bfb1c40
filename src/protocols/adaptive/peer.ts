/**
 * One peer of the adaptive overlay as a sans-IO state machine (`PeerProtocol`): gossip over a
 * partial view, a link handshake, first-hand evidence from what the peer can verify, opinion
 * exchange, cutting off peers below the trust threshold, and link rewiring. Malicious peers run the
 * same class with an `Adversary` set; they behave honestly except where their behaviour says.
 *
 * What an honest peer can observe about a neighbour, and counts as evidence:
 * - every message carries an origin signature (a validity bit here): a tampered or junk message is
 *   proof against whoever sent it (bad); a valid one is a little good evidence;
 * - pull probes: once per period it asks each neighbour for a message it itself pushed to that
 *   neighbour at least `probeAgeMs` ago. That neighbour must hold it, so silence (timeout), a "don't
 *   have it" or a tampered copy are bad evidence, a valid copy is good. This is what catches a
 *   dropper: a peer that receives and never forwards looks, from one side, just like a neighbour
 *   that happened to get every message from us first;
 * - the forwarding share measured against the other neighbours: a neighbour that delivered (almost)
 *   nothing while the median neighbour delivered plenty is a little bad evidence;
 * - a malformed or oversized opinion list (dropped whole), or any malformed message, is bad evidence.
 *
 * Cut rule: a neighbour whose combined score is below `threshold` is cut (link dropped, blacklisted,
 * replaced through the maintenance loop), but only when our own evidence is against it too
 * (first-hand score < 0.5): second-hand opinions alone cannot cut a neighbour we saw behave well, nor
 * a new one we know nothing of yet.
 * Second-hand opinions decide whom we accept or ask for a new link, which is how known-bad peers find
 * no new honest neighbour.
 *
 * Rewiring (GoCast, Tang & Ward 2005; T-Man's ranking by a metric): each period a peer pings its
 * neighbours and a few sampled candidates; with `latency` it asks a candidate whose RTT beats its
 * slowest rewirable link by `improvement`, and drops that link once the candidate accepts; with
 * `throughput` it replaces the link that delivered the fewest new messages first. The first
 * `keepRandom` random links (agreed as random by both ends) are never rewired and are topped up when
 * the far end drops one, so the overlay keeps random shortcuts and does not split into local clusters.
 */
import type { PeerContext, PeerId, PeerProtocol } from '../../core/index.js';
import type { ReputationParams, RewiringParams } from './params.js';
import { opinionsFor, TrustTable, validateOpinions, type Opinion } from './reputation.js';

/** A broadcast message. `valid` models the origin signature: false = tampered or junk, provably. */
export interface GossipMsg {
  t: 'gossip';
  id: number;
  origin: PeerId;
  valid: boolean;
  bytes: number;
}

export type AdaptiveMsg =
  | GossipMsg
  | { t: 'pull'; id: number; nonce: number }
  | { t: 'pullReply'; nonce: number; msg: GossipMsg | null }
  /** `random`: a random link (kept by both ends up to keepRandom), else one picked by the rewiring metric. */
  | { t: 'connect'; random: boolean }
  | { t: 'accept' }
  | { t: 'reject' }
  | { t: 'disconnect' }
  | { t: 'ping'; nonce: number }
  | { t: 'pong'; nonce: number }
  | { t: 'opinions'; entries: Opinion[] };

export interface Adversary {
  /** Receives, never forwards, never answers pulls. */
  drop: boolean;
  /** Forwards (and answers pulls with) tampered copies. */
  corrupt: boolean;
  /** Junk messages per second (0 = none). */
  spamPerSec: number;
  /** Reports honest peers as bad and fellow colluders as good. */
  badmouth: boolean;
  /** Who the colluders are (1 = malicious): they know each other. */
  colluders: Uint8Array;
}

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

interface Link {
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

const TIMER_REPUTATION = 1;
const TIMER_MAINTAIN = 2;
const TIMER_REWIRE = 3;
const TIMER_SPAM = 4;
const TIMER_PROBE = 5;
/** Failure detector input: data = the neighbour that went away. */
export const TIMER_NEIGHBOUR_DOWN = 6;

const SENT_RING = 4;
/** Bad evidence of one provably invalid message (a valid one is worth VALID_WEIGHT good). */
const PROOF_WEIGHT = 4;
const VALID_WEIGHT = 0.25;
const CONNECT_TIMEOUT_FACTOR = 4;
const MAX_MSG_BYTES = 2 ** 28;
const OPINION_ENTRY_BYTES = 12;
/** A pull reply carries the message id and its origin signature (Ed25519-sized). */
const PROOF_BYTES = 72;
/** Message id = seq * ID_SPLIT + origin. */
const ID_SPLIT = 2 ** 24;

interface PendingConnect {
  at: number;
  /** Rewiring: the link this one replaces once accepted (-1 for a repair link). */
  replace: PeerId;
}

export class AdaptivePeer implements PeerProtocol<AdaptiveMsg> {
  readonly id: PeerId;
  readonly links = new Map<PeerId, Link>();
  readonly trust: TrustTable;
  /** Message id -> a valid copy (FIFO, bounded by cacheSize). */
  private readonly seen = new Map<number, GossipMsg>();
  private readonly pending = new Map<PeerId, PendingConnect>();
  private readonly probes = new Map<number, { peer: PeerId; id: number }>();
  private readonly pings = new Map<number, { peer: PeerId; at: number; candidate: boolean }>();
  private nonce = 0;
  private seq = 0;
  private cursor = 0;
  private rewiring = false;
  readonly stats = { invalidReceived: 0, duplicates: 0, malformed: 0, cuts: 0, rewires: 0, probesTimedOut: 0 };

  constructor(
    private readonly ctx: PeerContext<AdaptiveMsg>,
    private readonly cfg: AdaptiveConfig,
    private readonly host: AdaptiveHost,
    /** Links this peer starts with (both ends list each other). */
    private readonly initial: readonly PeerId[] = [],
    readonly adversary: Adversary | null = null,
  ) {
    this.id = ctx.id;
    const r = cfg.reputation;
    this.trust = new TrustTable(ctx.id, {
      ageing: r.ageing,
      indirectWeight: r.indirectWeight,
      maxOpinions: r.maxOpinions,
      maxReportWeight: r.maxReportWeight,
      maxKnown: r.maxKnown,
      peers: cfg.peers,
    });
  }

  get honest(): boolean {
    return this.adversary === null;
  }

  private get judging(): boolean {
    return this.adversary === null && this.cfg.reputation.enabled;
  }

  start(): void {
    for (const p of this.initial) if (p !== this.id) this.addLink(p, true);
    const rng = this.ctx.rng;
    const rep = this.cfg.reputation;
    this.ctx.setTimer(rng.float() * this.cfg.maintainMs, TIMER_MAINTAIN);
    if (rep.enabled && (this.adversary === null || this.adversary.badmouth)) this.ctx.setTimer(rng.float() * rep.periodMs, TIMER_REPUTATION);
    if (this.adversary === null && this.cfg.rewiring.strategy !== 'none')
      this.ctx.setTimer(rng.float() * this.cfg.rewiring.periodMs, TIMER_REWIRE);
    if (this.adversary !== null && this.adversary.spamPerSec > 0) this.ctx.setTimer(rng.exponential(1000 / this.adversary.spamPerSec), TIMER_SPAM);
  }

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

  // ---- links -------------------------------------------------------------------------------------

  private addLink(p: PeerId, random: boolean): void {
    if (this.links.has(p)) return;
    this.links.set(p, { random, since: this.ctx.now(), rtt: NaN, delivered: 0, first: 0, sentIds: [], sentAt: [], sentNext: 0 });
    this.host.linkUp?.(p);
  }

  private removeLink(p: PeerId, why: LinkDownReason): void {
    if (!this.links.delete(p)) return;
    this.host.linkDown?.(p, why);
  }

  /** Honest peers link only with peers that are not blacklisted and not below the threshold. */
  private acceptable(p: PeerId): boolean {
    if (p === this.id) return false;
    if (!this.judging) return true;
    return !this.trust.isBlacklisted(p) && this.trust.score(p) >= this.cfg.reputation.admitThreshold;
  }

  private connect(p: PeerId, replace: PeerId): void {
    this.pending.set(p, { at: this.ctx.now(), replace });
    this.send(p, { t: 'connect', random: replace < 0 }, 1);
  }

  private randomLinks(): number {
    let c = 0;
    for (const l of this.links.values()) if (l.random) c++;
    for (const pc of this.pending.values()) if (pc.replace < 0) c++;
    return c;
  }

  /** Asks sampled peers for links until links + pending reach the degree. */
  private maintain(): void {
    const now = this.ctx.now();
    const timeout = CONNECT_TIMEOUT_FACTOR * this.cfg.maintainMs;
    for (const [p, pc] of this.pending) if (now - pc.at > timeout) this.pending.delete(p);
    // over the cap (initial overlay, crossing requests): a rewiring peer sheds its worst link
    if (this.adversary === null && this.cfg.rewiring.strategy !== 'none' && this.links.size > this.cfg.maxDegree) {
      const worst = this.worstLink();
      if (worst !== null) {
        this.send(worst, { t: 'disconnect' }, 0);
        this.removeLink(worst, 'rewire');
      }
    }
    let missing = this.cfg.degree - this.links.size - this.pending.size;
    // a rewiring peer whose random links were dropped from the other end asks for a fresh one, so
    // keepRandom random shortcuts survive even at full degree (GoCast's random neighbours)
    if (
      missing <= 0 &&
      this.adversary === null &&
      this.cfg.rewiring.strategy !== 'none' &&
      this.links.size < this.cfg.maxDegree &&
      this.randomLinks() < this.cfg.rewiring.keepRandom
    )
      missing = 1;
    for (let tries = 0; missing > 0 && tries < 4 * missing + 4; tries++) {
      const c = this.host.sample();
      if (c === this.id || c < 0 || this.links.has(c) || this.pending.has(c) || !this.acceptable(c)) continue;
      this.connect(c, -1);
      missing--;
    }
  }

  // ---- sending -----------------------------------------------------------------------------------

  private send(to: PeerId, msg: AdaptiveMsg, payload: number): number {
    const bytes = this.cfg.headerBytes + payload;
    this.ctx.send(to, msg, bytes);
    return bytes;
  }

  private remember(msg: GossipMsg): void {
    this.seen.set(msg.id, msg);
    if (this.seen.size > this.cfg.cacheSize) {
      const oldest = this.seen.keys().next().value as number;
      this.seen.delete(oldest);
    }
  }

  /** Pushes to `fanout` random neighbours other than `except`. */
  private forward(msg: GossipMsg, except: PeerId): void {
    const ids: PeerId[] = [];
    for (const p of this.links.keys()) if (p !== except) ids.push(p);
    const k = Math.min(this.cfg.fanout, ids.length);
    const rng = this.ctx.rng;
    const now = this.ctx.now();
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(ids.length - i);
      const to = ids[j] as PeerId;
      ids[j] = ids[i] as PeerId;
      ids[i] = to;
      this.send(to, msg, msg.bytes);
      const l = this.links.get(to) as Link;
      l.sentIds[l.sentNext] = msg.id;
      l.sentAt[l.sentNext] = now;
      l.sentNext = (l.sentNext + 1) % SENT_RING;
    }
  }

  // ---- receiving ---------------------------------------------------------------------------------

  onMessage(from: PeerId, msg: AdaptiveMsg): void {
    // peers are untrusted: check the shape of everything before use
    if (msg === null || typeof msg !== 'object' || typeof (msg as { t?: unknown }).t !== 'string') return this.reject(from, 'not a message');
    switch (msg.t) {
      case 'gossip':
        if (!isGossip(msg)) return this.reject(from, 'gossip: bad fields');
        return this.onGossip(from, msg);
      case 'pull':
        if (!isNonNegInt(msg.id) || !isNonNegInt(msg.nonce)) return this.reject(from, 'pull: bad fields');
        return this.onPull(from, msg.id, msg.nonce);
      case 'pullReply':
        if (!isNonNegInt(msg.nonce) || (msg.msg !== null && !isGossip(msg.msg))) return this.reject(from, 'pullReply: bad fields');
        return this.onPullReply(from, msg.nonce, msg.msg);
      case 'connect':
        if (typeof msg.random !== 'boolean') return this.reject(from, 'connect: bad fields');
        return this.onConnect(from, msg.random);
      case 'accept':
        return this.onAccept(from);
      case 'reject':
        this.pending.delete(from);
        return;
      case 'disconnect':
        this.pending.delete(from);
        this.removeLink(from, 'disconnect');
        return;
      case 'ping':
        if (!isNonNegInt(msg.nonce)) return this.reject(from, 'ping: bad nonce');
        this.send(from, { t: 'pong', nonce: msg.nonce }, 4);
        return;
      case 'pong':
        if (!isNonNegInt(msg.nonce)) return this.reject(from, 'pong: bad nonce');
        return this.onPong(from, msg.nonce);
      case 'opinions':
        return this.onOpinions(from, (msg as { entries?: unknown }).entries);
      default:
        return this.reject(from, `unknown message type ${JSON.stringify((msg as { t: string }).t).slice(0, 40)}`);
    }
  }

  /** A malformed message: dropped, counted, and (if we judge) bad evidence against the sender. */
  private reject(from: PeerId, what: string): void {
    this.stats.malformed++;
    if (this.judging) this.trust.bad(from);
    this.host.malformed?.(from, what);
  }

  private onGossip(from: PeerId, msg: GossipMsg): void {
    const link = this.links.get(from);
    if (link === undefined) return; // not (or no longer) a neighbour: in flight, or unsolicited
    const adv = this.adversary;
    if (adv !== null) {
      if (!msg.valid || this.seen.has(msg.id)) return;
      this.remember(msg);
      if (adv.corrupt) this.forward({ ...msg, valid: false }, from);
      else if (!adv.drop) this.forward(msg, from);
      return;
    }
    if (!msg.valid) {
      // a tampered or junk message is proof against the neighbour that sent it (an honest peer checks
      // the signature before forwarding): it weighs more than a valid message; never kept or forwarded
      this.stats.invalidReceived++;
      if (this.judging) this.trust.bad(from, PROOF_WEIGHT);
      return;
    }
    link.delivered++;
    if (this.judging) this.trust.good(from, VALID_WEIGHT);
    if (this.seen.has(msg.id)) {
      this.stats.duplicates++;
      return;
    }
    link.first++;
    this.remember(msg);
    this.host.deliver(msg);
    this.forward(msg, from);
  }

  private onPull(from: PeerId, id: number, nonce: number): void {
    const adv = this.adversary;
    if (adv !== null && adv.drop) return;
    const have = this.seen.get(id) ?? null;
    const reply = have !== null && adv !== null && adv.corrupt ? { ...have, valid: false } : have;
    // proof of possession: the message's id and origin signature, not its payload
    const bytes = this.send(from, { t: 'pullReply', nonce, msg: reply }, 8 + (reply ? PROOF_BYTES : 0));
    if (adv === null) this.host.reputationBytes?.(bytes);
  }

  private onPullReply(from: PeerId, nonce: number, msg: GossipMsg | null): void {
    const probe = this.probes.get(nonce);
    if (probe === undefined || probe.peer !== from) return; // late (after its timeout) or not ours
    this.probes.delete(nonce);
    if (!this.judging) return;
    // we pushed this very message to `from`: "don't have it" and a tampered copy are both bad
    if (msg !== null && msg.id === probe.id && msg.valid) this.trust.good(from);
    else this.trust.bad(from);
  }

  private onConnect(from: PeerId, random: boolean): void {
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

  private onAccept(from: PeerId): void {
    const pc = this.pending.get(from);
    if (pc === undefined || !this.acceptable(from) || (pc.replace < 0 && this.links.size >= this.cfg.maxDegree)) {
      this.pending.delete(from);
      // we gave up on it (or learnt it is bad meanwhile): close the link it opened
      if (!this.links.has(from)) this.send(from, { t: 'disconnect' }, 0);
      return;
    }
    this.pending.delete(from);
    this.addLink(from, pc.replace < 0);
    if (pc.replace >= 0) {
      this.rewiring = false;
      if (this.links.has(pc.replace) && this.links.size > this.cfg.degree) {
        this.send(pc.replace, { t: 'disconnect' }, 0);
        this.removeLink(pc.replace, 'rewire');
        this.stats.rewires++;
        this.ctx.emit('rewired', { dropped: pc.replace, added: from });
      }
    }
  }

  private onPong(from: PeerId, nonce: number): void {
    const ping = this.pings.get(nonce);
    if (ping === undefined || ping.peer !== from) return;
    this.pings.delete(nonce);
    // our own send time, not one the peer could fake
    const rtt = this.ctx.now() - ping.at;
    if (!ping.candidate) {
      const l = this.links.get(from);
      if (l) l.rtt = Number.isNaN(l.rtt) ? rtt : 0.7 * l.rtt + 0.3 * rtt;
      return;
    }
    if (this.cfg.rewiring.strategy !== 'latency' || this.rewiring) return;
    if (this.links.has(from) || this.pending.has(from) || !this.acceptable(from)) return;
    const worst = this.worstLink();
    if (worst === null) return;
    const wl = this.links.get(worst) as Link;
    if (rtt < wl.rtt * (1 - this.cfg.rewiring.improvement)) {
      this.rewiring = true;
      this.connect(from, worst);
    }
  }

  private onOpinions(from: PeerId, entries: unknown): void {
    if (!this.links.has(from) || !this.judging) return;
    const ops = validateOpinions(entries, { maxOpinions: this.cfg.reputation.maxOpinions, maxReportWeight: this.cfg.reputation.maxReportWeight, peers: this.cfg.peers });
    if (typeof ops === 'string') return this.reject(from, ops);
    this.trust.integrate(from, ops);
  }

  // ---- timers ------------------------------------------------------------------------------------

  onTimer(tag: number, data: unknown): void {
    switch (tag) {
      case TIMER_MAINTAIN:
        this.maintain();
        this.ctx.setTimer(this.cfg.maintainMs, TIMER_MAINTAIN);
        return;
      case TIMER_REPUTATION:
        this.reputationPeriod();
        this.ctx.setTimer(this.cfg.reputation.periodMs, TIMER_REPUTATION);
        return;
      case TIMER_REWIRE:
        this.rewirePeriod();
        this.ctx.setTimer(this.cfg.rewiring.periodMs, TIMER_REWIRE);
        return;
      case TIMER_SPAM:
        this.spam();
        return;
      case TIMER_PROBE: {
        const nonce = data as number;
        const probe = this.probes.get(nonce);
        if (probe === undefined) return;
        this.probes.delete(nonce);
        this.stats.probesTimedOut++;
        if (this.judging && this.links.has(probe.peer)) this.trust.bad(probe.peer);
        return;
      }
      case TIMER_NEIGHBOUR_DOWN:
        this.neighbourDown(data as PeerId);
        return;
    }
  }

  /** The failure detector says `p` went away: drop the link, no evidence either way. */
  neighbourDown(p: PeerId): void {
    this.pending.delete(p);
    for (const [nonce, pr] of this.probes) if (pr.peer === p) this.probes.delete(nonce);
    this.removeLink(p, 'down');
  }

  private reputationPeriod(): void {
    const adv = this.adversary;
    if (adv !== null) {
      if (adv.badmouth) this.badmouth();
      return;
    }
    const rep = this.cfg.reputation;
    const trust = this.trust;
    trust.age();
    const now = this.ctx.now();
    // forwarding share, measured against the other neighbours
    const counts: number[] = [];
    for (const l of this.links.values()) counts.push(l.delivered);
    counts.sort((a, b) => a - b);
    const median = counts.length ? (counts[counts.length >> 1] as number) : 0;
    for (const [p, l] of this.links) {
      if (median >= 8 && now - l.since >= 5 * rep.periodMs && l.delivered < 0.05 * median) trust.bad(p, 0.25);
      l.delivered *= rep.ageing;
      l.first *= rep.ageing;
    }
    // pull probes: a message we pushed to the neighbour a while ago
    for (const [p, l] of this.links) {
      let id = -1;
      let best = -Infinity;
      for (let i = 0; i < l.sentIds.length; i++) {
        const at = l.sentAt[i] as number;
        if (now - at >= rep.probeAgeMs && at > best) {
          best = at;
          id = l.sentIds[i] as number;
        }
      }
      if (id < 0) continue;
      const nonce = this.nonce++;
      this.probes.set(nonce, { peer: p, id });
      // (send first: an optional call `f?.(send())` would skip the send when the host has no counter)
      const bytes = this.send(p, { t: 'pull', id, nonce }, 16);
      this.host.reputationBytes?.(bytes);
      this.ctx.setTimer(rep.probeTimeoutMs, TIMER_PROBE, nonce);
    }
    // cut: below the threshold, and our own evidence is against it too (a stranger's 0.5 is not)
    for (const p of [...this.links.keys()]) {
      if (trust.score(p) < rep.threshold && trust.directScore(p) < 0.5) {
        trust.blacklist(p);
        this.send(p, { t: 'disconnect' }, 0);
        this.removeLink(p, 'cut');
        this.stats.cuts++;
        this.ctx.emit('cut', { peer: p });
      }
    }
    // opinions to every neighbour
    this.cursor += rep.maxOpinions;
    const list = trust.opinions(this.links.keys(), this.cursor);
    for (const p of this.links.keys()) {
      const entries = opinionsFor(list, p, rep.maxOpinions);
      const bytes = this.send(p, { t: 'opinions', entries }, 4 + OPINION_ENTRY_BYTES * entries.length);
      this.host.reputationBytes?.(bytes);
    }
  }

  /** A colluder's opinion list: honest peers it knows of as bad, fellow colluders as good. */
  private badmouth(): void {
    const adv = this.adversary as Adversary;
    const rep = this.cfg.reputation;
    const cap = rep.maxReportWeight;
    const n = this.cfg.peers;
    for (const to of this.links.keys()) {
      const entries: Opinion[] = [];
      const named = new Set<PeerId>([to, this.id]);
      const add = (p: PeerId): void => {
        if (named.has(p) || entries.length >= rep.maxOpinions) return;
        named.add(p);
        entries.push(adv.colluders[p] === 1 ? { peer: p, good: cap, bad: 0 } : { peer: p, good: 0, bad: cap });
      };
      for (const p of this.links.keys()) add(p);
      for (let i = 0; i < 4 * rep.maxOpinions && entries.length < rep.maxOpinions; i++) add(this.ctx.rng.int(n));
      this.send(to, { t: 'opinions', entries }, 4 + OPINION_ENTRY_BYTES * entries.length);
    }
  }

  private spam(): void {
    const adv = this.adversary as Adversary;
    const ids = [...this.links.keys()];
    if (ids.length > 0) {
      const to = ids[this.ctx.rng.int(ids.length)] as PeerId;
      const junk: GossipMsg = { t: 'gossip', id: this.seq++ * ID_SPLIT + this.id, origin: this.id, valid: false, bytes: this.cfg.junkBytes };
      this.send(to, junk, junk.bytes);
    }
    this.ctx.setTimer(this.ctx.rng.exponential(1000 / adv.spamPerSec), TIMER_SPAM);
  }

  /** The slowest (latency) or least useful (throughput) link that is not one of the kept random ones. */
  private worstLink(): PeerId | null {
    const keep = this.cfg.rewiring.keepRandom;
    let kept = 0;
    let worst: PeerId | null = null;
    let worstVal = -Infinity;
    const byLatency = this.cfg.rewiring.strategy === 'latency';
    for (const [p, l] of this.links) {
      if (l.random && kept < keep) {
        kept++;
        continue;
      }
      const v = byLatency ? l.rtt : -l.first;
      if (Number.isNaN(v)) continue;
      if (v > worstVal) {
        worstVal = v;
        worst = p;
      }
    }
    return worst;
  }

  private rewirePeriod(): void {
    const now = this.ctx.now();
    const rw = this.cfg.rewiring;
    // forget pings that never came back, and a rewire the candidate never answered
    for (const [nonce, pg] of this.pings) if (now - pg.at > rw.periodMs) this.pings.delete(nonce);
    if (this.rewiring) {
      let open = false;
      for (const pc of this.pending.values()) if (pc.replace >= 0) open = true;
      this.rewiring = open;
    }
    for (const p of this.links.keys()) this.ping(p, false);
    if (rw.strategy === 'latency') {
      for (let i = 0; i < rw.candidates; i++) {
        const c = this.host.sample();
        if (c !== this.id && c >= 0 && !this.links.has(c) && !this.pending.has(c) && this.acceptable(c)) this.ping(c, true);
      }
    } else if (rw.strategy === 'throughput' && !this.rewiring && this.links.size >= this.cfg.degree) {
      // the link that delivered fewest messages first, if clearly below the median one
      const firsts = [...this.links.values()].map((l) => l.first).sort((a, b) => a - b);
      const median = firsts[firsts.length >> 1] as number;
      const worst = this.worstLink();
      if (worst === null || now - (this.links.get(worst) as Link).since < rw.periodMs) return;
      if ((this.links.get(worst) as Link).first >= (1 - rw.improvement) * median) return;
      for (let i = 0; i < rw.candidates; i++) {
        const c = this.host.sample();
        if (c !== this.id && c >= 0 && !this.links.has(c) && !this.pending.has(c) && this.acceptable(c)) {
          this.rewiring = true;
          this.connect(c, worst);
          return;
        }
      }
    }
  }

  private ping(p: PeerId, candidate: boolean): void {
    const nonce = this.nonce++;
    this.pings.set(nonce, { peer: p, at: this.ctx.now(), candidate });
    this.send(p, { t: 'ping', nonce }, 4);
  }

  // ---- read by the host --------------------------------------------------------------------------

  /** Measured RTT of a link (NaN if not measured). */
  rttOf(p: PeerId): number {
    return this.links.get(p)?.rtt ?? NaN;
  }

  has(id: number): boolean {
    return this.seen.has(id);
  }
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isGossip(m: unknown): m is GossipMsg {
  if (m === null || typeof m !== 'object') return false;
  const g = m as Record<string, unknown>;
  return (
    g.t === 'gossip' &&
    isNonNegInt(g.id) &&
    isNonNegInt(g.origin) &&
    typeof g.valid === 'boolean' &&
    typeof g.bytes === 'number' &&
    g.bytes >= 0 &&
    g.bytes <= MAX_MSG_BYTES
  );
}
