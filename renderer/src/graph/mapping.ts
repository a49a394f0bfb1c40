/**
 * Snapshot -> Cytoscape elements, as a diff against what is already drawn. The graph component keeps
 * one `GraphModel` and applies each diff in a batch: it adds and removes only what changed and
 * restyles only peers whose state changed, so a 1000-peer graph updates cheaply and is not laid out
 * again on every snapshot. Pure (no DOM, no Cytoscape), so it is unit-tested directly.
 */
import type { PeerView, SnapshotData } from '../../../src/host/lab-group.js';

export interface NodeData {
  id: string;
  peer: number;
  state: string;
  alive: boolean;
  color: string;
  label: string;
  value?: number;
  /** Place on the network's map (unit square), if the snapshot has one: then no force layout is needed. */
  pos?: { x: number; y: number };
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
}

export interface GraphDiff {
  addNodes: NodeData[];
  removeNodes: string[];
  addEdges: EdgeData[];
  removeEdges: string[];
  /** Drawn peers whose state, liveness or value changed: restyle these only. */
  changed: NodeData[];
}

/** Colours of the states protocols report; anything else gets a stable colour from its name. */
export const STATE_COLORS: Record<string, string> = {
  susceptible: '#94a3b8',
  infected: '#f97316',
  removed: '#8b5cf6',
  seed: '#16a34a',
  leecher: '#3b82f6',
  idle: '#94a3b8',
  online: '#0ea5e9',
  offline: '#d4d4d8',
  // reputation and rewiring (hybrid, adaptive): value is the peer's reputation 0..1 (drawn as size)
  honest: '#0d9488',
  malicious: '#dc2626',
  isolated: '#78716c',
};
export const OFFLINE_COLOR = '#d4d4d8';

