/** Who is in a swarm run, BitTorrent's or the ideal schedule's: seeds, leechers, free riders and the bound they set. */
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import { kumarRossBoundMs } from './bound.js';
import type { BittorrentParams } from './params.js';
import { pickFraction } from './workload.js';

/** Who is in the swarm: the initial seeds (their upload pinned by `seedUpBps`), the leechers, the free riders, and the bound they set. */
export interface SwarmPopulation {
  seeds: PeerId[];
  leechers: PeerId[];
  isFreeRider: (p: PeerId) => boolean;
  lowerBoundMs: number | null;
}

/** The population of a swarm run, BitTorrent's or the ideal schedule's (same streams: same free riders for a seed). */
export function swarmPopulation(world: World, params: BittorrentParams): SwarmPopulation {
  const seedsN = Math.min(params.seeds, world.size);
  if (params.seedUpBps !== null) for (let s = 0; s < seedsN; s++) world.net.up[s] = params.seedUpBps / 1000;
  const isFreeRider = pickFraction(world, params.freeRiders, 'bittorrent:freeRiders', seedsN);
  const seeds: PeerId[] = [];
  const leechers: PeerId[] = [];
  for (let p = 0; p < world.size; p++) (p < seedsN ? seeds : leechers).push(p);
  // corrupt peers still upload (bad data), free riders do not: the bound counts who contributes
  const lowerBoundMs = kumarRossBoundMs(world, params.fileSize, seeds, leechers, (p) => !isFreeRider(p));
  return { seeds, leechers, isFreeRider, lowerBoundMs };
}

