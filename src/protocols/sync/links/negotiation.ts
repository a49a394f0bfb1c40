/**
 * Link negotiation: offer, answer (or busy), and the initiator's candidates when its offer went without
 * them (a Node peer's: src/live/rtc-node.ts says why). A negotiation travels one of two ways, and its answer goes back
 * the way its offer came:
 * - through the signaling server, for a peer's first link(s) (bootstrap) and to heal a partition;
 * - relayed through the overlay (ROUTE envelopes), for every other link: DHT-found members, the shuffle,
 *   replacements. The signaling server never sees these.
 * The SDP inside is the transport's (WebRTC's) business; here a negotiation is named by its nonce.
 *
 * Rules, because peers are untrusted and offers cross:
 * - an open link is never replaced by an offer (a forged one cannot cut it), unless it has been silent
 *   past the dead-link time (the other end restarted before we noticed);
 * - glare (both sides offered at about the same time): the lower peer id's offer wins; an offer of ours
 *   outstanding for longer than GLARE_MS was lost (the other side restarted since, say) and gives way;
 * - a new offer from a peer we are still answering replaces that half-made link (it gave up on it); the
 *   same offer again is ignored;
 * - an answer or busy counts only for our own outstanding offer (its nonce); candidates only for the
 *   offer we are answering (its nonce), before the link opens;
 * - at `maxLinks` an offer is refused with busy; a banned or blocked peer's is ignored.
 */
import type { SyncHost, SyncStats } from '../host.js';
import type { Relay } from '../relay/relay.js';
import { B_SIGNAL, type LinkKind, type LinkSignal } from '../wire/frames.js';
import type { BucketRates, Channel, LinkState, LinkTable } from './link-table.js';

/** Offers that cross within this time are glare; an older unanswered offer of ours gives way. */
const GLARE_MS = 2500;

export interface NegotiationIO {
  readonly self: number;
  now(): number;
  readonly host: SyncHost;
  readonly relay: Relay;
  readonly links: LinkTable;
  readonly stats: SyncStats;
  readonly maxLinks: number;
  readonly deadLinkMs: number;
  readonly rates: BucketRates;
  refused(peer: number): boolean;
  /** A link (open or not) is to be dropped, e.g. replaced or given up: the peer cleans up after it. */
  drop(peer: number, reason: string): void;
  /** Our offer was refused as busy, or could not be routed: do not try this peer again soon. */
  failed(peer: number, why: 'busy' | 'unroutable'): void;
  /** `peer` answered an offer of ours through signaling (it is alive). */
  answered(peer: number): void;
}

export class Negotiation {
  constructor(private readonly io: NegotiationIO) {}

  /** Starts a link to `peer` as initiator. False if it cannot start (already linked, full, refused). */
  connect(peer: number, kind: LinkKind, channel: Channel): boolean {
    const io = this.io;
    if (peer === io.self || io.links.has(peer) || io.links.size >= io.maxLinks || io.refused(peer)) return false;
    if (channel.via === 'overlay' && !io.relay.reachable(peer)) {
      io.failed(peer, 'unroutable');
      return false;
    }
    io.links.add(peer, true, kind, channel, io.now(), io.rates);
    io.stats.negotiationsStarted++;
    io.host.openLink(peer, true);
    return true;
  }

  /** Our transport produced a description for `peer` (an offer, or our answer to theirs): send it. */
  onLocalSignal(peer: number, sig: LinkSignal): void {
    const l = this.io.links.get(peer);
    if (!l || l.open) return;
    if (sig.kind === 'offer') {
      if (!l.initiator) return;
      l.nonce = sig.nonce;
    } else if (sig.kind === 'candidates' && !l.initiator) return;
    this.sendSignal(peer, l.channel, { ...sig, nonce: l.nonce || sig.nonce, link: l.kind });
  }

  private sendSignal(peer: number, channel: Channel, sig: LinkSignal): void {
    const io = this.io;
    if (channel.via === 'signaling') {
      io.stats.signalingOut++;
      io.host.publish({ type: 'signal', from: io.self, to: peer, sig });
      return;
    }
    const sent = channel.path ? io.relay.sendBack(channel.path, { b: B_SIGNAL, sig }) : io.relay.send(peer, { b: B_SIGNAL, sig });
    if (!sent && sig.kind === 'offer') {
      io.failed(peer, 'unroutable');
      io.drop(peer, 'unroutable');
    }
  }

  /** A negotiation step from `from`, that came through `channel` (its answer goes back the same way). */
  onRemoteSignal(from: number, sig: LinkSignal, channel: Channel): void {
    const io = this.io;
    if (from === io.self || io.refused(from)) return;
    const l = io.links.get(from);
    switch (sig.kind) {
      case 'offer': {
        if (l) {
          if (l.open) {
            if (io.now() - l.lastHeard <= io.deadLinkMs) return;
            io.drop(from, 'replaced');
          } else if (l.initiator) {
            // glare: the lower id's offer wins
            if (io.self < from && io.now() - l.startedAt < GLARE_MS) return;
            io.drop(from, 'glare');
          } else if (l.nonce !== sig.nonce) io.drop(from, 'replaced');
          else return;
        }
        if (io.links.size >= io.maxLinks) {
          io.stats.offersRefused++;
          this.sendSignal(from, channel, { kind: 'busy', nonce: sig.nonce, sdp: '', link: sig.link });
          return;
        }
        const n = io.links.add(from, false, sig.link, channel, io.now(), io.rates);
        n.nonce = sig.nonce;
        io.host.openLink(from, false);
        io.host.remoteSignal(from, sig);
        return;
      }
      case 'answer':
        if (l && l.initiator && !l.open && l.nonce === sig.nonce) {
          if (channel.via === 'signaling') io.answered(from);
          io.host.remoteSignal(from, sig);
        }
        return;
      case 'candidates':
        if (l && !l.initiator && !l.open && l.nonce === sig.nonce) io.host.remoteSignal(from, sig);
        return;
      case 'busy':
        if (l && l.initiator && !l.open && l.nonce === sig.nonce) {
          if (channel.via === 'signaling') io.answered(from);
          io.failed(from, 'busy');
          io.drop(from, 'busy');
        }
        return;
    }
  }

  /** A relay reported `peer` unreachable: a negotiation with it through the overlay cannot finish. */
  unreachable(peer: number): void {
    const l = this.io.links.get(peer);
    if (l && !l.open && l.channel.via === 'overlay') {
      this.io.failed(peer, 'unroutable');
      this.io.drop(peer, 'unroutable');
    }
  }

  /** Negotiations that have not opened within `timeoutMs` are given up. */
  expire(timeoutMs: number): void {
    const now = this.io.now();
    const stale: LinkState[] = [];
    for (const l of this.io.links.values()) if (!l.open && now - l.startedAt > timeoutMs) stale.push(l);
    for (const l of stale) this.io.drop(l.peer, 'connect timeout');
  }
}
