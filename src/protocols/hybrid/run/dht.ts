/**
 * The DHT side of the run: every peer's node id, the keys (the info-hash and, with piece discovery, one
 * per piece group), the bootstrap nodes, and one TorrentDhtNode per online peer, whose messages are
 * counted apart from the swarm's.
 */
import { ForwardingContext, Rng, type PeerContext, type PeerId } from '../../../core/index.js';
import { PerPeer, type World } from '../../../sim/index.js';
import { DEFAULT_SWARM } from '../../bittorrent/config.js';
import { randomId, type Contact, type NodeId } from '../../kademlia/index.js';
import type { HybridMessage } from '../messages.js';
import { TorrentDhtNode, emptyTorrentDhtStats, type TorrentDhtStats } from '../torrent-dht.js';
import type { HybridParams } from './params.js';
import { SwarmLink, type SwarmSide } from './swarm-link.js';

/** A key of the DHT from a label: the simulation's stand-in for SHA-1 of the info dict. */
export function keyOf(label: number, idBits: number): NodeId {
  return randomId(new Rng(label), idBits);
}

/** Messages and bytes the DHT sent, all peers together. */
export interface DhtTraffic {
  messages: number;
  bytes: number;
}

export interface DhtOptions {
  /** Whether a peer announces itself under the info-hash (default all): tests construct hidden holders with it. */
  announceSwarm?: (peer: PeerId) => boolean;
}

/** Its state is in fields and kept by the simulator (`sim.keep`), so keyframes copy it. */
export class Dht {
  readonly ids: NodeId[] = [];
  readonly infoHash: NodeId;
  readonly groupKeys: NodeId[] = [];
  readonly stats: TorrentDhtStats = emptyTorrentDhtStats();
  readonly traffic: DhtTraffic = { messages: 0, bytes: 0 };
  /** What every peer's SwarmLink reads; its `swarm` is set once the swarm is made. */
  readonly side: SwarmSide;
  readonly nodes: PerPeer<HybridMessage, TorrentDhtNode>;
  /** The well-known bootstrap nodes: the last peers, like router.bittorrent.com. */
  private readonly bootIds: PeerId[] = [];
  private readonly pickRng: Rng;

  constructor(
    private readonly world: World,
    params: HybridParams,
    opts: DhtOptions,
  ) {
    const sim = world.sim;
    const n = world.size;
    const idRng = sim.rng.fork('hybrid:ids');
    for (let p = 0; p < n; p++) this.ids.push(randomId(idRng, params.idBits));
    const infoToken = DEFAULT_SWARM.infoToken;
    this.infoHash = keyOf(infoToken, params.idBits);
    const pieces = Math.ceil(params.fileSize / params.pieceLength);
    const groups = Math.ceil(pieces / params.pieceGroupSize);
    if (params.pieceDiscovery) for (let g = 0; g < groups; g++) this.groupKeys.push(keyOf(infoToken * 65536 + g + 1, params.idBits));
    const B = Math.min(params.bootstrap, n);
    for (let i = 0; i < B; i++) this.bootIds.push(n - 1 - i);
    this.pickRng = sim.rng.fork('hybrid:bootstrap');
    this.side = { swarm: null, pieces, groupSize: params.pieceGroupSize, groups, rareMaxNeighbours: params.rareMaxNeighbours };
    sim.keep(this);

    const observed = (): boolean => sim.feed.active;
    const announceSwarm = opts.announceSwarm;
    this.nodes = new PerPeer<HybridMessage, TorrentDhtNode>('hybrid-dht', (c: PeerContext<HybridMessage>) =>
      new TorrentDhtNode(new CountingContext(c, this.traffic), {
        kad: {
          id: this.ids[c.id]!,
          k: params.k,
          alpha: params.alpha,
          idBits: params.idBits,
          rpcTimeoutMs: params.rpcTimeoutMs,
          refreshIntervalMs: params.refreshIntervalMs,
          republishIntervalMs: 0,
          observed,
        },
        bootstrap: this.bootstrapFor(c.id),
        infoHash: this.infoHash,
        groupKeys: this.groupKeys,
        peers: n,
        link: new SwarmLink(c.id, this.side),
        stats: this.stats,
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
      }),
    );
  }

  /** The DHT side of an online peer. */
  node(peer: PeerId): TorrentDhtNode | undefined {
    return this.nodes.get(peer);
  }

  /** Where a joining peer starts: the bootstrap nodes that are online, else random online peers. */
  private bootstrapFor(peer: PeerId): Contact[] {
    const { world, ids, pickRng } = this;
    const n = world.size;
    const B = this.bootIds.length;
    const out: Contact[] = [];
    const has = (q: PeerId) => out.some((c) => c.peer === q);
    for (const b of this.bootIds) if (b !== peer && world.alive[b] === 1) out.push({ peer: b, id: ids[b]! });
    // bootstrap nodes offline (not arrived yet, or churned away): a client falls back on nodes it
    // remembers; here random online peers, up to the same count
    for (let tries = 0; tries < 64 && out.length < B; tries++) {
      const q = pickRng.int(n);
      if (q !== peer && world.alive[q] === 1 && !has(q)) out.push({ peer: q, id: ids[q]! });
    }
    return out;
  }
}

/** A peer's context that counts every message it sends (the DHT's traffic, apart from the swarm's). */
class CountingContext<M> extends ForwardingContext<M> {
  constructor(
    inner: PeerContext<M>,
    private readonly traffic: DhtTraffic,
  ) {
    super(inner);
  }

  send(to: PeerId, msg: M, bytes: number): void {
    this.traffic.messages++;
    this.traffic.bytes += bytes;
    this.inner.send(to, msg, bytes);
  }
}
