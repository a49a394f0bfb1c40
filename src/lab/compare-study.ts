/**
 * `peerlab compare`: the lab's headline experiment. The same dissemination task done three ways:
 * by gossip (push, and push-pull), by Kademlia (one STORE, then FIND_VALUE lookups), and by a
 * BitTorrent swarm (one seed, a flash crowd of leechers), all on the same modelled network:
 *
 * - scale: one 1 KiB item to every peer, for 10^2..10^5 peers, no churn;
 * - churn: the same at a fixed size under moderate and heavy churn;
 * - file: a file of growing size (in 64 KiB chunks / pieces) to every peer;
 * - trackerless: the same swarm fed by a tracker or by a Kademlia DHT (BEP 5, `protocol.type: hybrid`),
 *   flash crowd, without and with heavy churn: completion against the bound, time to first peer, and the
 *   bytes peer discovery costs (DHT traffic against the tracker's HTTP announces);
 * - adaptive: broadcasts over the adaptive overlay with 15% malicious peers (droppers and corrupters,
 *   all badmouthing), with reputation on and off: delivery before and after isolation, time to isolate,
 *   false positives and what the reputation traffic costs, at growing sizes;
 * - sync: edits to one Yjs document replicated at every peer, by the sync overlay, the stock y-webrtc
 *   provider's model and flooding, from 10 peers up (compare-sync.ts).
 *
 * The plan is a list of scenario documents run on the worker pool; metrics are normalised across
 * protocols (time to complete, reliability, messages and bytes per peer served) and aggregated over
 * seeds. The report (report/compare-report.ts) draws them with the theory lines and writes the analysis.
 */
import type { SummaryValue } from '../protocols/driver.js';
import { runJobs, type JobResult, type RunJob } from './pool.js';
import { aggregate, type Aggregate } from '../core/index.js';
import { SYNC_PROTOS, syncMetrics, syncSections, syncStudyConfig, type SyncProto, type SyncStudyConfig } from './compare-sync.js';

export type Proto = 'push' | 'push-pull' | 'plumtree' | 'kademlia' | 'bittorrent' | 'tracker' | 'trackerless' | 'adaptive' | 'adaptive-off' | SyncProto;
export type Study = 'scale' | 'churn' | 'file' | 'trackerless' | 'adaptive' | 'sync';
export type ChurnLevel = 'none' | 'moderate' | 'heavy';

export const PROTO_LABEL: Record<Proto, string> = {
  push: 'gossip (push)',
  'push-pull': 'gossip (push-pull)',
  plumtree: 'gossip (Plumtree)',
  kademlia: 'Kademlia (store + lookups)',
  bittorrent: 'BitTorrent swarm',
  tracker: 'swarm + tracker',
  trackerless: 'swarm + DHT (trackerless)',
  adaptive: 'adaptive overlay, reputation on',
  'adaptive-off': 'adaptive overlay, reputation off',
  'sync-overlay': 'sync overlay (DHT, Plumtree)',
  'sync-ywebrtc': 'y-webrtc (model)',
  'sync-flood': 'sync flooding',
};

export interface CompareCase {
  id: string;
  study: Study;
  proto: Proto;
  peers: number;
  churn: ChurnLevel;
  fileBytes: number;
  seed: number;
  /** Peers that fetch (Kademlia lookups may be a sample of the peers). */
  fetchers: number;
  doc: Record<string, unknown>;
  keep: RunJob['keep'];
}

