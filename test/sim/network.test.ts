import { describe, expect, it } from 'vitest';
import { ConfigError, Rng, type PeerId } from '../../src/core/index.js';
import {
  Network,
  Simulator,
  World,
  installPartitions,
  validateNetworkConfig,
  validatePartitions,
  type NetworkConfig,
  type Port,
  type Protocol,
} from '../../src/sim/index.js';

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('bad network configuration names the key', () => {
  const cases: [unknown, string, string][] = [
    [{ latency: { model: 'constant', ms: -1 } }, 'network.latency.ms', 'expected a number >= 0, got -1'],
    [{ latency: { model: 'uniform', minMs: 10, maxMs: 5 } }, 'network.latency.maxMs', 'got 5'],
    [{ latency: { model: 'geo', baseMs: -3 } }, 'network.latency.baseMs', 'got -3'],
    [{ latency: { model: 'warp' } }, 'network.latency.model', 'unknown latency model "warp"'],
    [{ latency: 'fast' }, 'network.latency', 'expected a mapping'],
    [{ loss: 1.5 }, 'network.loss', 'expected a number in [0, 1], got 1.5'],
    [{ loss: -0.1 }, 'network.loss', 'got -0.1'],
    [{ loss: 'some' }, 'network.loss', 'expected a number, got "some"'],
    [{ bandwidth: [] }, 'network.bandwidth', 'non-empty'],
    [{ bandwidth: [{ fraction: 1, upBps: 0, downBps: 10 }] }, 'network.bandwidth[0].upBps', 'got 0'],
    [{ bandwidth: [{ fraction: 0, upBps: 1, downBps: 1 }] }, 'network.bandwidth', 'add up to 0'],
  ];
  for (const [cfg, key, problem] of cases)
    it(`${key}: ${problem}`, () => {
      const e = configError(() => validateNetworkConfig(cfg as NetworkConfig));
      expect(e.key).toBe(key);
      expect(e.message).toContain(`${key}: `);
      expect(e.message).toContain(problem);
      // the World refuses it the same way
      expect(() => new World(new Simulator({ seed: 1 }), { peers: 2, network: cfg as NetworkConfig })).toThrow(ConfigError);
    });

  it('partition schedules too', () => {
    expect(configError(() => validatePartitions([{ atMs: -1, groups: 2 }])).key).toBe('partitions[0].atMs');
    expect(configError(() => validatePartitions([{ atMs: 5, healAtMs: 5, groups: 2 }])).key).toBe('partitions[0].healAtMs');
    expect(configError(() => validatePartitions([{ atMs: 5 }])).key).toBe('partitions[0].groups');
    expect(configError(() => validatePartitions([{ atMs: 5, fractions: [1, -1] }])).key).toBe('partitions[0].fractions[1]');
    expect(configError(() => validatePartitions([{ atMs: 5, groups: [[0, 1], [1]] }])).message).toContain('peer 1 is in two groups');
    expect(configError(() => validatePartitions([{ atMs: 5, grups: 2 }])).key).toBe('partitions[0].grups');
    const world = new World(new Simulator({ seed: 1 }), { peers: 4 });
    expect(configError(() => installPartitions(world, [{ atMs: 1, groups: [[9]] }])).key).toBe('partitions[0].groups[0][0]');
  });
});

describe('network model', () => {
  it('bandwidth: a large message takes its transmission time, and messages queue at the sender', () => {
    const net = new Network(2, { latency: { model: 'constant', ms: 10 }, bandwidth: [{ fraction: 1, upBps: 1000, downBps: 1e9 }] }, new Rng(1));
    // 500 bytes at 1000 B/s = 500 ms on the uplink, then 10 ms latency (+0.0005 ms downlink)
    const first = net.transmit(0, 1, 500, 0);
    expect(first).toBeCloseTo(510, 2);
    // the second message waits for the first to leave the uplink
    expect(net.transmit(0, 1, 500, 0)).toBeCloseTo(1010, 2);
    // the other direction has its own uplink
    expect(net.transmit(1, 0, 500, 0)).toBeCloseTo(510, 2);
    net.resetQueues(0);
    expect(net.transmit(0, 1, 500, 100)).toBeCloseTo(610, 2);
  });

  it('bandwidth: a fast downlink is not held up by slow senders', () => {
    const net = new Network(3, { latency: { model: 'constant', ms: 0 }, bandwidth: [{ fraction: 1, upBps: 1000, downBps: 1e6 }] }, new Rng(1));
    // two slow uploaders to one fast downloader transmit side by side: both done at ~1 s, not 1 s and 2 s
    expect(net.transmit(0, 2, 1000, 0)).toBeCloseTo(1000, 1);
    expect(net.transmit(1, 2, 1000, 0)).toBeCloseTo(1000, 1);
  });

  it('bandwidth: a slow downlink queues arrivals from several senders', () => {
    const net = new Network(3, { latency: { model: 'constant', ms: 0 }, bandwidth: [{ fraction: 1, upBps: 1e9, downBps: 1000 }] }, new Rng(1));
    expect(net.transmit(0, 2, 1000, 0)).toBeCloseTo(1000, 1);
    expect(net.transmit(1, 2, 1000, 0)).toBeCloseTo(2000, 1);
  });

  it('loss drops the configured share (seeded)', () => {
    const net = new Network(10, { latency: { model: 'constant', ms: 1 }, loss: 0.25 }, new Rng(8));
    let lost = 0;
    for (let i = 0; i < 40_000; i++) if (net.transmit(i % 10, (i + 1) % 10, 10, 0) === -1) lost++;
    expect(Math.abs(lost / 40_000 - 0.25)).toBeLessThan(0.01);
  });

  it('bandwidth classes are assigned in proportion to their fractions', () => {
    const net = new Network(
      20_000,
      { bandwidth: [{ fraction: 3, upBps: 1000, downBps: 1000 }, { fraction: 1, upBps: 8000, downBps: 8000 }] },
      new Rng(2),
    );
    let slow = 0;
    for (let i = 0; i < 20_000; i++) if (net.up[i] === 1) slow++;
    expect(Math.abs(slow / 20_000 - 0.75)).toBeLessThan(0.015);
  });
});

