/**
 * The dashboard's reach readout (renderer/src/stores/reach.ts): the latest broadcast's reach is counted
 * from the snapshot the graph colours, the mean over broadcasts comes from the summary, and they are
 * kept apart. Also checked against a real gossip run: the latest number equals what the driver's own
 * state says for the last broadcast, while the summary's mean differs once there are several.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotData } from '../../src/host/lab-group.js';
import { parseScenario } from '../../src/lab/scenario.js';
import { createSession } from '../../src/lab/session.js';
import { stateCounts } from '../../renderer/src/graph/mapping.js';
import { HOLDER_STATES, reachOf } from '../../renderer/src/stores/reach.js';

const snap = (peers: [string, boolean][], totalPeers = peers.length): SnapshotData => ({
  run: 1,
  timeMs: 0,
  totalPeers,
  peers: peers.map(([state, alive], id) => ({ id, state, alive })),
  links: [],
});

describe('reachOf', () => {
  it('latest counts online drawn peers holding the latest broadcast; the mean is the summary one', () => {
    const s = snap([
      ['infected', true],
      ['removed', true],
      ['susceptible', true],
      ['susceptible', true],
      ['infected', false], // offline: grey in the graph, counted nowhere
    ]);
    const r = reachOf({ reached: 0.9, broadcasts: 3 }, s);
    expect(r).toEqual({ latest: 0.5, holders: 2, online: 4, partial: false, mean: 0.9, broadcasts: 3 });
  });

  it('agrees with the legend the dashboard draws from the same snapshot', () => {
    const s = snap([
      ['infected', true],
      ['infected', true],
      ['removed', true],
      ['susceptible', true],
      ['susceptible', false],
      ['removed', false],
    ]);
    const legend = stateCounts(s);
    const holders = [...legend].filter(([k]) => HOLDER_STATES.has(k)).reduce((a, [, n]) => a + n, 0);
    const online = [...legend].filter(([k]) => k !== 'offline').reduce((a, [, n]) => a + n, 0);
    expect(reachOf({ reached: 1 }, s)?.latest).toBe(holders / online);
    expect(holders / online).toBe(3 / 4);
  });

  it('no latest before the first broadcast; partial when only some peers are drawn', () => {
    const idle = snap([
      ['susceptible', true],
      ['susceptible', true],
    ], 10);
    expect(reachOf({ reached: 0, broadcasts: 0 }, idle)).toMatchObject({ latest: null, partial: true });
    // without a broadcasts key, a snapshot with no state yet says the same
    expect(reachOf({ reached: 0 }, idle)?.latest).toBeNull();
    expect(reachOf({ reached: 0.25 }, snap([['infected', true], ['susceptible', true]]))?.latest).toBe(0.5);
  });

  it('null for protocols without a reach, and without a snapshot the latest is unknown', () => {
    expect(reachOf({ lookups: 4, successRate: 1 }, snap([['online', true]]))).toBeNull();
    expect(reachOf(undefined, null)).toBeNull();
    expect(reachOf({ reached: 'n/a' }, null)).toBeNull();
    expect(reachOf({ reached: 0.5, broadcasts: 1 }, null)).toEqual({ latest: null, holders: 0, online: 0, partial: false, mean: 0.5, broadcasts: 1 });
  });
});

describe('reachOf on a real gossip run with several broadcasts', () => {
  // three broadcasts: the third starts while the earlier two have reached everyone
  const SCENARIO = `
name: reach check
seed: 11
peers: 150
network: { latency: { model: constant, ms: 20 } }
protocol: { type: gossip, variant: push, mode: infect-forever, fanout: 2, roundMs: 100 }
workload: { broadcasts: 3, startMs: 0, intervalMs: 2s, messageBytes: 100 }
until: complete
observe: { snapshotPeers: 150 }
`;

  it('latest follows the last broadcast (what the colours show), the mean stays high', () => {
    const s = createSession(parseScenario(SCENARIO, 'reach.yaml'));
    s.advance(4000 + 150); // the third broadcast is 150 ms old: a couple of rounds
    const summary = s.run.summary();
    const r = reachOf(summary, { ...s.run.snapshot(150), run: 1, totalPeers: 150 });
    if (!r || r.latest === null) throw new Error('expected a reach');
    expect(summary.broadcasts).toBe(3);
    expect(r.broadcasts).toBe(3);
    // the latest broadcast is still spreading; the earlier two are complete, so the mean is far higher
    expect(r.latest).toBeGreaterThan(0);
    expect(r.latest).toBeLessThan(0.5);
    expect(r.mean as number).toBeGreaterThan(0.66);
    expect(r.mean as number).toBeGreaterThan(r.latest + 0.3);
    // and the latest number is the count of holders of broadcast 3 among the online peers
    const snapshot = s.run.snapshot(150);
    const holding = snapshot.peers.filter((p) => p.alive && p.state !== 'susceptible').length;
    expect(r.holders).toBe(holding);
    expect(r.online).toBe(s.world.online);
    s.advance(10_000);
    const end = reachOf(s.run.summary(), { ...s.run.snapshot(150), run: 1, totalPeers: 150 });
    expect(end?.latest).toBe(1);
    expect(end?.mean).toBe(1);
  });
});
