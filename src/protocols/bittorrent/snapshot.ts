/** The dashboard's picture of a swarm: peers coloured seed / leecher / done with their progress, and
 * the unchoked connections as links. */
import type { World } from '../../sim/index.js';
import type { OverlaySnapshot } from '../driver.js';
import type { MeasuredSwarm } from './measure.js';

/** What the picture reads of a swarm: its peers, and the transfers a link is drawn for. */
export interface DrawnSwarm extends Pick<MeasuredSwarm, 'pieces' | 'state' | 'isSeedAtStart'> {
  /** Pairs of peers below `limit` with data flowing between them (unchoked connections, transfers). */
  unchokedLinks(limit: number): [number, number][];
}

export function swarmSnapshot(world: World, swarm: DrawnSwarm, maxPeers: number): OverlaySnapshot {
  const n = Math.min(maxPeers, world.size);
  const peers: OverlaySnapshot['peers'] = [];
  for (let p = 0; p < n; p++) {
    const st = swarm.state(p);
    const progress = st ? st.haveCount / swarm.pieces : 0;
    const state = !st ? 'leecher' : swarm.isSeedAtStart(p) ? 'seed' : st.doneAt >= 0 ? 'done' : 'leecher';
    peers.push({ id: p, alive: world.alive[p] === 1, state, value: progress });
  }
  return { timeMs: world.sim.now, peers, links: swarm.unchokedLinks(n) };
}
