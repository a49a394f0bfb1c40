/**
 * Every shipped protocol's observation contract by `protocol.type`, for drivers that do not carry it
 * themselves (`ProtocolDriver.observation` wins where set). A new protocol adds its `observe.ts` here.
 */
import { observation as adaptive } from './adaptive/observe.js';
import { observation as bittorrent } from './bittorrent/observe.js';
import { observation as gossip } from './gossip/observe.js';
import { observation as hybrid } from './hybrid/observe.js';
import { observation as kademlia } from './kademlia/observe.js';
import type { ProtocolObservation } from './observation.js';
import { observation as sync } from './sync/observe.js';

export const observations: Record<string, ProtocolObservation<never, never>> = { gossip, kademlia, bittorrent, hybrid, adaptive, sync } as Record<
  string,
  ProtocolObservation<never, never>
>;
