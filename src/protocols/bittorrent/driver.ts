/**
 * The BitTorrent driver for the lab (`protocol.type: bittorrent`): wires a Swarm into the scenario's
 * world (workload.ts: who the leechers are and when they come), and reports completion times against
 * the Kumar-Ross lower bound (measure.ts, bound.ts) and the swarm's picture (snapshot.ts).
 *
 * Bandwidth comes from the scenario's `network.bandwidth` classes (heterogeneous peers); `seedUpBps`
 * pins the initial seeds' upload. Without network bandwidth limits transfers take latency only and
 * the bound is undefined (`lowerBoundMs: null`).
 */
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../driver.js';
import { kumarRossBoundMs } from './bound.js';
import { DEFAULT_SWARM, type SwarmConfig } from './config.js';
import { SwarmMeasures } from './measure.js';
import { bittorrentParams, bittorrentWorkload, type BittorrentParams, type BittorrentWorkload } from './params.js';
import { swarmSnapshot } from './snapshot.js';
import { Swarm } from './swarm.js';
import { pickFraction, scheduleArrivals } from './workload.js';

export interface BittorrentRun extends DriverRun {
  readonly swarm: Swarm;
  readonly lowerBoundMs: number | null;
}

/** What another driver (the hybrid) changes when it reuses this one. */
export interface CreateRunOptions {
  /** Run with a tracker (default true). */
  tracker?: boolean;
  /** Called with the swarm before it is added to the world (set its hooks here). */
  beforeAdd?: (swarm: Swarm) => void;
}

export function createRun(world: World, params: BittorrentParams, workload: BittorrentWorkload, opts: CreateRunOptions = {}): BittorrentRun {
  const seedsN = Math.min(params.seeds, world.size);
  if (params.seedUpBps !== null) for (let s = 0; s < seedsN; s++) world.net.up[s] = params.seedUpBps / 1000;
  const isFreeRider = pickFraction(world, params.freeRiders, 'bittorrent:freeRiders', seedsN);
  const isCorrupt = pickFraction(world, params.corruptPeers, 'bittorrent:corrupt', seedsN);
  const cfg: SwarmConfig = {
    ...DEFAULT_SWARM,
    fileSize: params.fileSize,
    pieceLength: params.pieceLength,
    blockSize: Math.min(params.blockSize, params.pieceLength),
    seeds: seedsN,
    uploadSlots: params.uploadSlots,
    rechokeMs: params.rechokeMs,
    optimisticMs: params.optimisticMs,
    numWant: params.numWant,
    maxConnections: params.maxConnections,
    pipeline: params.pipeline,
    randomFirst: params.randomFirst,
    pieceSelection: params.pieceSelection,
    choking: params.choking,
    endgame: params.endgame,
    superSeed: params.superSeed,
    seedChoking: params.seedChoking,
    seedLeaveMs: params.seedLeaveMs,
    stayAfterDone: params.stayAfterDone,
    banAfter: params.banAfter,
    isFreeRider,
    isCorrupt,
    tracker: opts.tracker ?? true,
    trackerDownAtMs: params.trackerDownAtMs,
  };
  const swarm = new Swarm(cfg);
  opts.beforeAdd?.(swarm);
  const seeds: PeerId[] = [];
  const leechers: PeerId[] = [];
  for (let p = 0; p < world.size; p++) (p < seedsN ? seeds : leechers).push(p);
  // corrupt peers still upload (bad data), free riders do not: the bound counts who contributes
  const lowerBoundMs = kumarRossBoundMs(world, params.fileSize, seeds, leechers, (p) => !isFreeRider(p));
  scheduleArrivals(world, leechers, workload.arrivalMs);
  const measures = new SwarmMeasures(world, swarm, leechers, isCorrupt, params.fileSize, lowerBoundMs, params.sampleMs);
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

export const driver: ProtocolDriver<BittorrentParams, BittorrentWorkload> = {
  type: 'bittorrent',
  params: bittorrentParams,
  workload: bittorrentWorkload,
  create: (ctx, params, workload) => createRun(ctx.world, params, workload),
};
