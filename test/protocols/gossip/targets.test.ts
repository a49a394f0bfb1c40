/** Whom a gossiping peer contacts: distinct peers, never itself, from its view when it has one. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/index.js';
import { randomOverlay } from '../../../src/protocols/gossip/overlay.js';
import { GossipTargets } from '../../../src/protocols/gossip/targets.js';

describe('GossipTargets', () => {
  it('full knowledge: count distinct peers other than the picker, every peer reachable', () => {
    const rng = new Rng(1);
    const t = new GossipTargets(50, 7, null);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const p = i % 50;
      const c = t.pick(p, 7, rng);
      expect(c).toBe(7);
      const got = [...t.list.subarray(0, c)];
      expect(new Set(got).size).toBe(7);
      expect(got).not.toContain(p);
      for (const q of got) {
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThan(50);
      }
      if (p === 3) for (const q of got) seen.add(q);
    }
    expect(seen.size).toBe(49);
  });

  it('full knowledge: never more than the n - 1 others; nothing among one peer', () => {
    const rng = new Rng(2);
    expect(new GossipTargets(4, 9, null).pick(2, 9, rng)).toBe(3);
    expect(new GossipTargets(1, 3, null).pick(0, 3, rng)).toBe(0);
  });

  it('a partial view: targets come from the view only, the whole view when count reaches its size', () => {
    const rng = new Rng(3);
    const o = randomOverlay(200, 5, rng);
    const t = new GossipTargets(200, 3, o);
    for (let p = 0; p < 200; p++) {
      const view = [...o.adj.subarray(o.offsets[p]!, o.offsets[p + 1]!)];
      const c = t.pick(p, 3, rng);
      expect(c).toBe(Math.min(3, view.length));
      const got = [...t.list.subarray(0, c)];
      expect(new Set(got).size).toBe(c);
      for (const q of got) expect(view).toContain(q);
      const all = t.pick(p, 1000, rng);
      expect([...t.list.subarray(0, all)].sort((a, b) => a - b)).toEqual(view.sort((a, b) => a - b));
    }
  });

  it('a fractional fanout contacts floor(f) or floor(f) + 1 peers, f on average', () => {
    const rng = new Rng(4);
    const t = new GossipTargets(100, 2.3, null);
    let sum = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const c = t.count(rng);
      expect(c === 2 || c === 3).toBe(true);
      sum += c;
    }
    expect(sum / draws).toBeCloseTo(2.3, 1);
    expect(new GossipTargets(100, 4, null).count(rng)).toBe(4);
  });
});
