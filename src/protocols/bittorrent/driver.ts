/**
 * The BitTorrent driver for the lab (`protocol.type: bittorrent`): wires a Swarm — or, with
 * `scheduler: ideal`, the ideal schedule (ideal/) — into the scenario's world (population.ts and
 * workload.ts: who the leechers are and when they come), and reports completion times against the
 * Kumar-Ross lower bound (measure.ts, bound.ts) and the swarm's picture (snapshot.ts).
 *
 * Bandwidth comes from the scenario's `network.bandwidth` classes (heterogeneous peers); `seedUpBps`
 * pins the initial seeds' upload. Without network bandwidth limits transfers take latency only and
 * the bound is undefined (`lowerBoundMs: null`).
 */
import type { ConfigIssue } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import type { ProtocolDriver } from '../driver.js';
import { DEFAULT_SWARM, type SwarmConfig } from './config.js';
import { createIdealRun } from './ideal/run.js';
import { bittorrentDriverParams, bittorrentWorkload, type BittorrentDriverParams, type BittorrentParams, type BittorrentWorkload } from './params.js';
import { measuredRun, swarmPopulation, type SwarmRun } from './population.js';
import { Swarm } from './swarm.js';
import { pickFraction } from './workload.js';

export type BittorrentRun = SwarmRun<Swarm>;

/** What another driver (the hybrid) changes when it reuses this one. */
export interface CreateRunOptions {
  /** Run with a tracker (default true). */
  tracker?: boolean;
  /** Called with the swarm before it is added to the world (set its hooks here). */
  beforeAdd?: (swarm: Swarm) => void;
}

export function createRun(world: World, params: BittorrentParams, workload: BittorrentWorkload, opts: CreateRunOptions = {}): BittorrentRun {
  const pop = swarmPopulation(world, params);
  const { isFreeRider } = pop;
  const seedsN = pop.seeds.length;
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
  return measuredRun(world, swarm, pop, params, workload, isCorrupt);
}

/** The keys that cannot go together: the ideal schedule has no hash checks, so no corrupt peers. */
export function bittorrentIssues(p: BittorrentDriverParams): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (p.scheduler === 'ideal' && p.corruptPeers > 0)
    issues.push({ path: 'protocol.corruptPeers', problem: `the ideal scheduler sends only good blocks (no hash checks): corruptPeers must be 0, got ${p.corruptPeers}` });
  return issues;
}

/** BitTorrent's swarm, or the ideal schedule (`scheduler: ideal`) on the same world, seeds and bound. */
export function createDriverRun(world: World, params: BittorrentDriverParams, workload: BittorrentWorkload): SwarmRun<{ readonly pieces: number }> {
  const issues = bittorrentIssues(params);
  if (issues.length > 0) throw new RangeError(issues.map((i) => `${i.path}: ${i.problem}`).join('\n'));
  return params.scheduler === 'ideal' ? createIdealRun(world, params, workload) : createRun(world, params, workload);
}

export const driver: ProtocolDriver<BittorrentDriverParams, BittorrentWorkload> = {
  type: 'bittorrent',
  params: bittorrentDriverParams,
  workload: bittorrentWorkload,
  check: (params) => bittorrentIssues(params),
  create: (ctx, params, workload) => createDriverRun(ctx.world, params, workload),
};
