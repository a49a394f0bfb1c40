/**
 * Rewiring the sync peer's partial view (GoCast, Tang & Ward, DSN 2005: keep a few random links, pick
 * the rest by a metric; T-Man's trial and ranking), over the view's own links:
 *
 * - Every `rewiringPeriodMs` a peer pings each authenticated link (RTT from its own send time, moving
 *   average) and, when its view is full and no trial is running, opens one trial link to a random member.
 * - A trial link measured for a period is compared with the worst rewirable link: `latency`, the highest
 *   RTT; `throughput`, the fewest messages delivered first. If the trial beats it by `improvement`, the
 *   worst is dropped and the trial stays as a metric-picked link (a `rewired` event); otherwise the trial
 *   is dropped.
 * - The first `keepRandom` random links (by age) are never dropped by the metric, so random shortcuts
 *   remain and the overlay does not split into local clusters. A link's kind is agreed with the far end
 *   (KIND): a link one end picked by the metric is not kept as random by the other.
 * - `pickDrop` tells the view which link to let go when it must shed one (its shuffle): the worst
 *   rewirable one rather than the oldest.
 */
import type { TrustParts } from './core.js';
import type { TrustLink } from './link.js';
import { T_KIND, T_PING } from './messages.js';

/** Weights of the average so far and of the newest RTT sample. */
const RTT_KEEP = 0.7;
const RTT_GAIN = 0.3;

export class Rewiring {
  private readonly pings = new Map<number, { peer: number; gen: number; at: number }>();
  private nonce = 0;
  /** The peer of the running trial (-1: none), and when it was asked for. */
  private trialPeer = -1;
  private trialAt = 0;

  constructor(private readonly t: TrustParts) {}

  private get on(): boolean {
    return this.t.judging && this.t.o.rewiring !== 'none';
  }

  linkReady(l: TrustLink): void {
    if (!this.on || l.peer !== this.trialPeer) return;
    l.trial = true;
    l.random = false;
    this.t.send(l.peer, { k: T_KIND, random: false });
  }

  linkDown(l: TrustLink): void {
    if (l.peer === this.trialPeer) this.trialPeer = -1;
  }

  /** The far end says how it holds our link: a metric-picked link is not one of our random ones either. */
  onKind(l: TrustLink, random: boolean): void {
    if (!random) l.random = false;
  }

  onPong(l: TrustLink, nonce: number): void {
    const p = this.pings.get(nonce);
    if (p === undefined || p.peer !== l.peer || p.gen !== l.gen) return;
    this.pings.delete(nonce);
    const rtt = this.t.io.now() - p.at;
    l.rtt = Number.isNaN(l.rtt) ? rtt : RTT_KEEP * l.rtt + RTT_GAIN * rtt;
  }

  private trusted(): TrustLink[] {
    const out: TrustLink[] = [];
    for (const l of this.t.links.values()) if (l.auth === 'ok') out.push(l);
    return out.sort((a, b) => a.since - b.since || a.peer - b.peer);
  }

  /** The worst link the metric may drop (not a kept random one, not `except`), or null. */
  worst(except = -1): TrustLink | null {
    const latency = this.t.o.rewiring === 'latency';
    let kept = 0;
    let worst: TrustLink | null = null;
    let worstVal = -Infinity;
    for (const l of this.trusted()) {
      if (l.random && kept < this.t.o.keepRandom) {
        kept++;
        continue;
      }
      if (l.peer === except || l.trial) continue;
      const v = latency ? l.rtt : -l.first;
      if (Number.isNaN(v)) continue;
      if (v > worstVal) {
        worstVal = v;
        worst = l;
      }
    }
    return worst;
  }

  /** Which of `peers` the view should let go of: the worst rewirable one (or null: the view decides). */
  pickDrop(peers: readonly number[]): number | null {
    if (!this.on) return null;
    const w = this.worst();
    return w !== null && peers.includes(w.peer) ? w.peer : null;
  }

  /** Once per rewiringPeriodMs: measure, judge a running trial, maybe start one. */
  period(): void {
    if (!this.on) return;
    const t = this.t;
    const now = t.io.now();
    for (const [n, p] of this.pings) if (now - p.at > t.o.rewiringPeriodMs) this.pings.delete(n);
    for (const l of this.trusted()) {
      const nonce = (this.nonce = (this.nonce + 1) >>> 0);
      this.pings.set(nonce, { peer: l.peer, gen: l.gen, at: now });
      t.send(l.peer, { k: T_PING, nonce });
    }
    if (this.trialPeer >= 0) {
      const trial = t.links.get(this.trialPeer);
      if (trial === undefined || trial.auth !== 'ok') {
        // asked for but never trusted within two periods: give up on it
        if (now - this.trialAt > 2 * t.o.rewiringPeriodMs + t.o.authTimeoutMs) this.trialPeer = -1;
        return;
      }
      if (now - trial.since < t.o.rewiringPeriodMs || (t.o.rewiring === 'latency' && Number.isNaN(trial.rtt))) return;
      this.judgeTrial(trial);
      return;
    }
    const p = t.io.trial();
    if (p >= 0) {
      this.trialPeer = p;
      this.trialAt = now;
      t.stats.trials++;
    }
  }

  private judgeTrial(trial: TrustLink): void {
    const t = this.t;
    const o = t.o;
    this.trialPeer = -1;
    trial.trial = false;
    const worst = this.worst(trial.peer);
    const better =
      worst !== null &&
      (o.rewiring === 'latency' ? trial.rtt < worst.rtt * (1 - o.improvement) : trial.first > 0 && trial.first * (1 - o.improvement) > worst.first);
    if (better && worst !== null) {
      t.stats.rewires++;
      t.event({ type: 'rewired', dropped: worst.peer, added: trial.peer });
      t.io.drop(worst.peer, 'rewire');
    } else t.io.drop(trial.peer, 'rewire-trial');
  }
}
