import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../src/host/lab/lab.js';
import { countersData, labState, snapshotData } from '../../src/host/lab-group.js';
import { drivers, RUMOR_YAML } from './fixtures/rumor.js';
import { runScenario } from '../../src/lab/runner.js';
import { parseScenario } from '../../src/lab/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-host-'));
writeFileSync(join(dir, 'rumor.yaml'), RUMOR_YAML);
writeFileSync(join(dir, 'broken.yaml'), 'name: broken\npeers: lots\nprotocol: { type: rumor }\nuntil: 1s\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeHost() {
  let wall = 0;
  const events: { event: string; data: unknown }[] = [];
  const host = new Lab({ scenariosDir: dir, drivers, autoTick: false, now: () => wall, emit: (event, data) => events.push({ event, data }), maxPeers: 50 });
  return { host, events, advanceWall: (ms: number) => (wall += ms) };
}

describe('LabHost', () => {
  it('lists bundled scenarios, including ones that do not load, with the reason', () => {
    const { host } = makeHost();
    const list = host.scenarios();
    expect(list.map((s) => s.name)).toEqual(['broken', 'rumor']);
    expect(list[0]!.description).toMatch(/does not load: peers: expected a number/);
    expect(list[1]!.description).toBe('rumor on a ring with random chords');
  });

  it('loads by name and publishes state, counters and a capped snapshot that pass their schemas', () => {
    const { host, events } = makeHost();
    const st = host.load({ name: 'rumor' });
    expect(st).toMatchObject({ scenario: 'rumor-test', bundled: 'rumor', untilComplete: false, protocol: 'rumor', peers: 120, seed: 11, running: false, timeMs: 0, untilMs: 20_000 });
    const names = events.map((e) => e.event);
    expect(names).toEqual(['lab.state', 'lab.counters', 'lab.snapshot', 'lab.series']);
    expect(labState.safeParse(events[0]!.data).success).toBe(true);
    expect(countersData.safeParse(events[1]!.data).success).toBe(true);
    const snap = snapshotData.parse(events[2]!.data);
    expect(snap.totalPeers).toBe(120);
    expect(snap.peers).toHaveLength(50);
    expect(snap.links.every(([a, b]) => a < 50 && b < 50)).toBe(true);
  });

  it('refuses an unknown name or a bad scenario text with the located reason, keeping the loaded one', () => {
    const { host } = makeHost();
    host.load({ name: 'rumor' });
    expect(() => host.load({ name: 'nope' })).toThrow(/no bundled scenario 'nope' \(known: broken, rumor\)/);
    expect(() => host.load({ text: RUMOR_YAML.replace('rounds: 2', 'rounds: 0') })).toThrow(/protocol\.rounds/);
    expect(host.state().scenario).toBe('rumor-test');
  });

  it('play advances virtual time by speed x wall time, capped per tick; pause stops it', () => {
    const { host, advanceWall } = makeHost();
    host.load({ name: 'rumor' });
    host.setSpeed(2);
    host.play();
    advanceWall(100);
    host.tick();
    expect(host.state().timeMs).toBeCloseTo(200, 6);
    advanceWall(10_000); // a stalled frame: at most maxTickWallMs (250) of wall time counts
    host.tick();
    expect(host.state().timeMs).toBeCloseTo(700, 6);
    host.pause();
    advanceWall(100);
    host.tick();
    expect(host.state().timeMs).toBeCloseTo(700, 6);
    expect(host.state().running).toBe(false);
  });

  it('step advances while paused; the rumor spreads; reset returns to time 0 and replays identically', () => {
    const { host } = makeHost();
    host.load({ name: 'rumor' });
    host.step(50);
    const c1 = host.counters();
    expect(c1.timeMs).toBe(50);
    expect(c1.sent).toBeGreaterThan(0);
    expect(c1.summary.reached).toBeGreaterThan(1 / 120);
    const states1 = host.snapshot(120).peers.map((p) => p.state);
    expect(states1).toContain('infected');
    expect(states1).toContain('susceptible');
    const run = host.snapshot().run;
    host.reset();
    expect(host.snapshot().run).toBe(run); // same peers: the drawing stays
    expect(host.state().timeMs).toBe(0);
    expect(host.counters().sent).toBe(0);
    host.step(50);
    expect(host.counters()).toEqual(c1);
    expect(host.snapshot(120).peers.map((p) => p.state)).toEqual(states1);
  });

  it('stops by itself when the run is done and reports why', () => {
    const { host, events, advanceWall } = makeHost();
    host.load({ name: 'rumor' });
    host.setSpeed(1000);
    host.play();
    for (let i = 0; i < 200 && host.state().running; i++) {
      advanceWall(250);
      host.tick();
    }
    const st = host.state();
    expect(st.done).toBe(true);
    expect(st.running).toBe(false);
    expect(st.endReason).toBe('time'); // until: 20s, not complete: only time ends it
    expect(host.snapshot(120).peers.every((p) => p.state === 'removed')).toBe(true);
    const last = events.filter((e) => e.event === 'lab.state').at(-1)!.data as { done: boolean };
    expect(last.done).toBe(true);
    // playing a finished run is a no-op, not an error
    expect(host.play().running).toBe(false);
  });

  it('played at any speed and frame rate, ends after the same event with the same summary as peerlab run', () => {
    // geo latency: the last peer is reached between samples; until: complete, sampled every 250 ms
    const text = RUMOR_YAML.replace('until: 20s', 'until: complete\nobserve: { sampleEvery: 250ms }').replace('{ model: constant, ms: 20 }', '{ model: geo }');
    const cli = runScenario(parseScenario(text, 'rumor', drivers), { drivers });
    expect(cli.endReason).toBe('complete');
    for (const speed of [1, 10, 100_000]) {
      const { host, advanceWall } = makeHost();
      host.load({ text });
      host.setSpeed(speed);
      host.play();
      for (let i = 0; i < 100_000 && host.state().running; i++) {
        advanceWall(16 + ((i * 7919) % 23)); // frames of 16-38 ms
        host.tick();
      }
      const st = host.state();
      expect([st.done, st.endReason, st.timeMs]).toEqual([true, 'complete', cli.virtualTimeMs]);
      const c = host.counters();
      expect(c.events).toBe(cli.events);
      expect(c.summary).toEqual(cli.summary);
      // the charts' last point is the run's last sample
      const series = host.series(20_000).series;
      expect(series['net.online']!.t.at(-1)).toBe(cli.virtualTimeMs);
      expect(series['net.messages']!.v.at(-1)).toBe(cli.messages);
    }
  });

  it('marks snapshots of a different run (new load, other seed) so the dashboard starts its drawing over', () => {
    const { host } = makeHost();
    host.load({ name: 'rumor' });
    const r1 = host.snapshot().run;
    host.reset(11);
    expect(host.snapshot().run).toBe(r1);
    host.reset(12);
    expect(host.snapshot().run).toBe(r1 + 1);
    host.load({ name: 'rumor' });
    expect(host.snapshot().run).toBe(r1 + 2);
  });

  it('commands that need a session say so before one is loaded', () => {
    const { host } = makeHost();
    expect(() => host.play()).toThrow(/no scenario loaded/);
    expect(() => host.step(10)).toThrow(/no scenario loaded/);
    expect(() => host.reset()).toThrow(/no scenario loaded/);
    expect(host.snapshot()).toEqual({ run: 0, timeMs: 0, totalPeers: 0, peers: [], links: [] });
  });
});
