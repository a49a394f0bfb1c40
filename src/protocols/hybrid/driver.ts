/**
 * The lab driver for `protocol.type: hybrid`: a trackerless torrent. Every peer runs a Kademlia node
 * with BEP 5's get_peers / announce_peer (`TorrentDhtNode`, one per online peer through `PerPeer`)
 * and a BitTorrent peer (the `Swarm` of src/protocols/bittorrent, its tracker switched off) on the
 * same World: the swarm asks for peers when it joins and while it has too few connections, and the
 * DHT answers by looking the info-hash up and dialling what it finds.
 *
 * `tracker: true, dht: false` runs the same swarm with its tracker and no DHT, reporting the same
 * keys, so a comparison differs in the peer source only; both on is a client that uses the tracker
 * and the DHT (the tracker may die at `trackerDownAtMs`).
 */
import { z } from 'zod';
import { PerPeer, type World } from '../../sim/index.js';
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../driver.js';
import { DEFAULT_SWARM } from '../bittorrent/config.js';
import type { Swarm } from '../bittorrent/swarm.js';
import { createRun, type BittorrentRun } from '../bittorrent/driver.js';
import { bittorrentParams, bittorrentWorkload, type BittorrentWorkload } from '../bittorrent/params.js';
import { randomId, type Contact, type NodeId } from '../kademlia/index.js';
import type { HybridMessage } from './messages.js';
import { TorrentDhtNode, emptyTorrentDhtStats, type TorrentDhtStats, type TorrentLink } from './torrent-dht.js';
import { Rng, median, type PeerContext, type PeerId, type TimerId } from '../../core/index.js';
import { intIn as int, numIn as num } from '../../core/schema.js';

export const hybridParams = bittorrentParams
  .extend({
    /** Peers come from a tracker (BitTorrent's, with its `numWant` and `trackerDownAtMs`). */
    tracker: z.boolean().default(false),
    /** Peers come from the DHT (BEP 5). */
    dht: z.boolean().default(true),
    /** Kademlia bucket size and replication factor (BEP 5 uses 8). */
    k: int(2, 64).default(8),
    /** Parallel requests per lookup. */
    alpha: int(1, 16).default(3),
    /** Node id width in bits. */
    idBits: int(32, 512).default(160),
    /** Well-known bootstrap nodes a joining peer starts from (the last ids, like router.bittorrent.com). */
    bootstrap: int(1, 64).default(3),
    /** Re-announce (with a fresh lookup) of the info-hash this often, and of a published piece group at most this often. */
    reannounceMs: num(1000).default(900_000),
    /** How long a node keeps an announced peer (BEP 5: ~30 min). */
    peerTtlMs: num(1000).default(1_800_000),
    /** Token secret rotation (BEP 5: 5 min; the previous one stays valid). */
    tokenRotateMs: num(1000).default(300_000),
    /** A DHT request with no reply within this has failed. */
    rpcTimeoutMs: num(10).default(2000),
    /** Most peers in one get_peers reply (sent or accepted: a longer list is dropped). */
    maxPeersPerReply: int(1, 1000).default(50),
    /** While downloading with too few connections, look up again after this (doubling up to 30 s). */
    retryMs: num(10).default(1000),
    /** Kademlia bucket refresh period (0 = off). */
    refreshIntervalMs: num(0).default(900_000),
    /** Piece discovery through the DHT (publish under and look up piece-group keys). */
    pieceDiscovery: z.boolean().default(true),
    /** Pieces per piece-group key. */
    pieceGroupSize: int(1, 65535).default(8),
    /** A held piece is rare (worth publishing) when at most this many neighbours have it. */
    rareMaxNeighbours: int(0, 1000).default(0),
    /** Piece-discovery round period. */
    pieceCheckMs: num(100).default(10_000),
    /** Piece-group keys a peer publishes per round at most. */
    maxPieceAnnounces: int(0, 1000).default(1),
    /** Piece-group lookups a peer makes per round at most. */
    maxPieceLookups: int(0, 1000).default(1),
  })
  .superRefine((p, ctx) => {
    if (!p.tracker && !p.dht) ctx.addIssue({ code: 'custom', path: ['dht'], message: 'with tracker: false the DHT is the only peer source: dht must be true' });
  });
export type HybridParams = z.infer<typeof hybridParams>;
export const hybridWorkload = bittorrentWorkload;
export type HybridWorkload = BittorrentWorkload;