export interface CompareConfig extends SyncStudyConfig {
  quick: boolean;
  scalePeers: number[];
  /** Largest N for each protocol in the scale study (cost grows faster for some). */
  maxPeers: Record<Exclude<Proto, SyncProto>, number>;
  seeds: number;
  /** Seeds at the largest sizes (1 keeps the run inside the time budget). */
  seedsLarge: number;
  churnPeers: number;
  filePeers: number;
  fileSizes: number[];
  /** Most Kademlia lookups per run in the scale and churn studies (a sample of the peers). */
  maxLookups: number;
  /** Peers that fetch the whole file by Kademlia lookups in the file study (a sample). */
  fileFetchers: number;
  churnSeeds: number;
  /** The N whose runs give the dissemination curves, CDFs and connectivity maps. */
  showcasePeers: number;
  /** Swarm sizes (leechers + 1 seed) of the trackerless-vs-tracker study. */
  trackerlessPeers: number[];
  /** File and piece size of that study. */
  trackerlessFile: number;
  trackerlessPiece: number;
  trackerlessSeeds: number;
  /** Churn levels of that study: heavy churn (15-s sessions) is what a ~10-s download notices. */
  trackerlessChurn: ChurnLevel[];
  /** Overlay sizes of the adaptive study (reputation on and off). */
  adaptivePeers: number[];
  adaptiveSeeds: number;
  /** Broadcasts in an adaptive run, one every 200 ms from 1 s. */
  adaptiveBroadcasts: number;
}

/** Share of malicious peers in the adaptive study (half drop, half corrupt; all badmouth). */
export const ADAPTIVE_ADVERSARIES = 0.15;

export const CHUNK = 64 * 1024;
export const ITEM = 1024;
const ROUND_MS = 300;

export function compareConfig(quick: boolean): CompareConfig {
  if (quick)
    return {
      quick,
      scalePeers: [100, 300],
      maxPeers: { push: 300, 'push-pull': 300, plumtree: 300, kademlia: 300, bittorrent: 300, tracker: 300, trackerless: 300, adaptive: 300, 'adaptive-off': 300 },
      seeds: 1,
      seedsLarge: 1,
      churnPeers: 100,
      filePeers: 30,
      fileSizes: [64 * 1024, 256 * 1024],
      maxLookups: 100,
      fileFetchers: 10,
      churnSeeds: 1,
      showcasePeers: 300,
      trackerlessPeers: [60],
      trackerlessFile: 512 * 1024,
      trackerlessPiece: 64 * 1024,
      trackerlessSeeds: 1,
      // churn runs last until every leecher got the file once: minutes of virtual time, kept out of --quick
      trackerlessChurn: ['none'],
      adaptivePeers: [100],
      adaptiveSeeds: 1,
      adaptiveBroadcasts: 30,
      ...syncStudyConfig(true),
    };
  return {
    quick,
    scalePeers: [100, 1000, 10_000, 100_000],
    maxPeers: { push: 100_000, 'push-pull': 100_000, plumtree: 10_000, kademlia: 100_000, bittorrent: 100_000, tracker: 10_000, trackerless: 10_000, adaptive: 10_000, 'adaptive-off': 10_000 },
    seeds: 3,
    seedsLarge: 1,
    churnPeers: 500,
    filePeers: 200,
    fileSizes: [64 * 1024, 1024 * 1024, 8 * 1024 * 1024],
    maxLookups: 1000,
    fileFetchers: 25,
    churnSeeds: 2,
    showcasePeers: 1000,
    trackerlessPeers: [200, 1000, 10_000],
    trackerlessFile: 4 * 1024 * 1024,
    trackerlessPiece: 256 * 1024,
    trackerlessSeeds: 2,
    trackerlessChurn: ['none', 'heavy'],
    // 10^4 peers: one run of 32 s virtual time takes ~2.2 min and 1.3 GB alone
    adaptivePeers: [500, 2000, 10_000],
    adaptiveSeeds: 2,
    adaptiveBroadcasts: 145,
    ...syncStudyConfig(false),
  };
}

/** The network every case runs on: geographic latency, two bandwidth classes. */
export const NETWORK = {
  latency: { model: 'geo', baseMs: 10, msPerUnit: 150, jitter: 0.1 },
  bandwidth: [
    { fraction: 0.5, up: '20Mbit/s', down: '100Mbit/s' },
    { fraction: 0.5, up: '5Mbit/s', down: '25Mbit/s' },
  ],
};
export const SEED_UP = '20Mbit/s';

