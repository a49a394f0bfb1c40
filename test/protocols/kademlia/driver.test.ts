/**
 * The lab driver end to end in the simulator: schema defaults and errors, the summary keys of the
 * issue, hop counts against the paper's bound for b = 1 and b = 4 at a moderate N (fixed seed),
 * determinism, the codec on the wire, and the snapshot.
 */
import { describe, expect, it } from 'vitest';
import { driver } from '../../../src/protocols/kademlia/driver.js';
import { Simulator, World } from '../../../src/sim/index.js';

const SEED = 2026;
console.log(`kademlia driver seed ${SEED}`);

function run(peers: number, params: Record<string, unknown>, workload: Record<string, unknown>, seed = SEED) {
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers });
  const r = driver.create({ world, seed }, driver.params.parse(params), driver.workload.parse(workload));
  while (!r.isComplete() && sim.pending > 0) sim.runUntil(sim.now + 10_000);
  return { r, sim, world };
}

describe('kademlia driver', () => {
  it('validates parameters with defaults and named errors', () => {
    const p = driver.params.parse({});
    expect(p).toMatchObject({ k: 20, alpha: 3, b: 1, idBits: 160, disjointPaths: 1 });
    const bad = driver.params.safeParse({ k: 0, b: 9, bogus: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.') || i.message);
    expect(paths.join(' ')).toMatch(/k/);
    expect(paths.join(' ')).toMatch(/b/);
    expect(driver.workload.parse({})).toMatchObject({ stores: 100, lookups: 1000 });
  });

  // one run per b, shared by the checks below (N = 1500, k = 20, alpha = 3, fixed seed)
  const byB = new Map<number, ReturnType<typeof run>>();
  const get = (b: number) => {
    if (!byB.has(b)) byB.set(b, run(1500, { b }, { stores: 30, lookups: 150 }));
    return byB.get(b)!;
  };

  it.each([
    [1, 11],
    [4, 3],
  ])('b = %i: every value is found, mean hops within ceil(log_2^b N) = %i (N = 1500)', (b, bound) => {
    const { r } = get(b);
    const s = r.summary();
    for (const key of ['lookups', 'successRate', 'meanHops', 'p50LatencyMs', 'p99LatencyMs', 'messagesPerLookup', 'routingTableFill', 'staleEntries'])
      expect(s).toHaveProperty(key);
    expect(s.lookups).toBe(150);
    expect(s.successRate).toBe(1);
    expect(s.hopBound).toBe(bound);
    expect(Number(s.meanHops)).toBeLessThanOrEqual(bound);
    // (a lookup from a peer that already holds the value counts 0 hops: a few do)
    expect(Number(s.meanHops)).toBeGreaterThan(0.8);
    expect(Number(s.meanRoundTrips)).toBeGreaterThanOrEqual(Number(s.meanHops));
    expect(s.staleEntries).toBe(0);
    expect(s.meanReplicas).toBe(20);
    const samples = r.samples();
    expect(samples.hops!.length).toBe(150);
    expect(Number(s.p99LatencyMs)).toBeGreaterThanOrEqual(Number(s.p50LatencyMs));
  });

  it('b = 4 needs fewer hops than b = 1, with fuller tables (same seed)', () => {
    const s1 = get(1).r.summary();
    const s4 = get(4).r.summary();
    expect(Number(s4.meanHops)).toBeLessThan(Number(s1.meanHops));
    expect(Number(s4.routingTableFill)).toBeGreaterThan(Number(s1.routingTableFill));
  });

  it('node lookups over the codec find the true k closest; disjoint paths too', () => {
    const a = run(400, { wire: true, k: 10 }, { stores: 0, lookups: 60 }).r.summary();
    expect(a.successRate).toBe(1);
    const d = run(400, { disjointPaths: 3, k: 10 }, { stores: 0, lookups: 60 }).r.summary();
    expect(d.closestRecall).toBeGreaterThan(0.95);
  });

  it('is deterministic for a seed', () => {
    const a = run(500, {}, { stores: 10, lookups: 50 }).r;
    const b = run(500, {}, { stores: 10, lookups: 50 }).r;
    expect(a.summary()).toEqual(b.summary());
    expect(a.samples()).toEqual(b.samples());
  });

  it('snapshots peers and a sample of routing-table links', () => {
    const { r } = run(300, {}, { stores: 5, lookups: 10 });
    const snap = r.snapshot(50);
    expect(snap.peers.length).toBe(50);
    expect(snap.links.length).toBeGreaterThan(0);
    for (const [a, b] of snap.links) {
      expect(a).toBeLessThan(b);
      expect(b).toBeLessThan(50);
    }
    expect(snap.peers.some((p) => p.state === 'holder')).toBe(true);
  });
});
