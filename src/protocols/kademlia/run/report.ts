/**
 * What a Kademlia run reports: the summary (lookup success, hops against the bound, latency,
 * messages, replicas, and the routing tables' fill and staleness over every online peer), the
 * series (running success rate, lookup latency) and the per-lookup samples.
 */
import { quantileSorted } from '../../../core/index.js';
import type { Series, SummaryValue } from '../../driver.js';
import { idEquals } from '../id.js';
import type { KademliaParams } from './params.js';
import type { Population } from './population.js';
import type { Workload } from './workload.js';

/** The q-quantile of sorted values by the one definition (src/core/stats.ts); null when empty. */
const quantileOrNull = (sorted: readonly number[], q: number): number | null => (sorted.length > 0 ? quantileSorted(sorted, q) : null);

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]): number | null => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

/** Mean contacts per online peer, share of bucket capacity used, share of stale entries, buckets per peer. */
export function tableStats(pop: Population, params: KademliaParams): { fill: number; bucketFill: number; stale: number; buckets: number } {
  const { n, nodes, book } = pop;
  const alive = pop.world.alive;
  // an entry is stale when it names a peer that is offline or runs under another id; a ref below n
  // is peer ref with its own id (the directory's), and a peer keeps its id across sessions
  const isStale = (ref: number): boolean => {
    if (ref < n) return alive[ref] !== 1 || nodes[ref] === undefined;
    const c = book.contact(ref);
    return alive[c.peer] !== 1 || !nodes[c.peer] || !idEquals(nodes[c.peer]!.id, c.id);
  };
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
}

export function summary(pop: Population, params: KademliaParams, wl: Workload): Record<string, SummaryValue> {
  wl.sweepAbandoned();
  const lat = [...wl.latencies].sort((a, b) => a - b);
  const t = tableStats(pop, params);
  const online = pop.world.online;
  const bound = Math.ceil(Math.log(Math.max(2, online)) / Math.log(2 ** params.b));
  const replicas = wl.storedReplicas.slice(0, wl.storesDone);
  const done = wl.lookupsDone;
  return {
    lookups: done,
    successRate: done > 0 ? round(wl.successes / done, 4) : null,
    meanHops: mean(wl.hops),
    meanRoundTrips: mean(wl.roundTrips),
    hopBound: bound,
    p50LatencyMs: quantileOrNull(lat, 0.5),
    p99LatencyMs: quantileOrNull(lat, 0.99),
    messagesPerLookup: mean(wl.messages),
    lookupsAbandoned: wl.abandoned,
    lookupKind: wl.kind,
    closestRecall: wl.kind === 'node' && done > 0 ? round(wl.recallSum / done, 4) : null,
    stores: wl.storesDone,
    storesPublished: wl.published.length,
    meanReplicas: mean(replicas),
    routingTableFill: round(t.fill, 2),
    bucketFill: round(t.bucketFill, 4),
    bucketsPerPeer: round(t.buckets, 2),
    staleEntries: round(t.stale, 4),
    onlinePeers: online,
  };
}

export function series(wl: Workload): Record<string, Series> {
  return { lookupSuccess: wl.successSeries, lookupLatencyMs: wl.latencySeries };
}

export function samples(wl: Workload): Record<string, number[]> {
  return { hops: [...wl.hops], roundTrips: [...wl.roundTrips], latencyMs: [...wl.latencies], messages: [...wl.messages] };
}
