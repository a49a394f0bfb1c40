/**
 * `peerlab bench kademlia --peers N --lookups M [--stores S] [--b B] [--k K] [--alpha A] [--seed X]
 * [--disjoint D] [--kind value|node] [--rate R]`: builds N routing tables by the prefill shortcut
 * (prefill.ts), publishes S values (default 100), then runs M FIND_VALUE lookups from random peers
 * through the simulator, as real messages over the default geo-latency network.
 *
 * Faults: `--fail F` crashes a fraction F of the peers at once after the STOREs (no rejoin), and the
 * lookups follow right away, before any refresh. `--session MS` turns on churn: exponential online
 * sessions of mean MS and offline times of mean `--offline MS` (default = session); refresh and
 * republish run every `--refresh MS` (default 1 h); lookups are spread over `--duration MS` (default
 * 2 h) after a warm-up of one mean session; a rejoining peer joins afresh through a random online one.
 */
import { installChurn, Simulator, World, type ChurnConfig } from '../../sim/index.js';
import { createKademliaRun, kademliaParams, kademliaWorkload } from './driver.js';

type Opts = Record<string, string | boolean | undefined>;

function num(opts: Opts, key: string, def: number): number {
  const v = opts[key];
  if (v === undefined || typeof v === 'boolean') return def;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new RangeError(`--${key}: expected a number, got '${v}'`);
  return x;
}

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const peers = num(opts, 'peers', 100_000);
  const lookups = num(opts, 'lookups', 10_000);
  const seed = num(opts, 'seed', 1);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers });
  const kind = opts.kind === 'node' ? 'node' : 'value';
  const params = kademliaParams.parse({
    k: num(opts, 'k', 20),
    alpha: num(opts, 'alpha', 3),
    b: num(opts, 'b', 1),
    disjointPaths: num(opts, 'disjoint', 1),
  });
  const stores = kind === 'value' ? num(opts, 'stores', 100) : 0;
  const fail = num(opts, 'fail', 0);
  const session = num(opts, 'session', 0);
  const startMs = 1000;
  const storeRate = 100;
  const storesEnd = startMs + (stores * 1000) / storeRate;
  let ratePerSec = num(opts, 'rate', 1000);
  let settleMs = 5000;
  const churn: ChurnConfig = {};
  if (session > 0) {
    const refresh = num(opts, 'refresh', 3_600_000);
    const duration = num(opts, 'duration', 7_200_000);
    params.refreshIntervalMs = refresh;
    params.republishIntervalMs = refresh;
    churn.on = { distribution: 'exponential', meanMs: session };
    churn.off = { distribution: 'exponential', meanMs: num(opts, 'offline', session) };
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
