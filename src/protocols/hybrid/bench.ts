/**
 * `peerlab bench hybrid [--peers N] [--json]`: a flash crowd of N leechers and one seed that find each
 * other through the DHT (no tracker), run to the last completion; reports wall time, completion
 * against the Kumar-Ross bound, time to first peer and DHT traffic per peer.
 *
 * Options: --peers (leechers, default 1000), --seed (default 1), --file-size (bytes, default 4 MiB),
 * --piece-length (default 256 KiB), --up / --down (leecher bytes/s, default 512 KiB/s and 2 MiB/s),
 * --seed-up (default 2 MiB/s), --tracker (the same swarm fed by a tracker instead of the DHT), and
 * driver parameters as JSON: --params '{"pieceDiscovery":false}'.
 */
import type { BandwidthClass } from '../../sim/index.js';
import type { PeerId } from '../../core/index.js';
import { flashCrowdWorld, numOpt } from '../bittorrent/bench.js';
import { createHybridRun, hybridParams, hybridWorkload, type HybridRunOptions } from './driver.js';

type Opts = Record<string, string | boolean | undefined>;

export interface HybridSetupOptions {
  leechers: number;
  seed: number;
  fileSize: number;
  pieceLength: number;
  upBps: number;
  downBps: number;
  seedUpBps: number;
  params?: Record<string, unknown>;
  classes?: BandwidthClass[];
  maxMs?: number;
  arrivalMs?: number;
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

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const leechers = Math.floor(numOpt(opts, 'peers', 1000));
  const params = typeof opts.params === 'string' ? (JSON.parse(opts.params) as Record<string, unknown>) : {};
  if (opts.tracker === true) Object.assign(params, { tracker: true, dht: false });
  const hs = hybridSetup({
    leechers,
    seed: numOpt(opts, 'seed', 1),
    fileSize: numOpt(opts, 'file-size', 4 * 1024 * 1024),
    pieceLength: numOpt(opts, 'piece-length', 256 * 1024),
    upBps: numOpt(opts, 'up', 512 * 1024),
    downBps: numOpt(opts, 'down', 2 * 1024 * 1024),
    seedUpBps: numOpt(opts, 'seed-up', 2 * 1024 * 1024),
    params,
  });
  const t0 = performance.now();
  hs.go();
  const wallMs = performance.now() - t0;
  const s = hs.run.summary();
  return {
    peers: leechers + 1,
    pieces: hs.run.swarm.pieces,
    wallMs: Math.round(wallMs),
    lastCompletionMs: s.lastCompletionMs,
    lowerBoundMs: s.lowerBoundMs,
    boundRatio: s.boundRatio,
    meanCompletionMs: s.meanCompletionMs,
    completed: s.completed,
    timeToFirstPeerMs: s.timeToFirstPeerMs,
    dhtMessagesPerPeer: s.dhtMessagesPerPeer,
    dhtBytesPerPeer: s.dhtBytesPerPeer,
    trackerBytesPerPeer: s.trackerBytesPerPeer,
    lookupsDone: s.lookupsDone,
    lookupHops: s.lookupHops,
    pieceLookups: s.pieceLookups,
    events: hs.sim.eventsProcessed,
  };
}