/** Churn levels: exponential sessions and downtimes (peers come back without the item). */
export const CHURN: Record<ChurnLevel, Record<string, unknown> | null> = {
  none: null,
  moderate: { on: { distribution: 'exponential', meanMs: '2m' }, off: { distribution: 'exponential', meanMs: '1m' } },
  heavy: { on: { distribution: 'exponential', meanMs: '15s' }, off: { distribution: 'exponential', meanMs: '15s' } },
};
export const CHURN_TEXT: Record<ChurnLevel, string> = {
  none: 'no churn',
  moderate: 'moderate churn (sessions ~ Exp(mean 2 min), downtime ~ Exp(mean 1 min))',
  heavy: 'heavy churn (sessions ~ Exp(mean 15 s), downtime ~ Exp(mean 15 s))',
};

function scenarioDoc(c: Omit<CompareCase, 'doc' | 'keep' | 'id' | 'fetchers'>, cfg: CompareConfig, snapshots: (string | number)[]): { doc: Record<string, unknown>; fetchers: number } {
  const chunks = Math.max(1, Math.ceil(c.fileBytes / CHUNK));
  const chunkBytes = Math.min(c.fileBytes, CHUNK);
  const doc: Record<string, unknown> = {
    name: `${PROTO_LABEL[c.proto]}, ${c.peers} peers, ${c.study}`,
    seed: c.seed,
    peers: c.peers,
    network: NETWORK,
    observe: { sampleEvery: '20ms', snapshots, snapshotPeers: 150 },
  };
  const churn = CHURN[c.churn];
  if (churn) doc.churn = churn;
  let fetchers = c.peers;
  switch (c.proto) {
    case 'push':
    case 'push-pull':
    case 'plumtree':
      doc.protocol = { type: 'gossip', variant: c.proto, mode: 'infect-forever', fanout: 1, roundMs: ROUND_MS, maxMessageBytes: CHUNK };
      // a file goes out as chunks, all broadcast at once by the same source
      doc.workload = { broadcasts: chunks, startMs: 0, intervalMs: 0, messageBytes: chunkBytes, source: 0 };
      doc.until = { complete: true, max: c.study === 'file' ? '30m' : '2m' };
      break;
    case 'kademlia': {
      // one STORE per chunk, then lookups of random chunks from random peers: in the file study as
      // many as a sample of `fileFetchers` peers fetching every chunk; otherwise a sample of the
      // peers fetching the item (all lookups issued together)
      fetchers = c.study === 'file' ? Math.min(c.peers, cfg.fileFetchers) : Math.min(c.peers, cfg.maxLookups);
      const lookups = c.study === 'file' ? fetchers * chunks : fetchers;
      // big values queue on the holders' uplinks: give RPCs time to finish (10 s) in the file study
      doc.protocol = { type: 'kademlia', k: 20, alpha: 3, b: 1, ...(c.study === 'file' ? { rpcTimeoutMs: 10_000 } : {}) };
      // lookups start once the STOREs are done (the driver only looks up values whose STORE landed)
      doc.workload = { stores: chunks, lookups, startMs: 0, ratePerSec: 1_000_000, settleMs: 5000, valueBytes: chunkBytes };
      doc.until = { complete: true, max: c.study === 'file' ? '30m' : '5m' };
      break;
    }
    case 'bittorrent':
      doc.protocol = {
        type: 'bittorrent',
        fileSize: c.fileBytes,
        pieceLength: Math.max(1024, chunkBytes),
        blockSize: Math.min(16 * 1024, Math.max(1024, chunkBytes)),
        seeds: 1,
        seedUpBps: SEED_UP,
        sampleMs: 100,
      };
      doc.workload = { arrivalMs: 0 };
      doc.until = { complete: true, max: c.study === 'file' ? '2h' : '30m' };
      fetchers = c.peers - 1;
      break;
    case 'tracker':
    case 'trackerless':
      // the same swarm (the hybrid driver), its peers from a tracker or from the DHT only
      doc.protocol = {
        type: 'hybrid',
        tracker: c.proto === 'tracker',
        dht: c.proto === 'trackerless',
        fileSize: c.fileBytes,
        pieceLength: cfg.trackerlessPiece,
        seeds: 1,
        seedUpBps: SEED_UP,
        sampleMs: 200,
      };
      doc.workload = { arrivalMs: 0 };
      doc.until = { complete: true, max: '10m' };
      fetchers = c.peers - 1;
      break;
    case 'adaptive':
    case 'adaptive-off':
      // the shipped adaptive-reputation scenario's overlay and attack, reputation on or off
      doc.protocol = {
        type: 'adaptive',
        degree: 8,
        fanout: 3,
        adversaries: { fraction: ADAPTIVE_ADVERSARIES, behaviour: ['drop', 'corrupt', 'badmouth'] },
        reputation: { enabled: c.proto === 'adaptive', periodMs: '1s', threshold: 0.3 },
        rewiring: { strategy: 'none' },
      };
      doc.workload = { broadcasts: cfg.adaptiveBroadcasts, startMs: '1s', intervalMs: '200ms', messageBytes: ITEM, settleMs: '2s' };
      doc.until = { complete: true, max: '2m' };
      fetchers = c.peers - Math.round(ADAPTIVE_ADVERSARIES * c.peers);
      break;
    case 'sync-overlay':
    case 'sync-ywebrtc':
    case 'sync-flood':
      Object.assign(doc, syncSections(c.proto, c.peers, cfg));
      break;
  }
  return { doc, fetchers };
}

