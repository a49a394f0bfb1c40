import { describe, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

describe('gossip keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('push-pull on the geo map (the dashboard default)', () => {
    expectSeekEqualsStraightRun(shippedScenario('gossip-small'), [0, 150, 1234.5, 2600]);
  });

  it('a partition that heals', () => {
    expectSeekEqualsStraightRun(shippedScenario('gossip-partition-heal', ['peers=300']), [100, 900, 2100]);
  });

  it('plumtree over partial views with failures', () => {
    expectSeekEqualsStraightRun(shippedScenario('gossip-plumtree-failures', ['peers=200']), [300, 2000, 5000]);
  });

  it('infect-and-die, async timers, under churn', () => {
    const sc = shippedScenario('gossip-infect-and-die', [
      'peers=300',
      'churn={"on":{"distribution":"exponential","meanMs":2000},"off":{"distribution":"exponential","meanMs":1000},"graceful":0.3}',
    ]);
    expectSeekEqualsStraightRun(sc, [500, 4000, 9000]);
  });
});
