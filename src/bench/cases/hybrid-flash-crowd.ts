/**
 * A trackerless flash crowd (resources/bench/hybrid.yaml): N leechers and one seed that find each
 * other through the DHT, run to the last completion; wall time, completion against the Kumar-Ross
 * bound, time to first peer and DHT traffic per peer. `tracker` runs the same swarm fed by a tracker.
 */
import { hybridSetup } from '../../protocols/hybrid/flash-crowd.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';
import { runSwarm } from './swarm-figures.js';

const OPTIONS = {
  peers: 'int',
  seed: 'int',
  'file-size': 'int',
  'piece-length': 'int',
  up: 'number',
  down: 'number',
  'seed-up': 'number',
  tracker: 'flag',
  params: 'json',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const leechers = o.peers;
  const params = { ...o.params };
  if (o.tracker === true) Object.assign(params, { tracker: true, dht: false });
  const hs = hybridSetup({
    leechers,
    seed: o.seed,
    fileSize: o.fileSize,
    pieceLength: o.pieceLength,
    upBps: o.up,
    downBps: o.down,
    seedUpBps: o.seedUp,
    params,
  });
  const { figures, summary: s } = runSwarm(hs, leechers);
  return {
    ...figures,
    timeToFirstPeerMs: s.timeToFirstPeerMs,
    dhtMessagesPerPeer: s.dhtMessagesPerPeer,
    dhtBytesPerPeer: s.dhtBytesPerPeer,
    trackerBytesPerPeer: s.trackerBytesPerPeer,
    lookupsDone: s.lookupsDone,
    lookupHops: s.lookupHops,
    pieceLookups: s.pieceLookups,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
