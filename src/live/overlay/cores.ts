/**
 * The dissemination cores the overlay can run. The gossip issue's Plumtree core (src/protocols/gossip/)
 * is the default once present; flood is the baseline.
 */
import { floodFactory } from './flood.js';
import type { GossipFactory } from './realtime.js';

export const cores: Record<string, GossipFactory<unknown>> = {
  flood: floodFactory as GossipFactory<unknown>,
};

export function defaultGossip(): GossipFactory<unknown> {
  return cores.plumtree ?? (cores.flood as GossipFactory<unknown>);
}
