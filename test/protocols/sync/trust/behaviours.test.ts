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

  // Rooms where honest peers used to cut one another: an honest peer that caught a badmouther first
  // reported it as bad to a neighbour that still found it good first-hand (it forwards well), and was taken
  // for a liar; or a neighbour still held a good view of a badmouther it was linked to long before.
  for (const [peers, attackers, seed, latency] of [
    [8, 2, 5, [5, 80]],
    [12, 3, 2, [1, 30]],
    [12, 3, 2, [5, 80]],
    [12, 3, 10, [5, 80]],
    // an honest peer that met the room only through the attackers (here 9, linked to nobody else): each
    // side was told the other is bad; once the attackers are cut, what they said is withdrawn and the
    // peer left on its own asks the signaling server again
    [12, 3, 28, [1, 30]],
    // an honest peer (9) whose other neighbours were the three badmouthers: they forward well and praise
    // one another, so they looked good to it first-hand before its one honest neighbour (8) did; once 8
    // caught them and reported them as bad, 9 took 8 for the liar, cut it and was left with the attackers.
    // 8 and the attackers accuse each other: the wider accuser (everyone it knows of, against the
    // attackers only) is the liar
    [12, 3, 37, [1, 30]],
  ] as [number, number, number, [number, number]][])
    it(`badmouth: ${attackers} of ${peers} peers, seed ${seed}, links ${latency[0]}-${latency[1]} ms: isolated, no honest peer taken for a liar, converged`, () => {
      const r = new TrustRoom({ seed, peers, attackers, behaviour: 'badmouth', latency }).join(2000);
      r.edit(1000, 50);
      expect(r.runUntilIsolated(30_000, 250, 50), r.net.dump()).toBeGreaterThanOrEqual(0);
      r.edit(10_000, 50);
      r.net.run(5000);
      const wrong = r.honest.flatMap((h) => r.net.peers.get(h)!.events.filter((e) => e.type === 'cut' && r.honest.includes(e.peer)).map((e) => `${h} cut ${(e as { peer: number }).peer}`));
      expect(wrong).toEqual([]);
      for (const a of r.attackers) expect(r.isolated(a), `attacker ${a}`).toBe(true);
      expect(r.honestConverged(), r.net.dump()).toBe(true);
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
