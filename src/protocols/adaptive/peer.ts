/**
 * One honest peer of the adaptive overlay as a sans-IO state machine (`PeerProtocol`): gossip over a
 * partial view (overlay-peer.ts), first-hand evidence from what the peer can verify, opinion
 * exchange, cutting off peers below the trust threshold, and link rewiring (rewiring.ts). Malicious
 * peers are this class with their behaviours put in (behaviours/).
 *
 * What an honest peer can observe about a neighbour, and counts as evidence:
 * - every message carries an origin signature (a validity bit here): a tampered or junk message is
 *   proof against whoever sent it (bad); a valid one is a little good evidence;
 * - pull probes (probes.ts): a neighbour must hold what we pushed to it;
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
 * Rewiring keeps the first `keepRandom` random links (agreed as random by both ends) and tops them up
 * when the far end drops one, so the overlay keeps random shortcuts and does not split into local
 * clusters.
 */
import type { PeerContext, PeerId, PeerProtocol } from '../../core/index.js';
import { isGossip, isNonNegInt, OPINION_ENTRY_BYTES, PROOF_BYTES, type AdaptiveMsg, type GossipMsg } from './messages.js';
import { OverlayPeer, type AdaptiveConfig, type AdaptiveHost, type Neighbour } from './overlay-peer.js';
import { Probes, TIMER_PROBE } from './probes.js';
import { opinionsFor, validateOpinions } from './reputation.js';
import { Rewiring } from './rewiring.js';
import { TELL_BYTES, TIMER_VET, Vetting, type VetOutcome } from './vetting.js';

export type { AdaptiveConfig, AdaptiveHost, LinkDownReason } from './overlay-peer.js';
export type { AdaptiveMsg, GossipMsg } from './messages.js';

export const TIMER_REPUTATION = 1;
const TIMER_MAINTAIN = 2;
const TIMER_REWIRE = 3;
/** Failure detector input: data = the neighbour that went away. */
export const TIMER_NEIGHBOUR_DOWN = 6;

/** Bad evidence of one provably invalid message (a valid one is worth VALID_WEIGHT good). */
const PROOF_WEIGHT = 4;
const VALID_WEIGHT = 0.25;
/** A connect unanswered after this many maintenance periods is given up. */
const CONNECT_TIMEOUT_FACTOR = 4;

export class AdaptivePeer extends OverlayPeer implements PeerProtocol<AdaptiveMsg>, VetOutcome {
  protected readonly probes = new Probes(this);
  protected readonly rewiring = new Rewiring(this);
  protected readonly vetting = new Vetting(this, this);
  /** Where this period's opinion list starts walking the trust table. */
  private cursor = 0;

  constructor(
    ctx: PeerContext<AdaptiveMsg>,
    cfg: AdaptiveConfig,
    host: AdaptiveHost,
    /** Links this peer starts with (both ends list each other). */
    private readonly initial: readonly PeerId[] = [],
  ) {
    super(ctx, cfg, host);
  }

  /** True for an honest peer (a malicious one overrides it). */
  get honest(): boolean {
    return true;
  }

  /** Whether this peer rewires its links by the metric (malicious peers do not). */
  protected get rewires(): boolean {
    return this.cfg.rewiring.strategy !== 'none';
  }

  start(): void {
    for (const p of this.initial) if (p !== this.id) this.addLink(p, true);
    this.ctx.setTimer(this.ctx.rng.float() * this.cfg.maintainMs, TIMER_MAINTAIN);
    this.startTimers();
  }

  /** The periodic work beyond link maintenance: reputation, rewiring. */
  protected startTimers(): void {
    const rng = this.ctx.rng;
    const rep = this.cfg.reputation;
    if (rep.enabled) this.ctx.setTimer(rng.float() * rep.periodMs, TIMER_REPUTATION);
    if (this.rewires) this.ctx.setTimer(rng.float() * this.cfg.rewiring.periodMs, TIMER_REWIRE);
  }

