/**
 * Gossip held to theory, with fixed seeds (printed) at 10^4 peers or more. The rumour-spreading
 * results are about synchronous rounds, so they run the driver's `transport: ideal` (the same rules as
 * the network transport, computed in bulk per round); Plumtree runs its per-peer core over the
 * network model.
 */
import { describe, expect, it } from 'vitest';
import { mean, setup } from './helpers.js';

const log2 = Math.log2;
const ln = Math.log;
const log3 = (n: number): number => Math.log(n) / Math.log(3);

function roundsToAll(peers: number, seed: number, variant: string): number {
  const { sim, run } = setup(peers, seed, { variant, transport: 'ideal' }, { broadcasts: 1 });
  sim.runAll();
  const r = run.summary().roundsToAll;
  if (typeof r !== 'number') throw new Error(`seed ${seed}: ${variant} did not reach everyone`);
  return r;
}

describe('rumour spreading in synchronous rounds', () => {
  const N = 100_000;
  const seeds = [1, 2, 3, 4, 5, 6];
  let pushMean = NaN;

  it('push, infect-forever, one target per round: mean rounds within 5% of log2 N + ln N (Pittel)', () => {
    const rounds = seeds.map((s) => roundsToAll(N, s, 'push'));
    pushMean = mean(rounds);
    const theory = log2(N) + ln(N);
    console.log(`push N=${N} seeds=${seeds.join(',')} rounds=${rounds.join(',')} mean=${pushMean} theory=${theory.toFixed(2)}`);
    expect(Math.abs(pushMean - theory) / theory).toBeLessThan(0.05);
  });

  it('push-pull: rounds close to log3 N + O(log log N), well below push (Karp et al.)', () => {
    const rounds = seeds.map((s) => roundsToAll(N, s, 'push-pull'));
    const m = mean(rounds);
    const c = m - log3(N);
    console.log(
      `push-pull N=${N} seeds=${seeds.join(',')} rounds=${rounds.join(',')} mean=${m} log3N=${log3(N).toFixed(2)} ` +
        `measured: mean = log3 N + ${c.toFixed(2)} = ${(m / log3(N)).toFixed(3)} log3 N = ${(m / pushMean).toFixed(3)} x push`,
    );
    expect(m).toBeLessThan(0.6 * pushMean);
    // the O(log log N) term: positive and at most 2 ln ln N here
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(2 * ln(ln(N)));
  });
});

describe('infect-and-die with fanout ln N + c (Kermarrec, Massoulie, Ganesh)', () => {
  const N = 10_000;
  // Each world carries TRIALS independent broadcasts, 20 rounds apart (one ends in ~6 rounds, so they
  // never overlap); the fraction that reached every peer estimates P(success) = exp(-exp(-c)).
  // Finite-N bias of the limit at N = 10^4 is < 0.01 (the miss count is Poisson with mean
  // e^-c (1 + O(f^2/N))); the tolerance adds 3.5 binomial standard deviations.
  const WORLDS = 4;
  const TRIALS = 100;
  for (const c of [1, 2, 3]) {
    it(`c = ${c}: success rate near exp(-exp(-${c}))`, () => {
      let ok = 0;
      let total = 0;
      for (let w = 0; w < WORLDS; w++) {
        const seed = 1000 * c + w;
        const { sim, run } = setup(
          N,
          seed,
          { variant: 'push', mode: 'infect-and-die', fanout: ln(N) + c, transport: 'ideal', roundMs: 100 },
          { broadcasts: TRIALS, intervalMs: 2000 },
        );
        sim.runAll();
        const e = run.engine;
        expect(e.started).toBe(TRIALS);
        for (let r = 0; r < TRIALS; r++) {
          total++;
          if (!Number.isNaN(e.allAt[r]!)) ok++;
        }
      }
      const p = Math.exp(-Math.exp(-c));
      const rate = ok / total;
      const tol = 3.5 * Math.sqrt((p * (1 - p)) / total) + 0.01;
      console.log(`infect-and-die N=${N} c=${c} seeds=${1000 * c}..${1000 * c + WORLDS - 1}: ${ok}/${total} = ${rate.toFixed(3)}, theory ${p.toFixed(3)} +- ${tol.toFixed(3)}`);
      expect(Math.abs(rate - p)).toBeLessThan(tol);
    });
  }
});

describe('Plumtree (epidemic broadcast trees) at 10^4 peers', () => {
  const N = 10_000;
  for (const seed of [7, 8]) {
    it(`seed ${seed}: ~N-1 payload messages per broadcast once the tree settled; 100% delivery after 20% fail at once`, () => {
      const times = [0, 2000, 4000, 6000, 8000, 10000, 12000];
      const { sim, world, run } = setup(N, seed, { variant: 'plumtree', viewSize: 6, graftTimeoutMs: 200, failureDetectMs: 500 }, { atMs: times });
      const e = run.engine;
      const payloadAt: number[] = [];
      // broadcasts at 0 (the tree forms: every link carries the first message), 2000, 4000 (settled)
      for (const t of [1999, 3999, 5999]) {
        sim.runUntil(t);
        payloadAt.push(e.stats.payloadMessages);
      }
      const second = payloadAt[1]! - payloadAt[0]!;
      const third = payloadAt[2]! - payloadAt[1]!;
      console.log(`plumtree seed=${seed} N=${N}: payload messages first=${payloadAt[0]} second=${second} third=${third}`);
      expect(payloadAt[0]).toBeGreaterThan(2 * N); // flooding while the tree forms
      expect(second).toBeGreaterThanOrEqual(N - 1);
      expect(second).toBeLessThan(1.01 * (N - 1));
      expect(third).toBeLessThan(1.01 * (N - 1));
      for (let r = 0; r < 3; r++) expect(e.holders[r]).toBe(N);

      // 20% of the peers crash at once, just before the broadcast at 6000
      sim.runUntil(5990);
      const rng = sim.rng.fork('test:fail');
      const order = rng.shuffle(Array.from({ length: N }, (_, i) => i));
      for (const p of order.slice(0, N / 5)) world.leave(p, false);
      expect(world.online).toBe(N - N / 5);
      sim.runUntil(20_000);
      const reachedAfter = [3, 4, 5, 6].map((r) => e.holders[r]! / world.online);
      const grafts = e.stats.messages;
      console.log(`plumtree seed=${seed}: after 20% failed, reached per broadcast ${reachedAfter.join(', ')} (messages so far ${grafts})`);
      // broadcasts after the failure detector fired and the views were repaired: everyone
      for (const x of reachedAfter.slice(1)) expect(x).toBe(1);
      // the one sent 10 ms after the crash, before any failure was noticed: GRAFTs repair the tree
      expect(reachedAfter[0]).toBeGreaterThan(0.999);
    });
  }
});
