/**
 * The real-time pacer over the engine's Simulator: events run in order, never before the wall clock
 * reaches their virtual time, a slice cannot be re-entered, and a throwing handler stops it.
 * (How late events run under load is measured by `peerlab bench sync --simulated`, not here.)
 */
import { describe, expect, it } from 'vitest';
import { RealTimePacer } from '../../src/live/mixed/pacer.js';
import { Simulator } from '../../src/sim/index.js';
import { sleep } from './helpers.js';

describe('RealTimePacer', () => {
  it('runs every event in order and none before the wall clock reaches its virtual time', async () => {
    const sim = new Simulator({ seed: 1 });
    const ran: { v: number; wall: number }[] = [];
    let pacer: RealTimePacer | null = null;
    const kind = sim.register((_t, arg) => {
      ran.push({ v: sim.now, wall: pacer!.target() });
      if (arg < 30) sim.schedule(7, kind, 0, arg + 1);
    });
    sim.schedule(0, kind, 0, 0);
    sim.schedule(120, kind, 0, 100);
    pacer = new RealTimePacer(sim, { idleMs: 20 });
    pacer.start();
    await sleep(400);
    pacer.stop();
    expect(ran.map((r) => r.v)).toEqual([...Array.from({ length: 31 }, (_, i) => 7 * i), 120].sort((a, b) => a - b));
    for (const r of ran) expect(r.wall).toBeGreaterThanOrEqual(r.v);
    expect(pacer.stats.events).toBe(32);
    // stopped: the clock no longer moves the simulation
    const at = sim.now;
    await sleep(60);
    expect(sim.now).toBe(at);
  });

  it('refuses to re-enter a slice from a handler, and stops on a handler error', async () => {
    const sim = new Simulator({ seed: 1 });
    let nested: boolean | null = null;
    let pacer: RealTimePacer | null = null;
    const errors: unknown[] = [];
    const probe = sim.register(() => (nested = pacer!.catchUp()));
    const boom = sim.register(() => {
      throw new Error('boom');
    });
    const after = sim.register(() => expect.unreachable('an event after the error ran'));
    sim.schedule(5, probe);
    sim.schedule(10, boom);
    sim.schedule(15, after);
    pacer = new RealTimePacer(sim, { onError: (e) => errors.push(e) });
    pacer.start();
    await sleep(150);
    expect(nested).toBe(false);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
    expect(pacer.running).toBe(false);
    expect(sim.pending).toBe(1);
  });
});
