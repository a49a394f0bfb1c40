/**
 * Spam: junk messages (a bad signature) at `spamPerSec`, each to one random neighbour, at exponential
 * intervals. An honest peer checks the signature before keeping or forwarding, so junk goes no
 * further than the first hop and is proof against the spammer.
 */
import type { PeerId, Rng } from '../../../core/index.js';
import { ID_SPLIT, type GossipMsg } from '../messages.js';

/** Timer tag of the next junk message. */
export const TIMER_SPAM = 4;

/** Delay to the next junk message. */
export function nextSpamMs(rng: Rng, spamPerSec: number): number {
  return rng.exponential(1000 / spamPerSec);
}

/** A junk message of `bytes` with the spammer's `seq`-th id. */
export function junk(origin: PeerId, seq: number, bytes: number): GossipMsg {
  return { t: 'gossip', id: seq * ID_SPLIT + origin, origin, valid: false, bytes };
}
