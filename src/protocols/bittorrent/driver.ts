/**
 * The BitTorrent driver for the lab (`protocol.type: bittorrent`): wires a Swarm into the scenario's
 * world and reports completion times against the Kumar-Ross lower bound.
 *
 * Bandwidth comes from the scenario's `network.bandwidth` classes (heterogeneous peers); `seedUpBps`
 * pins the initial seeds' upload. Without network bandwidth limits transfers take latency only and
 * the bound is undefined (`lowerBoundMs: null`).
 */
import { z } from 'zod';
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../driver.js';
import type { World } from '../../sim/index.js';
import { DEFAULT_SWARM, Swarm, type SwarmConfig } from './swarm.js';
import { intIn as int, numIn as num } from '../../core/schema.js';
import type { PeerId } from '../../core/index.js';

export const bittorrentParams = z.object({
  /** Bytes of the shared file. */
  fileSize: int(1, 2 ** 40).default(DEFAULT_SWARM.fileSize),
  /** Bytes per piece (each piece is hash-checked). */
  pieceLength: int(1024, 64 * 1024 * 1024).default(DEFAULT_SWARM.pieceLength),
  /** Bytes per requested block (16 KiB in real clients). */
  blockSize: int(256, 4 * 1024 * 1024).default(DEFAULT_SWARM.blockSize),
  /** Initial seeds: peers 0..seeds-1. */
  seeds: int(1).default(DEFAULT_SWARM.seeds),
  /** Upload of the initial seeds in bytes/s (overrides their network class); null keeps the class. */
  seedUpBps: num(1).nullable().default(null),
  /** Regular (tit-for-tat) unchoke slots per peer. */
  uploadSlots: int(1, 1000).default(DEFAULT_SWARM.uploadSlots),
  /** Rechoke period. */
  rechokeMs: num(1).default(DEFAULT_SWARM.rechokeMs),
  /** Optimistic unchoke rotation period. */
  optimisticMs: num(1).default(DEFAULT_SWARM.optimisticMs),
  /** Peers the tracker returns per announce. */
  numWant: int(1, 1000).default(DEFAULT_SWARM.numWant),
  /** Most connections per peer. */
  maxConnections: int(1, 1000).default(DEFAULT_SWARM.maxConnections),
  /** Outstanding block requests per connection. */
  pipeline: int(1, 250).default(DEFAULT_SWARM.pipeline),
  /** Pieces chosen at random before rarest-first. */
  randomFirst: int(0).default(DEFAULT_SWARM.randomFirst),
  /** rarest (rarest first) | random (baseline). */
  pieceSelection: z.enum(['rarest', 'random']).default('rarest'),
  /** tft (tit-for-tat choking) | none (baseline: unchoke every interested peer). */
  choking: z.enum(['tft', 'none']).default('tft'),
  /** Endgame mode (request the last blocks from everyone, cancel duplicates). */
  endgame: z.boolean().default(DEFAULT_SWARM.endgame),
  /** Initial seeds hand out pieces one at a time, least-handed-out first (super-seeding). */
  superSeed: z.boolean().default(DEFAULT_SWARM.superSeed),
  /** How seeds choose whom to unchoke: fastest (mainline) | behind (who uploaded to it while it leeched, fewest pieces first; then the rest at random). */
  seedChoking: z.enum(['fastest', 'behind']).default(DEFAULT_SWARM.seedChoking),
  /** Initial seeds leave at this time (ms); null = they stay. */
  seedLeaveMs: num(0).nullable().default(null),
  /** Leechers that finish stay and seed (true) or leave at once (false). */
  stayAfterDone: z.boolean().default(true),
  /** Fraction of leechers that never upload. */
  freeRiders: num(0, 1).default(0),
  /** Fraction of leechers that send corrupt blocks. */
  corruptPeers: num(0, 1).default(0),
  /** Failed pieces a peer may be part of before it is banned. */
  banAfter: int(1, 1000).default(DEFAULT_SWARM.banAfter),
  /** Sampling period of the series. */
  sampleMs: num(1).default(1000),
  /** The tracker stops answering at this time (ms): later announces get no peers. null = it never fails. */
  trackerDownAtMs: num(0).nullable().default(null),
});
export type BittorrentParams = z.infer<typeof bittorrentParams>;

