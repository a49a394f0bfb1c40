/**
 * Badmouth: in every opinion exchange a colluder reports all the honest peers it knows of (its
 * neighbours and random others) as bad with the most weight allowed, and fellow colluders as good.
 * It is "smart" in one way: it never badmouths the recipient itself, whose own view would contradict it.
 */
import type { PeerId, Rng } from '../../../core/index.js';
import type { ReputationParams } from '../params.js';
import type { Opinion } from '../reputation.js';

/** The list a colluder (`self`) sends to neighbour `to`. */
export function badmouthList(
  self: PeerId,
  to: PeerId,
  neighbours: Iterable<PeerId>,
  colluders: Uint8Array,
  rep: ReputationParams,
  peers: number,
  rng: Rng,
): Opinion[] {
  const cap = rep.maxReportWeight;
  const entries: Opinion[] = [];
  const named = new Set<PeerId>([to, self]);
  const add = (p: PeerId): void => {
    if (named.has(p) || entries.length >= rep.maxOpinions) return;
    named.add(p);
    entries.push(colluders[p] === 1 ? { peer: p, good: cap, bad: 0 } : { peer: p, good: 0, bad: cap });
  };
  for (const p of neighbours) add(p);
  for (let i = 0; i < 4 * rep.maxOpinions && entries.length < rep.maxOpinions; i++) add(rng.int(peers));
  return entries;
}
