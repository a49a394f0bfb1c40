/**
 * Rewiring on the test network with a latency map (peers on a ring of 5..105 ms one-way distances):
 * latency rewiring lowers the links' mean round-trip time against the same room without rewiring, keeps
 * random links (the first `keepRandom` by age are never dropped by the metric), and the room stays connected
 * and converged.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/index.js';
import type { RewiringStrategy } from '../../../../src/protocols/sync/index.js';
import { TrustRoom } from './room.js';

const PEERS = 24;

function room(rewiring: RewiringStrategy, seed: number): TrustRoom {
  const rng = new Rng(seed);
  const pos = new Map<number, number>();
  for (let i = 1; i <= PEERS; i++) pos.set(i, rng.float());
  const ring = (a: number, b: number): number => {
    const d = Math.abs(pos.get(a)! - pos.get(b)!);
    return 5 + 200 * Math.min(d, 1 - d);
  };
  return new TrustRoom({ seed, peers: PEERS, pairLatency: ring, trust: { rewiring } });
}

/** Mean one-way distance of the room's open links (each counted once), and the peers' random-link counts. */
function measure(r: TrustRoom, dist: (a: number, b: number) => number): { mean: number; randoms: number[] } {
  let sum = 0;
  let n = 0;
  const randoms: number[] = [];
  for (const h of r.honest) {
    const t = r.sync(h).trust!;
    let rand = 0;
    for (const p of t.neighbours()) {
      if (p > h) {
        sum += dist(h, p);
        n++;
      }
      if (t.trusted(p)!.random) rand++;
    }
    randoms.push(rand);
  }
  return { mean: sum / n, randoms };
}

describe('sync trust: rewiring', () => {
  it('latency rewiring shortens links, keeps random ones, and the room stays connected and converged', () => {
    const out: Record<string, { mean: number; randoms: number[]; rewires: number }> = {};
    for (const strategy of ['none', 'latency'] as const) {
      const r = room(strategy, 11);
      r.join(2000);
      r.edit(60_000, 250);
      r.net.run(5000);
      expect(r.net.connected(), r.net.dump()).toBe(true);
      expect(r.honestConverged()).toBe(true);
      const dist = r.o.pairLatency!;
      const rewires = r.honest.reduce((n, h) => n + r.sync(h).trust!.stats.rewires, 0);
      out[strategy] = { ...measure(r, dist), rewires };
    }
    expect(out.none!.rewires).toBe(0);
    expect(out.latency!.rewires).toBeGreaterThan(PEERS / 2);
    expect(out.latency!.mean).toBeLessThan(0.8 * out.none!.mean);
    // random shortcuts survive: every peer keeps one, most keep keepRandom (2)
    expect(Math.min(...out.latency!.randoms)).toBeGreaterThanOrEqual(1);
    expect(out.latency!.randoms.filter((x) => x >= 2).length).toBeGreaterThanOrEqual(0.8 * PEERS);
  });
});