export const bittorrentWorkload = z.object({
  /** Leechers join uniformly over [0, arrivalMs] (0 = flash crowd: all at once). */
  arrivalMs: num(0).default(0),
});
export type BittorrentWorkload = z.infer<typeof bittorrentWorkload>;

/** Kumar-Ross lower bound on the time for all leechers to finish (ms), or null if bandwidth is unlimited. */
export function kumarRossBoundMs(world: World, fileSize: number, seeds: PeerId[], leechers: PeerId[], contributes: (p: PeerId) => boolean): number | null {
  const up = world.net.up, down = world.net.down;
  let us = 0;
  for (const s of seeds) us += up[s] as number;
  let sum = 0, dmin = Infinity;
  for (const l of leechers) {
    if (contributes(l)) sum += up[l] as number;
    dmin = Math.min(dmin, down[l] as number);
  }
  if (!Number.isFinite(us) && !Number.isFinite(dmin)) return null;
  const t = Math.max(fileSize / us, fileSize / dmin, (leechers.length * fileSize) / (us + sum));
  return Number.isFinite(t) && t > 0 ? t : null;
}

function fractionPicker(world: World, fraction: number, label: string, seeds: number): (p: PeerId) => boolean {
  const rng = world.sim.rng.fork(label);
  const flags = new Uint8Array(world.size);
  for (let p = seeds; p < world.size; p++) if (rng.float() < fraction) flags[p] = 1;
  return (p) => flags[p] === 1;
}

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
  const isFreeRider = fractionPicker(world, params.freeRiders, 'bittorrent:freeRiders', seedsN);
  const isCorrupt = fractionPicker(world, params.corruptPeers, 'bittorrent:corrupt', seedsN);
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
  const sim = world.sim;
  const seeds: PeerId[] = [];
  const leechers: PeerId[] = [];
  for (let p = 0; p < world.size; p++) (p < seedsN ? seeds : leechers).push(p);
  // corrupt peers still upload (bad data), free riders do not: the bound counts who contributes
  const lowerBoundMs = kumarRossBoundMs(world, params.fileSize, seeds, leechers, (p) => !isFreeRider(p));

  // arrivals: a flash crowd joins at 0; otherwise leechers join spread over [0, arrivalMs]
  if (workload.arrivalMs > 0) {
    const rng = sim.rng.fork('bittorrent:arrivals');
    const joinKind = sim.register((peer) => world.join(peer));
    for (const l of leechers) {
      world.leave(l, false);
      sim.schedule(rng.float() * workload.arrivalMs, joinKind, l);
    }
  }

  // global piece copies among online peers, for the availability series
  const P = swarm.pieces;
  const copies = new Uint32Array(P);
  swarm.onPiece = (_peer, piece) => {
    copies[piece] = (copies[piece] as number) + 1;
  };
  const completed: Series = { t: [], v: [] };
  const availMin: Series = { t: [], v: [] };
  const availMean: Series = { t: [], v: [] };
  // state the closures below change, where keyframes of the run reach it (sim/snapshot.ts)
  const tally = sim.keep({ copies, completed, availMin, availMean, honestDone: 0 });
  const sampleKind = sim.register(() => {
    sample();
    if (!isComplete()) sim.schedule(params.sampleMs, sampleKind);
  });
  world.add(swarm);
  // online seeds hold every piece
  const seedCopies = (): number => {
    let n = 0;
    for (let p = 0; p < world.size; p++) {
      const st = swarm.state(p);
      if (st && world.alive[p] === 1 && st.haveCount === P && st.doneAt < 0) n++;
    }
    return n;
  };
  const sample = (): void => {
    const t = sim.now;
    completed.t.push(t);
    completed.v.push(leechers.length === 0 ? 1 : swarm.leechersDone / leechers.length);
    const s = seedCopies();
    let mn = Infinity, sum = 0;
    for (let p = 0; p < P; p++) {
      const c = (copies[p] as number) + s;
      if (c < mn) mn = c;
      sum += c;
    }
    availMin.t.push(t);
    availMin.v.push(mn);
    availMean.t.push(t);
    availMean.v.push(sum / P);
  };
  sim.schedule(0, sampleKind);
  // leavers take their copies with them
  const origLeave = swarm.onLeave.bind(swarm);
  swarm.onLeave = (peer: PeerId) => {
    const st = swarm.state(peer);
    if (st && !swarm.isSeedAtStart(peer)) {
      for (let p = 0; p < P; p++) if (st.have[p] === 1) copies[p] = (copies[p] as number) - 1;
    }
    origLeave(peer);
  };

  // free riders finish too (optimistic unchokes feed them); corrupt peers may be banned by everyone
  // and never finish, so the run is complete when every honest leecher is done
  const honest = leechers.filter((l) => !isCorrupt(l)).length;
  swarm.onDone = (peer) => {
    if (!isCorrupt(peer)) tally.honestDone++;
  };
  const isComplete = (): boolean => tally.honestDone >= honest;

  const shareRatios = (): number[] => {
    const out: number[] = [];
    for (const l of leechers) {
      const st = swarm.state(l);
      if (st && st.downloaded > 0) out.push(st.uploaded / st.downloaded);
    }
    return out;
  };

  return {
    swarm,
    lowerBoundMs,
    isComplete,
    summary(): Record<string, SummaryValue> {
      const ct = swarm.completionTimes;
      const mean = ct.length ? ct.reduce((a, b) => a + b, 0) / ct.length : null;
      const last = ct.length ? Math.max(...ct) : null;
      const done = leechers.length === 0 ? 1 : swarm.leechersDone / leechers.length;
      const sr = shareRatios().sort((a, b) => a - b);
      const st = swarm.stats;
      let uploaded = 0;
      for (let p = 0; p < world.size; p++) uploaded += swarm.state(p)?.uploaded ?? 0;
      return {
        meanCompletionMs: mean,
        lastCompletionMs: isComplete() ? last : null,
        lowerBoundMs,
        boundRatio: isComplete() && last !== null && lowerBoundMs !== null ? last / lowerBoundMs : null,
        completed: done,
        pieces: P,
        leechers: leechers.length,
        wastedBytes: st.duplicateBytes + st.corruptBytes,
        duplicateBytes: st.duplicateBytes,
        corruptBytes: st.corruptBytes,
        hashFails: st.hashFails,
        bans: st.bans,
        violations: st.violations,
        uploadedBytes: uploaded,
        shareRatioMean: sr.length ? sr.reduce((a, b) => a + b, 0) / sr.length : null,
        shareRatioP50: sr.length ? (sr[Math.floor((sr.length - 1) / 2)] as number) : null,
        shareRatioMin: sr.length ? (sr[0] as number) : null,
        shareRatioMax: sr.length ? (sr[sr.length - 1] as number) : null,
      };
    },
    series(): Record<string, Series> {
      return { completed, availabilityMin: availMin, availabilityMean: availMean };
    },
    samples(): Record<string, number[]> {
      const tp: number[] = [];
      for (const l of leechers) {
        const st = swarm.state(l);
        if (st && st.doneAt >= 0) tp.push((params.fileSize / Math.max(1, st.doneAt - st.joinedAt)) * 1000);
      }
      return { completionMs: [...swarm.completionTimes], shareRatio: shareRatios(), throughputBps: tp };
    },
    snapshot(maxPeers = 1000): OverlaySnapshot {
      const n = Math.min(maxPeers, world.size);
      const peers: OverlaySnapshot['peers'] = [];
      for (let p = 0; p < n; p++) {
        const st = swarm.state(p);
        const progress = st ? st.haveCount / P : 0;
        const state = !st ? 'leecher' : swarm.isSeedAtStart(p) ? 'seed' : st.doneAt >= 0 ? 'done' : 'leecher';
        peers.push({ id: p, alive: world.alive[p] === 1, state, value: progress });
      }
      return { timeMs: sim.now, peers, links: swarm.unchokedLinks(n) };
    },
  };
}

export const driver: ProtocolDriver<BittorrentParams, BittorrentWorkload> = {
  type: 'bittorrent',
  params: bittorrentParams,
  workload: bittorrentWorkload,
  create: (ctx, params, workload) => createRun(ctx.world, params, workload),
};
