// The graph's scene (renderer/src/graph/scene.ts) and what the canvas draws from it (graph/draw.ts):
// diffs applied keep places, cut rewiring links stay marked until swept, a peer's removal takes its
// links, layers know when to redraw, and links are grouped by look for one stroke each.
import { describe, expect, it } from 'vitest';
import type { SnapshotData } from '../../src/host/lab-group.js';
import { focusOf, linkGroups, NO_FOCUS, onWhite, parseColour } from '../../renderer/src/graph/draw.js';
import { GraphModel } from '../../renderer/src/graph/mapping.js';
import { Scene } from '../../renderer/src/graph/scene.js';

const snap = (peers: [number, string, boolean?][], links: [number, number, number?][]): SnapshotData => ({
  run: 1,
  timeMs: 0,
  totalPeers: peers.length,
  peers: peers.map(([id, state, alive]) => ({ id, state, alive: alive ?? true })),
  links: links as SnapshotData['links'],
});
const at = (d: { peer: number }) => ({ x: d.peer * 10, y: 0 });

describe('Scene', () => {
  it('applies diffs: places kept, states restyled, a removed peer takes its links, versions say which layer changed', () => {
    const m = new GraphModel();
    const s = new Scene();
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'a']], [[0, 1], [1, 2]])), at, () => false);
    expect([...s.nodes.values()].map((n) => [n.peer, n.x])).toEqual([[0, 0], [1, 10], [2, 20]]);
    expect(s.degree(1)).toBe(2);
    const v = { nodes: s.nodesVersion, edges: s.edgesVersion };
    s.apply(m.apply(snap([[0, 'b'], [1, 'a'], [2, 'a']], [[0, 1], [1, 2]])), at, () => false);
    expect(s.nodes.get(0)?.state).toBe('b');
    expect(s.nodesVersion).toBe(v.nodes + 1);
    expect(s.edgesVersion).toBe(v.edges); // a colour change does not redraw the links
    s.nodes.get(1)!.x = 99;
    s.apply(m.apply(snap([[0, 'b'], [1, 'a']], [[0, 1], [1, 2]])), at, () => false);
    expect(s.nodes.has(2)).toBe(false);
    expect(s.nodes.get(1)!.x).toBe(99); // nobody moved
    expect([...s.edges.keys()]).toEqual(['e0-1']);
    expect([...s.neighbours(1)]).toEqual([0]);
  });

  it('a cut rewiring link stays, marked gone, until removed; coming back clears the mark', () => {
    const m = new GraphModel();
    const s = new Scene();
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'a']], [[0, 1], [1, 2]])), at, () => false);
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'a']], [[0, 1]])), at, () => false, new Set(['e1-2']));
    expect(s.edges.get('e1-2')?.mark).toBe('gone');
    expect(s.degree(1)).toBe(1);
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'a']], [[0, 1], [1, 2]])), at, () => false);
    expect(s.edges.get('e1-2')?.mark).toBeNull();
    s.mark(['e0-1'], 'fresh');
    expect(s.edges.get('e0-1')?.mark).toBe('fresh');
  });
});

describe('drawing', () => {
  it('links are grouped by look, opaque on white; marked and the selected peer’s links go to the overlay', () => {
    const m = new GraphModel();
    const s = new Scene();
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'b'], [3, 'b']], [[0, 1], [1, 2], [2, 3], [0, 3, 1]])), at, (k) => k === 1);
    s.mark(['e2-3'], 'fresh');
    const g = linkGroups(s, NO_FOCUS);
    expect(g.map((x) => [x.dashed, x.coords.length / 4])).toEqual([
      [false, 2],
      [true, 1],
    ]);
    expect(g[0]!.coords.slice(0, 4)).toEqual(Float32Array.from([0, 0, 10, 0]));
    // peer 1 selected: its links leave the layer for the overlay, the rest are dimmed
    const sel = linkGroups(s, { ...NO_FOCUS, selected: 1 });
    expect(sel.reduce((n, x) => n + x.coords.length / 4, 0)).toBe(1);
    expect(sel[0]!.colour).toBe(onWhite(s.edges.get('e0-3')!.colour, 0.05));
  });

  it('focus dims what the filter or the selection leaves out, never the marked peers', () => {
    const m = new GraphModel();
    const s = new Scene();
    s.apply(m.apply(snap([[0, 'a'], [1, 'a'], [2, 'b'], [3, 'b', false]], [[0, 1], [2, 3]])), at, () => false);
    const byState = focusOf(s, { ...NO_FOCUS, states: new Set(['b']) });
    expect([0, 1, 2, 3].map((p) => byState.dimNode(s.nodes.get(p)!))).toEqual([true, true, false, true]); // 3 is offline
    expect(byState.dimEdge(s.edges.get('e0-1')!)).toBe(true);
    const bySel = focusOf(s, { ...NO_FOCUS, selected: 0, marked: new Set([3]) });
    expect([0, 1, 2, 3].map((p) => bySel.dimNode(s.nodes.get(p)!))).toEqual([false, false, true, false]);
    expect(bySel.nearEdge(s.edges.get('e0-1')!)).toBe(true);
  });

  it('colours parse from hex, rgb and hsl and blend with white', () => {
    expect(parseColour('#ff8000')).toEqual([255, 128, 0]);
    expect(parseColour('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseColour('hsl(120, 100%, 50%)')).toEqual([0, 255, 0]);
    expect(onWhite('#000000', 0.5)).toBe('rgb(128,128,128)');
  });
});
