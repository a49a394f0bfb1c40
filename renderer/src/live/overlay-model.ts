/**
 * What the Live overlay view's table reads beside the graph:
 * - link counts per peer, from the very picture the graph draws (live-frame.ts), so the two cannot
 *   disagree: open links, and stale ones (a live peer still reports a link to a dead peer: it has not
 *   noticed the death yet), drawn and counted as such, not hidden, so how long peers take to notice is
 *   visible and measurable.
 * - lag: per document, how many updates a peer lacks against the union of every live peer's state
 *   vector (a Yjs state vector maps a client to the next clock it expects, so the sum of the
 *   differences counts missing updates); raw `client:clock` pairs say nothing at a glance.
 * Pure: unit-tested directly.
 */
import type { SnapshotData } from '../../../src/host/lab-group.js';
import type { LivePeerData } from '../../../src/host/live/group.js';
import { STALE_KIND } from '../../../src/host/live/live-frame.js';

/** Each drawn peer's links as the graph draws them (by the picture's numbers): open ones, and stale ones. */
export function linkDegrees(snap: SnapshotData): Map<number, { open: number; stale: number }> {
  const d = new Map(snap.peers.map((p) => [p.id, { open: 0, stale: 0 }]));
  for (const l of snap.links) {
    const key = (l as readonly number[])[2] === STALE_KIND ? 'stale' : 'open';
    for (const id of [l[0], l[1]]) {
      const x = d.get(id as number);
      if (x) x[key]++;
    }
  }
  return d;
}

export interface Lag {
  /** Updates this peer lacks against the union of live peers' state vectors (0: in sync). */
  missing: number;
  /** Clients it lacks updates of. */
  behind: number;
  /** Updates known across the live peers (the sum of the union's clocks). */
  known: number;
}

/** Lag of every peer holding `doc`; dead peers are measured against the live ones but do not count towards the union. */
export function lagOf(peers: readonly LivePeerData[], doc: string): Map<number, Lag> {
  const union = new Map<string, number>();
  for (const p of peers) {
    if (!p.alive) continue;
    const d = p.docs.find((x) => x.name === doc);
    if (!d) continue;
    for (const [c, n] of Object.entries(d.stateVector)) union.set(c, Math.max(union.get(c) ?? 0, n));
  }
  let known = 0;
  for (const n of union.values()) known += n;
  const out = new Map<number, Lag>();
  for (const p of peers) {
    const d = p.docs.find((x) => x.name === doc);
    if (!d) continue;
    let missing = 0;
    let behind = 0;
    for (const [c, n] of union) {
      const have = d.stateVector[c] ?? 0;
      if (have < n) {
        missing += n - have;
        behind++;
      }
    }
    out.set(p.id, { missing, behind, known });
  }
  return out;
}
