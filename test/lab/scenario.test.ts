import { describe, expect, it } from 'vitest';
import { ScenarioError, parseAssignment, parseScenario, withOverride, DEFAULT_COMPLETE_CAP_MS } from '../../src/lab/scenario.js';
import { scenarioFromText } from '../../src/lab/load.js';
import { parseDuration, parseRate, parseSize } from '../../src/lab/units.js';
import type { ProtocolDriver } from '../../src/protocols/driver.js';
import { floodDriver } from './fixtures/flood.js';

const drivers: Record<string, ProtocolDriver> = { flood: floodDriver as ProtocolDriver };

const GOOD = `
name: small flood
description: a test
seed: 7
peers: 50
network:
  latency: { model: uniform, minMs: 10, maxMs: 80 }
  bandwidth:
    - { fraction: 0.8, up: 10Mbit/s, down: 50Mbit/s }
    - { fraction: 0.2, up: 1MB/s, down: unlimited }
  loss: 0.01
  partitions:
    - { at: 2s, heal: 5s, fractions: [0.3, 0.7] }
churn:
  on: { distribution: exponential, meanMs: 30m }
  massFailures: [{ atMs: 1m, fraction: 0.2 }]
protocol: { type: flood, fanout: 5 }
workload: { source: 3 }
until: { complete: true, max: 10m }
observe: { sampleEvery: 50ms, snapshots: [0, 1s, end], snapshotPeers: 20 }
`;

function errorOf(input: string | object): ScenarioError {
  try {
    parseScenario(input, 'test.yaml', drivers);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('reads every section, with units and defaults', () => {
    const s = parseScenario(GOOD, 'good.yaml', drivers);
    expect(s.name).toBe('small flood');
    expect(s.seed).toBe(7);
    expect(s.peers).toBe(50);
    expect(s.network.latency).toEqual({ model: 'uniform', minMs: 10, maxMs: 80 });
    expect(s.network.bandwidth).toEqual([
      { fraction: 0.8, upBps: 1.25e6, downBps: 6.25e6 },
      { fraction: 0.2, upBps: 1e6, downBps: Infinity },
    ]);
    expect(s.network.loss).toBe(0.01);
    expect(s.partitions).toEqual([{ atMs: 2000, healMs: 5000, fractions: [0.3, 0.7] }]);
    expect(s.churn).toEqual({ on: { distribution: 'exponential', meanMs: 1_800_000 }, massFailures: [{ atMs: 60_000, fraction: 0.2 }] });
    expect(s.protocol).toEqual({ type: 'flood', params: { fanout: 5, messageBytes: 100, roundMs: 100 } });
    expect(s.workload).toEqual({ source: 3, startMs: 0 });
    expect(s.until).toEqual({ complete: true, ms: 600_000 });
    expect(s.observe).toEqual({ sampleMs: 50, snapshots: [0, 1000, null], snapshotPeers: 20 });
    expect(s.text).toBe(GOOD);
  });

  it('reads JSON as well as YAML, to the same scenario', () => {
    const doc = { name: 'j', peers: 10, protocol: { type: 'flood' }, until: '30s' };
    const fromJson = parseScenario(JSON.stringify(doc), 'j.json', drivers);
    const fromObj = parseScenario(doc, 'obj', drivers);
    expect(fromJson.protocol).toEqual(fromObj.protocol);
    expect(fromJson.until).toEqual({ complete: false, ms: 30_000 });
    expect(fromJson.seed).toBe(1);
    expect(fromJson.observe.snapshots).toEqual([null]);
  });

  it('understands every form of until', () => {
    const u = (until: unknown) => parseScenario({ name: 'u', peers: 2, protocol: { type: 'flood' }, until }, 'u', drivers).until;
    expect(u('complete')).toEqual({ complete: true, ms: DEFAULT_COMPLETE_CAP_MS });
    expect(u(1500)).toEqual({ complete: false, ms: 1500 });
    expect(u('10m')).toEqual({ complete: false, ms: 600_000 });
    expect(u('1.5h')).toEqual({ complete: false, ms: 5_400_000 });
    expect(u({ complete: true, max: '90s' })).toEqual({ complete: true, ms: 90_000 });
  });

  it('names the path of a bad protocol parameter, prefixed with protocol.', () => {
    const e = errorOf({ name: 'x', peers: 10, protocol: { type: 'flood', fanout: 0 }, until: '1s' });
    expect(e.message).toBe('protocol.fanout: expected a number >= 1, got 0');
    expect(e.issues).toEqual([{ path: 'protocol.fanout', problem: 'expected a number >= 1, got 0' }]);
  });

  it('names a wrong type', () => {
    const e = errorOf({ name: 'x', peers: 'many', protocol: { type: 'flood', fanout: 'three' }, until: '1s' });
    expect(e.message).toContain('peers: expected a number, got "many"');
    expect(e.message).toContain('protocol.fanout: expected a number, got "three"');
  });

  it('names an unknown protocol and lists the known ones', () => {
    const e = errorOf({ name: 'x', peers: 10, protocol: { type: 'gossipy' }, until: '1s' });
    expect(e.message).toBe('protocol.type: unknown protocol "gossipy" (expected one of flood)');
  });

  it('names missing keys', () => {
    const e = errorOf({ peers: 10, protocol: { fanout: 2 } });
    expect(e.message).toContain('name: missing (expected a string)');
    expect(e.message).toContain('protocol.type: missing (expected a string)');
    expect(e.message).toContain('until: expected');
  });

  it('names unknown keys (typos) at the top and inside sections', () => {
    const e = errorOf({ name: 'x', peers: 10, protocl: {}, protocol: { type: 'flood' }, until: '1s', network: { lattency: {} } });
    expect(e.message).toContain('protocl: unknown key');
    expect(e.message).toContain('network.lattency: unknown key');
  });

  it('gives line and column for invalid YAML', () => {
    const e = errorOf('name: x\npeers: [1, 2\nprotocol: { type: flood }\n');
    expect(e.issues[0]?.path).toBe('');
    expect(e.message).toMatch(/^line \d+, column \d+: /);
    const dup = errorOf('name: x\nname: y\n');
    expect(dup.message).toBe('name: line 2, column 1: duplicate key (a key may appear once in a mapping)');
  });

  it('validates the workload with the driver schema, prefixed with workload.', () => {
    const e = errorOf({ name: 'x', peers: 10, protocol: { type: 'flood' }, workload: { source: -1, start: 3 }, until: '1s' });
    expect(e.message).toContain('workload.source: expected a number >= 0, got -1');
    expect(e.message).toContain('workload.start: unknown key');
  });

  it('names bad network, partition, churn and observe keys', () => {
    const e = errorOf({
      name: 'x',
      peers: 10,
      protocol: { type: 'flood' },
      until: '10s',
      network: {
        latency: { model: 'geo', jitter: -1 },
        bandwidth: [{ up: '10Mbit/s', down: 'fast' }],
        loss: 2,
        partitions: [{ at: '5s', heal: '1s' }, { at: 0, groups: [[0, 1], [1, 99]] }],
      },
      churn: { on: { distribution: 'gauss' } },
    });
    const m = e.message;
    expect(m).toContain('network.latency.jitter: expected a number >= 0, got -1');
    expect(m).toContain('network.bandwidth[0].down: expected a rate');
    expect(m).toContain('network.loss: expected a number <= 1, got 2');
    expect(m).toContain('network.partitions[0].heal: expected a time after at (5000 ms), got 1000 ms');
    expect(m).toContain('churn.on.distribution: unknown distribution "gauss"');
    const late = errorOf({ name: 'x', peers: 10, protocol: { type: 'flood' }, until: '10s', observe: { snapshots: ['20s'] } });
    expect(late.message).toBe('observe.snapshots[0]: at 20000 ms, after the run ends (10000 ms)');
  });

  it('checks explicit partition groups against the number of peers', () => {
    const e = errorOf({ name: 'x', peers: 10, protocol: { type: 'flood' }, until: '10s', network: { partitions: [{ at: 0, groups: [[0, 1], [2, 99]] }] } });
    expect(e.message).toMatch(/^network\.partitions\[0\]\.groups\[1\]\[1\]: expected a peer id in \[0, 9\], got 99$/);
  });

  it('rejects a document that is not a mapping', () => {
    expect(errorOf('- 1\n- 2\n').message).toMatch(/^expected a mapping/);
    expect(errorOf('').message).toMatch(/^expected a mapping/);
  });
});