const SNAPSHOTS: Record<Proto, (string | number)[]> = {
  push: ['1.2s', '2.4s', 'end'],
  'push-pull': ['0.9s', 'end'],
  plumtree: ['end'],
  kademlia: ['end'],
  bittorrent: ['800ms', 'end'],
  tracker: ['end'],
  trackerless: ['end'],
  adaptive: ['end'],
  'adaptive-off': ['end'],
  'sync-overlay': ['end'],
  'sync-ywebrtc': ['end'],
  'sync-flood': ['end'],
};

export function comparePlan(cfg: CompareConfig): CompareCase[] {
  const cases: CompareCase[] = [];
  const add = (study: Study, proto: Proto, peers: number, churn: ChurnLevel, fileBytes: number, seeds: number, showcase: boolean) => {
    for (let s = 1; s <= seeds; s++) {
      const base = { study, proto, peers, churn, fileBytes, seed: s };
      const show = showcase && s === 1;
      const { doc, fetchers } = scenarioDoc(base, cfg, show ? SNAPSHOTS[proto] : []);
      cases.push({
        ...base,
        id: `${study}/${proto}/n${peers}/${churn}/${fileBytes}/s${s}`,
        fetchers,
        doc,
        keep: show ? { series: 'all', samples: 'all', snapshots: true } : { samples: proto === 'kademlia' ? ['latencyMs', 'hops'] : [] },
      });
    }
  };
  const scaleProtos = ['push', 'push-pull', 'kademlia', 'bittorrent'] as const;
  for (const proto of scaleProtos)
    for (const n of cfg.scalePeers) {
      if (n > cfg.maxPeers[proto]) continue;
      const large = n >= 10_000;
      add('scale', proto, n, 'none', ITEM, large ? cfg.seedsLarge : cfg.seeds, n === cfg.showcasePeers);
    }
  for (const proto of ['push', 'kademlia', 'bittorrent'] as Proto[])
    for (const churn of ['none', 'moderate', 'heavy'] as ChurnLevel[]) add('churn', proto, cfg.churnPeers, churn, ITEM, cfg.churnSeeds, false);
  for (const proto of ['plumtree', 'kademlia', 'bittorrent'] as Proto[])
    for (const size of cfg.fileSizes) add('file', proto, cfg.filePeers, 'none', size, cfg.seeds, false);
  for (const proto of ['tracker', 'trackerless'] as Proto[])
    for (const n of cfg.trackerlessPeers) {
      // 10^4 leechers: one seed and no churn, to stay inside the study's time budget
      const large = n >= 10_000;
      for (const churn of large ? (['none'] as ChurnLevel[]) : cfg.trackerlessChurn) {
        for (let s = 1; s <= (large ? cfg.seedsLarge : cfg.trackerlessSeeds); s++) {
          const base = { study: 'trackerless' as Study, proto, peers: n, churn, fileBytes: cfg.trackerlessFile, seed: s };
          const { doc, fetchers } = scenarioDoc(base, cfg, []);
          // keep the per-peer samples of seed 1 for the CDFs
          cases.push({ ...base, id: `trackerless/${proto}/n${n}/${churn}/${cfg.trackerlessFile}/s${s}`, fetchers, doc, keep: { samples: s === 1 ? ['completionMs', 'timeToFirstPeerMs'] : [] } });
        }
      }
    }
  for (const proto of ['adaptive', 'adaptive-off'] as const)
    for (const n of cfg.adaptivePeers) {
      if (n > cfg.maxPeers[proto]) continue;
      const seeds = n >= 10_000 ? cfg.seedsLarge : cfg.adaptiveSeeds;
      for (let s = 1; s <= seeds; s++) {
        const base = { study: 'adaptive' as Study, proto, peers: n, churn: 'none' as ChurnLevel, fileBytes: ITEM, seed: s };
        const { doc, fetchers } = scenarioDoc(base, cfg, []);
        cases.push({ ...base, id: `adaptive/${proto}/n${n}/none/${ITEM}/s${s}`, fetchers, doc, keep: { samples: [] } });
      }
    }
  for (const proto of SYNC_PROTOS)
    for (const n of [...cfg.syncPeers, ...(proto === 'sync-overlay' ? cfg.syncOverlayPeers : [])]) {
      const seeds = n >= 1000 ? cfg.seedsLarge : cfg.syncSeeds;
      for (let s = 1; s <= seeds; s++) {
        const base = { study: 'sync' as Study, proto, peers: n, churn: 'none' as ChurnLevel, fileBytes: 0, seed: s };
        const { doc, fetchers } = scenarioDoc(base, cfg, []);
        cases.push({ ...base, id: `sync/${proto}/n${n}/none/0/s${s}`, fetchers, doc, keep: { samples: s === 1 ? ['convergenceMs'] : [] } });
      }
    }
  // big runs first, so the pool is not left waiting on one straggler at the end
  return cases.sort((a, b) => cost(b) - cost(a));
}

