// Exports (renderer/src/export/data.ts) and the rewiring highlights (LinkChanges in graph/mapping.ts).
import { describe, expect, it } from 'vitest';
import type { SnapshotData } from '../../src/host/lab-group.js';
import { exportJson, exportStem, seriesCsv, snapshotCsv } from '../../renderer/src/export/data.js';
import { graphSvg, legendLayout } from '../../renderer/src/export/graph-image.js';
import { legendOf } from '../../renderer/src/graph/legend.js';
import { GraphModel, LinkChanges } from '../../renderer/src/graph/mapping.js';
import { Palette } from '../../renderer/src/observe/palette.js';
import type { ObservationData } from '../../renderer/src/observe/spec.js';

/** A contract with one rewiring kind (index 1) beside a plain one (index 0). */
const OBS: ObservationData = {
  protocol: 'adaptive',
  metrics: [],
  series: [],
  states: [
    { name: 'honest', label: 'honest', colour: '#0d9488', description: 'follows the protocol' },
    { name: 'malicious', label: 'malicious', colour: '#dc2626', description: 'drops or corrupts' },
  ],
  linkKinds: [
    { name: 'random', label: 'random link', colour: '#94a3b8', description: 'kept whatever trust says', rewiring: false },
    { name: 'trusted', label: 'trust link', colour: '#0f766e', description: 'chosen by trust', rewiring: true },
  ],
  events: [],
  value: { label: 'reputation', unit: 'fraction', description: 'mean trust of its neighbours in it' },
};

const snap = (links: [number, number][], run = 1): SnapshotData => ({
  run,
  timeMs: 10,
  totalPeers: 4,
  peers: [
    { id: 0, alive: true, state: 'honest', value: 0.9, x: 0.1, y: 0.2 },
    { id: 1, alive: true, state: 'malicious', value: 0.1 },
    { id: 2, alive: false, state: 'isolated, "cut"' },
    { id: 3, alive: true, state: 'honest', value: 0.5 },
  ],
  links,
});

