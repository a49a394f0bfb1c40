/**
 * The lab's run of the ideal schedule (`protocol.scheduler: ideal`): the same world, seeds, arrivals,
 * free riders, bound and measures as a BitTorrent run (../driver.ts), with the ideal scheduler in place
 * of the swarm, so the two summaries compare key by key.
 */
import type { World } from '../../../sim/index.js';
import type { BittorrentParams, BittorrentWorkload } from '../params.js';
import { measuredRun, swarmPopulation, type SwarmRun } from '../population.js';
import { IdealSwarm } from './ideal-swarm.js';

export type IdealRun = SwarmRun<IdealSwarm>;

export function createIdealRun(world: World, params: BittorrentParams, workload: BittorrentWorkload): IdealRun {
  const pop = swarmPopulation(world, params);
  const swarm = new IdealSwarm({
    fileSize: params.fileSize,
    pieceLength: params.pieceLength,
    blockSize: Math.min(params.blockSize, params.pieceLength),
    seeds: pop.seeds.length,
    seedLeaveMs: params.seedLeaveMs,
    stayAfterDone: params.stayAfterDone,
    isFreeRider: pop.isFreeRider,
  });
  return measuredRun(world, swarm, pop, params, workload, () => false);
}
