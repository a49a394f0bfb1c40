import { describe, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

describe('bittorrent keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('a flash crowd', () => {
    expectSeekEqualsStraightRun(shippedScenario('bittorrent-flash-crowd', ['peers=41', 'protocol.fileSize=1MiB']), [200, 1500, 3000]);
  });

  it('arrivals and churn', () => {
    expectSeekEqualsStraightRun(shippedScenario('bittorrent-churn', ['peers=40', 'until=2m', 'workload.arrivalMs=20s']), [5000, 30_000, 70_000]);
  });
});
