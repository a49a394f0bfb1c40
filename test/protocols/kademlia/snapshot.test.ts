import { describe, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

describe('kademlia keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('STOREs then FIND_VALUE lookups over prefilled tables (caching, hand-over)', () => {
    expectSeekEqualsStraightRun(shippedScenario('kademlia-lookups', ['peers=300', 'workload.stores=20', 'workload.lookups=120']), [0, 150, 700, 1400]);
  });

  it('churn and a mass failure: rejoins, eviction pings, refresh and republish', () => {
    const sc = shippedScenario('kademlia-churn', ['peers=120', 'workload.stores=8', 'workload.lookups=40', 'until={"complete":true,"max":"3m"}']);
    expectSeekEqualsStraightRun(sc, [20_000, 61_000, 90_000]);
  });

  it('real joins over the wire codec, FIND_NODE lookups', () => {
    const sc = shippedScenario('kademlia-lookups', [
      'peers=80',
      'protocol.bootstrap=join',
      'protocol.joinSpacingMs=20',
      'protocol.wire=true',
      'workload.kind=node',
      'workload.stores=0',
      'workload.lookups=60',
    ]);
    expectSeekEqualsStraightRun(sc, [300, 1200, 6000, 7000]);
  });

  it('sessions replayed from a trace file', () => {
    expectSeekEqualsStraightRun(shippedScenario('kademlia-trace', ['workload.lookups=40']), [30_000, 100_000]);
  });
});
