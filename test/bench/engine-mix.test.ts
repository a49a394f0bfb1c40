/**
 * The engine bench's mix (src/bench/cases/engine-mix.ts): the same seed gives the same event order (its
 * digest, pinned here so a queue change that reorders events is caught), and the pending counts it
 * reports are what the queue held: exactly the chains with `chainsOnly`, chains plus live timeouts without.
 */
import { describe, expect, it } from 'vitest';
import { runMix } from '../../src/bench/cases/engine-mix.js';

describe('engine bench mix', () => {
  it('same seed, same event order; the digest is pinned', () => {
    const a = runMix(200_000, 2000, 1);
    const b = runMix(200_000, 2000, 1);
    expect(a.events).toBe(200_000);
    expect(b.digest).toBe(a.digest);
    expect(a.digest).toBe(DIGEST_MIX);
    expect(runMix(200_000, 2000, 2).digest).not.toBe(a.digest);
  });

  it('timeouts: ~1 event in 4 arms one, most are cancelled, and they wait beside the chains', () => {
    const r = runMix(200_000, 2000, 1);
    expect(r.cancelled).toBeGreaterThan(200_000 * 0.25 * 0.6);
    expect(r.cancelled).toBeLessThan(200_000 * 0.25 * 0.75);
    expect(r.pendingMean).toBeGreaterThan(2000 * 2);
    expect(r.pendingMean).toBeLessThan(2000 * 4);
  });

  it('chains only: exactly `pending` events wait at every sample, nothing is cancelled', () => {
    const r = runMix(200_000, 2000, 1, true);
    expect(r.pendingMean).toBe(2000);
    expect(r.pending).toBe(2000);
    expect(r.cancelled).toBe(0);
    expect(r.digest).toBe(DIGEST_CHAINS);
  });
});

const DIGEST_MIX = 791100335;
const DIGEST_CHAINS = 1482712003;
