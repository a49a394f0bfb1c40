// The dashboard's charts, summary panel and legend on the real observation contract of every shipped
// protocol (a real Lab running its bundled scenario for a while): every summary key and series is named
// by the contract in words, with one unit per chart, every state drawn has the contract's colour, and no
// number is written with an exponent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import { planCharts } from '../../renderer/src/charts/plan.js';
import { legendOf } from '../../renderer/src/graph/legend.js';
import { hashColour, Palette } from '../../renderer/src/observe/palette.js';
import { summaryRows } from '../../renderer/src/observe/summary.js';

const scenariosDir = join(process.cwd(), 'resources/scenarios');

describe.each([
  ['gossip-small', 2000],
  ['bittorrent-flash-crowd', 3000],
  ['adaptive-reputation', 2000],
  ['hybrid-trackerless', 3000],
  ['kademlia-lookups', 2500],
])('%s', (name, ms) => {
  it('charts, summary and legend all come from the contract', () => {
    const lab = new Lab({ scenariosDir, emit: () => undefined, autoTick: false, now: () => 0, keyframes: false });
    lab.load({ name });
    lab.seek(ms);
    const obs = lab.observation();
    expect(obs).not.toBeNull();
    const o = obs!;
    const counters = lab.counters();
    const rows = summaryRows(counters.summary, o);
    const declared = new Map(o.metrics.map((m) => [m.key, m]));
    for (const r of rows) {
      expect(declared.has(r.key), `summary key ${r.key} undeclared`).toBe(true);
      expect(r.label).toBe(declared.get(r.key)!.label);
      expect(r.value).not.toMatch(/\de[+-]?\d/);
    }
    const series = Object.keys(lab.series().series);
    const plans = planCharts(series, o);
    for (const k of series.filter((s) => !s.startsWith('net.')))
      expect(plans.filter((p) => p.lines.some((l) => l.key === k)), `series ${k} charted once`).toHaveLength(1);
    for (const p of plans) {
      expect(new Set(p.lines.map((l) => o.series.find((s) => s.key === l.key)?.unit ?? p.unit)).size, `${p.title}: one unit`).toBe(1);
      expect(p.title).not.toMatch(/[a-z][A-Z]/);
    }
    const snap = lab.snapshot();
    const palette = new Palette(o);
    const legend = legendOf(palette, snap);
    const drawnStates = new Set(snap.peers.filter((p) => p.alive).map((p) => p.state));
    for (const st of drawnStates) {
      const e = legend.nodes.find((n) => n.key === st);
      expect(e, `state ${st} in the legend`).toBeDefined();
      expect(e!.colour, `state ${st} has the contract's colour`).not.toBe(hashColour(st));
    }
    expect(legend.links.filter((l) => l.kind === 'link').map((l) => l.label)).toEqual(o.linkKinds.map((k) => k.label));
    // the rewiring flashes are explained only where a link kind says it rewires
    expect(legend.links.some((l) => l.kind === 'rewired-in')).toBe(o.linkKinds.some((k) => k.rewiring));
    lab.close();
  });
});
