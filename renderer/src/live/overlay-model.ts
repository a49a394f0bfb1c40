/**
 * What the Live overlay view draws, from the peers' own reports (`live.peers`), computed once for the
 * graph and the table so the two cannot disagree:
 * - links: a link is drawn if either end reports it open. One whose other end is dead is `stale`:
 *   a live peer still believes in it (it has not noticed the death yet), drawn as such, not hidden,
 *   so how long peers take to notice is visible and measurable.
 * - lag: per document, how many updates a peer lacks against the union of every live peer's state
 *   vector (a Yjs state vector maps a client to the next clock it expects, so the sum of the
 *   differences counts missing updates); raw `client:clock` pairs say nothing at a glance.
 * - positions: a stable layout, a slot per peer in order of first sight on a sunflower, kept for as
 *   long as the view is open, so nothing moves when peers come, go or change.
 * Pure: unit-tested directly.
 */
import type { LivePeerData } from '../../../src/host/live/group.js';

export interface LiveEdge {
  id: string;
  a: number;
  b: number;
  /** `open`: both ends alive; `stale`: one end is dead and the other still reports the link open. */
  state: 'open' | 'stale';
  /** Bytes both ways as reported by the ends that report the link. */
  bytes: number;
}

export function liveEdges(peers: readonly LivePeerData[]): LiveEdge[] {
  const alive = new Map(peers.map((p) => [p.id, p.alive]));
  const edges = new Map<string, LiveEdge>();
  for (const p of peers)
    for (const l of p.links) {
      if (!l.open || !alive.has(l.peer) || l.peer === p.id) continue;
      const a = Math.min(p.id, l.peer);
      const b = Math.max(p.id, l.peer);
      const id = `${a}-${b}`;
      const e = edges.get(id) ?? { id, a, b, state: 'open' as const, bytes: 0 };
      e.bytes += l.bytesIn + l.bytesOut;
      edges.set(id, e);
    }
  for (const e of edges.values()) if (!alive.get(e.a) || !alive.get(e.b)) e.state = 'stale';
  return [...edges.values()].sort((x, y) => x.a - y.a || x.b - y.b);
}

/** Each peer's links as the graph draws them: open ones, and stale ones it still believes in. */
export function degrees(peers: readonly LivePeerData[], edges: readonly LiveEdge[]): Map<number, { open: number; stale: number }> {
  const d = new Map(peers.map((p) => [p.id, { open: 0, stale: 0 }]));
  for (const e of edges)
    for (const id of [e.a, e.b]) {
      const x = d.get(id);
      if (x) x[e.state]++;
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

/** Places peers on a sunflower in order of first sight; a peer keeps its place while the view is open. */
export class StableLayout {
  private readonly slots = new Map<number, number>();
  private next = 0;

  constructor(readonly spacing = 70) {}

  position(id: number): { x: number; y: number } {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      // in id order when several arrive together (the first picture), so windows agree where they can
      slot = this.next++;
      this.slots.set(id, slot);
    }
    const golden = Math.PI * (3 - Math.sqrt(5));
    const r = this.spacing * Math.sqrt(slot + 0.5);
    return { x: r * Math.cos(slot * golden), y: r * Math.sin(slot * golden) };
  }

  /** Takes every new id of `ids` in ascending order, then returns everyone's place. */
  place(ids: readonly number[]): Map<number, { x: number; y: number }> {
    for (const id of [...ids].sort((a, b) => a - b)) this.position(id);
    return new Map(ids.map((id) => [id, this.position(id)]));
  }
}
