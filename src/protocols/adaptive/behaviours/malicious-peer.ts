/**
 * A malicious peer: the honest peer's protocol with its adversary's behaviours put in. It forwards by
 * its forwarding behaviour (drop, corrupt, or honestly), spams and badmouths if told to, keeps asking
 * random peers for links, and otherwise follows the protocol (handshakes, pongs). It judges no one and
 * does not rewire.
 */
import type { PeerContext, PeerId } from '../../../core/index.js';
import { OPINION_ENTRY_BYTES, PROOF_BYTES, type AdaptiveMsg, type GossipMsg } from '../messages.js';
import type { AdaptiveConfig, AdaptiveHost, Neighbour } from '../overlay-peer.js';
import { AdaptivePeer, TIMER_REPUTATION } from '../peer.js';
import { badmouthList } from './badmouth.js';
import { corrupt } from './corrupt.js';
import { drop } from './drop.js';
import { forwardAsHonest, type Forwarding } from './forwarding.js';
import { junk, nextSpamMs, TIMER_SPAM } from './spam.js';
import { TELL_BYTES } from '../vetting.js';

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

export class MaliciousPeer extends AdaptivePeer {
  private readonly forwarding: Forwarding;

  constructor(
    ctx: PeerContext<AdaptiveMsg>,
    cfg: AdaptiveConfig,
    host: AdaptiveHost,
    initial: readonly PeerId[],
    readonly adversary: Adversary,
  ) {
    super(ctx, cfg, host, initial);
    this.judging = false;
    this.forwarding = adversary.drop ? drop : adversary.corrupt ? corrupt : forwardAsHonest;
  }

  override get honest(): boolean {
    return false;
  }

  protected override get rewires(): boolean {
    return false;
  }

  protected override startTimers(): void {
    const adv = this.adversary;
    if (this.cfg.reputation.enabled && adv.badmouth) this.ctx.setTimer(this.ctx.rng.float() * this.cfg.reputation.periodMs, TIMER_REPUTATION);
    if (adv.spamPerSec > 0) this.ctx.setTimer(nextSpamMs(this.ctx.rng, adv.spamPerSec), TIMER_SPAM);
  }

  protected override relay(from: PeerId, msg: GossipMsg, _link: Neighbour): void {
    if (!msg.valid || this.seen.has(msg.id)) return;
    this.remember(msg);
    const out = this.forwarding.pass(msg);
    if (out !== null) this.forward(out, from);
  }

  protected override onPull(from: PeerId, id: number, nonce: number): void {
    const reply = this.forwarding.proof(this.seen.get(id) ?? null);
    if (reply === undefined) return;
    this.send(from, { t: 'pullReply', nonce, msg: reply }, 8 + (reply ? PROOF_BYTES : 0));
  }

  /** Asked about a peer: a badmouther praises colluders and runs down honest peers; others stay silent. */
  protected override onAsk(from: PeerId, peer: PeerId, nonce: number, _relay: boolean): void {
    if (!this.adversary.badmouth || !this.cfg.reputation.enabled) return;
    const cap = this.cfg.reputation.maxReportWeight;
    const entry = this.adversary.colluders[peer] === 1 ? { peer, good: cap, bad: 0 } : { peer, good: 0, bad: cap };
    this.send(from, { t: 'tell', nonce, entry }, TELL_BYTES);
  }

  /** A colluder's opinion period: badmouthing lists to every neighbour. */
  protected override reputationPeriod(): void {
    if (!this.adversary.badmouth) return;
    for (const to of this.links.keys()) {
      const entries = badmouthList(this.id, to, this.links.keys(), this.adversary.colluders, this.cfg.reputation, this.cfg.peers, this.ctx.rng);
      this.send(to, { t: 'opinions', entries }, 4 + OPINION_ENTRY_BYTES * entries.length);
    }
  }

  protected override onOtherTimer(tag: number): void {
    if (tag !== TIMER_SPAM) return;
    const ids = [...this.links.keys()];
    if (ids.length > 0) {
      const to = ids[this.ctx.rng.int(ids.length)]!;
      const m = junk(this.id, this.seq++, this.cfg.junkBytes);
      this.send(to, m, m.bytes);
    }
    this.ctx.setTimer(nextSpamMs(this.ctx.rng, this.adversary.spamPerSec), TIMER_SPAM);
  }
}
