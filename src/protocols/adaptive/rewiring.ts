/**
 * Dynamic topology adjustment (GoCast, Tang & Ward, DSN 2005: keep a few random links, pick the rest
 * by proximity; T-Man's ranking of candidates by a metric). Every `periodMs` a peer pings its
 * neighbours (RTT from its own send time, EWMA) and `candidates` sampled peers. `latency`: a candidate
 * whose RTT beats the slowest rewirable link by `improvement` is asked for a link, and the slow one is
 * dropped once it accepts. `throughput`: the link that delivered the fewest new messages first is
 * replaced when clearly below the median link. The first `keepRandom` random links are never rewired.
 */
import type { PeerId } from '../../core/index.js';
import type { Neighbour, OverlayPeer, PendingConnect } from './overlay-peer.js';

/** Weights of the average so far and of the newest RTT sample in a link's moving average. */
const RTT_KEEP = 0.7, RTT_GAIN = 0.3;

export class Rewiring {
  private readonly pings = new Map<number, { peer: PeerId; at: number; candidate: boolean }>();
  private nonce = 0;
  /** A rewire is under way (a candidate was asked): one at a time. */
  private busy = false;

  constructor(private readonly peer: OverlayPeer) {}

  /** The slowest (latency) or least useful (throughput) link that is not one of the kept random ones. */
  worstLink(): PeerId | null {
    const rw = this.peer.cfg.rewiring;
    const keep = rw.keepRandom;
    let kept = 0;
    let worst: PeerId | null = null;
    let worstVal = -Infinity;
    const byLatency = rw.strategy === 'latency';
    for (const [p, l] of this.peer.links) {
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

  /** Once per `rewiring.periodMs`: measure the links and candidates, consider one swap. */
  period(): void {
    const me = this.peer;
    const now = me.ctx.now();
    const rw = me.cfg.rewiring;
    // forget pings that never came back, and a rewire the candidate never answered
    for (const [nonce, pg] of this.pings) if (now - pg.at > rw.periodMs) this.pings.delete(nonce);
    if (this.busy) {
      let open = false;
      for (const pc of me.pending.values()) if (pc.replace >= 0) open = true;
      this.busy = open;
    }
    for (const p of me.links.keys()) this.ping(p, false);
    if (rw.strategy === 'latency') {
      for (let i = 0; i < rw.candidates; i++) {
        const c = me.host.sample();
        if (c !== me.id && c >= 0 && !me.links.has(c) && !me.pending.has(c) && me.acceptable(c)) this.ping(c, true);
      }
    } else if (rw.strategy === 'throughput' && !this.busy && me.links.size >= me.cfg.degree) {
      // the link that delivered fewest messages first, if clearly below the median one
      const firsts = [...me.links.values()].map((l) => l.first).sort((a, b) => a - b);
      const median = firsts[firsts.length >> 1]!;
      const worst = this.worstLink();
      if (worst === null || now - (me.links.get(worst) as Neighbour).since < rw.periodMs) return;
      if ((me.links.get(worst) as Neighbour).first >= (1 - rw.improvement) * median) return;
      for (let i = 0; i < rw.candidates; i++) {
        const c = me.host.sample();
        if (c !== me.id && c >= 0 && !me.links.has(c) && !me.pending.has(c) && me.acceptable(c)) {
          this.busy = true;
          me.connect(c, worst);
          return;
        }
      }
    }
  }

  private ping(p: PeerId, candidate: boolean): void {
    const nonce = this.nonce++;
    this.pings.set(nonce, { peer: p, at: this.peer.ctx.now(), candidate });
    this.peer.send(p, { t: 'ping', nonce }, 4);
  }

  onPong(from: PeerId, nonce: number): void {
    const me = this.peer;
    const ping = this.pings.get(nonce);
    if (ping === undefined || ping.peer !== from) return;
    this.pings.delete(nonce);
    // our own send time, not one the peer could fake
    const rtt = me.ctx.now() - ping.at;
    if (!ping.candidate) {
      const l = me.links.get(from);
      if (l) l.rtt = Number.isNaN(l.rtt) ? rtt : RTT_KEEP * l.rtt + RTT_GAIN * rtt;
      return;
    }
    if (me.cfg.rewiring.strategy !== 'latency' || this.busy) return;
    if (me.links.has(from) || me.pending.has(from) || !me.acceptable(from)) return;
    const worst = this.worstLink();
    if (worst === null) return;
    const wl = me.links.get(worst) as Neighbour;
    if (rtt < wl.rtt * (1 - me.cfg.rewiring.improvement)) {
      this.busy = true;
      me.connect(from, worst);
    }
  }

  /** A link asked for by the metric was accepted: drop the one it replaces (if still above degree). */
  accepted(from: PeerId, pc: PendingConnect): void {
    const me = this.peer;
    this.busy = false;
    if (me.links.has(pc.replace) && me.links.size > me.cfg.degree) {
      me.send(pc.replace, { t: 'disconnect' }, 0);
      me.removeLink(pc.replace, 'rewire');
      me.stats.rewires++;
      me.ctx.emit('rewired', { dropped: pc.replace, added: from });
    }
  }
}
