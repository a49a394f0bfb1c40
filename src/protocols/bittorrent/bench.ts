/**
 * `peerlab bench bittorrent [--peers N] [--json]`: a flash crowd of N leechers and one seed, run to
 * the last completion; reports wall time and the last completion against the Kumar-Ross bound.
 *
 * Options (strings from the command line): --peers (leechers, default 10000), --seed (default 1),
 * --file-size (bytes, default 16 MiB), --piece-length (default 128 KiB), --block-size (default 32 KiB),
 * --up / --down (leecher bytes/s, default 512 KiB/s and 2 MiB/s), --seed-up (default 2 MiB/s),
 * and driver parameters as JSON: --params '{"uploadSlots":3}'.
 */
import { Simulator, World, type BandwidthClass } from '../../sim/index.js';
import { bittorrentParams, bittorrentWorkload, createRun } from './driver.js';

type Opts = Record<string, string | boolean | undefined>;

/** A positive number option (`--file-size 4194304`), or its default. */
export function numOpt(opts: Opts, key: string, def: number): number {
  const v = opts[key];
  if (v === undefined || v === true) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`--${key}: expected a positive number, got ${JSON.stringify(v)}`);
  return n;
}

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
  const params = bittorrentParams.parse({
    fileSize: o.fileSize,
    pieceLength: o.pieceLength,
    blockSize: o.blockSize,
    seeds: 1,
    seedUpBps: o.seedUpBps,
    ...o.params,
  });
  const run = createRun(world, params, bittorrentWorkload.parse({ arrivalMs: o.arrivalMs ?? 0 }));
  const maxMs = o.maxMs ?? 100 * (run.lowerBoundMs ?? 1e6);
  const go = (): void => {
    while (!run.isComplete() && sim.now < maxMs && sim.nextTime() !== Infinity) sim.runUntil(Math.min(maxMs, sim.now + 10_000));
  };
  return { sim, world, run, go };
}

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const leechers = Math.floor(numOpt(opts, 'peers', 10_000));
  const params = typeof opts.params === 'string' ? (JSON.parse(opts.params) as Record<string, unknown>) : {};
  const fc = flashCrowd({
    leechers,
    seed: numOpt(opts, 'seed', 1),
    fileSize: numOpt(opts, 'file-size', 16 * 1024 * 1024),
    pieceLength: numOpt(opts, 'piece-length', 128 * 1024),
    blockSize: numOpt(opts, 'block-size', 32 * 1024),
    upBps: numOpt(opts, 'up', 512 * 1024),
    downBps: numOpt(opts, 'down', 2 * 1024 * 1024),
    seedUpBps: numOpt(opts, 'seed-up', 2 * 1024 * 1024),
    params,
  });
  const t0 = performance.now();
  fc.go();
  const wallMs = performance.now() - t0;
  const s = fc.run.summary();
  return {
    peers: leechers + 1,
    pieces: fc.run.swarm.pieces,
    wallMs: Math.round(wallMs),
    lastCompletionMs: s.lastCompletionMs,
    lowerBoundMs: s.lowerBoundMs,
    boundRatio: s.boundRatio,
    meanCompletionMs: s.meanCompletionMs,
    completed: s.completed,
    events: fc.sim.eventsProcessed,
    eventsPerSec: Math.round(fc.sim.eventsProcessed / (wallMs / 1000)),
    wastedBytes: s.wastedBytes,
  };
}
