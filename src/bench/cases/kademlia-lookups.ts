/**
 * Lookups over a Kademlia DHT through the simulator (resources/bench/kademlia.yaml): N routing tables
 * built by the prefill shortcut (src/protocols/kademlia/prefill.ts), S values published, then M lookups
 * from random peers as real messages over the default geo-latency network.
 *
 * Faults: `fail` crashes that fraction of the peers at once after the STOREs (no rejoin), and the lookups
 * follow right away, before any refresh. `session` > 0 turns on churn: exponential online sessions of
 * that mean and offline times of mean `offline` (0: same as session); refresh and republish run every
 * `refresh` ms; lookups are spread over `duration` ms after a warm-up of one mean session; a rejoining
 * peer joins afresh through a random online one.
 */
import { createKademliaRun, kademliaParams, kademliaWorkload } from '../../protocols/kademlia/driver.js';
import { installChurn, Simulator, World, type ChurnConfig } from '../../sim/index.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

const OPTIONS = {
  peers: 'int',
  lookups: 'int',
  stores: 'int',
  kind: 'string',
  seed: 'int',
  k: 'int',
  alpha: 'int',
  b: 'int',
  disjoint: 'int',
  rate: 'number',
  fail: 'number',
  session: 'number',
  offline: 'number',
  refresh: 'number',
  duration: 'number',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const peers = o.peers;
  const lookups = o.lookups;
  const seed = o.seed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers });
  const kind = o.kind === 'node' ? 'node' : 'value';
  const params = kademliaParams.parse({
    k: o.k,
    alpha: o.alpha,
    b: o.b,
    disjointPaths: o.disjoint,
  });
  const stores = kind === 'value' ? o.stores : 0;
  const fail = o.fail;
  const session = o.session;
  const startMs = 1000;
  const storeRate = 100;
  const storesEnd = startMs + (stores * 1000) / storeRate;
  let ratePerSec = o.rate;
  let settleMs = 5000;
  const churn: ChurnConfig = {};
  if (session > 0) {
    const refresh = o.refresh;
    const duration = o.duration;
    params.refreshIntervalMs = refresh;
    params.republishIntervalMs = refresh;
    churn.on = { distribution: 'exponential', meanMs: session };
    churn.off = { distribution: 'exponential', meanMs: o.offline || session };
    churn.startMs = storesEnd + 1000;
    settleMs = session;
    ratePerSec = Math.min(ratePerSec, (lookups * 1000) / duration);
  }
  if (fail > 0) {
    churn.massFailures = [{ atMs: storesEnd + 1000, fraction: fail, graceful: false, rejoin: false }];
    settleMs = Math.max(settleMs, 2000);
  }
  if (churn.on || churn.massFailures) installChurn(world, churn, 'bench');
  const workload = kademliaWorkload.parse({ lookups, stores, kind, startMs, storeRatePerSec: storeRate, ratePerSec, settleMs });
  const run = createKademliaRun({ world, seed }, params, workload);
  const buildMs = performance.now() - t0;
  while (!run.isComplete() && sim.pending > 0) sim.runUntil(sim.now + 60_000);
  const s = run.summary();
  const wallMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  return {
    peers,
    lookups: s.lookups,
    successRate: s.successRate,
    meanHops: s.meanHops,
    p50LatencyMs: s.p50LatencyMs === null ? null : Math.round(Number(s.p50LatencyMs) * 10) / 10,
    p99LatencyMs: s.p99LatencyMs === null ? null : Math.round(Number(s.p99LatencyMs) * 10) / 10,
    wallMs,
    // the machine may be shared: CPU time of this process is the steadier figure
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    meanRoundTrips: s.meanRoundTrips,
    hopBound: s.hopBound,
    messagesPerLookup: s.messagesPerLookup,
    b: params.b,
    k: params.k,
    alpha: params.alpha,
    kind,
    buildMs: Math.round(buildMs),
    events: sim.eventsProcessed,
    messages: world.stats.sent,
    routingTableFill: s.routingTableFill,
    staleEntries: s.staleEntries,
    onlinePeers: s.onlinePeers,
    lookupsAbandoned: s.lookupsAbandoned,
    meanReplicas: s.meanReplicas,
    ...(fail > 0 ? { failFraction: fail } : {}),
    ...(session > 0 ? { sessionMs: session, refreshMs: params.refreshIntervalMs, virtualMs: Math.round(sim.now) } : {}),
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
