/**
 * What malicious peers do, each behaviour its own module: `drop.ts` and `corrupt.ts` (how a peer
 * forwards and answers probes, `forwarding.ts`), `spam.ts`, `badmouth.ts`; `malicious-peer.ts` puts
 * an adversary's behaviours into the honest peer's protocol. `createPeer` makes the right one.
 */
import type { PeerContext, PeerId } from '../../../core/index.js';
import type { AdaptiveMsg } from '../messages.js';
import type { AdaptiveConfig, AdaptiveHost } from '../overlay-peer.js';
import { AdaptivePeer } from '../peer.js';
import { MaliciousPeer, type Adversary } from './malicious-peer.js';

export { MaliciousPeer, type Adversary } from './malicious-peer.js';
export { TIMER_SPAM } from './spam.js';

/** An honest peer, or a malicious one with `adversary`'s behaviours. */
export function createPeer(
  ctx: PeerContext<AdaptiveMsg>,
  cfg: AdaptiveConfig,
  host: AdaptiveHost,
  initial: readonly PeerId[],
  adversary: Adversary | null,
): AdaptivePeer {
  return adversary === null ? new AdaptivePeer(ctx, cfg, host, initial) : new MaliciousPeer(ctx, cfg, host, initial, adversary);
}
