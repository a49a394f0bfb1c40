/**
 * The trackerless flash crowd: one seed (peer 0) and N leechers on one World that find each other
 * through the DHT, the set-up `peerlab bench hybrid` and the tests share.
 */
import type { PeerId } from '../../core/index.js';
import { flashCrowdWorld, type FlashCrowdOptions } from '../bittorrent/flash-crowd.js';
import { createHybridRun, hybridParams, hybridWorkload, type HybridRunOptions } from './driver.js';

/** The BitTorrent flash crowd's options (the block size is the hybrid driver's), and who announces. */
export interface HybridSetupOptions extends Omit<FlashCrowdOptions, 'blockSize'> {
  announceSwarm?: (peer: PeerId) => boolean;
}

/** One seed (peer 0) and N leechers on one World, as the bench and the tests use it. */
export function hybridSetup(o: HybridSetupOptions) {
  const { sim, world } = flashCrowdWorld(o);
  const params = hybridParams.parse({ fileSize: o.fileSize, pieceLength: o.pieceLength, seeds: 1, seedUpBps: o.seedUpBps, ...o.params });
  const ro: HybridRunOptions = o.announceSwarm ? { announceSwarm: o.announceSwarm } : {};
  const run = createHybridRun(world, params, hybridWorkload.parse({ arrivalMs: o.arrivalMs ?? 0 }), ro);
  const maxMs = o.maxMs ?? 100 * (run.bt.lowerBoundMs ?? 1e6);
  const go = (): void => {
    while (!run.isComplete() && sim.now < maxMs && sim.nextTime() !== Infinity) sim.runUntil(Math.min(maxMs, sim.now + 5_000));
  };
  return { sim, world, run, go };
}
