import { describe, expect, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

/** A small room of the 1,000-peer scenario: 60 peers, 5 editors, 60 edits, 5 late joiners. */
const small = (mode: string): string[] => ['peers=60', 'workload.editors=5', 'workload.edits=60', 'workload.joiners=5', `protocol.mode=${mode}`];

describe('sync keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('overlay: DHT discovery, Plumtree trees, anti-entropy, late joiners', () => {
    const { keyframes } = expectSeekEqualsStraightRun(shippedScenario('sync-overlay', small('overlay')), [0, 3000, 12_000, 25_000, 31_000]);
    // the replicas' documents are in the keyframes (not rebuilt empty): a late one holds far more than the first
    expect(keyframes[keyframes.length - 1]!.objects).toBeGreaterThan(5 * keyframes[1]!.objects);
  });

  it('ywebrtc: the y-webrtc provider model', () => {
    expectSeekEqualsStraightRun(shippedScenario('sync-overlay', small('ywebrtc')), [3000, 12_000, 25_000]);
  });

  it('flood over the overlay', () => {
    expectSeekEqualsStraightRun(shippedScenario('sync-overlay', small('flood')), [3000, 12_000, 25_000]);
  });

  it('churn, loss, awareness, and a partition that heals while the halves edit', () => {
    const sc = shippedScenario('sync-churn-partition', ['peers=60', 'workload.editors=5', 'workload.edits=100', 'workload.intervalMs=1000', 'workload.joiners=4']);
    expectSeekEqualsStraightRun(sc, [30_000, 45_000, 99_000, 105_000]);
  });
});
