/**
 * `peerlab bench gossip [--peers N] [--variant push|pull|push-pull|plumtree] [--transport network|ideal]
 * [--timing rounds|async|poisson] [--latency geo|constant] [--seed N]`: one broadcast spread by push gossip
 * (infect-forever, fanout 1, 100 ms rounds) through the engine until every peer has it. Every message is
 * a real Simulator event through the network model (default: geo latency 5..~146 ms with jitter).
 *
 * Reports { peers, wallMs (build + run), runMs (run only), runCpuMs, events, eventsPerSec, reached, roundsToAll,
 * messagesPerPeer, theoryRounds (log2 N + ln N) }; the runner adds peakRssMB.
 */
import { Simulator, World } from '../../sim/index.js';
import { createGossip } from './driver.js';
import { gossipParams, gossipWorkload } from './params.js';

type Opts = Record<string, string | boolean | undefined>;

function intOpt(opts: Opts, key: string, dflt: number): number {
  const v = opts[key];
  if (v === undefined || typeof v === 'boolean') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${key}: expected a positive integer, got ${v}`);
  return n;
}

function strOpt(opts: Opts, key: string, dflt: string): string {
  const v = opts[key];
  return typeof v === 'string' ? v : dflt;
}

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const peers = intOpt(opts, 'peers', 1_000_000);
  const seed = intOpt(opts, 'seed', 1);
  const latency = strOpt(opts, 'latency', 'geo');
  const params = gossipParams.parse({
    variant: strOpt(opts, 'variant', 'push'),
    mode: strOpt(opts, 'mode', 'infect-forever'),
    transport: strOpt(opts, 'transport', 'network'),
    timing: strOpt(opts, 'timing', 'rounds'),
    fanout: Number(strOpt(opts, 'fanout', '1')),
    roundMs: 200,
  });
  const t0 = performance.now();
  const sim = new Simulator({ seed, queueCapacity: peers * 2 });
  const world = new World(sim, {
    peers,
    network: { latency: latency === 'constant' ? { model: 'constant', ms: 50 } : { model: 'geo' } },
  });
  const run = createGossip(world, params, gossipWorkload.parse({ broadcasts: 1, messageBytes: 64, source: 0 }));
  const cpu = (globalThis as { process?: { cpuUsage?: (prev?: { user: number; system: number }) => { user: number; system: number } } })
    .process?.cpuUsage;
  const c1 = cpu?.();
  const t1 = performance.now();
  // run until the broadcast reached everyone (the round ticker then stops and the queue drains)
  while (!run.isComplete() && sim.pending > 0) sim.runUntil(sim.now + 1000);
  const t2 = performance.now();
  const c2 = c1 && cpu ? cpu(c1) : null;
  const s = run.summary();
  const runMs = t2 - t1;
  return {
    peers,
    variant: params.variant,
    transport: params.transport,
    timing: params.timing,
    wallMs: Math.round(t2 - t0),
    buildMs: Math.round(t1 - t0),
    runMs: Math.round(runMs),
    /** CPU time of the run (user + system): the figure to trust on a loaded machine. */
    runCpuMs: c2 ? Math.round((c2.user + c2.system) / 1000) : null,
    events: sim.eventsProcessed,
    eventsPerSec: Math.round(sim.eventsProcessed / (runMs / 1000)),
    reached: s.reached,
    roundsToAll: s.roundsToAll,
    timeToAllMs: s.timeToAllMs,
    messagesPerPeer: s.messagesPerPeer,
    theoryRounds: Math.round((Math.log2(peers) + Math.log(peers)) * 100) / 100,
  };
}
