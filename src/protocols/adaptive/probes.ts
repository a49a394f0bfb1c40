/**
 * Pull probes, the answer to the subtle drop case: a dropper looks, from one side, just like a
 * neighbour that happened to receive every message from us first. So once a period a peer asks each
 * neighbour for a message it itself pushed to that neighbour at least `probeAgeMs` ago. The neighbour
 * must hold it: a proof of possession (id + signature) is good evidence; "don't have it", a
 * tampered proof, and silence for `probeTimeoutMs` are bad. Within that time the pull is sent
 * 1 + `probeRetries` times at even intervals (the same nonce: an answer to any send counts): on a
 * lossy network a pull or its reply is lost now and then (19% of single pulls at 10% loss, 3.6% of
 * two), and a lost message is no evidence. "Don't have it" is taken only from the last send: our
 * push may have been lost, and by then gossip has brought the message by another path. A dropper
 * stays silent however often it is asked, and its bad evidence comes no later than with one send.
 */
import type { PeerId } from '../../core/index.js';
import type { GossipMsg } from './messages.js';
import type { OverlayPeer } from './overlay-peer.js';

/** Timer tag of a probe's timeout (data: its nonce). */
export const TIMER_PROBE = 5;
/** Payload bytes of a pull (message id, nonce). */
const PULL_BYTES = 16;

export class Probes {
  /** Probes awaiting an answer, by nonce. */
  private readonly open = new Map<number, { peer: PeerId; id: number; tries: number }>();
  private nonce = 0;

  constructor(private readonly peer: OverlayPeer) {}

  /** Once per reputation period: each neighbour is asked for the latest message we pushed to it
   * at least `probeAgeMs` ago (none if there is no such message). */
  send(): void {
    const me = this.peer;
    const rep = me.cfg.reputation;
    const now = me.ctx.now();
    for (const [p, l] of me.links) {
      let id = -1;
      let best = -Infinity;
      for (let i = 0; i < l.sentIds.length; i++) {
        const at = l.sentAt[i]!;
        if (now - at >= rep.probeAgeMs && at > best) {
          best = at;
          id = l.sentIds[i]!;
        }
      }
      if (id < 0) continue;
      const nonce = this.nonce++;
      this.open.set(nonce, { peer: p, id, tries: 0 });
      this.pull(p, id, nonce);
    }
  }

  /** Sends (or re-sends: same nonce, so a late answer to an earlier send still counts) a pull. */
  private pull(p: PeerId, id: number, nonce: number): void {
    const me = this.peer;
    const rep = me.cfg.reputation;
    // (send first: an optional call `f?.(send())` would skip the send when the host has no counter)
    const bytes = me.send(p, { t: 'pull', id, nonce }, PULL_BYTES);
    me.host.reputationBytes?.(bytes);
    me.ctx.setTimer(rep.probeTimeoutMs / (rep.probeRetries + 1), TIMER_PROBE, nonce);
  }

  /** `from` answered probe `nonce` with `msg` (null: it does not have the message). */
  onReply(from: PeerId, nonce: number, msg: GossipMsg | null): void {
    const me = this.peer;
    const probe = this.open.get(nonce);
    if (probe === undefined || probe.peer !== from) return; // late (after its timeout) or not ours
    // "don't have it" may mean our push was lost: asked again when the probe's timer fires, by when
    // gossip has had time to bring the message by another path
    if (msg === null && probe.tries < me.cfg.reputation.probeRetries) return;
    this.open.delete(nonce);
    if (!me.judging) return;
    // we pushed this very message to `from`: "don't have it" and a tampered copy are both bad
    if (msg !== null && msg.id === probe.id && msg.valid) me.trust.good(from);
    else me.trust.bad(from);
  }

  /** Probe `nonce` got no answer to its latest send: sent again while retries are left (a lost
   * pull or reply is not evidence), else the silence is bad evidence. */
  onTimeout(nonce: number): void {
    const me = this.peer;
    const probe = this.open.get(nonce);
    if (probe === undefined) return;
    if (probe.tries < me.cfg.reputation.probeRetries && me.links.has(probe.peer)) {
      probe.tries++;
      this.pull(probe.peer, probe.id, nonce);
      return;
    }
    this.open.delete(nonce);
    me.stats.probesTimedOut++;
    if (me.judging && me.links.has(probe.peer)) me.trust.bad(probe.peer);
  }

  /** `p` went away: its probes say nothing. */
  forget(p: PeerId): void {
    for (const [nonce, pr] of this.open) if (pr.peer === p) this.open.delete(nonce);
  }
}
