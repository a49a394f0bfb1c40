/**
 * The observation contract holds for every shipped protocol: each summary key, series and peer state a
 * run produces is declared (label, unit, colour), link kinds index declared kinds, and the evaluated
 * contract passes the wire schema. A key added to a driver without a declaration fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observationData } from '../../src/host/lab-group.js';
import { scenarioFromText } from '../../src/lab/load.js';
import { runScenario } from '../../src/lab/runner.js';
import { evaluateObservation, NET_SERIES } from '../../src/protocols/observation.js';
import { observations } from '../../src/protocols/observations.js';
import { SCENARIOS, TEST_OVERRIDES } from '../lab/shipped.js';

const CASES: [string, string][] = [
  ['gossip', 'gossip-small.yaml'],
  ['gossip', 'gossip-plumtree-failures.yaml'],
  ['kademlia', 'kademlia-churn.yaml'],
  ['bittorrent', 'bittorrent-flash-crowd.yaml'],
  ['hybrid', 'hybrid-trackerless.yaml'],
  ['adaptive', 'adaptive-reputation.yaml'],
  ['sync', 'sync-overlay.yaml'],
  ['sync', 'sync-churn-partition.yaml'],
];

describe('observation contract', () => {
  it.each(CASES)('%s (%s): every summary key, series, state and link kind is declared', (protocol, file) => {
    const path = join(SCENARIOS, file);
    const sc = scenarioFromText(readFileSync(path, 'utf8'), path, { set: TEST_OVERRIDES[file] ?? [] });
    const r = runScenario(sc);
    const obs = observations[protocol]!;
    expect(obs.protocol).toBe(protocol);
    const metricKeys = obs.metrics.map((m) => m.key);
    for (const k of Object.keys(r.summary)) expect(metricKeys, `summary key ${k}`).toContain(k);
    const seriesKeys = [...obs.series.map((s) => s.key), ...NET_SERIES.map((s) => s.key)];
    for (const k of Object.keys(r.series)) expect(seriesKeys, `series ${k}`).toContain(k);
    const states = new Set([...obs.states.map((s) => s.name), 'offline']);
    for (const snap of r.snapshots) {
      for (const p of snap.peers) expect(states.has(p.state), `state ${p.state}`).toBe(true);
      for (const l of snap.links) expect(l[2] ?? 0).toBeLessThan(Math.max(1, obs.linkKinds.length));
    }
    const data = evaluateObservation(obs as never, { peers: sc.peers, params: sc.protocol.params, workload: sc.workload } as never);
    expect(observationData.safeParse(data).success).toBe(true);
    // only the adaptive overlay's link changes are rewiring
    expect(data.linkKinds.some((k) => k.rewiring)).toBe(protocol === 'adaptive');
  });

  it('theory values follow the scenario: Pittel for push gossip, the hop bound for Kademlia', () => {
    const g = evaluateObservation(observations.gossip as never, { peers: 1024, params: { variant: 'push', fanout: 1, timing: 'rounds' }, workload: {} } as never);
    expect(g.metrics.find((m) => m.key === 'roundsToAll')!.theory!.value).toBeCloseTo(10 + Math.log(1024), 9);
    const k = evaluateObservation(observations.kademlia as never, { peers: 1000, params: { b: 1 }, workload: {} } as never);
    expect(k.metrics.find((m) => m.key === 'meanHops')!.theory!.value).toBe(10);
  });
});