/** HTTP tracker announce (GET with info_hash, peer_id, port, counters, compact=1, headers) and reply framing, bytes. */
export const TRACKER_REQUEST_BYTES = 350;
export const TRACKER_REPLY_BYTES = 120;

/** A key of the DHT from a label: the simulation's stand-in for SHA-1 of the info dict. */
export function keyOf(label: number, idBits: number): NodeId {
  return randomId(new Rng(label), idBits);
}

export interface HybridRun extends DriverRun {
  readonly bt: BittorrentRun;
  readonly swarm: Swarm;
  readonly stats: TorrentDhtStats;
  readonly ids: readonly NodeId[];
  readonly infoHash: NodeId;
  readonly groupKeys: readonly NodeId[];
  /** The DHT side of an online peer (undefined with dht: false). */
  node(peer: PeerId): TorrentDhtNode | undefined;
  /** DHT traffic so far. */
  dhtTraffic(): { messages: number; bytes: number };
}

export interface HybridRunOptions {
  /** Whether a peer announces itself under the info-hash (default all): tests construct hidden holders with it. */
  announceSwarm?: (peer: PeerId) => boolean;
}

export function createHybridRun(world: World, params: HybridParams, workload: HybridWorkload, opts: HybridRunOptions = {}): HybridRun {
  const sim = world.sim;
  const n = world.size;
  const idRng = sim.rng.fork('hybrid:ids');
  const ids: NodeId[] = [];
  for (let p = 0; p < n; p++) ids.push(randomId(idRng, params.idBits));
  const infoToken = DEFAULT_SWARM.infoToken;
  const infoHash = keyOf(infoToken, params.idBits);
  const pieces = Math.ceil(params.fileSize / params.pieceLength);
  const G = params.pieceGroupSize;
  const groups = Math.ceil(pieces / G);
  const groupKeys: NodeId[] = [];
  if (params.pieceDiscovery) for (let g = 0; g < groups; g++) groupKeys.push(keyOf(infoToken * 65536 + g + 1, params.idBits));
  const stats = emptyTorrentDhtStats();
  const dhtTally = sim.keep({ messages: 0, bytes: 0 });

  const B = Math.min(params.bootstrap, n);
  const bootIds: PeerId[] = [];
  for (let i = 0; i < B; i++) bootIds.push(n - 1 - i);
  const pickRng = sim.rng.fork('hybrid:bootstrap');
  const bootstrapFor = (peer: PeerId): Contact[] => {
    const out: Contact[] = [];
    const has = (q: PeerId) => out.some((c) => c.peer === q);
    for (const b of bootIds) if (b !== peer && world.alive[b] === 1) out.push({ peer: b, id: ids[b]! });
    // bootstrap nodes offline (not arrived yet, or churned away): a client falls back on nodes it
    // remembers; here random online peers, up to the same count
    for (let tries = 0; tries < 64 && out.length < B; tries++) {
      const q = pickRng.int(n);
      if (q !== peer && world.alive[q] === 1 && !has(q)) out.push({ peer: q, id: ids[q]! });
    }
    return out;
  };

  // the run's mutable state lives in objects the session reaches (sim.keep), so keyframes copy it
  const links = sim.keep<SwarmSide>({ swarm: null, pieces, groupSize: G, groups, rareMaxNeighbours: params.rareMaxNeighbours });
  sim.keep(pickRng);
  sim.keep(stats);

  const observed = (): boolean => sim.feed.active;
  const countDht = (bytes: number): void => {
    dhtTally.messages++;
    dhtTally.bytes += bytes;
  };
  const announceSwarm = opts.announceSwarm;
  const dht = new PerPeer<HybridMessage, TorrentDhtNode>('hybrid-dht', (c: PeerContext<HybridMessage>) => {
    const counted = new CountedContext(c, countDht);
    return new TorrentDhtNode(counted, {
      kad: {
        id: ids[c.id]!,
        k: params.k,
        alpha: params.alpha,
        idBits: params.idBits,
        rpcTimeoutMs: params.rpcTimeoutMs,
        refreshIntervalMs: params.refreshIntervalMs,
        republishIntervalMs: 0,
        observed,
      },
      bootstrap: bootstrapFor(c.id),
      infoHash,
      groupKeys,
      peers: n,
      link: new SwarmLink(c.id, links),
      stats,
      reannounceMs: params.reannounceMs,
      peerTtlMs: params.peerTtlMs,
      tokenRotateMs: params.tokenRotateMs,
      maxValues: params.maxPeersPerReply,
      maxDials: params.numWant,
      retryMs: params.retryMs,
      maxRetryMs: DEFAULT_SWARM.announceMs,
      pieceCheckMs: params.pieceCheckMs,
      maxPieceAnnounces: params.maxPieceAnnounces,
      maxPieceLookups: params.maxPieceLookups,
      announceSwarm: announceSwarm ? announceSwarm(c.id) : true,
    });
  });
  // the DHT joins first, so it is there when the swarm's join asks it for peers
  if (params.dht) world.add(dht);

  const tally = sim.keep({
    firstPeerMs: [] as number[],
    hadPeer: new Uint8Array(n),
    /** Handshakes completed, counted at both ends. */
    connectedEnds: 0,
  });
  const { firstPeerMs, hadPeer } = tally;
  const bt = createRun(world, params, workload, {
    tracker: params.tracker,
    beforeAdd: (s) => {
      links.swarm = s;
      if (params.dht) s.onNeedPeers = (peer) => dht.get(peer)?.needPeers();
      s.onConnected = (peer) => {
        tally.connectedEnds++;
        if (hadPeer[peer] === 1 || s.isSeedAtStart(peer)) return;
        hadPeer[peer] = 1;
        const st = s.state(peer);
        if (st) firstPeerMs.push(sim.now - st.joinedAt);
      };
    },
  });
  const sw = bt.swarm;

  // series: mean connections of online peers, DHT traffic
  const { connected, dhtBytesSeries, dhtMsgSeries } = sim.keep({
    connected: { t: [], v: [] } as Series,
    dhtBytesSeries: { t: [], v: [] } as Series,
    dhtMsgSeries: { t: [], v: [] } as Series,
  });
  const sampleKind = sim.register(() => {
    let conns = 0, online = 0;
    for (let p = 0; p < n; p++) {
      if (world.alive[p] !== 1) continue;
      const st = sw.state(p);
      if (!st) continue;
      online++;
      conns += st.conns.size;
    }
    connected.t.push(sim.now);
    connected.v.push(online > 0 ? conns / online : 0);
    dhtBytesSeries.t.push(sim.now);
    dhtBytesSeries.v.push(dhtTally.bytes / n);
    dhtMsgSeries.t.push(sim.now);
    dhtMsgSeries.v.push(dhtTally.messages / n);
    if (!bt.isComplete()) sim.schedule(params.sampleMs, sampleKind);
  });
  sim.schedule(0, sampleKind);

  const trackerBytes = (): number => sw.trackerAnnounces * (TRACKER_REQUEST_BYTES + TRACKER_REPLY_BYTES + 6 * params.numWant);

  return {
    bt,
    swarm: sw,
    stats,
    ids,
    infoHash,
    groupKeys,
    node: (peer) => dht.get(peer),
    dhtTraffic: () => ({ messages: dhtTally.messages, bytes: dhtTally.bytes }),
    isComplete: () => bt.isComplete(),
    summary(): Record<string, SummaryValue> {
      const s = bt.summary();
      return {
        meanCompletionMs: s.meanCompletionMs ?? null,
        lastCompletionMs: s.lastCompletionMs ?? null,
        lowerBoundMs: s.lowerBoundMs ?? null,
        boundRatio: s.boundRatio ?? null,
        completed: s.completed ?? null,
        timeToFirstPeerMs: firstPeerMs.length > 0 ? median(firstPeerMs) : null,
        dhtMessagesPerPeer: dhtTally.messages / n,
        dhtBytesPerPeer: dhtTally.bytes / n,
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
        connectionsOpened: tally.connectedEnds / 2,
        dialsFromPieceLookups: stats.dialsFromPieceLookups,
        dialsRefused: sw.dialsRefused,
        trackerAnnounces: sw.trackerAnnounces,
        trackerBytesPerPeer: trackerBytes() / n,
        peersWithoutPeer: n - sw.cfg.seeds - firstPeerMs.length,
        pieces: s.pieces ?? null,
        leechers: s.leechers ?? null,
        wastedBytes: s.wastedBytes ?? null,
        violations: s.violations ?? null,
        uploadedBytes: s.uploadedBytes ?? null,
        shareRatioMean: s.shareRatioMean ?? null,
      };
    },
    series(): Record<string, Series> {
      return { ...bt.series(), connectedPeers: connected, dhtBytesPerPeer: dhtBytesSeries, dhtMessagesPerPeer: dhtMsgSeries };
    },
    samples(): Record<string, number[]> {
      return { ...bt.samples(), timeToFirstPeerMs: [...firstPeerMs] };
    },
    snapshot(maxPeers = 1000): OverlaySnapshot {
      const snap = bt.snapshot(maxPeers);
      const lim = Math.min(maxPeers, n);
      const links: [PeerId, PeerId][] = [];
      for (let p = 0; p < lim; p++) {
        const st = sw.state(p);
        if (!st || world.alive[p] !== 1) continue;
        for (const c of st.conns.values()) if (c.established && c.remote > p && c.remote < lim) links.push([p, c.remote]);
      }
      return { timeMs: snap.timeMs, peers: snap.peers.map((x) => ({ ...x, state: x.state === 'done' ? 'seed' : x.state })), links };
    },
  };
}

