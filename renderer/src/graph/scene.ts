/**
 * What the peer graph draws: peers with a place and a colour, links with a kind and a colour, and the
 * rewiring marks of recently made or cut links. Snapshot diffs (mapping.ts) are applied here; the
 * canvas renderer (renderer.ts) reads it. Versions tell the renderer which of its layers to redraw:
 * a colour change does not redraw 16,000 links. Pure (no DOM): unit-tested directly.
 */
import type { EdgeData, GraphDiff, NodeData } from './mapping.js';

export interface SceneNode {
  peer: number;
  x: number;
  y: number;
  colour: string;
  state: string;
  alive: boolean;
  value: number | undefined;
}

export interface SceneEdge {
  id: string;
  a: number;
  b: number;
  kind: number;
  colour: string;
  dashed: boolean;
  /** A rewiring mark: made a moment ago, or cut and still shown fading. */
  mark: 'fresh' | 'gone' | null;
}

export class Scene {
  readonly nodes = new Map<number, SceneNode>();
  readonly edges = new Map<string, SceneEdge>();
  /** Peer -> peers it has a drawn link with (cut links still fading included). */
  private readonly adj = new Map<number, Set<number>>();
  /** Bumped when nodes change (colour, liveness, value, membership): the node layer redraws. */
  nodesVersion = 0;
  /** Bumped when links change: the link layer redraws. */
  edgesVersion = 0;
  /** Bumped when places change: every layer redraws. */
  placesVersion = 0;
  /** What a peer's value is scaled over to size its dot. */
  valueRange: readonly [number, number] = [0, 1];

  get size(): number {
    return this.nodes.size;
  }

  /** Applies a snapshot diff; `place` gives a newly drawn peer its place. Cut links in `keep` stay, marked gone. */
  apply(diff: GraphDiff, place: (d: NodeData) => { x: number; y: number }, dashed: (kind: number) => boolean, keep: ReadonlySet<string> = new Set()): void {
    for (let i = 0; i < diff.removeEdges.length; i++) {
      const id = diff.removeEdges[i] as string;
      const e = this.edges.get(id);
      if (!e) continue;
      if (keep.has(id)) e.mark = 'gone';
      else this.removeEdge(e);
    }
    for (const id of diff.removeNodes) this.removeNode(Number(id.slice(1)));
    for (const d of diff.addNodes) {
      const p = place(d);
      this.nodes.set(d.peer, { peer: d.peer, x: p.x, y: p.y, colour: d.color, state: d.state, alive: d.alive, value: d.value });
    }
    for (const d of diff.changed) {
      const n = this.nodes.get(d.peer);
      if (!n) continue;
      n.colour = d.color;
      n.state = d.state;
      n.alive = d.alive;
      n.value = d.value;
    }
    for (const e of diff.addEdges) this.addEdge(e, dashed(e.kind));
    for (const e of diff.changedEdges) {
      const x = this.edges.get(e.id);
      if (!x) continue;
      x.kind = e.kind;
      x.colour = e.color;
      x.dashed = dashed(e.kind);
    }
    if (diff.addNodes.length || diff.removeNodes.length || diff.changed.length) this.nodesVersion++;
    if (diff.addEdges.length || diff.removeEdges.length || diff.changedEdges.length) this.edgesVersion++;
  }

  private addEdge(e: EdgeData, dashed: boolean): void {
    const a = Number(e.source.slice(1));
    const b = Number(e.target.slice(1));
    const old = this.edges.get(e.id);
    if (old) {
      // came back while fading: the same link again
      old.mark = null;
      old.kind = e.kind;
      old.colour = e.color;
      old.dashed = dashed;
      return;
    }
    this.edges.set(e.id, { id: e.id, a, b, kind: e.kind, colour: e.color, dashed, mark: null });
    this.link(a, b);
    this.link(b, a);
  }

  private link(a: number, b: number): void {
    let s = this.adj.get(a);
    if (!s) this.adj.set(a, (s = new Set()));
    s.add(b);
  }

  removeEdge(e: SceneEdge): void {
    this.edges.delete(e.id);
    this.adj.get(e.a)?.delete(e.b);
    this.adj.get(e.b)?.delete(e.a);
    this.edgesVersion++;
  }

  private removeNode(peer: number): void {
    this.nodes.delete(peer);
    for (const other of this.adj.get(peer) ?? []) {
      const id = peer < other ? `e${peer}-${other}` : `e${other}-${peer}`;
      const e = this.edges.get(id);
      if (e) this.removeEdge(e);
    }
    this.adj.delete(peer);
  }

  /** Sets marks (fresh / none) on links by id; ids not drawn are ignored. */
  mark(ids: Iterable<string>, mark: 'fresh' | null): void {
    let any = false;
    for (const id of ids) {
      const e = this.edges.get(id);
      if (e && e.mark !== 'gone') {
        e.mark = mark;
        any = true;
      }
    }
    if (any) this.edgesVersion++;
  }

  neighbours(peer: number): ReadonlySet<number> {
    return this.adj.get(peer) ?? new Set();
  }

  /** Drawn links of a peer (for its degree), cut ones still fading excluded. */
  degree(peer: number): number {
    let n = 0;
    for (const other of this.neighbours(peer)) {
      const e = this.edges.get(peer < other ? `e${peer}-${other}` : `e${other}-${peer}`);
      if (e && e.mark !== 'gone') n++;
    }
    return n;
  }

  setPlaces(places: ReadonlyMap<number, { x: number; y: number }>): void {
    for (const [peer, p] of places) {
      const n = this.nodes.get(peer);
      if (n) {
        n.x = p.x;
        n.y = p.y;
      }
    }
    this.placesVersion++;
  }

  /** Recolours every peer and link (the contract arrived or changed). */
  recolour(node: (n: SceneNode) => string, edge: (e: SceneEdge) => { colour: string; dashed: boolean }): void {
    for (const n of this.nodes.values()) n.colour = node(n);
    for (const e of this.edges.values()) Object.assign(e, edge(e));
    this.nodesVersion++;
    this.edgesVersion++;
  }

  /** A share (0..1) is sized over 0..1; any other value over the drawn peers' lowest to highest. */
  setValueRange(share: boolean): void {
    let lo = Infinity;
    let hi = -Infinity;
    if (share) [lo, hi] = [0, 1];
    else
      for (const n of this.nodes.values())
        if (n.value !== undefined) {
          lo = Math.min(lo, n.value);
          hi = Math.max(hi, n.value);
        }
    const next: [number, number] = Number.isFinite(lo) ? [lo, hi] : [0, 1];
    if (next[0] !== this.valueRange[0] || next[1] !== this.valueRange[1]) {
      this.valueRange = next;
      this.nodesVersion++; // the peer and overlay layers and the hit grid follow nodesVersion
    }
  }

  /** The bounding box of the peers' places, or null when nothing is drawn. */
  bounds(): { x1: number; y1: number; x2: number; y2: number } | null {
    if (this.nodes.size === 0) return null;
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    for (const n of this.nodes.values()) {
      x1 = Math.min(x1, n.x);
      y1 = Math.min(y1, n.y);
      x2 = Math.max(x2, n.x);
      y2 = Math.max(y2, n.y);
    }
    return { x1, y1, x2, y2 };
  }

  clear(): void {
    this.nodes.clear();
    this.edges.clear();
    this.adj.clear();
    this.nodesVersion++;
    this.edgesVersion++;
    this.placesVersion++;
  }
}
