import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectData, observationData, snapshotData } from '../../src/host/lab-group.js';
import { Lab } from '../../src/host/lab/lab.js';
import { drivers } from '../../src/lab/registry.js';
import type { ProtocolDriver } from '../../src/protocols/driver.js';
import type { KademliaRun } from '../../src/protocols/kademlia/driver.js';
import { driver as gossip } from '../../src/protocols/gossip/driver.js';

const SCENARIOS = join(import.meta.dirname, '../../resources/scenarios');
const lab = (keyframes: ConstructorParameters<typeof Lab>[0]['keyframes']) =>
  new Lab({ scenariosDir: SCENARIOS, emit: () => undefined, autoTick: false, keyframes });

describe('the sim timeline seeks back through keyframes', () => {
  it('restores the nearest keyframe and replays: the same counters, picture and series as a run straight to t', () => {
    const withKf = lab({ minSpacingMs: 0, costRatio: 0 }); // a keyframe after every slice
    withKf.load({ name: 'gossip-small' });
    withKf.seek(1e12);
    const kf = withKf.simTimeline!.keyframes;
    expect(kf.disabled).toBeNull();
    expect(kf.list.length).toBeGreaterThan(3);
    for (const t of [1234.5, 200, 2999]) {
      withKf.seek(1e12);
      withKf.seek(t);
      const straight = lab(false);
      straight.load({ name: 'gossip-small' });
      straight.seek(t);
      expect(withKf.counters()).toEqual(straight.counters());
      expect(withKf.snapshot(500)).toEqual(straight.snapshot(500));
      expect(withKf.series(20_000).series).toEqual(straight.series(20_000).series);
      // and it goes on to the same end
      withKf.seek(1e12);
      straight.seek(1e12);
      expect(withKf.counters()).toEqual(straight.counters());
    }
    expect(kf.stats.restored).toBeGreaterThanOrEqual(3);
  });

  it('falls back to simulating from 0 when a run cannot be copied, and says why', () => {
    // gossip, plus a closure made during the run and kept by the session: that cannot be copied
    const leaky: ProtocolDriver = {
      ...(gossip as unknown as ProtocolDriver),
      create(ctx, params, workload) {
        const run = (gossip as unknown as ProtocolDriver).create(ctx, params, workload);
        const sim = ctx.world.sim;
        const held = sim.keep({ later: null as (() => number) | null });
        const kind = sim.register(() => {
          const t = sim.now;
          held.later = () => t;
        });
        sim.at(500, kind);
        return run;
      },
    };
    const l = new Lab({ scenariosDir: SCENARIOS, emit: () => undefined, autoTick: false, keyframes: { minSpacingMs: 0, costRatio: 0 }, drivers: { ...drivers, gossip: leaky } });
    l.load({ name: 'gossip-small', seed: 3 });
    l.step(3000);
    const kf = l.simTimeline!.keyframes;
    expect(kf.disabled).toMatch(/a function made during the run cannot be copied/);
    const at = l.counters();
    l.seek(1000);
    l.seek(3000);
    expect(l.counters()).toEqual(at);
  });

  it('Kademlia and the hybrid take keyframes in the lab too', () => {
    for (const name of ['kademlia-lookups', 'hybrid-trackerless']) {
      const l = lab({ minSpacingMs: 0, costRatio: 0 });
      l.load({ name });
      l.step(2500);
      const kf = l.simTimeline!.keyframes;
      expect(kf.disabled, name).toBeNull();
      expect(kf.list.length, name).toBeGreaterThan(0);
      const at = l.counters();
      l.seek(1000);
      l.seek(2500);
      expect(l.counters(), name).toEqual(at);
      expect(kf.stats.restored, name).toBeGreaterThan(0);
    }
  });
});

