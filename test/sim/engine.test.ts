import { describe, expect, it } from 'vitest';
import { Simulator, World, PerPeer } from '../../src/sim/index.js';
import type { PeerContext, PeerProtocol } from '../../src/core/index.js';

describe('Simulator', () => {
  it('runs events in time order with a stable tie-break, and cancelled events never fire', () => {
    const sim = new Simulator({ seed: 1 });
    const log: string[] = [];
    const k = sim.register((target, arg) => log.push(`${sim.now}:${target}:${arg}`));
    sim.schedule(10, k, 1);
    sim.schedule(5, k, 2);
    sim.schedule(10, k, 3);
    const h = sim.schedule(7, k, 4);
    expect(sim.cancel(h)).toBe(true);
    expect(sim.cancel(h)).toBe(false);
    sim.runAll();
    expect(log).toEqual(['5:2:0', '10:1:0', '10:3:0']);
    expect(sim.eventsProcessed).toBe(3);
  });

  it('runUntil advances the clock to the limit and leaves later events pending', () => {
    const sim = new Simulator({ seed: 1 });
    const k = sim.register(() => {});
    sim.schedule(50, k);
    expect(sim.runUntil(20)).toBe(0);
    expect(sim.now).toBe(20);
    expect(sim.pending).toBe(1);
    sim.runUntil(100);
    expect(sim.pending).toBe(0);
  });
});

describe('World', () => {
  it('delivers messages between per-peer protocols over the network with latency', () => {
    const sim = new Simulator({ seed: 7 });
    const world = new World(sim, { peers: 3, network: { latency: { model: 'constant', ms: 10 } } });
    const got: [number, number, number][] = [];
    class Echo implements PeerProtocol<string> {
      constructor(private ctx: PeerContext<string>) {}
      start() {
        if (this.ctx.id === 0) this.ctx.send(1, 'ping', 100);
      }
      onMessage(from: number, msg: string) {
        got.push([this.ctx.now(), from, this.ctx.id]);
        if (msg === 'ping') this.ctx.send(from, 'pong', 100);
      }
      onTimer() {}
    }
    world.add(new PerPeer<string, Echo>('echo', (ctx) => new Echo(ctx)));
    sim.runAll();
    expect(got).toEqual([
      [10, 0, 1],
      [20, 1, 0],
    ]);
    expect(world.stats.sent).toBe(2);
  });
});
