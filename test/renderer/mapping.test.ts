import { describe, expect, it } from 'vitest';
import type { SnapshotData } from '../../src/host/lab-group.js';
import { Rng } from '../../src/core/index.js';
import { GraphModel, edgeId, needsLayout, stateCounts, sunflower } from '../../renderer/src/graph/mapping.js';
import { OFFLINE_COLOUR, Palette } from '../../renderer/src/observe/palette.js';

const palette = new Palette({
  protocol: 'gossip',
  metrics: [],
  series: [],
  states: [
    { name: 'susceptible', label: 'susceptible', colour: '#94a3b8', description: '' },
    { name: 'infected', label: 'infected', colour: '#f97316', description: '' },
  ],
  linkKinds: [{ name: 'tree', label: 'delivery tree', colour: '#64748b', description: '', rewiring: false }],
  events: [],
  value: null,
});

const snap = (peers: [number, string, boolean?][], links: [number, number][], totalPeers = peers.length, run = 1): SnapshotData => ({
  run,
  timeMs: 0,
  totalPeers,
  peers: peers.map(([id, state, alive]) => ({ id, state, alive: alive ?? true })),
  links,
});

describe('GraphModel (snapshot -> Cytoscape elements)', () => {
  it('first snapshot adds every peer and link, coloured by state', () => {
    const m = new GraphModel(palette);
    const d = m.apply(snap([[0, 'infected'], [1, 'susceptible'], [2, 'removed', false]], [[0, 1], [2, 1]]));
    expect(d.addNodes.map((n) => [n.id, n.color])).toEqual([
      ['p0', '#f97316'],
      ['p1', '#94a3b8'],
      ['p2', OFFLINE_COLOUR],
    ]);
    expect(d.addEdges).toEqual([
      { id: 'e0-1', source: 'p0', target: 'p1', kind: 0, color: '#64748b' },
      { id: 'e1-2', source: 'p1', target: 'p2', kind: 0, color: '#64748b' },
    ]);
    expect(d.changed).toEqual([]);
    expect(m.nodeCount).toBe(3);
    expect(m.edgeCount).toBe(2);
  });

  it('a later snapshot restyles only peers whose state or liveness changed', () => {
    const m = new GraphModel();
    m.apply(snap([[0, 'infected'], [1, 'susceptible'], [2, 'susceptible']], [[0, 1]]));
    const d = m.apply(snap([[0, 'infected'], [1, 'infected'], [2, 'susceptible', false]], [[0, 1]]));
    expect(d.addNodes).toEqual([]);
    expect(d.addEdges).toEqual([]);
    expect(d.removeNodes).toEqual([]);
    expect(d.changed.map((n) => [n.id, n.state, n.alive])).toEqual([
      ['p1', 'infected', true],
      ['p2', 'susceptible', false],
    ]);
    expect(m.apply(snap([[0, 'infected'], [1, 'infected'], [2, 'susceptible', false]], [[0, 1]]))).toEqual({
      addNodes: [], removeNodes: [], addEdges: [], removeEdges: [], removeEdgeKinds: [], changedEdges: [], changed: [],
    });
  });

  it('removes peers and links that left the snapshot, and drops links it cannot draw', () => {
    const m = new GraphModel();
    m.apply(snap([[0, 'a'], [1, 'a'], [2, 'a']], [[0, 1], [1, 2]]));
    const d = m.apply(snap([[0, 'a'], [1, 'a']], [[0, 1], [1, 2], [1, 1], [1, 0], [0, 7]], 10));
    expect(d.removeNodes).toEqual(['p2']);
    expect(d.removeEdges).toEqual(['e1-2']);
    expect(d.addEdges).toEqual([]);
    expect(m.edgeCount).toBe(1);
  });

  it('carries map positions through and then needs no force layout', () => {
    const m = new GraphModel();
    const s: SnapshotData = { run: 1, timeMs: 0, totalPeers: 2, peers: [{ id: 0, alive: true, state: 'a', x: 0.25, y: 0.5 }, { id: 1, alive: true, state: 'a', x: 1, y: 0 }], links: [] };
    const d = m.apply(s);
    expect(d.addNodes.map((n) => n.pos)).toEqual([{ x: 0.25, y: 0.5 }, { x: 1, y: 0 }]);
    expect(needsLayout(d, 0)).toBe(false);
    expect(needsLayout(new GraphModel().apply(snap([[0, 'a'], [1, 'a']], [])), 0)).toBe(true);
  });

  it('starts over when a snapshot is of another run', () => {
    const m = new GraphModel();
    m.apply(snap([[0, 'a'], [1, 'a']], [[0, 1]], 2, 1));
    const same = snap([[0, 'a'], [1, 'a']], [[0, 1]], 2, 2);
    expect(m.isNewRun(same)).toBe(true);
    const d = m.apply(same);
    expect(d.addNodes.map((n) => n.id)).toEqual(['p0', 'p1']);
    expect(d.addEdges.map((e) => e.id)).toEqual(['e0-1']);
    expect(d.removeNodes).toEqual([]);
    expect(m.isNewRun(same)).toBe(false);
  });

  it('ignores a duplicate peer id instead of drawing it twice', () => {
    const m = new GraphModel();
    const d = m.apply(snap([[0, 'a'], [0, 'b'], [1, 'a']], []));
    expect(d.addNodes.map((n) => [n.id, n.state])).toEqual([
      ['p0', 'a'],
      ['p1', 'a'],
    ]);
  });

  it('matches a from-scratch build after any sequence of random snapshots (seeded)', () => {
    const seed = 20251125;
    console.log(`mapping property test seed=${seed}`);
    const rng = new Rng(seed);
    const states = ['susceptible', 'infected', 'removed'];
    const m = new GraphModel();
    const drawnNodes = new Map<string, string>();
    const drawnEdges = new Set<string>();
    for (let round = 0; round < 60; round++) {
      const n = 1 + rng.int(40);
      const peers: [number, string, boolean][] = [];
      for (let i = 0; i < n; i++) if (rng.float() < 0.8) peers.push([i, states[rng.int(3)]!, rng.float() < 0.9]);
      const links: [number, number][] = [];
      for (let k = 0; k < n; k++) links.push([rng.int(n), rng.int(n)]);
      const s = snap(peers, links, n);
      const d = m.apply(s);
      for (const id of d.removeNodes) drawnNodes.delete(id);
      for (const id of d.removeEdges) drawnEdges.delete(id);
      for (const x of [...d.addNodes, ...d.changed]) drawnNodes.set(x.id, x.color);
      for (const e of d.addEdges) drawnEdges.add(e.id);
      // What a fresh model would draw for the same snapshot:
      const fresh = new GraphModel().apply(s);
      expect(new Map(fresh.addNodes.map((x) => [x.id, x.color]))).toEqual(drawnNodes);
      expect(new Set(fresh.addEdges.map((e) => e.id))).toEqual(drawnEdges);
    }
  });
});