export const driver: ProtocolDriver<HybridParams, HybridWorkload> = {
  type: 'hybrid',
  params: hybridParams as unknown as z.ZodType<HybridParams>,
  workload: hybridWorkload,
  create: (ctx, params, workload) => createHybridRun(ctx.world, params, workload),
};

/** A peer's context that reports every message it sends (the DHT's traffic, counted apart from the swarm's). */
class CountedContext<M> implements PeerContext<M> {
  readonly id: PeerId;
  readonly rng: Rng;

  constructor(
    private readonly inner: PeerContext<M>,
    private readonly count: (bytes: number) => void,
  ) {
    this.id = inner.id;
    this.rng = inner.rng;
  }

  now(): number {
    return this.inner.now();
  }

  send(to: PeerId, msg: M, bytes: number): void {
    this.count(bytes);
    this.inner.send(to, msg, bytes);
  }

  setTimer(delayMs: number, tag: number, data?: unknown): TimerId {
    return this.inner.setTimer(delayMs, tag, data);
  }

  cancelTimer(id: TimerId): boolean {
    return this.inner.cancelTimer(id);
  }

  emit(kind: string, data?: Record<string, unknown>): void {
    this.inner.emit(kind, data);
  }
}

/** The swarm side of the run, as the DHT side of each peer sees it. */
interface SwarmSide {
  /** Set once the swarm is made (after the DHT, which joins first). */
  swarm: Swarm | null;
  pieces: number;
  groupSize: number;
  groups: number;
  rareMaxNeighbours: number;
}

