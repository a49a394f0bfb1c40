/** Shared set-up for the adaptive tests: a World on a geo map, the driver with parsed params. */
import { Rng, type PeerContext } from '../../../src/core/index.js';
import { Simulator, World, type NetworkConfig } from '../../../src/sim/index.js';
import { AdaptivePeer, type AdaptiveMsg } from '../../../src/protocols/adaptive/peer.js';
import { createAdaptive, type AdaptiveRun } from '../../../src/protocols/adaptive/driver.js';
import { adaptiveParams, adaptiveWorkload } from '../../../src/protocols/adaptive/params.js';

export interface Setup {
  sim: Simulator;
  world: World;
  run: AdaptiveRun;
}

export function setup(
  peers: number,
  seed: number,
  params: Record<string, unknown>,
  workload: Record<string, unknown> = {},
  network: NetworkConfig = { latency: { model: 'geo', baseMs: 5, msPerUnit: 100, jitter: 0.1 } },
): Setup {
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers, network });
  const run = createAdaptive(world, adaptiveParams.parse(params), adaptiveWorkload.parse(workload));
  return { sim, world, run };
}

/** Runs to `untilMs` and returns the summary. */
export function summaryAt(s: Setup, untilMs: number): Record<string, number | string | boolean | null> {
  s.sim.runUntil(untilMs);
  return s.run.summary();
}

export interface LonePeerOptions {
  seed: number;
  peers: number;
  degree: number;
  maxDegree: number;
  neighbours: number[];
  /** The peer's clock (default: always 0). */
  now?: () => number;
  /** The membership sample it draws new neighbours from (default: always peer 1). */
  sample?: () => number;
}

/** One honest adaptive peer (id 0) outside any simulator: what it sends is collected, its timers never fire. */
export function lonePeer(o: LonePeerOptions): { peer: AdaptivePeer; sent: { to: number; msg: AdaptiveMsg }[] } {
  const sent: { to: number; msg: AdaptiveMsg }[] = [];
  const ctx: PeerContext<AdaptiveMsg> = {
    id: 0,
    rng: new Rng(o.seed),
    now: o.now ?? (() => 0),
    send: (to, msg) => sent.push({ to, msg }),
    setTimer: () => 0,
    cancelTimer: () => true,
    emit: () => {},
  };
  const p = adaptiveParams.parse({ reputation: { maxOpinions: 8 } });
  const peer = new AdaptivePeer(
    ctx,
    { peers: o.peers, degree: o.degree, maxDegree: o.maxDegree, fanout: 3, headerBytes: 24, cacheSize: 64, maintainMs: 500, junkBytes: 0, reputation: p.reputation, rewiring: p.rewiring },
    { sample: o.sample ?? (() => 1), deliver: () => {} },
    o.neighbours,
  );
  peer.start();
  return { peer, sent };
}