describe('exports', () => {
  it('series CSV is the long format of peerlab run (series,t_ms,value), every point once', () => {
    const csv = seriesCsv(new Map([['reached', { t: [0, 50], v: [0, 0.25] }], ['net.online', { t: [0], v: [4] }]]));
    expect(csv).toBe('series,t_ms,value\nnet.online,0,4\nreached,0,0\nreached,50,0.25\n');
  });
  it('peers CSV quotes what needs quoting and lists links', () => {
    const csv = snapshotCsv(snap([[0, 1], [1, 3]]));
    expect(csv.split('\n')).toEqual(['id,alive,state,value,x,y', '0,true,honest,0.9,0.1,0.2', '1,true,malicious,0.1,,', '2,false,"isolated, ""cut""",,,', '3,true,honest,0.5,,', '', 'a,b', '0,1', '1,3', '']);
  });
  it('JSON holds state, summary, snapshot and series', () => {
    const j = JSON.parse(exportJson(null, { timeMs: 1, events: 1, online: 1, sent: 1, delivered: 1, dropped: 0, bytesSent: 1, summary: { reached: 1 } }, snap([]), new Map([['x', { t: [1], v: [2] }]])));
    expect(j.summary).toEqual({ reached: 1 });
    expect(j.series.x).toEqual({ t: [1], v: [2] });
    expect(j.snapshot.peers).toHaveLength(4);
  });
  it('SVG draws one circle per node and one line per edge, with a caption and the legend', () => {
    const legend = legendOf(new Palette(OBS), snap([[0, 1, 1]] as never));
    const svg = graphSvg(
      [
        { x: 0, y: 0, size: 10, color: 'rgb(1,2,3)', border: '#fff', opacity: 1, dashed: false },
        { x: 100, y: 50, size: 20, color: '#f00', border: '#fff', opacity: 0.5, dashed: true },
      ],
      [{ x1: 0, y1: 0, x2: 100, y2: 50, color: '#999', width: 1, opacity: 0.5 }],
      legend,
      'adaptive run · seed 3 · t = 1.2 s',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 520 ')).toBe(true);
    // the graph's 2 peers, then the legend's dots: honest, malicious, offline
    const [graph, legendPart] = svg.split('<g class="legend"') as [string, string];
    expect(graph.match(/<circle /g)).toHaveLength(2);
    expect(graph.match(/<line /g)).toHaveLength(1);
    expect(graph).toContain('stroke-dasharray');
    expect(graph).toContain('>adaptive run · seed 3 · t = 1.2 s</text>');
    expect(legendPart.match(/<circle /g)).toHaveLength(3);
    for (const t of ['honest (2)', 'malicious (1)', 'offline (1)', 'random link (0)', 'trust link (1)', 'link just made (rewiring)', 'link just cut (rewiring)', 'dot size: reputation'])
      expect(legendPart, t).toContain(`>${t}</text>`);
  });
  it('the legend layout wraps rows within the width and grows the picture by its rows', () => {
    const legend = legendOf(new Palette(OBS), snap([]));
    const wide = legendLayout(legend, 2000);
    const narrow = legendLayout(legend, 300);
    expect(narrow.height).toBeGreaterThan(wide.height);
    for (const it of narrow.items) expect(it.x + 24 + it.text.length * 6.6).toBeLessThanOrEqual(300 + 40);
    expect(new Set(wide.items.filter((i) => i.entry.kind === 'state').map((i) => i.y)).size).toBe(1);
  });
  it('file names name the scenario, seed and time', () => {
    expect(exportStem({ scenario: 'gossip, 200 peers', seed: 3 } as never, 1234.4)).toBe('peerlab-gossip-200-peers-seed3-t1234');
  });
});

describe('rewiring highlights', () => {
  const rewires = (k: number): boolean => k === 1;
  const all = (): boolean => true;
  it('new links are fresh, removed ones fade, both expire; first pictures and big changes are quiet', () => {
    const m = new GraphModel();
    const lc = new LinkChanges(1000, 3);
    const first = lc.note(m.apply(snap([[0, 1], [1, 2]])), 0, true, all);
    expect(first).toEqual({ fresh: [], keep: [], revived: [] });
    const d = lc.note(m.apply(snap([[0, 1], [2, 3]])), 100, false, all);
    expect(d).toEqual({ fresh: ['e2-3'], keep: ['e1-2'], revived: [] });
    // the faded link comes back before it is gone: restyled, not added twice
    const back = lc.note(m.apply(snap([[0, 1], [2, 3], [1, 2]])), 500, false, all);
    expect(back.revived).toEqual(['e1-2']);
    expect(lc.expire(1099)).toEqual({ unfresh: [], remove: [] });
    expect(lc.expire(1100)).toEqual({ unfresh: ['e2-3'], remove: [] });
    // more changes than maxTracked at once: nothing highlighted
    const big = lc.note(m.apply(snap([[0, 2], [0, 3], [1, 3]])), 2000, false, all);
    expect(big.fresh).toEqual([]);
    expect(big.keep).toEqual([]);
  });
  it('only link kinds the contract marks as rewiring are highlighted', () => {
    const m = new GraphModel(new Palette(OBS));
    const lc = new LinkChanges(1000, 100);
    lc.note(m.apply(snap([[0, 1, 0], [1, 2, 1]] as never)), 0, true, rewires);
    // a plain link made and one cut, a trust link made and one cut
    const d = lc.note(m.apply(snap([[0, 3, 0], [2, 3, 1]] as never)), 10, false, rewires);
    expect(d).toEqual({ fresh: ['e2-3'], keep: ['e1-2'], revived: [] });
    // a link whose kind changed is restyled, not removed and added
    const k = m.apply(snap([[0, 3, 1], [2, 3, 1]] as never));
    expect(k.changedEdges.map((e) => [e.id, e.kind, e.color])).toEqual([['e0-3', 1, '#0f766e']]);
    expect(k.addEdges).toEqual([]);
    expect(k.removeEdges).toEqual([]);
  });
  it('states are coloured by the contract, offline grey, undeclared states stably by name', () => {
    const p = new Palette(OBS);
    expect(p.colour('honest')).toBe('#0d9488');
    expect(p.colour('malicious', false)).toBe(p.colour('honest', false));
    expect(p.colour('choked')).toBe(new Palette(null).colour('choked'));
    expect(p.colour('choked')).not.toBe(p.colour('unchoked'));
    expect(p.stateSpec('isolatedPeer').label).toBe('Isolated peer');
    expect(p.orderStates(['zeta', 'malicious', 'alpha', 'honest'])).toEqual(['honest', 'malicious', 'alpha', 'zeta']);
    expect(p.rewires(1)).toBe(true);
    expect(p.rewires(0)).toBe(false);
    expect(new Palette(null).anyRewiring).toBe(false);
  });
});
