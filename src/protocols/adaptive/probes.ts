/**
 * Pull probes, the answer to the subtle drop case: a dropper looks, from one side, just like a
 * neighbour that happened to receive every message from us first. So once a period a peer asks each
 * neighbour for a message it itself pushed to that neighbour at least `probeAgeMs` ago. The neighbour
 * must hold it: a proof of possession (id + signature) is good evidence; silence after
 * `probeTimeoutMs`, "don't have it", or a tampered proof is bad.
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
  private readonly open = new Map<number, { peer: PeerId; id: number }>();
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
      this.open.set(nonce, { peer: p, id });
      // (send first: an optional call `f?.(send())` would skip the send when the host has no counter)
      const bytes = me.send(p, { t: 'pull', id, nonce }, PULL_BYTES);
      me.host.reputationBytes?.(bytes);
      me.ctx.setTimer(rep.probeTimeoutMs, TIMER_PROBE, nonce);
    }
  }

  /** `from` answered probe `nonce` with `msg` (null: it does not have the message). */
  onReply(from: PeerId, nonce: number, msg: GossipMsg | null): void {
    const me = this.peer;
    const probe = this.open.get(nonce);
    if (probe === undefined || probe.peer !== from) return; // late (after its timeout) or not ours
    this.open.delete(nonce);
    if (!me.judging) return;
    // we pushed this very message to `from`: "don't have it" and a tampered copy are both bad
    if (msg !== null && msg.id === probe.id && msg.valid) me.trust.good(from);
    else me.trust.bad(from);
  }

  /** Probe `nonce` got no answer in time. */
  onTimeout(nonce: number): void {
    const me = this.peer;
    const probe = this.open.get(nonce);
    if (probe === undefined) return;
    this.open.delete(nonce);
    me.stats.probesTimedOut++;
    if (me.judging && me.links.has(probe.peer)) me.trust.bad(probe.peer);
  }

  /** `p` went away: its probes say nothing. */
  forget(p: PeerId): void {
    for (const [nonce, pr] of this.open) if (pr.peer === p) this.open.delete(nonce);
  }
}