export function colorFor(state: string, alive = true): string {
  if (!alive) return OFFLINE_COLOR;
  const known = STATE_COLORS[state];
  if (known) return known;
  let h = 0;
  for (let i = 0; i < state.length; i++) h = (h * 31 + state.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360}, 65%, 50%)`;
}

export const nodeId = (peer: number): string => `p${peer}`;
export function edgeId(a: number, b: number): string {
  return a < b ? `e${a}-${b}` : `e${b}-${a}`;
}

function nodeData(p: PeerView): NodeData {
  const d: NodeData = { id: nodeId(p.id), peer: p.id, state: p.state, alive: p.alive, color: colorFor(p.state, p.alive), label: String(p.id) };
  if (p.value !== undefined) d.value = p.value;
  if (p.x !== undefined && p.y !== undefined) d.pos = { x: p.x, y: p.y };
  return d;
}

interface Drawn {
  state: string;
  alive: boolean;
  value: number | undefined;
}

export class GraphModel {
  private readonly nodes = new Map<number, Drawn>();
  private readonly edges = new Set<string>();
  private run: number | null = null;

  /** True if `snap` is of another run than what is drawn: the caller clears the drawing and starts over. */
  isNewRun(snap: SnapshotData): boolean {
    return this.run !== null && this.run !== snap.run;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }
  get edgeCount(): number {
    return this.edges.size;
  }

  /** What to change so the drawing matches `snap`; updates the model as if it were applied. */
  apply(snap: SnapshotData): GraphDiff {
    if (this.isNewRun(snap)) this.clear();
    this.run = snap.run;
    const diff: GraphDiff = { addNodes: [], removeNodes: [], addEdges: [], removeEdges: [], changed: [] };
    const seen = new Set<number>();
    for (const p of snap.peers) {
      if (seen.has(p.id)) continue; // a duplicate id would make Cytoscape throw: first one wins
      seen.add(p.id);
      const old = this.nodes.get(p.id);
      if (!old) {
        diff.addNodes.push(nodeData(p));
        this.nodes.set(p.id, { state: p.state, alive: p.alive, value: p.value });
      } else if (old.state !== p.state || old.alive !== p.alive || old.value !== p.value) {
        diff.changed.push(nodeData(p));
        old.state = p.state;
        old.alive = p.alive;
        old.value = p.value;
      }
    }
    for (const id of [...this.nodes.keys()]) {
      if (!seen.has(id)) {
        diff.removeNodes.push(nodeId(id));
        this.nodes.delete(id);
      }
    }
    const linkIds = new Set<string>();
    for (const [a, b] of snap.links) {
      // Links to peers outside the (capped) snapshot, and self-links, cannot be drawn.
      if (a === b || !seen.has(a) || !seen.has(b)) continue;
      const id = edgeId(a, b);
      if (linkIds.has(id)) continue;
      linkIds.add(id);
      if (!this.edges.has(id)) {
        diff.addEdges.push({ id, source: nodeId(Math.min(a, b)), target: nodeId(Math.max(a, b)) });
        this.edges.add(id);
      }
    }
    for (const id of [...this.edges]) {
      if (!linkIds.has(id)) {
        diff.removeEdges.push(id);
        this.edges.delete(id);
      }
    }
    return diff;
  }

  clear(): void {
    this.nodes.clear();
    this.edges.clear();
    this.run = null;
  }
}

/** Whether the change is big enough that the layout should run again (else new nodes are placed near a neighbour). */
export function needsLayout(diff: GraphDiff, drawnBefore: number): boolean {
  if (diff.addNodes.length > 0 && diff.addNodes.every((n) => n.pos)) return false; // placed on their map
  if (drawnBefore === 0) return diff.addNodes.length > 0;
  return diff.addNodes.length + diff.removeNodes.length > Math.max(5, drawnBefore * 0.2);
}

/** Counts of peers per state (for the legend). Offline peers count as 'offline'. */
export function stateCounts(snap: SnapshotData): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of snap.peers) {
    const k = p.alive ? p.state : 'offline';
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/**
 * A sunflower (phyllotaxis) arrangement: n points evenly filling a disc of radius about `spacing *
 * sqrt(n)`, in id order. Used instead of the force layout when there are few links to lay out by
 * (e.g. only "who infected whom" edges early in a gossip run): O(n), stable, and readable.
 */
export function sunflower(n: number, spacing = 16): { x: number; y: number }[] {
  const golden = Math.PI * (3 - Math.sqrt(5));
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) {
    const r = spacing * Math.sqrt(i + 0.5);
    out.push({ x: r * Math.cos(i * golden), y: r * Math.sin(i * golden) });
  }
  return out;
}

/**
 * Links that changed recently, for the overlay's rewiring to be seen: a new link is highlighted for
 * `holdMs` of wall time, a removed one stays drawn, fading, for as long before it goes. Nothing is
 * highlighted on a first picture, after a new run, or when more than `maxTracked` links changed at
 * once (a seek: the change is not one to watch, and tracking it would cost).
 */
export class LinkChanges {
  readonly fresh = new Map<string, number>();
  readonly fading = new Map<string, number>();

  constructor(
    readonly holdMs = 2500,
    readonly maxTracked = 1500,
  ) {}

  /**
   * What to do with a diff's links at wall time `now`: `fresh` (ids to highlight), `keep` (removed
   * ids to leave drawn, fading), and `revived` (ids that came back while fading: restyle, do not add).
   */
  note(diff: GraphDiff, now: number, quiet: boolean): { fresh: string[]; keep: string[]; revived: string[] } {
    const revived: string[] = [];
    for (const e of diff.addEdges) if (this.fading.delete(e.id)) revived.push(e.id);
    if (quiet || diff.addEdges.length + diff.removeEdges.length > this.maxTracked) {
      return { fresh: [], keep: [], revived };
    }
    const fresh = diff.addEdges.map((e) => e.id);
    for (const id of fresh) this.fresh.set(id, now + this.holdMs);
    for (const id of diff.removeEdges) {
      this.fresh.delete(id);
      this.fading.set(id, now + this.holdMs);
    }
    return { fresh, keep: diff.removeEdges, revived };
  }

  /** Highlights that ran out (`unfresh`) and faded links to remove now (`remove`). */
  expire(now: number): { unfresh: string[]; remove: string[] } {
    const unfresh: string[] = [];
    const remove: string[] = [];
    for (const [id, t] of this.fresh) if (t <= now) unfresh.push(id);
    for (const [id, t] of this.fading) if (t <= now) remove.push(id);
    for (const id of unfresh) this.fresh.delete(id);
    for (const id of remove) this.fading.delete(id);
    return { unfresh, remove };
  }

  /** Everything still fading (to remove at once: a new run, a seek). */
  clear(): string[] {
    const ids = [...this.fading.keys()];
    this.fresh.clear();
    this.fading.clear();
    return ids;
  }
}
