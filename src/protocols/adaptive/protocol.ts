/** The adaptive overlay in the world: one peer per online peer (`PerPeer`) plus the failure detector. */
import type { PeerContext, PeerId } from '../../core/index.js';
import { PerPeer, type Port, type Protocol } from '../../sim/index.js';
import type { AdaptiveMsg } from './messages.js';
import { TIMER_NEIGHBOUR_DOWN, type AdaptivePeer } from './peer.js';

/** PerPeer plus the failure detector: a departed peer's neighbours hear of it after a delay. */
export class AdaptiveProtocol implements Protocol<AdaptiveMsg> {
  readonly name = 'adaptive';
  readonly inner: PerPeer<AdaptiveMsg, AdaptivePeer>;
  private port!: Port<AdaptiveMsg>;

  constructor(
    factory: (ctx: PeerContext<AdaptiveMsg>) => AdaptivePeer,
    private readonly failureDetectMs: number,
  ) {
    this.inner = new PerPeer<AdaptiveMsg, AdaptivePeer>('adaptive', factory);
  }

  attach(port: Port<AdaptiveMsg>): void {
    this.port = port;
    this.inner.attach(port);
  }

  onJoin(peer: PeerId): void {
    this.inner.onJoin(peer);
  }

  onLeave(peer: PeerId, graceful: boolean): void {
    const gone = this.inner.get(peer);
    if (!graceful && gone) {
      // a crash says nothing: the peers that linked to it notice after the detection delay
      for (let p = 0; p < this.inner.instances.length; p++) {
        const inst = this.inner.instances[p];
        if (inst && p !== peer && inst.links.has(peer)) this.port.setTimer(p, this.failureDetectMs, TIMER_NEIGHBOUR_DOWN, peer);
      }
    }
    // graceful: PerPeer calls stop(), which says goodbye; a crash: the links vanish silently
    if (!graceful) gone?.crash();
    this.inner.onLeave(peer, graceful);
  }

  onMessage(peer: PeerId, from: PeerId, msg: AdaptiveMsg): void {
    this.inner.onMessage(peer, from, msg);
  }

  onTimer(peer: PeerId, tag: number, data: unknown): void {
    this.inner.onTimer(peer, tag, data);
  }
}