  /** Asks sampled peers for links until links + pending reach the degree. */
  private maintain(): void {
    const now = this.ctx.now();
    const timeout = CONNECT_TIMEOUT_FACTOR * this.cfg.maintainMs;
    for (const [p, pc] of this.pending) if (now - pc.at > timeout) this.pending.delete(p);
    const rewires = this.rewires;
    // over the cap (initial overlay, crossing requests): a rewiring peer sheds its worst link
    if (rewires && this.links.size > this.cfg.maxDegree) {
      const worst = this.rewiring.worstLink();
      if (worst !== null) {
        this.send(worst, { t: 'disconnect' }, 0);
        this.removeLink(worst, 'rewire');
      }
    }
    const vetting = this.vetting;
    let missing = this.cfg.degree - this.links.size - this.pending.size - vetting.outgoing;
    // a rewiring peer whose random links were dropped from the other end asks for a fresh one, so
    // keepRandom random shortcuts survive even at full degree (GoCast's random neighbours)
    if (missing <= 0 && rewires && this.links.size < this.cfg.maxDegree && this.randomLinks() + vetting.outgoing < this.cfg.rewiring.keepRandom) missing = 1;
    for (let tries = 0; missing > 0 && tries < 4 * missing + 4; tries++) {
      const c = this.host.sample();
      if (c === this.id || c < 0 || this.links.has(c) || this.pending.has(c) || vetting.has(c) || !this.acceptable(c)) continue;
      if (vetting.needed(c)) vetting.start(c, false, true);
      else this.connect(c, -1);
      missing--;
    }
  }

  /** A connect from a peer we have no first-hand evidence on waits until the neighbours asked about
   * it have answered (vetting.ts). */
  protected override onConnect(from: PeerId, random: boolean): void {
    const vetting = this.vetting;
    if (vetting.takeConnect(from, random)) return;
    if (!this.links.has(from) && this.links.size < this.cfg.maxDegree && this.acceptable(from) && vetting.needed(from)) vetting.start(from, true, random);
    else this.admitConnect(from, random);
  }

  /** A vetted connect: answered now, with what the neighbours said. */
  answerConnect(peer: PeerId, random: boolean): void {
    this.admitConnect(peer, random);
  }

  /** A vetted connect the answers spoke against. */
  refuseConnect(peer: PeerId): void {
    this.send(peer, { t: this.links.has(peer) ? 'accept' : 'reject' }, 0);
  }

