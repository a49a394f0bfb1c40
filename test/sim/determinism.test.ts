/**
 * Same seed, same run: the whole event log (sent, delivered, dropped, joined, left, partitions,
 * protocol events) of a run with churn, loss, bandwidth queueing and a partition hashes the same for
 * the same seed and differently for another.
 */
import { describe, expect, it } from 'vitest';
import { PerPeer, Simulator, World, installChurn, installPartitions, type SimEvent } from '../../src/sim/index.js';
import type { PeerContext, PeerProtocol } from '../../src/core/index.js';

/** A small gossip with periodic timers, random targets and random message sizes. */
class Chatter implements PeerProtocol<{ hops: number; id: number }> {
  private seen = new Set<number>();
  private timer = -1;
  constructor(private readonly ctx: PeerContext<{ hops: number; id: number }>, private readonly peers: number) {}
  start(): void {
    this.timer = this.ctx.setTimer(this.ctx.rng.exponential(200), 1);
  }
  stop(): void {
    this.ctx.cancelTimer(this.timer);
  }
  onTimer(tag: number): void {
    if (tag !== 1) return;
    const id = this.ctx.id * 1_000_000 + Math.floor(this.ctx.now());
    this.forward({ hops: 0, id });
    this.timer = this.ctx.setTimer(this.ctx.rng.exponential(500), 1);
  }
  onMessage(_from: number, msg: { hops: number; id: number }): void {
    if (this.seen.has(msg.id)) return;
    this.seen.add(msg.id);
    this.ctx.emit('infected', { id: msg.id, hops: msg.hops });
    if (msg.hops < 4) this.forward({ hops: msg.hops + 1, id: msg.id });
  }
  private forward(msg: { hops: number; id: number }): void {
    for (let i = 0; i < 3; i++) this.ctx.send(this.ctx.rng.int(this.peers), msg, 200 + this.ctx.rng.int(20_000));
  }
}

/** FNV-1a (32-bit) over the event log, one JSON line per event. */
function runHash(seed: number): { hash: number; events: number; kinds: Record<string, number> } {
  const peers = 200;
  const sim = new Simulator({ seed });
  const world = new World(sim, {
    peers,
    network: {
      latency: { model: 'geo', baseMs: 5, msPerUnit: 120, jitter: 0.2 },
      loss: 0.05,
      bandwidth: [
        { fraction: 0.7, upBps: 100_000, downBps: 1_000_000 },
        { fraction: 0.3, upBps: 1_000_000, downBps: 10_000_000 },
      ],
    },
  });
  let hash = 0x811c9dc5;
  let events = 0;
  const kinds: Record<string, number> = {};
  sim.feed.on((ev: SimEvent) => {
    events++;
    const key = ev.type === 'protocol' ? ev.kind : ev.type === 'dropped' ? `dropped:${ev.reason}` : ev.type;
    kinds[key] = (kinds[key] ?? 0) + 1;
    const line = JSON.stringify(ev);
    for (let i = 0; i < line.length; i++) hash = Math.imul(hash ^ line.charCodeAt(i), 0x01000193);
  });
  world.add(new PerPeer('chatter', (ctx) => new Chatter(ctx, peers)));
  installChurn(world, {
    on: { distribution: 'weibull', shape: 0.7, meanMs: 3000 },
    off: { distribution: 'pareto', shape: 2.5, meanMs: 1000 },
    graceful: 0.5,
    massFailures: [{ atMs: 3000, fraction: 0.2, rejoin: true }],
  });
  installPartitions(world, [{ atMs: 1500, healAtMs: 2500, fractions: [0.6, 0.4] }]);
  sim.runUntil(4000);
  return { hash: hash >>> 0, events, kinds };
}

describe('determinism', () => {
  it('the same seed gives an identical event log; another seed a different one', () => {
    const a = runHash(42);
    const b = runHash(42);
    const c = runHash(43);
    expect(b.hash).toBe(a.hash);
    expect(b.events).toBe(a.events);
    expect(c.hash).not.toBe(a.hash);
    // the run exercised what it claims to: churn, loss, partition drops, offline drops, protocol events
    for (const k of ['sent', 'delivered', 'dropped:loss', 'dropped:partition', 'dropped:offline', 'joined', 'left', 'partition', 'healed', 'infected'])
      expect(a.kinds[k] ?? 0, k).toBeGreaterThan(0);
    expect(a.events).toBeGreaterThan(10_000);
  });
});
