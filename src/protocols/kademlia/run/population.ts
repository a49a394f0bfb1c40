/**
 * The simulated population: every peer's id (views of one buffer) and contact (shared by all the
 * tables through one `PeerDirectory`), the routing tables' `TableArena`, the sorted-id oracle, one
 * KademliaNode per online peer (PerPeer), and the initial tables, built by the prefill shortcut
 * (prefill.ts) or by real joins. A rejoining peer (churn) starts fresh and joins through a random
 * online peer; its old node's table goes back to the arena.
 */
import { PerPeer, type World } from '../../../sim/index.js';
import type { PeerContext, PeerId, PeerProtocol, Rng } from '../../../core/index.js';
import { idBytes, randomIdInto, type NodeId } from '../id.js';
import { KademliaNode, type KademliaInit } from '../node.js';
import { SortedIds } from '../prefill.js';
import { PeerDirectory, TableArena, type Contact } from '../routing-table/index.js';
import { createCodec, type Codec } from '../rpc/codec.js';
import type { KadMessage } from '../rpc/messages.js';
import { encodingContext, WireProtocol } from '../wire.js';
import type { KademliaParams } from './params.js';

export class Population {
  readonly n: number;
  readonly ids: NodeId[] = [];
  readonly contacts: Contact[];
  readonly book: PeerDirectory;
  readonly arena = new TableArena();
  readonly oracle: SortedIds;
  readonly codec: Codec;
  /** Each peer's current node (kept after it goes offline, until a fresh one replaces it). */
  readonly nodes: (KademliaNode | undefined)[];
  /** While the world adds the protocol: the first nodes start with empty tables (filled by `build`). */
  private initializing = true;

  constructor(
    readonly world: World,
    readonly params: KademliaParams,
    valueBytes: number,
    /** Draws of the driver: who publishes, looks up, and is joined through. */
    private readonly rng: Rng,
  ) {
    const n = (this.n = world.size);
    // the state lives in this object, which keyframes reach through sim.keep (src/sim/snapshot.ts)
    world.sim.keep(this);
    const idRng = world.sim.rng.fork('kademlia-ids');
    // every id a view of one buffer, and every contact shared by all the tables (a PeerDirectory):
    // at 10^6 peers an id of its own per peer and per table entry would cost gigabytes
    const width = idBytes(params.idBits);
    const idBuf = new Uint8Array(n * width);
    for (let p = 0; p < n; p++) this.ids.push(randomIdInto(idRng, params.idBits, idBuf.subarray(p * width, (p + 1) * width)));
    this.contacts = this.ids.map((id, peer) => ({ peer, id }));
    this.book = new PeerDirectory(this.contacts);
    this.oracle = new SortedIds(this.ids, params.idBits);
    this.codec = createCodec({ idBits: params.idBits, maxContacts: Math.max(32, params.k), maxValueBytes: Math.max(65536, valueBytes) });
    this.nodes = new Array<KademliaNode | undefined>(n);
  }

  /** A random online peer other than `exclude` (one that finished joining, if asked), or -1. */
  pickOnline(exclude: PeerId, joinedOnly: boolean): PeerId {
    const { n, nodes } = this;
    const alive = this.world.alive;
    for (let tries = 0; tries < 64; tries++) {
      const p = this.rng.int(n);
      if (p !== exclude && alive[p] === 1 && (!joinedOnly || nodes[p]?.joined)) return p;
    }
    for (let p = 0; p < n; p++) if (p !== exclude && alive[p] === 1 && (!joinedOnly || nodes[p]?.joined)) return p;
    return -1;
  }

  /** Adds the protocol to the world: a node for every online peer now, and for every peer that joins later. */
  install(): void {
    const { world, codec } = this;
    if (this.params.wire) {
      world.add(
        new PerPeer<Uint8Array, WireProtocol<KademliaNode>>('kademlia', (c: PeerContext<Uint8Array>) => {
          const node = this.fresh(c.id, new KademliaNode(encodingContext(c, codec), this.init(c.id)));
          return new WireProtocol(node, codec);
        }),
      );
    } else {
      world.add(new PerPeer<KadMessage, PeerProtocol<KadMessage>>('kademlia', (c: PeerContext<KadMessage>) => this.fresh(c.id, new KademliaNode(c, this.init(c.id)))));
    }
    this.initializing = false;
  }

  private init(peer: PeerId): KademliaInit {
    const params = this.params;
    let bootstrap: Contact[] = [];
    if (!this.initializing) {
      const via = this.pickOnline(peer, true);
      if (via >= 0) bootstrap = [this.contacts[via]!];
    }
    return {
      id: this.ids[peer]!,
      k: params.k,
      alpha: params.alpha,
      b: params.b,
      idBits: params.idBits,
      disjointPaths: params.disjointPaths,
      rpcTimeoutMs: params.rpcTimeoutMs,
      refreshIntervalMs: params.refreshIntervalMs,
      republishIntervalMs: params.republishIntervalMs,
      expireMs: params.expireMs,
      cacheTtlMs: params.cacheTtlMs,
      replacementCacheSize: params.replacementCacheSize,
      staleLimit: params.staleLimit,
      pingAfterMs: params.pingAfterMs,
      bootstrap,
      size: this.codec.encodedLength,
      observed: this.observed,
      self: this.contacts[peer]!,
      book: this.book,
      arena: this.arena,
    };
  }

  private readonly observed = (): boolean => this.world.sim.feed.active;

  /** A fresh node for `peer` (at start, or rejoining after churn: the old one's table is given back). */
  private fresh(peer: PeerId, node: KademliaNode): KademliaNode {
    this.nodes[peer]?.dispose();
    this.nodes[peer] = node;
    return node;
  }

  /**
   * The initial tables: by prefill, or by real joins (peer i of a random order at i * joinSpacingMs,
   * each through one that joined before it). Returns when the workload may start (not before
   * `startMs`; with joins, 5 s after the last).
   */
  build(startMs: number): number {
    const { n, nodes, params, contacts } = this;
    const sim = this.world.sim;
    const alive = this.world.alive;
    const isOnline = (p: PeerId): boolean => alive[p] === 1;
    if (params.bootstrap === 'prefill') {
      const fillRng = sim.rng.fork('kademlia-prefill');
      for (let p = 0; p < n; p++) {
        const node = nodes[p];
        if (node && alive[p] === 1) this.oracle.prefill(node.table, p, contacts, fillRng, isOnline);
      }
      return startMs;
    }
    const order = this.rng.shuffle(Array.from({ length: n }, (_, i) => i)).filter(isOnline);
    const joinKind = sim.register((peer) => {
      const node = nodes[peer];
      if (!node || alive[peer] !== 1) return;
      const via = this.pickOnline(peer, true);
      if (via < 0) node.joined = true;
      else node.join([contacts[via]!]);
    });
    order.forEach((p, i) => {
      const node = nodes[p];
      if (node) node.joined = false;
      if (i === 0) {
        if (node) node.joined = true;
      } else sim.schedule(i * params.joinSpacingMs, joinKind, p);
    });
    return Math.max(startMs, order.length * params.joinSpacingMs + 5000);
  }
}