describe('World', () => {
  class Sink implements Protocol<string> {
    readonly name = 'sink';
    port!: Port<string>;
    got: [PeerId, PeerId, string, number][] = [];
    timers: [PeerId, number, number][] = [];
    attach(port: Port<string>): void {
      this.port = port;
    }
    onMessage(peer: PeerId, from: PeerId, msg: string): void {
      this.got.push([peer, from, msg, this.port.now()]);
    }
    onTimer(peer: PeerId, tag: number): void {
      this.timers.push([peer, tag, this.port.now()]);
    }
  }

  it('keeps the sender id intact for any byte count, and checks ids, sizes and tags', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 5, network: { latency: { model: 'constant', ms: 3 } } });
    const sink = new Sink();
    world.add(sink);
    sink.port.send(3, 1, 'a', 100.5);
    sink.port.send(4, 1, 'b', 2 ** 40);
    sink.port.send(2, 1, 'c', 0);
    sim.runAll();
    expect(sink.got).toEqual([
      [1, 3, 'a', 3],
      [1, 4, 'b', 3],
      [1, 2, 'c', 3],
    ]);
    expect(world.stats.bytesSent).toBe(101 + 2 ** 28);
    expect(() => sink.port.send(0, 5, 'x', 1)).toThrow(RangeError);
    expect(() => sink.port.send(-1, 0, 'x', 1)).toThrow(RangeError);
    expect(() => sink.port.send(0, 1, 'x', -1)).toThrow(RangeError);
    expect(() => sink.port.send(0, 1, 'x', NaN)).toThrow(RangeError);
    expect(() => sink.port.setTimer(0, 1, 70_000)).toThrow(RangeError);
    expect(() => world.join(7)).toThrow(RangeError);
    expect(world.online).toBe(5);
  });

  it('timers of a session never fire after the peer left, even if it rejoined', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 2 });
    const sink = new Sink();
    world.add(sink);
    sink.port.setTimer(0, 10, 1);
    const kept = sink.port.setTimer(1, 10, 2);
    const cancelled = sink.port.setTimer(1, 5, 3);
    expect(sink.port.cancelTimer(cancelled)).toBe(true);
    sim.runUntil(2);
    world.leave(0, false);
    world.join(0);
    sink.port.setTimer(0, 10, 4);
    sim.runAll();
    expect(sink.timers).toEqual([
      [1, 2, 10],
      [0, 4, 12],
    ]);
    expect(sink.port.cancelTimer(kept)).toBe(false);
  });

  it('an offline sender puts nothing on the wire; messages to a peer that left are dropped', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 3, network: { latency: { model: 'constant', ms: 5 } } });
    const sink = new Sink();
    world.add(sink);
    const reasons: string[] = [];
    sim.feed.on((ev) => {
      if (ev.type === 'dropped') reasons.push(ev.reason);
    });
    world.leave(2, true);
    sink.port.send(2, 0, 'ghost', 10);
    sink.port.send(0, 1, 'late', 10);
    sim.runUntil(1);
    world.leave(1, false);
    sim.runAll();
    expect(sink.got).toEqual([]);
    expect(reasons).toEqual(['offline', 'offline']);
    expect(world.stats).toMatchObject({ sent: 2, delivered: 0, dropped: 2 });
  });

  it('an idle peer costs 29 bytes of engine state (no bandwidth classes), 45 with them', () => {
    const sim = new Simulator({ seed: 1 });
    expect(new World(sim, { peers: 1000 }).memoryBytes() / 1000).toBe(29);
    const limited = new World(sim, { peers: 1000, network: { bandwidth: [{ fraction: 1, upBps: 1, downBps: 1 }] } });
    expect(limited.memoryBytes() / 1000).toBe(45);
  });
});