/** A rough relative cost, for scheduling only. */
function cost(c: CompareCase): number {
  const per =
    c.proto === 'bittorrent' ? 12 : c.proto === 'tracker' || c.proto === 'trackerless' ? 16 : c.proto === 'kademlia' ? 4 : c.study === 'adaptive' ? 150 : c.proto === 'sync-ywebrtc' ? 400 : c.study === 'sync' ? 150 : 1;
  return c.peers * per * Math.max(1, c.fileBytes / CHUNK);
}

// ---- measurements --------------------------------------------------------------------------------

export interface Metrics {
  /** Time until every (online) peer had the item / file, from the start of the task (ms); null if never. */
  timeMs: number | null;
  /** Share of the peers (or lookups) that got it. */
  reliability: number;
  /** Null where the protocol does not count messages (sync counts bytes by class). */
  messagesPerPeer: number | null;
  bytesPerPeer: number;
  /** Gossip rounds to reach all / Kademlia mean hops / BitTorrent Kumar-Ross bound (ms). */
  rounds: number | null;
  hops: number | null;
  boundMs: number | null;
  /** Swarms: median time from a leecher's arrival to its first connection (ms). */
  firstPeerMs: number | null;
  /** Swarms: bytes spent finding peers per peer (DHT traffic, or the tracker's HTTP announces). */
  discoveryBytesPerPeer: number | null;
  /** Adaptive: median time until a malicious peer had no honest link left (ms). */
  isolateMs: number | null;
  /** Adaptive: share of the malicious peers no honest peer links to at the end. */
  cutOff: number | null;
  /** Adaptive: links an honest peer cut to another honest peer for misbehaviour. */
  falsePositives: number | null;
  /** Adaptive: delivery ratio of the broadcasts in the first / second half of the run. */
  deliveryEarly: number | null;
  deliveryLate: number | null;
  /** Adaptive: probe and opinion bytes per peer. */
  reputationBytesPerPeer: number | null;
  /** Sync: median time for an edit to reach every replica (timeMs is the 99th percentile). */
  convergenceP50Ms: number | null;
  /** Sync: update and anti-entropy bytes per edit per peer; links a peer holds at the end; what a late
   * joiner takes in over the document's size; messages a peer published on signaling. */
  bytesPerEditPerPeer: number | null;
  linksPerPeer: number | null;
  joinBytesPerDocByte: number | null;
  signalingPerPeer: number | null;
}

