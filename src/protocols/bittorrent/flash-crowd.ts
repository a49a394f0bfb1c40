/**
 * The flash crowd: one seed (peer 0) and N leechers arriving at once (or spread over `arrivalMs`), the
 * set-up the BitTorrent bench, the hybrid's and the tests share.
 */
import { Simulator, World, type BandwidthClass } from '../../sim/index.js';
import { createDriverRun, createRun } from './driver.js';
import { bittorrentDriverParams, bittorrentParams, bittorrentWorkload } from './params.js';

export interface FlashCrowdOptions {
  leechers: number;
  seed: number;
  fileSize: number;
  pieceLength: number;
  blockSize: number;
  upBps: number;
  downBps: number;
  seedUpBps: number;
  params?: Record<string, unknown>;
  /** Leecher bandwidth classes (override upBps/downBps), for heterogeneous swarms. */
  classes?: BandwidthClass[];
  /** Stop at this virtual time even if not everyone finished. */
  maxMs?: number;
  /** Leechers join spread over [0, arrivalMs] instead of all at once (default 0: a flash crowd). */
  arrivalMs?: number;
}

/**
 * The flash crowd's world: one seed (peer 0) and N leechers, 10-50 ms uniform latency, the leechers'
 * bandwidth (the seed's upload is the driver's `seedUpBps`). Also the hybrid's bench and tests.
 */
export function flashCrowdWorld(o: Pick<FlashCrowdOptions, 'leechers' | 'seed' | 'upBps' | 'downBps' | 'classes'>): { sim: Simulator; world: World } {
  const sim = new Simulator({ seed: o.seed });
  const world = new World(sim, {
    peers: o.leechers + 1,
    network: {
      latency: { model: 'uniform', minMs: 10, maxMs: 50 },
      bandwidth: o.classes ?? [{ fraction: 1, upBps: o.upBps, downBps: o.downBps }],
    },
  });
  return { sim, world };
}

/** The flash-crowd setup shared by the bench and the tests: one seed (peer 0), N leechers. */
export function flashCrowd(o: FlashCrowdOptions) {
  const { sim, world } = flashCrowdWorld(o);
  const run = createRun(world, bittorrentParams.parse(paramsOf(o)), bittorrentWorkload.parse({ arrivalMs: o.arrivalMs ?? 0 }));
  return { sim, world, run, go: runner(sim, run, o.maxMs) };
}

/** The same flash crowd, scheduled by BitTorrent's rules or by the ideal schedule (`params.scheduler`): the bench's. */
export function flashCrowdRun(o: FlashCrowdOptions) {
  const { sim, world } = flashCrowdWorld(o);
  const run = createDriverRun(world, bittorrentDriverParams.parse(paramsOf(o)), bittorrentWorkload.parse({ arrivalMs: o.arrivalMs ?? 0 }));
  return { sim, world, run, go: runner(sim, run, o.maxMs) };
}

function paramsOf(o: FlashCrowdOptions): Record<string, unknown> {
  return { fileSize: o.fileSize, pieceLength: o.pieceLength, blockSize: o.blockSize, seeds: 1, seedUpBps: o.seedUpBps, ...o.params };
}

/** Runs to completion, or to `maxMs` (default 100x the bound). */
function runner(sim: Simulator, run: { isComplete(): boolean; lowerBoundMs: number | null }, maxMs?: number): () => void {
  const end = maxMs ?? 100 * (run.lowerBoundMs ?? 1e6);
  return () => {
    while (!run.isComplete() && sim.now < end && sim.nextTime() !== Infinity) sim.runUntil(Math.min(end, sim.now + 10_000));
  };
}
