/**
 * The dissemination cores the overlay can run, by name. 'plumtree' (default) is the
 * per-peer Plumtree core from src/protocols/gossip — the same code the simulator runs — driven here by
 * real time (RealtimeContext) and data channels. 'flood' is the baseline. Plumtree's own anti-entropy
 * stays off: the overlay runs state-vector anti-entropy per document itself (room.ts), which repairs
 * what any core missed.
 */
import { plumtreeFactory, type PlumtreeMsg } from '../../protocols/gossip/index.js';
import { floodFactory } from './flood.js';
import type { GossipFactory } from './realtime.js';

const plumtree: GossipFactory<PlumtreeMsg> = {
  name: 'plumtree',
  codec: plumtreeFactory.codec,
  // GRAFT after 30 ms: on loopback a missing eager push is a lost link, not a slow one
  create: (ctx, onDeliver) => plumtreeFactory.create(ctx, (payload) => onDeliver(payload), { graftTimeoutMs: 30 }),
};

export const cores: Record<string, GossipFactory<unknown>> = {
  plumtree: plumtree as GossipFactory<unknown>,
  flood: floodFactory as GossipFactory<unknown>,
};

export type CoreName = 'plumtree' | 'flood';

export function defaultGossip(): GossipFactory<unknown> {
  return cores.plumtree as GossipFactory<unknown>;
}
