/**
 * The swarm's workload: who the leechers are (free riders and corrupt peers drawn by fraction, each
 * from its own random stream) and when they arrive (all at once, or uniformly over `arrivalMs`).
 */
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';

/** Marks each peer from `seeds` on with probability `fraction`, from the stream named `label`. */
export function pickFraction(world: World, fraction: number, label: string, seeds: number): (p: PeerId) => boolean {
  const rng = world.sim.rng.fork(label);
  const flags = new Uint8Array(world.size);
  for (let p = seeds; p < world.size; p++) if (rng.float() < fraction) flags[p] = 1;
  return (p) => flags[p] === 1;
}

/** A flash crowd joins at 0 (nothing to do); otherwise each leecher goes offline now and joins at a
 * uniform time in [0, arrivalMs]. */
export function scheduleArrivals(world: World, leechers: readonly PeerId[], arrivalMs: number): void {
  if (arrivalMs <= 0) return;
  const sim = world.sim;
  const rng = sim.rng.fork('bittorrent:arrivals');
  const joinKind = sim.register((peer) => world.join(peer));
  for (const l of leechers) {
    world.leave(l, false);
    sim.schedule(rng.float() * arrivalMs, joinKind, l);
  }
}
