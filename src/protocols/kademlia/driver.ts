/**
 * The lab driver for `protocol.type: kademlia`: one KademliaNode per online peer (PerPeer), routing
 * tables built either by real joins or by the documented prefill shortcut (prefill.ts), then a
 * workload of STOREs and lookups issued at a fixed rate from random online peers, all as real
 * simulator messages. A rejoining peer (churn) starts fresh and joins through a random online peer.
 *
 * Success: a value lookup succeeds when it returns the value; a node lookup when the k peers it
 * returns are exactly the true k closest online peers (checked against the sorted-id oracle).
 */
import { z } from 'zod';
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series } from '../driver.js';
import { PerPeer, type World } from '../../sim/index.js';
import { intIn as int, numAbove, numIn } from '../../core/schema.js';
import type { PeerContext, PeerId, PeerProtocol, Rng } from '../../core/index.js';
import { idBytes, idEquals, randomId, randomIdInto, type NodeId } from './id.js';
import { KademliaNode, type KademliaInit, type LookupResult } from './node.js';
import { SortedIds } from './prefill.js';
import { PeerDirectory, TableArena, type Contact } from './routing-table/index.js';
import { createCodec } from './rpc/codec.js';
import type { KadMessage } from './rpc/messages.js';
import { encodingContext, WireProtocol } from './wire.js';

const ms = () => numIn(0);

export const kademliaParams = z.strictObject({
  /** Bucket size and replication factor. */
  k: int(1, 255).default(20),
  /** Parallel requests per lookup path. */
  alpha: int(1, 64).default(3),
  /** Bits per digit (accelerated lookups). */
  b: int(1, 8).default(1),
  /** Id width in bits. */
  idBits: int(8, 512).default(160),
  /** Disjoint lookup paths (S/Kademlia d); 1 = plain Kademlia. */
  disjointPaths: int(1, 16).default(1),
  rpcTimeoutMs: ms().default(2000),
  /** 0 = never refresh. */
  refreshIntervalMs: ms().default(3_600_000),
  /** 0 = never republish. */
  republishIntervalMs: ms().default(3_600_000),
  expireMs: ms().default(86_400_000),
  /** 0 = no caching along the lookup path. */
  cacheTtlMs: ms().default(600_000),
  replacementCacheSize: int(0, 1024).optional(),
  /** Ping a full bucket's oldest entry only if silent this long (BEP 5); 0 = always (paper). */
  pingAfterMs: ms().default(900_000),
  /** Failed requests in a row before a contact is dropped. */
  staleLimit: int(1, 100).default(1),
  /** How the initial tables are built: 'prefill' (shortcut, see prefill.ts) or 'join' (real joins). */
  bootstrap: z.enum(['prefill', 'join']).default('prefill'),
  /** With bootstrap 'join': peer i joins at i * joinSpacingMs through a random peer that joined before. */
  joinSpacingMs: ms().default(100),
  /** Encode and decode every message with the codec (slower; exercises the wire format end to end). */
  wire: z.boolean().default(false),
});
export type KademliaParams = z.output<typeof kademliaParams>;

export const kademliaWorkload = z.strictObject({
  /** Values published (each by a random online peer). */
  stores: int(0).default(100),
  /** Lookups issued (each by a random online peer). */
  lookups: int(0).default(1000),
  /** 'value': FIND_VALUE of a random published key (needs stores > 0); 'node': FIND_NODE of a random id. */
  kind: z.enum(['value', 'node']).optional(),
  /** When the first STORE goes out (with bootstrap 'join': at the latest 5 s after the last join). */
  startMs: ms().default(1000),
  /** Lookups (and, unless storeRatePerSec is set, STOREs) per second of virtual time. */
  ratePerSec: numAbove(0).default(100),
  /** STOREs per second; default ratePerSec. */
  storeRatePerSec: numAbove(0).optional(),
  /** Gap between the last STORE and the first lookup. */
  settleMs: ms().default(5000),
  valueBytes: int(0, 65536).default(32),
});
export type KademliaWorkload = z.output<typeof kademliaWorkload>;

