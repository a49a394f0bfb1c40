import { describe, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

describe('adaptive keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('reputation (drop, corrupt, badmouth), 120 peers', () => {
    expectSeekEqualsStraightRun(shippedScenario('adaptive-reputation', ['peers=120', 'workload.broadcasts=30']), [0, 1500, 4000]);
  });

  it('rewiring with churn (peers leave and rejoin mid-run)', () => {
    const sc = shippedScenario('adaptive-rewiring', [
      'peers=100',
      'workload.broadcasts=25',
      'churn={"on":{"distribution":"exponential","meanMs":3000},"off":{"distribution":"exponential","meanMs":1000},"graceful":0.5}',
    ]);
    expectSeekEqualsStraightRun(sc, [700, 2500, 5000]);
  });
});
