/** The Kumar-Ross lower bound on a swarm's download time, from the network model's per-peer rates. */
import type { PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';

/** Kumar-Ross lower bound on the time for all leechers to finish (ms), or null if bandwidth is unlimited. */
export function kumarRossBoundMs(world: World, fileSize: number, seeds: PeerId[], leechers: PeerId[], contributes: (p: PeerId) => boolean): number | null {
  const up = world.net.up, down = world.net.down;
  let us = 0;
  for (const s of seeds) us += up[s]!;
  let sum = 0, dmin = Infinity;
  for (const l of leechers) {
    if (contributes(l)) sum += up[l]!;
    dmin = Math.min(dmin, down[l]!);
  }
  if (!Number.isFinite(us) && !Number.isFinite(dmin)) return null;
  const t = Math.max(fileSize / us, fileSize / dmin, (leechers.length * fileSize) / (us + sum));
  return Number.isFinite(t) && t > 0 ? t : null;
}
