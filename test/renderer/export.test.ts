// Exports (renderer/src/export/data.ts) and the rewiring highlights (LinkChanges in graph/mapping.ts).
import { describe, expect, it } from 'vitest';
import type { SnapshotData } from '../../src/host/lab-group.js';
import { exportJson, exportStem, graphSvg, seriesCsv, snapshotCsv } from '../../renderer/src/export/data.js';
import { colorFor, GraphModel, LinkChanges } from '../../renderer/src/graph/mapping.js';

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
  it('SVG draws one circle per node and one line per edge, fitted', () => {
    const svg = graphSvg(
      [
        { x: 0, y: 0, size: 10, color: 'rgb(1,2,3)', border: '#fff', opacity: 1, dashed: false },
        { x: 100, y: 50, size: 20, color: '#f00', border: '#fff', opacity: 0.5, dashed: true },
      ],
      [{ x1: 0, y1: 0, x2: 100, y2: 50, color: '#999', width: 1, opacity: 0.5 }],
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-25 -25 155 105"')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/<line /g)).toHaveLength(1);
    expect(svg).toContain('stroke-dasharray');
  });
  it('file names name the scenario, seed and time', () => {
    expect(exportStem({ scenario: 'gossip, 200 peers', seed: 3 } as never, 1234.4)).toBe('peerlab-gossip-200-peers-seed3-t1234');
  });
});

describe('rewiring highlights', () => {
  it('new links are fresh, removed ones fade, both expire; first pictures and big changes are quiet', () => {
    const m = new GraphModel();
    const lc = new LinkChanges(1000, 3);
    const first = lc.note(m.apply(snap([[0, 1], [1, 2]])), 0, true);
    expect(first).toEqual({ fresh: [], keep: [], revived: [] });
    const d = lc.note(m.apply(snap([[0, 1], [2, 3]])), 100, false);
    expect(d).toEqual({ fresh: ['e2-3'], keep: ['e1-2'], revived: [] });
    // the faded link comes back before it is gone: restyled, not added twice
    const back = lc.note(m.apply(snap([[0, 1], [2, 3], [1, 2]])), 500, false);
    expect(back.revived).toEqual(['e1-2']);
    expect(lc.expire(1099)).toEqual({ unfresh: [], remove: [] });
    expect(lc.expire(1100)).toEqual({ unfresh: ['e2-3'], remove: [] });
    // more changes than maxTracked at once: nothing highlighted
    const big = lc.note(m.apply(snap([[0, 2], [0, 3], [1, 3]])), 2000, false);
    expect(big.fresh).toEqual([]);
    expect(big.keep).toEqual([]);
  });
  it('reputation states have their own colours', () => {
    expect(new Set([colorFor('honest'), colorFor('malicious'), colorFor('isolated')]).size).toBe(3);
    expect(colorFor('malicious', false)).toBe(colorFor('offline'));
  });
});
