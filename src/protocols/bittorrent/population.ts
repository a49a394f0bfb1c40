/**
 * What a swarm run is around its scheduler, BitTorrent's or the ideal schedule's: who is in it (seeds,
 * leechers, free riders and the bound they set), when they come, and what is measured.
 */
import type { PeerId } from '../../core/index.js';
import type { Protocol, World } from '../../sim/index.js';
import type { DriverRun, OverlaySnapshot, Series, SummaryValue } from '../driver.js';
import { kumarRossBoundMs } from './bound.js';
import { SwarmMeasures, type MeasuredSwarm } from './measure.js';
import type { BittorrentParams, BittorrentWorkload } from './params.js';
import { swarmSnapshot, type DrawnSwarm } from './snapshot.js';
import { pickFraction, scheduleArrivals } from './workload.js';

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


/** A swarm run: its scheduler, the bound, and the measures' and picture's answers. */
export interface SwarmRun<S> extends DriverRun {
  readonly swarm: S;
  readonly lowerBoundMs: number | null;
}

/** Schedules the leechers' arrivals, adds `swarm` to the world and measures it. */
export function measuredRun<S extends MeasuredSwarm & DrawnSwarm & Protocol<never>>(
  world: World, swarm: S, pop: SwarmPopulation, params: BittorrentParams, workload: BittorrentWorkload, isCorrupt: (p: PeerId) => boolean,
): SwarmRun<S> {
  scheduleArrivals(world, pop.leechers, workload.arrivalMs);
  const measures = new SwarmMeasures(world, swarm, pop.leechers, isCorrupt, params.fileSize, pop.lowerBoundMs, params.sampleMs);
  world.add(swarm);
  measures.start();
  return {
    swarm,
    lowerBoundMs: pop.lowerBoundMs,
    isComplete: () => measures.isComplete(),
    summary: (): Record<string, SummaryValue> => measures.summary(),
    series: (): Record<string, Series> => measures.series(),
    samples: (): Record<string, number[]> => measures.samples(),
    snapshot: (maxPeers = 1000): OverlaySnapshot => swarmSnapshot(world, swarm, maxPeers),
  };
}
