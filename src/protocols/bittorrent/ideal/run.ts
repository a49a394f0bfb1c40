/**
 * The lab's run of the ideal schedule (`protocol.scheduler: ideal`): the same world, seeds, arrivals,
 * free riders, bound and measures as a BitTorrent run (../driver.ts), with the ideal scheduler in place
 * of the swarm, so the two summaries compare key by key.
 */
import type { World } from '../../../sim/index.js';
import type { DriverRun, OverlaySnapshot, Series, SummaryValue } from '../../driver.js';
import { swarmPopulation } from '../population.js';
import { SwarmMeasures } from '../measure.js';
import type { BittorrentParams, BittorrentWorkload } from '../params.js';
import { swarmSnapshot } from '../snapshot.js';
import { scheduleArrivals } from '../workload.js';
import { IdealSwarm } from './ideal-swarm.js';

export interface IdealRun extends DriverRun {
  readonly swarm: IdealSwarm;
  readonly lowerBoundMs: number | null;
}

export function createIdealRun(world: World, params: BittorrentParams, workload: BittorrentWorkload): IdealRun {
  const { seeds, leechers, isFreeRider, lowerBoundMs } = swarmPopulation(world, params);
  const swarm = new IdealSwarm({
    fileSize: params.fileSize,
    pieceLength: params.pieceLength,
    blockSize: Math.min(params.blockSize, params.pieceLength),
    seeds: seeds.length,
    seedLeaveMs: params.seedLeaveMs,
    stayAfterDone: params.stayAfterDone,
    isFreeRider,
  });
  scheduleArrivals(world, leechers, workload.arrivalMs);
  const measures = new SwarmMeasures(world, swarm, leechers, () => false, params.fileSize, lowerBoundMs, params.sampleMs);
  world.add(swarm);
  measures.start();
  return {
    swarm,
    lowerBoundMs,
    isComplete: () => measures.isComplete(),
    summary: (): Record<string, SummaryValue> => measures.summary(),
    series: (): Record<string, Series> => measures.series(),
    samples: (): Record<string, number[]> => measures.samples(),
    snapshot: (maxPeers = 1000): OverlaySnapshot => swarmSnapshot(world, swarm, maxPeers),
  };
}
