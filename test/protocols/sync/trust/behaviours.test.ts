/**
 * Attackers in a room with trust on (model keys, deterministic test network): each behaviour is found,
 * cut by every honest neighbour and refused afterwards; no honest link is cut; the honest replicas converge.
 */
import { describe, expect, it } from 'vitest';
import type { Behaviour, TrustStats } from '../../../../src/protocols/sync/index.js';
import { TrustRoom } from './room.js';

/** The first-hand evidence each behaviour must leave (what honest peers caught it by). */
const CAUGHT_BY: Record<Exclude<Behaviour, 'honest'>, keyof TrustStats> = {
  drop: 'probesTimedOut',
  corrupt: 'forged',
  spam: 'forged',
  badmouth: 'lies',
};

function honestStats(r: TrustRoom): TrustStats {
  const sum = {} as Record<string, number>;
  for (const h of r.honest) for (const [k, v] of Object.entries(r.sync(h).trust!.stats)) sum[k] = (sum[k] ?? 0) + v;
  return sum as unknown as TrustStats;
}

describe('sync trust: attackers are isolated', () => {
  for (const behaviour of Object.keys(CAUGHT_BY) as (keyof typeof CAUGHT_BY)[])
    it(`${behaviour}: 3 attackers among 12 peers cut within 30 s, no honest link cut, honest replicas converge`, () => {
      const r = new TrustRoom({ seed: 7, peers: 12, attackers: 3, behaviour }).join(2000);
      r.edit(1000);
      // the attackers were somebody's trusted neighbours before they were caught
      const linked = r.attackers.filter((a) => r.honest.some((h) => r.net.peers.get(h)!.events.some((e) => e.type === 'trusted' && e.peer === a)));
      expect(linked.length).toBe(r.attackers.length);
      const t = r.runUntilIsolated(30_000);
      expect(t, r.net.dump()).toBeGreaterThanOrEqual(0);
      // still isolated later: the cut peers are refused as neighbours, not re-linked by the view
      r.edit(10_000);
      for (const a of r.attackers) expect(r.isolated(a), `attacker ${a} re-linked\n${r.net.dump()}`).toBe(true);
      expect(r.honestCuts()).toBe(0);
      r.net.run(5000);
      expect(r.honestConverged(), r.net.dump()).toBe(true);
      const s = honestStats(r);
      expect(s.cuts).toBeGreaterThanOrEqual(r.attackers.length);
      expect(s[CAUGHT_BY[behaviour]]).toBeGreaterThan(0);
      // every cut an honest peer made named an attacker
      for (const h of r.honest)
        for (const e of r.net.peers.get(h)!.events) if (e.type === 'cut' || e.type === 'forged') expect(r.attackers).toContain(e.peer);
    });

  it('an honest room cuts no one and converges', () => {
    const r = new TrustRoom({ seed: 7, peers: 12 }).join(2000);
    r.edit(20_000);
    r.net.run(5000);
    const s = honestStats(r);
    expect(s.cuts).toBe(0);
    expect(s.forged).toBe(0);
    expect(s.keysProved).toBeGreaterThan(0);
    expect(s.probesPassed).toBeGreaterThan(0);
    expect(s.probesFailed + s.probesTimedOut).toBeLessThanOrEqual(s.probesSent * 0.05);
    expect(r.net.violations).toBe(0);
    expect(r.honestConverged()).toBe(true);
  });
});
