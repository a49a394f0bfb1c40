/**
 * What the dashboard says about a dissemination's reach. Two different numbers exist and were shown
 * under one name: the protocol summary's `reached` is the mean over all broadcasts of each one's peak
 * coverage, while the peer colours (and the legend) show the state of the latest broadcast only. With
 * several broadcasts they disagree (two finished, the third just started: mean 0.7, colours mostly
 * grey-blue). So both are computed here and labelled for what they are; the latest one is counted from
 * the very snapshot the graph draws, so the number and the colours cannot disagree.
 */
import type { SnapshotData } from '../../../src/host/lab-group.js';

/** States of a peer that holds the latest broadcast (gossip: infected keeps spreading it, removed stopped). */
export const HOLDER_STATES: ReadonlySet<string> = new Set(['infected', 'removed']);

export interface Reach {
  /** Share of the online drawn peers holding the latest broadcast, in [0, 1]; null before any broadcast. */
  latest: number | null;
  /** Online drawn peers holding the latest broadcast, and online drawn peers. */
  holders: number;
  online: number;
  /** The snapshot draws only some of the peers, so `latest` counts those (the ones coloured). */
  partial: boolean;
  /** Mean over the broadcasts so far of each one's peak reach (the summary's `reached`), or null. */
  mean: number | null;
  /** Broadcasts started so far (the summary's `broadcasts`), or null if the protocol does not say. */
  broadcasts: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * The reach of the run as the dashboard shows it, or null when the protocol reports no reach (its
 * summary has no numeric `reached`: Kademlia, BitTorrent).
 */
export function reachOf(summary: Record<string, unknown> | null | undefined, snapshot: SnapshotData | null | undefined): Reach | null {
  const mean = num(summary?.reached);
  if (mean === null) return null;
  const broadcasts = num(summary?.broadcasts);
  let holders = 0;
  let online = 0;
  let anyState = false;
  for (const p of snapshot?.peers ?? []) {
    if (p.state !== 'susceptible') anyState = true;
    if (!p.alive) continue;
    online++;
    if (HOLDER_STATES.has(p.state)) holders++;
  }
  // before the first broadcast every peer is susceptible: there is no latest broadcast to speak of
  const started = broadcasts === null ? anyState : broadcasts > 0;
  return {
    latest: started && online > 0 ? holders / online : null,
    holders,
    online,
    partial: snapshot ? snapshot.peers.length < snapshot.totalPeers : false,
    mean: clamp01(mean),
    broadcasts,
  };
}