describe('helpers', () => {
  it('sunflower spreads n points in a disc with no two closer than the spacing allows', () => {
    const pts = sunflower(500, 16);
    expect(pts).toHaveLength(500);
    const maxR = Math.max(...pts.map((p) => Math.hypot(p.x, p.y)));
    expect(maxR).toBeCloseTo(16 * Math.sqrt(499.5), 6);
    let minD = Infinity;
    for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) minD = Math.min(minD, Math.hypot(pts[i]!.x - pts[j]!.x, pts[i]!.y - pts[j]!.y));
    expect(minD).toBeGreaterThan(16 * 0.9);
  });
  it('edge ids do not depend on direction', () => {
    expect(edgeId(5, 2)).toBe(edgeId(2, 5));
  });
  it('lays out on the first picture and on big population changes only', () => {
    const empty = { addNodes: [], removeNodes: [], addEdges: [], removeEdges: [], removeEdgeKinds: [], changedEdges: [], changed: [] };
    const add = (k: number) => ({ ...empty, addNodes: Array.from({ length: k }, (_, i) => ({ id: `p${i}`, peer: i, state: 'a', alive: true, color: '', label: '' })) });
    expect(needsLayout(add(200), 0)).toBe(true);
    expect(needsLayout(add(3), 200)).toBe(false);
    expect(needsLayout(add(60), 200)).toBe(true);
    expect(needsLayout(empty, 200)).toBe(false);
  });
  it('counts peers by state, offline apart', () => {
    const c = stateCounts(snap([[0, 'infected'], [1, 'infected'], [2, 'removed', false]], []));
    expect(Object.fromEntries(c)).toEqual({ infected: 2, offline: 1 });
  });
});