describe('what a new window and the inspector get', () => {
  it('lab.join gives state, counters, snapshot, series and the observation contract of one moment', () => {
    const l = lab(false);
    l.load({ name: 'gossip-small' });
    l.step(1500);
    const j = l.join(200, 100);
    expect(j.state.timeMs).toBe(1500);
    expect(j.counters.timeMs).toBe(1500);
    expect(j.snapshot.timeMs).toBe(1500);
    expect(snapshotData.parse(j.snapshot).peers).toHaveLength(200);
    expect(j.series.series['net.online']!.t.at(-1)).toBe(1500);
    expect(observationData.safeParse(j.observation).success).toBe(true);
    expect(j.observation!.protocol).toBe('gossip');
    // every summary key has a spec (shipped protocols declare theirs; undeclared ones fall back to the key itself)
    for (const k of Object.keys(j.counters.summary)) expect(j.observation!.metrics.map((m) => m.key)).toContain(k);
    expect(j.observation!.states.map((s) => s.name)).toContain('offline');
  });

  it('lab.inspect answers for any peer of the run, bounded and schema-valid; a peer out of range is refused', () => {
    const l = lab(false);
    l.load({ name: 'adaptive-reputation' });
    l.step(3000);
    const got = inspectData.parse(l.inspect(7));
    expect(got.id).toBe(7);
    expect(got.timeMs).toBe(3000);
    const titles = got.sections.map((x) => x.title);
    expect(titles).toEqual(expect.arrayContaining(['Links', 'Trust table (least trusted first)']));
    const links = got.sections.find((x) => x.title === 'Links');
    expect(links?.kind === 'table' && links.rows.map((r) => r[0])).toEqual(got.neighbours);
    expect(got.neighbours.length).toBeGreaterThan(0);

    const bt = lab(false);
    bt.load({ name: 'bittorrent-flash-crowd' });
    bt.step(2000);
    const leecher = inspectData.parse(bt.inspect(5));
    const map = leecher.sections.find((x) => x.kind === 'bits');
    expect(map?.kind === 'bits' && map.bits.length).toBeGreaterThan(0);
    expect(leecher.sections.find((x) => x.title === 'Connections')).toBeDefined();

    const g = lab(false);
    g.load({ name: 'gossip-small' });
    g.step(3000);
    const rumours = inspectData.parse(g.inspect(3)).sections.find((x) => x.title === 'Rumours');
    expect(rumours?.kind === 'table' && rumours.rows.length).toBe(3);
    expect(() => l.inspect(500)).toThrow(/peer 500 is not in the run/);
  });

  it('lab.inspect of a Kademlia peer: one row per k-bucket of its routing table, and the path of its last lookup', () => {
    const l = lab(false);
    l.load({ name: 'kademlia-lookups' });
    l.step(4000);
    const sc = l.simTimeline!;
    const run = sc.session.run as unknown as KademliaRun;
    // a peer that has looked something up by now
    let peer = -1;
    for (let p = 0; p < 2000 && peer < 0; p++) if (run.node(p)?.lastLookup) peer = p;
    expect(peer).toBeGreaterThanOrEqual(0);
    const node = run.node(peer)!;
    const got = inspectData.parse(l.inspect(peer));
    const table = got.sections.find((x) => x.title.startsWith('Routing table'));
    expect(table?.kind).toBe('table');
    if (table?.kind !== 'table') return;
    const buckets = node.table.ranges();
    expect(table.rows).toHaveLength(Math.min(256, buckets.length));
    // each row: the bucket's contacts count, and all rows add up to the table's size
    expect(table.rows.reduce((n, r) => n + (r[3] as number), 0)).toBe(node.table.size);
    expect(new Set(got.neighbours)).toEqual(new Set(node.table.all().map((c) => c.peer)));
    // the path starts at the peer and ends at the one that answered; each step was named by the step before
    const path = got.sections.find((x) => x.kind === 'path');
    expect(path?.kind).toBe('path');
    if (path?.kind !== 'path') return;
    const last = node.lastLookup!;
    expect(path.peers[0]).toBe(peer);
    expect(path.peers.length - 1).toBe(last.path.length);
    expect(last.path.length).toBe(last.hops);
    expect(path.peers.at(-1)).not.toBe(peer);
    expect(new Set(path.peers).size).toBe(path.peers.length);
  });

  it('lab.validate lists every problem with its path, and loads nothing', () => {
    const l = lab(false);
    l.load({ name: 'gossip-small' });
    const bad = l.validate('name: x\npeers: -3\nprotocol: { type: gossip, fanout: 0 }\nuntil: 10s\n');
    expect(bad.ok).toBe(false);
    expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['peers']));
    expect(l.validate('name: x\npeers: 20\nprotocol: { type: gossip }\nuntil: 10s\n')).toEqual({ ok: true, issues: [] });
    expect(l.validate('name: x\npeers: 20\nprotocol: { type: gossip }\nuntil: 1e308\n').ok).toBe(false);
    expect(l.state().scenario).toBe('gossip, 200 peers');
  });
});