interface Record_ {
  origin: PeerId;
  node: KademliaNode;
  issuedAt: number;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export interface KademliaRun extends DriverRun {
  /** The node of an online peer. */
  node(peer: PeerId): KademliaNode | undefined;
  readonly ids: readonly NodeId[];
  readonly oracle: SortedIds;
}

export function createKademliaRun(ctx: { world: World; seed: number }, params: KademliaParams, workload: KademliaWorkload): KademliaRun {
  const world = ctx.world;
  const sim = world.sim;
  const n = world.size;
  const rng: Rng = sim.rng.fork('kademlia-driver');
  const idRng = sim.rng.fork('kademlia-ids');
  // every id a view of one buffer, and every contact shared by all the tables (a PeerDirectory):
  // at 10^6 peers an id of its own per peer and per table entry would cost gigabytes
  const width = idBytes(params.idBits);
  const idBuf = new Uint8Array(n * width);
  const ids: NodeId[] = [];
  for (let p = 0; p < n; p++) ids.push(randomIdInto(idRng, params.idBits, idBuf.subarray(p * width, (p + 1) * width)));
  const contacts: Contact[] = ids.map((id, peer) => ({ peer, id }));
  const book = new PeerDirectory(contacts);
  const arena = new TableArena();
  const oracle = new SortedIds(ids, params.idBits);
  const codec = createCodec({ idBits: params.idBits, maxContacts: Math.max(32, params.k), maxValueBytes: Math.max(65536, workload.valueBytes) });
  const observed = (): boolean => sim.feed.active;
  const kind = workload.kind ?? (workload.stores > 0 ? 'value' : 'node');
  if (kind === 'value' && workload.stores === 0 && workload.lookups > 0)
    throw new RangeError("workload.kind: 'value' lookups need workload.stores > 0");

  const nodes: (KademliaNode | undefined)[] = new Array(n);
  let initializing = true;

  const pickOnline = (exclude: PeerId, joinedOnly: boolean): PeerId => {
    for (let tries = 0; tries < 64; tries++) {
      const p = rng.int(n);
      if (p !== exclude && world.alive[p] === 1 && (!joinedOnly || nodes[p]?.joined)) return p;
    }
    for (let p = 0; p < n; p++) if (p !== exclude && world.alive[p] === 1 && (!joinedOnly || nodes[p]?.joined)) return p;
    return -1;
  };

  const makeInit = (peer: PeerId, bootstrap: Contact[]): KademliaInit => ({
    id: ids[peer] as NodeId,
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
    size: codec.encodedLength,
    observed,
    self: contacts[peer] as Contact,
    book,
    arena,
  });
  /** A fresh node for `peer` (at start, or rejoining after churn: the old one's table is given back). */
  const fresh = (peer: PeerId, node: KademliaNode): KademliaNode => {
    nodes[peer]?.dispose();
    nodes[peer] = node;
    return node;
  };
  const bootstrapFor = (peer: PeerId): Contact[] => {
    if (initializing) return [];
    const via = pickOnline(peer, true);
    return via < 0 ? [] : [contacts[via] as Contact];
  };

  let protocolName: string;
  if (params.wire) {
    const pp = new PerPeer<Uint8Array, WireProtocol<KademliaNode>>('kademlia', (c: PeerContext<Uint8Array>) => {
      const node = fresh(c.id, new KademliaNode(encodingContext(c, codec), makeInit(c.id, bootstrapFor(c.id))));
      return new WireProtocol(node, codec);
    });
    world.add(pp);
    protocolName = pp.name;
  } else {
    const pp = new PerPeer<KadMessage, PeerProtocol<KadMessage>>('kademlia', (c: PeerContext<KadMessage>) => {
      return fresh(c.id, new KademliaNode(c, makeInit(c.id, bootstrapFor(c.id))));
    });
    world.add(pp);
    protocolName = pp.name;
  }
  void protocolName;
  initializing = false;

  // ---- initial tables --------------------------------------------------------------------------
  const alive = world.alive;
  const isOnline = (p: PeerId): boolean => alive[p] === 1;
  let begin = workload.startMs;
  if (params.bootstrap === 'prefill') {
    const fillRng = sim.rng.fork('kademlia-prefill');
    for (let p = 0; p < n; p++) {
      const node = nodes[p];
      if (node && alive[p] === 1) oracle.prefill(node.table, p, contacts, fillRng, isOnline);
    }
  } else {
    // peer order is random; each joins through one that joined before it
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i)).filter(isOnline);
    const joinKind = sim.register((peer) => {
      const node = nodes[peer];
      if (!node || alive[peer] !== 1) return;
      const via = pickOnline(peer, true);
      if (via < 0) node.joined = true;
      else node.join([contacts[via] as Contact]);
    });
    order.forEach((p, i) => {
      const node = nodes[p];
      if (node) node.joined = false;
      if (i === 0) {
        if (node) node.joined = true;
      } else sim.schedule(i * params.joinSpacingMs, joinKind, p);
    });
    begin = Math.max(begin, order.length * params.joinSpacingMs + 5000);
  }

  // ---- workload --------------------------------------------------------------------------------
  const gap = 1000 / workload.ratePerSec;
  const keys: NodeId[] = [];
  /** Keys whose STORE reached at least one peer (a publisher that crashes mid-STORE publishes nothing). */
  const published: NodeId[] = [];
  const storedReplicas: number[] = [];
  const workRng = sim.rng.fork('kademlia-workload');
  let storesDone = 0;
  const hops: number[] = [];
  const roundTrips: number[] = [];
  const latencies: number[] = [];
  const messages: number[] = [];
  let lookupsIssued = 0;
  let lookupsDone = 0;
  let successes = 0;
  let recallSum = 0;
  let abandoned = 0;
  const outstanding = new Map<number, Record_>();
  let nextLookupId = 0;
  const successSeries: Series = { t: [], v: [] };
  const latencySeries: Series = { t: [], v: [] };

  const storeKind = sim.register(() => {
    const origin = pickOnline(-1, true);
    if (origin < 0) return;
    const node = nodes[origin] as KademliaNode;
    const key = randomId(workRng, params.idBits);
    const value = new Uint8Array(workload.valueBytes);
    for (let i = 0; i < value.length; i++) value[i] = workRng.int(256);
    keys.push(key);
    const idx = storedReplicas.length;
    storedReplicas.push(0);
    node.put(key, value, (r) => {
      storedReplicas[idx] = r.stored;
      storesDone++;
      if (r.stored > 0) published.push(key);
    });
  });
  const storeGap = 1000 / (workload.storeRatePerSec ?? workload.ratePerSec);
  for (let i = 0; i < workload.stores; i++) sim.at(begin + i * storeGap, storeKind);
  const lookupStart = begin + workload.stores * storeGap + (workload.stores > 0 ? workload.settleMs : 0);

  const lookupKind = sim.register(() => {
    const origin = pickOnline(-1, true);
    lookupsIssued++;
    if (origin < 0) {
      abandoned++;
      return;
    }
    const node = nodes[origin] as KademliaNode;
    const id = nextLookupId++;
    outstanding.set(id, { origin, node, issuedAt: sim.now });
    const done = (r: LookupResult): void => {
      if (!outstanding.delete(id)) return;
      lookupsDone++;
      let ok: boolean;
      if (kind === 'value') ok = r.found;
      else {
        const truth = oracle.closestTo(r.target, params.k, (p) => p !== origin && alive[p] === 1);
        let hit = 0;
        const got = new Set(r.closest.map((c) => c.peer));
        for (const p of truth) if (got.has(p)) hit++;
        recallSum += truth.length > 0 ? hit / truth.length : 1;
        ok = hit === truth.length && r.closest.length === truth.length;
      }
      if (ok) successes++;
      hops.push(r.hops);
      roundTrips.push(r.roundTrips);
      latencies.push(r.durationMs);
      messages.push(r.messages);
      successSeries.t.push(sim.now);
      successSeries.v.push(successes / lookupsDone);
      latencySeries.t.push(sim.now);
      latencySeries.v.push(r.durationMs);
    };
    if (kind === 'value') {
      if (published.length === 0) {
        outstanding.delete(id);
        abandoned++;
        return;
      }
      node.findValue(workRng.pick(published), done);
    }
    else node.findNode(randomId(workRng, params.idBits), done);
  });
  for (let i = 0; i < workload.lookups; i++) sim.at(lookupStart + i * gap, lookupKind);

  /** Lookups whose origin went offline (or was replaced by a fresh node) will never report. */
  const sweepAbandoned = (): void => {
    for (const [id, r] of outstanding) {
      if (alive[r.origin] !== 1 || nodes[r.origin] !== r.node) {
        outstanding.delete(id);
        abandoned++;
      }
    }
  };

  /**
   * An entry is stale when it names a peer that is offline or runs under another id. A ref below n is
   * peer ref with its own id (the directory's), and a peer keeps its id across sessions.
   */
  const isStale = (ref: number): boolean => {
    if (ref < n) return alive[ref] !== 1 || nodes[ref] === undefined;
    const c = book.contact(ref);
    return alive[c.peer] !== 1 || !nodes[c.peer] || !idEquals((nodes[c.peer] as KademliaNode).id, c.id);
  };
  const tableStats = (): { fill: number; bucketFill: number; stale: number; buckets: number } => {
    let entries = 0;
    let staleN = 0;
    let peers = 0;
    let cap = 0;
    let buckets = 0;
    for (let p = 0; p < n; p++) {
      const node = nodes[p];
      if (!node || alive[p] !== 1) continue;
      peers++;
      buckets += node.table.numBuckets;
      cap += params.k * node.table.numBuckets;
      entries += node.table.size;
      staleN += node.table.countRefs(isStale);
    }
    return {
      fill: peers > 0 ? entries / peers : 0,
      bucketFill: cap > 0 ? entries / cap : 0,
      stale: entries > 0 ? staleN / entries : 0,
      buckets: peers > 0 ? buckets / peers : 0,
    };
  };

  const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

  return {
    ids,
    oracle,
    node: (peer) => (alive[peer] === 1 ? nodes[peer] : undefined),
    isComplete(): boolean {
      sweepAbandoned();
      return lookupsIssued === workload.lookups && outstanding.size === 0;
    },
    summary() {
      sweepAbandoned();
      const lat = [...latencies].sort((a, b) => a - b);
      const t = tableStats();
      const mean = (xs: number[]): number | null => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
      const online = world.online;
      const bound = Math.ceil(Math.log(Math.max(2, online)) / Math.log(2 ** params.b));
      const replicas = storedReplicas.slice(0, storesDone);
      return {
        lookups: lookupsDone,
        successRate: lookupsDone > 0 ? round(successes / lookupsDone, 4) : null,
        meanHops: mean(hops),
        meanRoundTrips: mean(roundTrips),
        hopBound: bound,
        p50LatencyMs: percentile(lat, 50),
        p99LatencyMs: percentile(lat, 99),
        messagesPerLookup: mean(messages),
        lookupsAbandoned: abandoned,
        lookupKind: kind,
        closestRecall: kind === 'node' && lookupsDone > 0 ? round(recallSum / lookupsDone, 4) : null,
        stores: storesDone,
        storesPublished: published.length,
        meanReplicas: mean(replicas),
        routingTableFill: round(t.fill, 2),
        bucketFill: round(t.bucketFill, 4),
        bucketsPerPeer: round(t.buckets, 2),
        staleEntries: round(t.stale, 4),
        onlinePeers: online,
      };
    },
    series: () => ({ lookupSuccess: successSeries, lookupLatencyMs: latencySeries }),
    samples: () => ({ hops: [...hops], roundTrips: [...roundTrips], latencyMs: [...latencies], messages: [...messages] }),
    snapshot(maxPeers = 500): OverlaySnapshot {
      const m = Math.min(n, maxPeers);
      const peers: OverlaySnapshot['peers'] = [];
      const links: [PeerId, PeerId][] = [];
      const seen = new Set<number>();
      for (let p = 0; p < m; p++) {
        const node = alive[p] === 1 ? nodes[p] : undefined;
        if (!node) {
          peers.push({ id: p, alive: false, state: 'offline' });
          continue;
        }
        const held = node.storedValues > 0;
        peers.push({ id: p, alive: true, state: held ? 'holder' : 'online', value: node.table.size / Math.max(1, params.k * node.table.numBuckets) });
        // a sample: at most 8 links per peer, to peers inside the snapshot
        let shown = 0;
        for (const c of node.table.all()) {
          if (shown >= 8) break;
          if (c.peer >= m || c.peer === p) continue;
          const a = Math.min(p, c.peer);
          const b = Math.max(p, c.peer);
          const key = a * m + b;
          if (seen.has(key)) continue;
          seen.add(key);
          links.push([a, b]);
          shown++;
        }
      }
      return { timeMs: sim.now, peers, links };
    },
  };
}

export const driver: ProtocolDriver<KademliaParams, KademliaWorkload> = {
  type: 'kademlia',
  params: kademliaParams,
  workload: kademliaWorkload,
  create: (ctx, params, workload) => createKademliaRun(ctx, params, workload),
};
