/** Shared set-up for the adaptive tests: a World on a geo map, the driver with parsed params. */
import { Simulator, World, type NetworkConfig } from '../../../src/sim/index.js';
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
