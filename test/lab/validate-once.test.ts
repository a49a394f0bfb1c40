/**
 * A scenario is validated once, when it is parsed: the engine's sections come out checked and are
 * installed as they are, a driver's cross-checks of its keys run at parse with their paths, and the
 * engine still checks what code hands it unchecked.
 */
import { describe, expect, it } from 'vitest';
import { isChecked, markChecked } from '../../src/core/index.js';
import { parseScenario, ScenarioError } from '../../src/lab/scenario.js';
import { createSession } from '../../src/lab/session.js';
import { installPartitions, type PartitionEvent } from '../../src/sim/partitions.js';
import { installChurn, Simulator, World, type ChurnConfig, type NetworkConfig } from '../../src/sim/index.js';
import { ScenarioCatalog } from '../../src/host/lab/scenario-catalog.js';

const GOSSIP = `
name: gossip
peers: 40
network:
  latency: { model: constant, ms: 10 }
  partitions: [{ at: 1s, heal: 2s, groups: [[1, 2, 3]] }]
churn: { on: { distribution: exponential, meanMs: 10s }, off: { distribution: exponential, meanMs: 5s } }
protocol: { type: gossip, variant: push, fanout: 3 }
workload: { broadcasts: 1, source: 0 }
until: 5s
`;

function issuesOf(text: string): { path: string; problem: string }[] {
  try {
    parseScenario(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

function world(peers: number): World {
  return new World(new Simulator({ seed: 1 }), { peers });
}

describe('scenario sections are validated once, at parse', () => {
  it('the engine sections come out checked, for the scenario size, and a session installs them as they are', () => {
    const sc = parseScenario(GOSSIP);
    expect(isChecked(sc.network, sc.peers)).toBe(true);
    expect(isChecked(sc.partitions, sc.peers)).toBe(true);
    expect(isChecked(sc.churn!, sc.peers)).toBe(true);
    expect(isChecked(sc, sc.peers)).toBe(true);
    // the partition names peer 3: it holds for 40 peers, not for 3
    expect(isChecked(sc.partitions, 3)).toBe(false);
    expect(createSession(sc).world.size).toBe(40);
  });

  it("a driver's cross-checks run at parse, each with its path (gossip, kademlia, adaptive)", () => {
    expect(issuesOf(GOSSIP.replace('source: 0', 'source: 40'))).toContainEqual({ path: 'workload.source', problem: 'peer 40 does not exist (peers: 40)' });
    const kad = GOSSIP.replace(/protocol: .*\nworkload: .*/, "protocol: { type: kademlia }\nworkload: { kind: value, stores: 0, lookups: 5 }");
    expect(issuesOf(kad)).toContainEqual({ path: 'workload.kind', problem: "'value' lookups need workload.stores > 0" });
    const adaptive = GOSSIP.replace(/protocol: .*\nworkload: .*/, 'protocol: { type: adaptive, degree: 8, maxDegree: 6 }\nworkload: {}');
    expect(issuesOf(adaptive)).toContainEqual({ path: 'protocol.maxDegree', problem: '6 is below protocol.degree (8)' });
  });

  it("the dashboard's validation names a cross-check's path without building the run", () => {
    const catalog = new ScenarioCatalog(null, undefined);
    const r = catalog.validate(GOSSIP.replace('source: 0', 'source: 99'));
    expect(r).toEqual({ ok: false, issues: [{ path: 'workload.source', message: 'peer 99 does not exist (peers: 40)' }] });
    expect(catalog.validate(GOSSIP)).toEqual({ ok: true, issues: [] });
  });

  it('an install function checks again what was checked for fewer peers, or never', () => {
    const events: PartitionEvent[] = [{ atMs: 10, healMs: 20, groups: [[1, 30]] }];
    // checked for 40 peers: a world of 20 has no peer 30, so it is validated again and refused
    markChecked(events, 40);
    expect(() => installPartitions(world(20), events)).toThrow(/groups\[0\]\[1\]: expected a peer id in \[0, 19\], got 30/);
    expect(() => installPartitions(world(40), events)).not.toThrow();
    // never checked: validated where it is installed
    const bad: ChurnConfig = { on: { distribution: 'exponential', meanMs: -1 } };
    expect(() => installChurn(world(5), bad)).toThrow(/churn\.on\.meanMs/);
    // checked: taken as it is (what a parsed scenario's sections get), so not validated a second time
    const stops: ChurnConfig = { startMs: 50, stopMs: 10 };
    expect(() => installChurn(world(5), { ...stops })).toThrow(/churn\.stopMs/);
    expect(() => installChurn(world(5), markChecked({ ...stops }))).not.toThrow();
    const net: NetworkConfig = { loss: 2 };
    expect(() => new World(new Simulator({ seed: 1 }), { peers: 3, network: net })).toThrow(/network\.loss/);
  });

  it('a scenario changed in code is checked again when a session is made', () => {
    const sc = parseScenario(GOSSIP);
    const changed = { ...sc, until: { complete: false, ms: 1e13 } };
    expect(isChecked(changed, changed.peers)).toBe(false);
    expect(() => createSession(changed)).toThrow(/beyond the longest run/);
  });
});
