/**
 * `peerlab bench kademlia --peers N --lookups M [--stores S] [--b B] [--k K] [--alpha A] [--seed X]
 * [--disjoint D] [--kind value|node]`: builds N routing tables by the prefill shortcut (prefill.ts),
 * publishes S values (default 100), then runs M FIND_VALUE lookups from random peers through the
 * simulator, as real messages over the default geo-latency network.
 */
import { Simulator, World } from '../../sim/index.js';
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
  const workload = kademliaWorkload.parse({
    lookups,
    stores: kind === 'value' ? num(opts, 'stores', 100) : 0,
    kind,
    ratePerSec: num(opts, 'rate', 1000),
  });
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
  };
}
