import { describe, expect, it } from 'vitest';
import { summaryJson } from '../../src/lab/output.js';
import { runScenario } from '../../src/lab/runner.js';
import { parseScenario } from '../../src/lab/scenario.js';
import { createSession } from '../../src/lab/session.js';
import type { ProtocolDriver } from '../../src/protocols/driver.js';
import { floodDriver } from './fixtures/flood.js';

const drivers: Record<string, ProtocolDriver> = { flood: floodDriver as ProtocolDriver };

function scenario(extra: Record<string, unknown> = {}) {
  return parseScenario({ name: 'flood', peers: 300, protocol: { type: 'flood', fanout: 6 }, until: 'complete', ...extra }, 'test', drivers);
}

const withoutWall = (json: string) => json.replace(/"wallMs": \d+/, '"wallMs": 0');

describe('session', () => {
  it('runs to completion and stops there', () => {
    const s = createSession(scenario(), { drivers });
    expect(s.isDone()).toBe(false);
    while (!s.isDone()) s.advance(50);
    expect(s.endReason).toBe('complete');
    expect(s.run.isComplete()).toBe(true);
    expect(s.sim.now).toBeLessThan(5000);
    const reached = s.run.summary().reached;
    expect(reached).toBe(1);
  });

  it('gives the same result however virtual time is sliced', () => {
    const a = createSession(scenario({ until: '3s' }), { drivers });
    a.advance(3000);
    const b = createSession(scenario({ until: '3s' }), { drivers });
    for (let i = 0; i < 300; i++) b.advance(10);
    expect(b.sim.now).toBe(3000);
    expect(b.run.samples()).toEqual(a.run.samples());
    expect(b.world.stats).toEqual(a.world.stats);
  });

  it('ends at the same event with the same summary however time is sliced (until: complete)', () => {
    // geo latency with jitter: completion falls between samples, where a check at every slice end would see it
    const sc = scenario({ network: { latency: { model: 'geo' } }, observe: { sampleEvery: '500ms' } });
    const straight = runScenario(sc, { drivers });
    expect(straight.endReason).toBe('complete');
    expect(straight.virtualTimeMs % 500).toBe(0);
    const slicings: ((i: number) => number)[] = [() => 1, () => 7.3, (i) => 1 + ((i * 7919) % 97), () => 1e9];
    for (const slice of slicings) {
      const s = createSession(sc, { drivers });
      for (let i = 0; !s.isDone(); i++) s.advance(slice(i));
      expect(s.endReason).toBe('complete');
      expect(s.sim.now).toBe(straight.virtualTimeMs);
      expect(s.sim.eventsProcessed).toBe(straight.events);
      expect(s.run.summary()).toEqual(straight.summary);
      expect(s.series()).toEqual({ online: straight.series['net.online'], messages: straight.series['net.messages'], bytes: straight.series['net.bytes'], dropped: straight.series['net.dropped'] });
    }
  });

  it('an idle run waiting for completion ends on the sample grid, whatever the slicing', () => {
    // every peer crashes before the source starts: nothing is left to happen after its timer at 1,050 ms
    const sc = scenario({ workload: { startMs: 1050 }, churn: { massFailures: [{ atMs: '500ms', fraction: 1 }] }, observe: { sampleEvery: '100ms' } });
    const straight = runScenario(sc, { drivers });
    expect(straight.endReason).toBe('idle');
    expect(straight.virtualTimeMs).toBe(1100);
    const s = createSession(sc, { drivers });
    for (let i = 0; !s.isDone(); i++) s.advance(3.7 + (i % 5));
    expect([s.endReason, s.sim.now, s.sim.eventsProcessed]).toEqual(['idle', straight.virtualTimeMs, straight.events]);
  });

  it('refuses a run too long to simulate or sample in bounded memory, naming the key', () => {
    expect(() => createSession(scenario({ until: 1e308 }), { drivers })).toThrow(/until: 1e\+308 ms is beyond the longest run/);
    expect(() => createSession(scenario({ until: '1000h', observe: { sampleEvery: '1ms' } }), { drivers })).toThrow(
      /observe\.sampleEvery: sampling every 1 ms until 3600000000 ms takes 3600000000 samples; at most 1000000/,
    );
  });

  it('same seed, same summary.json bytes (apart from wallMs); another seed differs', () => {
    const sc = scenario({ network: { latency: { model: 'geo' }, loss: 0.05 } });
    const one = withoutWall(summaryJson(runScenario(sc, { drivers })));
    const two = withoutWall(summaryJson(runScenario(sc, { drivers })));
    const other = withoutWall(summaryJson(runScenario(sc, { drivers, seed: 2 })));
    console.log('seeds 1 and 2');
    expect(two).toBe(one);
    expect(other).not.toBe(one);
  });

  it('takes connectivity snapshots at the requested times and at the end', () => {
    const r = runScenario(scenario({ observe: { snapshots: [0, '100ms', 'end'], snapshotPeers: 50 } }), { drivers });
    expect(r.snapshots.map((s) => s.timeMs)).toEqual([0, 100, r.virtualTimeMs]);
    expect(r.snapshots[0]?.peers).toHaveLength(50);
    // a snapshot at t is taken before the events at t run: at 0 nobody has the item yet
    expect(r.snapshots[0]?.peers.filter((p) => p.state === 'infected')).toHaveLength(0);
    expect(r.snapshots[1]?.peers.some((p) => p.state === 'infected')).toBe(true);
    expect(r.snapshots[2]?.peers.every((p) => p.state === 'infected')).toBe(true);
    // geo latency (the default): every drawn peer has a position in the unit square
    expect(Object.keys(r.positions)).toHaveLength(50);
    for (const [x, y] of Object.values(r.positions)) expect(x >= 0 && x < 1 && y >= 0 && y < 1).toBe(true);
  });

  it('installs partitions: a split that never heals keeps the item on one side', () => {
    const r = runScenario(scenario({ until: '5s', network: { partitions: [{ at: 0, fractions: [1, 1] }] } }), { drivers });
    expect(r.endReason).not.toBe('complete');
    const reached = r.summary.reached as number;
    expect(reached).toBeGreaterThan(0.4);
    expect(reached).toBeLessThanOrEqual(0.5);
    const dropped = r.series['net.dropped']?.v ?? [];
    expect(dropped[dropped.length - 1]).toBeGreaterThan(0);
  });

  it('a partition that heals lets the item reach everyone', () => {
    const healed = runScenario(scenario({ until: '5s', network: { partitions: [{ at: 0, heal: '1ms', groups: 2 }] } }), { drivers });
    expect(healed.summary.reached).toBe(1);
  });

  it('installs churn: a mass failure shows in the online series', () => {
    const r = runScenario(scenario({ until: '2s', churn: { massFailures: [{ atMs: '1s', fraction: 0.5 }] }, observe: { sampleEvery: '100ms' } }), {
      drivers,
    });
    const online = r.series['net.online'] as { t: number[]; v: number[] };
    const at = (t: number) => online.v[online.t.findIndex((x) => x >= t)];
    expect(at(900)).toBe(300);
    expect(at(1100)).toBe(150);
  });

  it('samples its own series every observe.sampleEvery', () => {
    const r = runScenario(scenario({ until: '1s', observe: { sampleEvery: '100ms' } }), { drivers });
    const t = r.series['net.messages']?.t ?? [];
    expect(t.slice(0, 4)).toEqual([0, 100, 200, 300]);
  });
});