describe('overrides', () => {
  it('sets nested keys, list items and new sections, reading values as YAML', () => {
    const raw = { a: { b: 1 }, l: [{ x: 1 }, { x: 2 }] };
    expect(withOverride(raw, 'a.b', 3)).toEqual({ a: { b: 3 }, l: [{ x: 1 }, { x: 2 }] });
    expect(withOverride(raw, 'l[1].x', 5).l).toEqual([{ x: 1 }, { x: 5 }]);
    expect(withOverride(raw, 'c.d', 'e').c).toEqual({ d: 'e' });
    expect(raw.a.b).toBe(1); // the original is untouched
    expect(parseAssignment('protocol.fanout=3')).toEqual({ path: 'protocol.fanout', value: 3 });
    expect(parseAssignment('until=10m')).toEqual({ path: 'until', value: '10m' });
    expect(parseAssignment('network.latency={ model: constant, ms: 20 }').value).toEqual({ model: 'constant', ms: 20 });
    expect(() => parseAssignment('nokey')).toThrow(ScenarioError);
  });

  it('applies --seed and --set before validation and notes them in the text', () => {
    const s = scenarioFromText(GOOD, 'good.yaml', { drivers, seed: 99, set: ['peers=80', 'protocol.fanout=2'] });
    expect(s.seed).toBe(99);
    expect(s.peers).toBe(80);
    expect(s.protocol.params).toEqual({ fanout: 2, messageBytes: 100, roundMs: 100 });
    expect(s.text).toContain('# overridden on the command line: --seed 99 --set peers=80 --set protocol.fanout=2');
    expect(() => scenarioFromText(GOOD, 'good.yaml', { drivers, set: ['protocol.fanout=0'] })).toThrow(/^protocol\.fanout: expected a number >= 1, got 0$/);
  });
});

describe('units', () => {
  it('parses durations, sizes and rates', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration(-1)).toBeNull();
    expect(parseSize('16KiB')).toBe(16384);
    expect(parseSize('4MB')).toBe(4e6);
    expect(parseRate('10Mbit/s')).toBe(1.25e6);
    expect(parseRate('100kbps')).toBe(12_500);
    expect(parseRate('unlimited')).toBe(Infinity);
    expect(parseRate(0)).toBeNull();
  });
});