const num = (v: SummaryValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const NO_SYNC = { convergenceP50Ms: null, bytesPerEditPerPeer: null, linksPerPeer: null, joinBytesPerDocByte: null, signalingPerPeer: null };

export function measure(c: CompareCase, r: JobResult): Metrics {
  const s = r.summary;
  if (c.study === 'sync') {
    const m = syncMetrics(s);
    return { ...m, messagesPerPeer: null, rounds: null, hops: num(s.lookupHopsMean), boundMs: null, firstPeerMs: null, discoveryBytesPerPeer: null, isolateMs: null, cutOff: null, falsePositives: null, deliveryEarly: null, deliveryLate: null, reputationBytesPerPeer: null };
  }
  const messages = num(s.messages) ?? 0;
  const bytes = num(s.bytes) ?? 0;
  let timeMs: number | null = null;
  let reliability = 0;
  let rounds: number | null = null;
  let hops: number | null = null;
  let boundMs: number | null = null;
  let firstPeerMs: number | null = null;
  let discoveryBytesPerPeer: number | null = null;
  const adaptive = c.study === 'adaptive';
  switch (c.proto) {
    case 'push':
    case 'push-pull':
    case 'plumtree': {
      reliability = num(s.reached) ?? 0;
      const broadcasts = num(s.broadcasts) ?? 1;
      // one item: the mean time to all; a file (many chunks at once): when the last chunk reached all
      if (broadcasts <= 1) timeMs = num(s.timeToAllMs);
      else timeMs = s.endReason === 'complete' ? num(s.virtualTimeMs) : null;
      rounds = num(s.roundsToAll);
      break;
    }
    case 'kademlia': {
      reliability = num(s.successRate) ?? 0;
      const lat = r.samples.latencyMs;
      // lookups start together, so the task ends with the slowest one
      timeMs = s.endReason === 'complete' && lat && lat.length > 0 ? Math.max(...lat) : num(s.p99LatencyMs);
      hops = num(s.meanHops);
      break;
    }
    case 'bittorrent':
      reliability = num(s.completed) ?? 0;
      timeMs = num(s.lastCompletionMs);
      boundMs = num(s.lowerBoundMs);
      break;
    case 'tracker':
    case 'trackerless':
      reliability = num(s.completed) ?? 0;
      timeMs = num(s.lastCompletionMs);
      boundMs = num(s.lowerBoundMs);
      firstPeerMs = num(s.timeToFirstPeerMs);
      discoveryBytesPerPeer = (num(s.dhtBytesPerPeer) ?? 0) + (num(s.trackerBytesPerPeer) ?? 0);
      hops = num(s.lookupHops);
      break;
    case 'adaptive':
    case 'adaptive-off':
      // share of (broadcast, honest peer) pairs delivered; the time is the slow tail of delivery
      reliability = num(s.deliveryRatio) ?? 0;
      timeMs = num(s.p99DeliveryMs);
      break;
  }
  const served = Math.max(1, reliability * c.fetchers);
  return {
    timeMs,
    reliability,
    messagesPerPeer: messages / served,
    bytesPerPeer: bytes / served,
    rounds,
    hops,
    boundMs,
    firstPeerMs,
    discoveryBytesPerPeer,
    isolateMs: adaptive ? num(s.timeToIsolateMs) : null,
    cutOff: adaptive ? num(s.maliciousCutOff) : null,
    falsePositives: adaptive ? num(s.falsePositives) : null,
    deliveryEarly: adaptive ? num(s.deliveryRatioEarly) : null,
    deliveryLate: adaptive ? num(s.deliveryRatioLate) : null,
    reputationBytesPerPeer: adaptive ? num(s.reputationBytesPerPeer) : null,
    ...NO_SYNC,
  };
}

/** The runs of one case (study, protocol, size, churn, file size) over the seeds: each metric aggregated. */
export interface CaseAggregate {
  study: Study;
  proto: Proto;
  peers: number;
  churn: ChurnLevel;
  fileBytes: number;
  runs: number;
  /** Runs where the task never completed (timeMs null). */
  incomplete: number;
  metrics: Partial<Record<keyof Metrics, Aggregate>>;
}

export interface CompareResult {
  config: CompareConfig;
  cases: CompareCase[];
  results: JobResult[];
  measured: Metrics[];
  groups: CaseAggregate[];
  wallMs: number;
  workers: number;
}

const METRIC_KEYS: (keyof Metrics)[] = [
  'timeMs',
  'reliability',
  'messagesPerPeer',
  'bytesPerPeer',
  'rounds',
  'hops',
  'boundMs',
  'firstPeerMs',
  'discoveryBytesPerPeer',
  'isolateMs',
  'cutOff',
  'falsePositives',
  'deliveryEarly',
  'deliveryLate',
  'reputationBytesPerPeer',
  'convergenceP50Ms',
  'bytesPerEditPerPeer',
  'linksPerPeer',
  'joinBytesPerDocByte',
  'signalingPerPeer',
];

export function groupResults(cases: CompareCase[], measured: Metrics[]): CaseAggregate[] {
  const byKey = new Map<string, { c: CompareCase; m: Metrics[] }>();
  cases.forEach((c, i) => {
    const key = `${c.study}/${c.proto}/${c.peers}/${c.churn}/${c.fileBytes}`;
    const g = byKey.get(key) ?? { c, m: [] };
    g.m.push(measured[i]!);
    byKey.set(key, g);
  });
  const groups: CaseAggregate[] = [];
  for (const { c, m } of byKey.values()) {
    const metrics: CaseAggregate['metrics'] = {};
    for (const k of METRIC_KEYS) {
      const a = aggregate(m.map((x) => x[k]).filter((v): v is number => v !== null));
      if (a) metrics[k] = a;
    }
    groups.push({ study: c.study, proto: c.proto, peers: c.peers, churn: c.churn, fileBytes: c.fileBytes, runs: m.length, incomplete: m.filter((x) => x.timeMs === null).length, metrics });
  }
  const order: Proto[] = ['push', 'push-pull', 'plumtree', 'kademlia', 'bittorrent', 'tracker', 'trackerless', 'adaptive', 'adaptive-off', ...SYNC_PROTOS];
  const churnOrder: ChurnLevel[] = ['none', 'moderate', 'heavy'];
  return groups.sort(
    (a, b) =>
      a.study.localeCompare(b.study) ||
      order.indexOf(a.proto) - order.indexOf(b.proto) ||
      a.peers - b.peers ||
      churnOrder.indexOf(a.churn) - churnOrder.indexOf(b.churn) ||
      a.fileBytes - b.fileBytes,
  );
}

export async function runCompare(
  cfg: CompareConfig,
  opts: { workers?: number; onProgress?: (done: number, total: number, c: CompareCase) => void } = {},
): Promise<CompareResult> {
  const started = performance.now();
  const cases = comparePlan(cfg);
  const jobs: RunJob[] = cases.map((c) => ({ input: c.doc, source: `compare:${c.id}`, keep: c.keep }));
  const workers = opts.workers ?? undefined;
  const results = await runJobs(jobs, {
    ...(workers !== undefined ? { workers } : {}),
    onResult: (i, _r, done, total) => opts.onProgress?.(done, total, cases[i]!),
  });
  const measured = cases.map((c, i) => measure(c, results[i]!));
  return { config: cfg, cases, results, measured, groups: groupResults(cases, measured), wallMs: performance.now() - started, workers: workers ?? 0 };
}

// ---- theory --------------------------------------------------------------------------------------

/** Push gossip, one target per round, infect-forever: rounds to inform all ~ log2 N + ln N (Pittel). */
export const pushRounds = (n: number): number => Math.log2(n) + Math.log(n);
/** Push-pull: ~ log3 N + O(log log N) (Karp et al.); drawn as log3 N + ln ln N. */
export const pushPullRounds = (n: number): number => Math.log(n) / Math.log(3) + Math.log(Math.log(n));
/** Kademlia's hop bound ceil(log_{2^b} N), b = 1. */
export const kademliaBound = (n: number): number => Math.ceil(Math.log2(n));
