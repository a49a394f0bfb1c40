import { describe, it } from 'vitest';
import { expectSeekEqualsStraightRun, shippedScenario } from '../keyframe-check.js';

describe('hybrid keyframes: a run restored from a keyframe goes on exactly as the straight run', () => {
  it('a trackerless swarm: get_peers, announces with tokens, piece discovery', () => {
    const sc = shippedScenario('hybrid-trackerless', ['peers=61', 'protocol.fileSize=1MiB', 'protocol.pieceGroupSize=1']);
    expectSeekEqualsStraightRun(sc, [0, 800, 2500, 6000]);
  });
});
