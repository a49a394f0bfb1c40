/** The run's summary, series and samples: BitTorrent's download figures and the peer sources' costs. */
import { median } from '../../../core/index.js';
import type { Series, SummaryValue } from '../../driver.js';
import type { BittorrentRun } from '../../bittorrent/driver.js';
import type { Dht } from './dht.js';
import type { HybridMeasures } from './measure.js';
import { TRACKER_REPLY_BYTES, TRACKER_REQUEST_BYTES, type HybridParams } from './params.js';

/** The summary's keys in their fixed order (docs/hybrid.md lists them). */
export function summary(bt: BittorrentRun, dht: Dht, m: HybridMeasures, params: HybridParams, n: number): Record<string, SummaryValue> {
  const s = bt.summary();
  const sw = bt.swarm;
  const { stats, traffic } = dht;
  const trackerBytes = sw.trackerAnnounces * (TRACKER_REQUEST_BYTES + TRACKER_REPLY_BYTES + 6 * params.numWant);
  return {
    meanCompletionMs: s.meanCompletionMs ?? null,
    lastCompletionMs: s.lastCompletionMs ?? null,
    lowerBoundMs: s.lowerBoundMs ?? null,
    boundRatio: s.boundRatio ?? null,
    completed: s.completed ?? null,
    timeToFirstPeerMs: m.firstPeerMs.length > 0 ? median(m.firstPeerMs) : null,
    dhtMessagesPerPeer: traffic.messages / n,
    dhtBytesPerPeer: traffic.bytes / n,
    lookupsDone: stats.lookupsDone,
    lookupHops: stats.lookupsDone > 0 ? stats.lookupHopsSum / stats.lookupsDone : null,
    pieceLookups: stats.pieceLookups,
    pieceAnnounces: stats.pieceAnnounces,
    pieceDiscoveryBytesPerPeer: stats.pieceDiscoveryBytes / n,
    swarmLookups: stats.swarmLookups,
    announcesStored: stats.announcesStored,
    tokenRejects: stats.tokenRejects,
    malformedReplies: stats.malformedReplies,
    dialsFromDht: stats.dialsFromSwarmLookups + stats.dialsFromPieceLookups,
    connectionsOpened: m.connectedEnds / 2,
    dialsFromPieceLookups: stats.dialsFromPieceLookups,
    dialsRefused: sw.dialsRefused,
    trackerAnnounces: sw.trackerAnnounces,
    trackerBytesPerPeer: trackerBytes / n,
    peersWithoutPeer: n - sw.cfg.seeds - m.firstPeerMs.length,
    pieces: s.pieces ?? null,
    leechers: s.leechers ?? null,
    wastedBytes: s.wastedBytes ?? null,
    violations: s.violations ?? null,
    uploadedBytes: s.uploadedBytes ?? null,
    shareRatioMean: s.shareRatioMean ?? null,
  };
}

export function series(bt: BittorrentRun, m: HybridMeasures): Record<string, Series> {
  return { ...bt.series(), connectedPeers: m.connected, dhtBytesPerPeer: m.dhtBytes, dhtMessagesPerPeer: m.dhtMessages };
}

export function samples(bt: BittorrentRun, m: HybridMeasures): Record<string, number[]> {
  return { ...bt.samples(), timeToFirstPeerMs: [...m.firstPeerMs] };
}
