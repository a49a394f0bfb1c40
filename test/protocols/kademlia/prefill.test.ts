/**
 * The prefill shortcut against the real thing: tables built by simulated joins (each peer joins
 * through one that joined before: self-lookup, then bucket refreshes) and tables built by prefill
 * at the same small N must look alike, and lookups over either must behave alike.
 */
import { describe, expect, it } from 'vitest';
import { createKademliaRun, kademliaParams, kademliaWorkload, type KademliaRun } from '../../../src/protocols/kademlia/driver.js';
import { compareDistance, randomId, SortedIds, type NodeId } from '../../../src/protocols/kademlia/index.js';
import { Rng } from '../../../src/core/index.js';
import { Simulator, World } from '../../../src/sim/index.js';

const SEED = 77;
console.log(`kademlia prefill seed ${SEED}`);

function runWith(bootstrap: 'join' | 'prefill', n: number): { run: KademliaRun; sim: Simulator } {
  const sim = new Simulator({ seed: SEED });
  const world = new World(sim, { peers: n, network: { latency: { model: 'uniform', minMs: 10, maxMs: 100 } } });
  const run = createKademliaRun(
    { world, seed: SEED },
    kademliaParams.parse({ k: 8, bootstrap, joinSpacingMs: 20, refreshIntervalMs: 0, republishIntervalMs: 0 }),
    kademliaWorkload.parse({ stores: 0, lookups: 150, kind: 'node', ratePerSec: 50 }),
  );
  while (!run.isComplete() && sim.pending > 0) sim.runUntil(sim.now + 5000);
  return { run, sim };
}

describe('prefill vs real joins (N = 300, k = 8)', () => {
  const joined = runWith('join', 300);
  const filled = runWith('prefill', 300);
  const sj = joined.run.summary();
  const sf = filled.run.summary();
  console.log('join', JSON.stringify(sj));
  console.log('prefill', JSON.stringify(sf));

  it('builds tables of the same shape', () => {
    // prefill is what joins converge to after refreshes: slightly fuller, never a different shape
    expect(Number(sf.bucketsPerPeer)).toBeCloseTo(Number(sj.bucketsPerPeer), 0);
    const ratio = Number(sf.routingTableFill) / Number(sj.routingTableFill);
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.3);
  });

  it('gives lookups with the same success and nearly the same hops', () => {
    expect(sj.successRate).toBe(1);
    expect(sf.successRate).toBe(1);
    expect(Math.abs(Number(sf.meanHops) - Number(sj.meanHops))).toBeLessThan(0.5);
  });

  it('holds, in every table, the bucket fill a join would reach: min(k, peers in range) per sibling subtree', () => {
    const run = filled.run;
    for (let p = 0; p < 300; p += 7) {
      const node = run.node(p)!;
      for (const { bucket, prefix } of node.table.ranges()) {
        let inRange = 0;
        for (let q = 0; q < 300; q++) if (q !== p && hasPrefixOf(run.ids[q]!, prefix, bucket.depth)) inRange++;
        expect(bucket.contacts.length).toBe(Math.min(8, inRange));
      }
    }
  });
});

function hasPrefixOf(id: NodeId, prefix: NodeId, depth: number): boolean {
  for (let i = 0; i < depth; i++) if (((id[i >> 3]! >> (7 - (i & 7))) & 1) !== ((prefix[i >> 3]! >> (7 - (i & 7))) & 1)) return false;
  return true;
}

describe('SortedIds.closestTo (the oracle)', () => {
  it('equals a brute-force sort, with a filter', () => {
    const rng = new Rng(SEED);
    const ids = Array.from({ length: 500 }, () => randomId(rng, 32));
    const s = new SortedIds(ids, 32);
    for (let i = 0; i < 50; i++) {
      const target = randomId(rng, 32);
      const accept = (p: number): boolean => p % 3 !== 0;
      const want = ids
        .map((_, p) => p)
        .filter(accept)
        .sort((a, b) => compareDistance(ids[a]!, ids[b]!, target))
        .slice(0, 20);
      expect(s.closestTo(target, 20, accept)).toEqual(want);
    }
  });
});
