/** One gossip peer for the dashboard's inspector: when it received each rumour, and from whom. */
import { boundedTable, type PeerInspection } from '../observation.js';
import type { GossipRun } from './driver.js';

export function inspectGossip(run: GossipRun, peer: number): PeerInspection {
  const e = run.engine;
  const rows: (number | string | null)[][] = [];
  for (let r = 0; r < e.started; r++) {
    const i = r * e.n + peer;
    const s = e.state[i]!;
    rows.push([r, s === 0 ? 'susceptible' : s === 1 ? 'infected' : 'removed', s === 0 ? null : e.at[i]!, s === 0 ? null : e.at[i]! - e.born[r]!, s === 0 ? null : e.round[i]!, s === 0 || e.parent[i]! < 0 ? null : e.parent[i]!]);
  }
  const links = e.links(e.n) ?? [];
  return {
    neighbours: links.flatMap(([a, b]) => (a === peer ? [b] : b === peer ? [a] : [])),
    sections: [
      boundedTable(
        'Rumours',
        [{ label: 'Rumour' }, { label: 'State' }, { label: 'Received at', unit: 'ms' }, { label: 'After broadcast', unit: 'ms' }, { label: 'Round' }, { label: 'From peer' }],
        rows,
        { peerColumn: 5 },
      ),
    ],
  };
}