  /** A vetted candidate for a (random) link: asked if still acceptable and there is room. */
  askForLink(peer: PeerId): void {
    if (this.links.has(peer) || this.pending.has(peer) || this.links.size >= this.cfg.maxDegree || !this.acceptable(peer)) return;
    this.connect(peer, -1);
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
        if (!this.linkedWith(from)) return;
        return this.onPull(from, msg.id, msg.nonce);
      case 'pullReply':
        if (!isNonNegInt(msg.nonce) || (msg.msg !== null && !isGossip(msg.msg))) return this.reject(from, 'pullReply: bad fields');
        return this.probes.onReply(from, msg.nonce, msg.msg);
      case 'connect':
        if (typeof msg.random !== 'boolean') return this.reject(from, 'connect: bad fields');
        return this.onConnect(from, msg.random);
      case 'accept':
        return this.accepted(from);
      case 'reject':
        this.pending.delete(from);
        return;
      case 'disconnect':
        this.pending.delete(from);
        this.probes.forget(from);
        this.removeLink(from, 'disconnect');
        return;
      case 'ping':
        if (!isNonNegInt(msg.nonce)) return this.reject(from, 'ping: bad nonce');
        this.send(from, { t: 'pong', nonce: msg.nonce }, 4);
        return;
      case 'pong':
        if (!isNonNegInt(msg.nonce)) return this.reject(from, 'pong: bad nonce');
        return this.rewiring.onPong(from, msg.nonce);
      case 'opinions':
        return this.onOpinions(from, (msg as { entries?: unknown }).entries);
      case 'ask':
        if (!isNonNegInt(msg.peer) || msg.peer >= this.cfg.peers || !isNonNegInt(msg.nonce) || (msg.relay !== undefined && typeof msg.relay !== 'boolean'))
          return this.reject(from, 'ask: bad fields');
        if (!this.links.has(from)) return;
        return this.onAsk(from, msg.peer, msg.nonce, msg.relay === true);
      case 'tell':
        return this.onTell(from, msg.nonce, (msg as { entry?: unknown }).entry);
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

  private accepted(from: PeerId): void {
    const pc = this.onAccept(from);
    if (pc !== null && pc.replace >= 0) this.rewiring.accepted(from, pc);
  }

  private onGossip(from: PeerId, msg: GossipMsg): void {
    if (!this.linkedWith(from)) return;
    this.relay(from, msg, this.links.get(from) as Neighbour);
  }

  /**
   * Whether link traffic (gossip, a probe) from `from` may be taken: it holds a link with us. If we
   * asked it for one, that is its accept (lost, or overtaken by this message). If we hold none, its
   * link is half-open (our disconnect or accept was lost) and it is told so, as TCP's RST would:
   * otherwise it pushes into a void and probes a peer that ignores its pushes, and plain message
   * loss makes honest peers look like droppers.
   */
  private linkedWith(from: PeerId): boolean {
    if (this.links.has(from)) return true;
    if (this.pending.has(from)) this.accepted(from);
    else this.send(from, { t: 'disconnect' }, 0);
    return this.links.has(from);
  }

  /** What a peer does with a gossip message from a neighbour: an honest one checks the signature,
   * keeps and forwards what is new, and takes it as evidence. */
  protected relay(from: PeerId, msg: GossipMsg, link: Neighbour): void {
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

  /** A probe from `from`: the proof of possession (the message's id and origin signature, not its
   * payload), or null when we do not have it. */
  protected onPull(from: PeerId, id: number, nonce: number): void {
    const have = this.seen.get(id) ?? null;
    const bytes = this.send(from, { t: 'pullReply', nonce, msg: have }, 8 + (have ? PROOF_BYTES : 0));
    this.host.reputationBytes?.(bytes);
  }

  /** A neighbour asks what we hold about `peer` before linking with it: one opinion entry (after
   * asking our own neighbours, if it may be relayed and we hold nothing). */
  protected onAsk(from: PeerId, peer: PeerId, nonce: number, relay: boolean): void {
    if (!this.judging) return;
    if (relay && this.vetting.relay(from, peer, nonce)) return;
    const bytes = this.send(from, { t: 'tell', nonce, entry: this.trust.opinionOf(peer) }, TELL_BYTES);
    this.host.reputationBytes?.(bytes);
  }

  private onTell(from: PeerId, nonce: unknown, entry: unknown): void {
    if (!isNonNegInt(nonce)) return this.reject(from, 'tell: bad nonce');
    const rep = this.cfg.reputation;
    const ops = validateOpinions([entry], { maxOpinions: 1, maxReportWeight: rep.maxReportWeight, peers: this.cfg.peers });
    if (typeof ops === 'string') return this.reject(from, `tell: ${ops}`);
    if (this.judging) this.vetting.onTell(from, nonce, ops[0]!);
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
        this.rewiring.period();
        this.ctx.setTimer(this.cfg.rewiring.periodMs, TIMER_REWIRE);
        return;
      case TIMER_PROBE:
        this.probes.onTimeout(data as number);
        return;
      case TIMER_VET:
        this.vetting.onTimeout(data as number);
        return;
      case TIMER_NEIGHBOUR_DOWN:
        this.neighbourDown(data as PeerId);
        return;
      default:
        this.onOtherTimer(tag);
    }
  }

  /** Timers of a behaviour (behaviours/). */
  protected onOtherTimer(_tag: number): void {}

  /** The failure detector says `p` went away: drop the link, no evidence either way. */
  neighbourDown(p: PeerId): void {
    this.pending.delete(p);
    this.probes.forget(p);
    this.removeLink(p, 'down');
  }

  /** Once per `reputation.periodMs`: ageing, the forwarding share, probes, cuts, opinions. */
  protected reputationPeriod(): void {
    const rep = this.cfg.reputation;
    const trust = this.trust;
    trust.age();
    const now = this.ctx.now();
    // forwarding share, measured against the other neighbours
    const counts: number[] = [];
    for (const l of this.links.values()) counts.push(l.delivered);
    counts.sort((a, b) => a - b);
    const median = counts.length ? counts[counts.length >> 1]! : 0;
    for (const [p, l] of this.links) {
      if (median >= 8 && now - l.since >= 5 * rep.periodMs && l.delivered < 0.05 * median) trust.bad(p, 0.25);
      l.delivered *= rep.ageing;
      l.first *= rep.ageing;
    }
    this.probes.send();
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
}
