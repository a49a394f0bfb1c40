// The dashboard's series holding (renderer/src/charts/series-store.ts) against a real LabHost: the
// events of a run, applied as they come, hold exactly the host's series; a seek back replaces them;
// a missed event is detected as a gap; thinning keeps the bound, the extremes and the last point.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import type { SeriesData } from '../../src/host/lab-group.js';
import { Rng } from '../../src/core/index.js';
import { protocolSeriesNames, rate, SeriesStore, thinPoints } from '../../renderer/src/charts/series-store.js';
import { drivers, RUMOR_YAML } from '../host/fixtures/rumor.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-series-'));
writeFileSync(join(dir, 'slow.yaml'), RUMOR_YAML.replace('rounds: 2, roundMs: 50', 'rounds: 6, roundMs: 400'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function host() {
  const events: SeriesData[] = [];
  const h = new Lab({ scenariosDir: dir, drivers, autoTick: false, now: () => 0, emit: (e, d) => e === 'lab.series' && events.push(d as SeriesData) });
  h.load({ name: 'slow' });
  return { h, events };
}

describe('SeriesStore', () => {
  it('holds exactly what the host has after a run of events; a seek back keeps the part ahead, and playing on doubles nothing', () => {
    const { h, events } = host();
    const store = new SeriesStore();
    for (let i = 0; i < 12; i++) h.step(137);
    for (const e of events) expect(store.apply(e)).toBe('ok');
    const whole = h.series(20_000);
    for (const [name, c] of Object.entries(whole.series)) {
      expect(store.series.get(name)!.t, name).toEqual(c.t);
      expect(store.series.get(name)!.v, name).toEqual(c.v);
    }
    events.length = 0;
    h.seek(500);
    expect(store.apply(events.at(-1)!)).toBe('ok');
    // the same run (deterministic): up to 500 ms what the host sent now, beyond it what was held before
    for (const [name, c] of Object.entries(whole.series)) {
      const s = store.series.get(name)!;
      expect(s.t, name).toEqual(c.t);
      expect(s.v, name).toEqual(c.v);
      expect(SeriesStore.splitAt(s.t, 500), name).toBe(h.series(20_000).series[name]!.t.length);
    }
    // playing on from 500 ms past where it was: every point once, as the host holds them
    for (let i = 0; i < 14; i++) h.step(137);
    for (const e of events.splice(0)) expect(store.apply(e)).toBe('ok');
    for (const [name, c] of Object.entries(h.series(20_000).series)) {
      expect(store.series.get(name)!.t, name).toEqual(c.t);
      expect(store.series.get(name)!.v, name).toEqual(c.v);
    }
  });

  it('another run starts over', () => {
    const { h, events } = host();
    const store = new SeriesStore();
    h.step(900);
    for (const e of events.splice(0)) store.apply(e);
    h.load({ name: 'slow' });
    store.apply(events.at(-1)!);
    expect(Math.max(...store.series.get('net.online')!.t)).toBe(0);
  });

  it('reports a gap when an event was missed, and a whole answer repairs it', () => {
    const { h, events } = host();
    const store = new SeriesStore();
    h.step(300);
    h.step(300);
    h.step(300);
    store.apply(events[0]!);
    store.apply(events[1]!);
    expect(store.apply(events[3]!)).toBe('gap'); // events[2] lost
    expect(store.apply(h.series())).toBe('ok');
    h.step(300);
    expect(store.apply(events.at(-1)!)).toBe('ok');
    expect(store.series.get('net.online')!.t).toEqual(h.series(20_000).series['net.online']!.t);
  });

  it('thins to the bound keeping each bucket extreme and the last point (seeded)', () => {
    const seed = 42;
    const rng = new Rng(seed);
    const t = Array.from({ length: 50_000 }, (_, i) => i);
    const v = t.map(() => rng.normal());
    v[31_337] = 99; // a spike
    const th = thinPoints(t, v, 1000);
    expect(th.t.length, `seed ${seed}`).toBeLessThanOrEqual(1000);
    expect(th.v).toContain(99);
    expect(th.t.at(-1)).toBe(49_999);
    expect([...th.t].sort((a, b) => a - b)).toEqual(th.t);
    const store = new SeriesStore(1000);
    store.apply({ run: 1, timeMs: 0, reset: true, series: {} });
    for (let i = 0; i < 50; i++) store.apply({ run: 1, timeMs: i, reset: false, series: { x: { start: i * 1000, end: (i + 1) * 1000, t: t.slice(i * 1000, (i + 1) * 1000), v: v.slice(i * 1000, (i + 1) * 1000) } } });
    expect(store.series.get('x')!.t.length).toBeLessThanOrEqual(1000);
    expect(store.series.get('x')!.v).toContain(99);
  });

  it('rate turns a cumulative counter into per-second values; protocol series exclude net.*', () => {
    expect(rate([0, 100, 100, 300], [0, 10, 10, 50])).toEqual({ t: [100, 300], v: [100, 200] });
    expect(protocolSeriesNames(['net.online', 'reached', 'net.messages', 'coverage'])).toEqual(['coverage', 'reached']);
  });
});