/** What a peer's DHT side asks of its swarm side (a class, not closures: keyframes copy it). */
class SwarmLink implements TorrentLink {
  constructor(
    private readonly peer: PeerId,
    private readonly side: SwarmSide,
  ) {}

  private state() {
    return this.side.swarm?.state(this.peer);
  }

  connect(peers: readonly PeerId[]): number {
    const swarm = this.side.swarm;
    return swarm ? swarm.connectTo(this.peer, peers) : 0;
  }

  downloading(): boolean {
    const st = this.state();
    const swarm = this.side.swarm;
    return st !== undefined && swarm !== null && st.haveCount < swarm.pieces;
  }

  connections(): number {
    return this.state()?.conns.size ?? 0;
  }

  progress(): number {
    return this.state()?.haveCount ?? 0;
  }

  connectedTo(q: PeerId): boolean {
    return this.state()?.conns.has(q) ?? false;
  }

  rareHeldGroups(): number[] {
    const st = this.state();
    const out: number[] = [];
    if (!st || st.haveCount === 0) return out;
    const { swarm, pieces, groupSize: G, groups, rareMaxNeighbours } = this.side;
    if (swarm === null) return out;
    for (let g = 0; g < groups; g++) {
      for (let p = g * G; p < Math.min(pieces, (g + 1) * G); p++)
        if (swarm.hasPiece(this.peer, p) && swarm.availability(this.peer, p) <= rareMaxNeighbours) {
          out.push(g);
          break;
        }
    }
    return out;
  }

  missingUnseenGroups(): number[] {
    const st = this.state();
    const out: number[] = [];
    if (!st) return out;
    const { swarm, pieces, groupSize: G, groups } = this.side;
    if (swarm === null) return out;
    for (let g = 0; g < groups; g++) {
      for (let p = g * G; p < Math.min(pieces, (g + 1) * G); p++)
        if (!swarm.hasPiece(this.peer, p) && swarm.availability(this.peer, p) === 0) {
          out.push(g);
          break;
        }
    }
    return out;
  }
}
