/**
 * Snapshot -> Cytoscape elements, as a diff against what is already drawn. The graph component keeps
 * one `GraphModel` and applies each diff in a batch: it adds and removes only what changed and
 * restyles only peers whose state changed, so a 1000-peer graph updates cheaply and is not laid out
 * again on every snapshot. Pure (no DOM, no Cytoscape), so it is unit-tested directly.
 */
import type { PeerView, SnapshotData } from '../../../src/host/lab-group.js';
import { Palette } from '../observe/palette.js';

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
  /** Index into the contract's link kinds (0 when the snapshot gives none). */
  kind: number;
  color: string;
}

export interface GraphDiff {
  addNodes: NodeData[];
  removeNodes: string[];
  addEdges: EdgeData[];
  removeEdges: string[];
  /** Kinds of `removeEdges`, index for index (a cut is rewiring only if its kind says so). */
  removeEdgeKinds: number[];
  /** Drawn links whose kind changed: restyle these only. */
  changedEdges: EdgeData[];
  /** Drawn peers whose state, liveness or value changed: restyle these only. */
  changed: NodeData[];
}

export const nodeId = (peer: number): string => `p${peer}`;
export function edgeId(a: number, b: number): string {
  return a < b ? `e${a}-${b}` : `e${b}-${a}`;
}

/** A snapshot's link: `[a, b]` or `[a, b, kind]`. */
type Link = readonly [number, number, number?] | readonly number[];

interface Drawn {
  state: string;
  alive: boolean;
  value: number | undefined;
}

export class GraphModel {
  private readonly nodes = new Map<number, Drawn>();
  /** Drawn link id -> its kind. */
  private readonly edges = new Map<string, number>();
  private run: number | null = null;

  constructor(public palette: Palette = new Palette(null)) {}

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

  nodeData(p: PeerView): NodeData {
    const d: NodeData = { id: nodeId(p.id), peer: p.id, state: p.state, alive: p.alive, color: this.palette.colour(p.state, p.alive), label: String(p.id) };
    if (p.value !== undefined) d.value = p.value;
    if (p.x !== undefined && p.y !== undefined) d.pos = { x: p.x, y: p.y };
    return d;
  }

  private edgeData(a: number, b: number, kind: number): EdgeData {
    return { id: edgeId(a, b), source: nodeId(Math.min(a, b)), target: nodeId(Math.max(a, b)), kind, color: this.palette.link(kind).colour };
  }

  /** What to change so the drawing matches `snap`; updates the model as if it were applied. */
  apply(snap: SnapshotData): GraphDiff {
    if (this.isNewRun(snap)) this.clear();
    this.run = snap.run;
    const diff: GraphDiff = { addNodes: [], removeNodes: [], addEdges: [], removeEdges: [], removeEdgeKinds: [], changedEdges: [], changed: [] };
    const seen = new Set<number>();
    for (const p of snap.peers) {
      if (seen.has(p.id)) continue; // a duplicate id would make Cytoscape throw: first one wins
      seen.add(p.id);
      const old = this.nodes.get(p.id);
      if (!old) {
        diff.addNodes.push(this.nodeData(p));
        this.nodes.set(p.id, { state: p.state, alive: p.alive, value: p.value });
      } else if (old.state !== p.state || old.alive !== p.alive || old.value !== p.value) {
        diff.changed.push(this.nodeData(p));
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
    for (const link of snap.links as readonly Link[]) {
      const a = link[0] as number;
      const b = link[1] as number;
      const kind = (link[2] as number | undefined) ?? 0;
      // Links to peers outside the (capped) snapshot, and self-links, cannot be drawn.
      if (a === b || !seen.has(a) || !seen.has(b)) continue;
      const id = edgeId(a, b);
      if (linkIds.has(id)) continue;
      linkIds.add(id);
      const old = this.edges.get(id);
      if (old === undefined) diff.addEdges.push(this.edgeData(a, b, kind));
      else if (old !== kind) diff.changedEdges.push(this.edgeData(a, b, kind));
      this.edges.set(id, kind);
    }
    for (const [id, kind] of [...this.edges]) {
      if (!linkIds.has(id)) {
        diff.removeEdges.push(id);
        diff.removeEdgeKinds.push(kind);
        this.edges.delete(id);
      }
    }
    return diff;
  }

  /** The state each drawn peer is in (for filters and legends). */
  stateOf(peer: number): string | undefined {
    const d = this.nodes.get(peer);
    return d ? (d.alive ? d.state : 'offline') : undefined;
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
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) out.push(sunflowerPlace(i, spacing));
  return out;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Slot `i` of the sunflower: where the i-th peer goes whatever comes after it. The live room's peers
 * are numbered in order of first sight, so a peer keeps its place as others come and go.
 */
export function sunflowerPlace(i: number, spacing = 16): { x: number; y: number } {
  const r = spacing * Math.sqrt(i + 0.5);
  return { x: r * Math.cos(i * GOLDEN_ANGLE), y: r * Math.sin(i * GOLDEN_ANGLE) };
}

/** Where the live room's peer `id` is drawn (ids in order of first sight: a peer keeps its place). */
export function roomPlace(id: number): { x: number; y: number } {
  return sunflowerPlace(id, 40);
}

/**
 * Links that changed recently, for the overlay's rewiring to be seen: a new link of a rewiring kind
 * is highlighted for `holdMs` of wall time, a cut one stays drawn, fading, for as long before it goes.
 * Only kinds the contract marks as rewiring are highlighted (a gossip delivery tree growing, or a
 * swarm's connections coming and going, is not rewiring). Nothing is highlighted on a first picture,
 * after a new run, or when more than `maxTracked` links changed at once (a seek: the change is not
 * one to watch, and tracking it would cost).
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
  note(diff: GraphDiff, now: number, quiet: boolean, rewires: (kind: number) => boolean): { fresh: string[]; keep: string[]; revived: string[] } {
    const revived: string[] = [];
    for (const e of diff.addEdges) if (this.fading.delete(e.id)) revived.push(e.id);
    if (quiet || diff.addEdges.length + diff.removeEdges.length > this.maxTracked) {
      return { fresh: [], keep: [], revived };
    }
    const fresh = diff.addEdges.filter((e) => rewires(e.kind)).map((e) => e.id);
    for (const id of fresh) this.fresh.set(id, now + this.holdMs);
    const keep: string[] = [];
    diff.removeEdges.forEach((id, i) => {
      this.fresh.delete(id);
      if (!rewires(diff.removeEdgeKinds[i] ?? 0)) return;
      this.fading.set(id, now + this.holdMs);
      keep.push(id);
    });
    return { fresh, keep, revived };
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
