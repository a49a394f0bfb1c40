/**
 * A BitTorrent flash crowd of N leechers and one seed, run to the last completion
 * (resources/bench/bittorrent.yaml); wall time and the last completion against the Kumar-Ross bound.
 */
import { flashCrowdRun } from '../../protocols/bittorrent/flash-crowd.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';
import { runSwarm } from './swarm-figures.js';

const OPTIONS = {
  peers: 'int',
  seed: 'int',
  'file-size': 'int',
  'piece-length': 'int',
  'block-size': 'int',
  up: 'number',
  down: 'number',
  'seed-up': 'number',
  params: 'json',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const leechers = o.peers;
  const fc = flashCrowdRun({
    leechers,
    seed: o.seed,
    fileSize: o.fileSize,
    pieceLength: o.pieceLength,
    blockSize: o.blockSize,
    upBps: o.up,
    downBps: o.down,
    seedUpBps: o.seedUp,
    params: o.params,
  });
  const { figures, summary } = runSwarm(fc, leechers);
  return { ...figures, wastedBytes: summary.wastedBytes };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
