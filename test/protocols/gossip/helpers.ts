/** Shared set-up for the gossip tests: a World, the driver with parsed params, run to the end. */
import { Simulator, World, type NetworkConfig } from '../../../src/sim/index.js';
import { createGossip, type GossipRun } from '../../../src/protocols/gossip/driver.js';
import { gossipParams, gossipWorkload } from '../../../src/protocols/gossip/params.js';

export interface Setup {
  sim: Simulator;
  world: World;
  run: GossipRun;
}

export function setup(
  peers: number,
  seed: number,
  params: Record<string, unknown>,
  workload: Record<string, unknown> = {},
  network: NetworkConfig = { latency: { model: 'uniform', minMs: 10, maxMs: 40 } },
): Setup {
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers, network });
  const run = createGossip(world, gossipParams.parse(params), gossipWorkload.parse(workload));
  return { sim, world, run };
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
