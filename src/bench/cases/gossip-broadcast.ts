/**
 * One broadcast spread by gossip through the engine until every peer has it (resources/bench/gossip.yaml).
 * Every message is a real Simulator event through the network model.
 *
 * Figures: { peers, variant, transport, timing, wallMs (build + run), buildMs, runMs, runCpuMs, events,
 * eventsPerSec (run only), reached, roundsToAll, timeToAllMs, messagesPerPeer, theoryRounds (log2 N + ln N) }.
 */
import { gossipParams, gossipWorkload } from '../../protocols/gossip/params.js';
import { createGossip } from '../../protocols/gossip/driver.js';
import { Simulator, World } from '../../sim/index.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

const OPTIONS = {
  peers: 'int',
  seed: 'int',
  variant: 'string',
  mode: 'string',
  transport: 'string',
  timing: 'string',
  fanout: 'number',
  'round-ms': 'number',
  latency: 'string',
  'constant-ms': 'number',
  'message-bytes': 'int',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const peers = o.peers;
  const params = gossipParams.parse({
    variant: o.variant,
    mode: o.mode,
    transport: o.transport,
    timing: o.timing,
    fanout: o.fanout,
    roundMs: o.roundMs,
  });
  const t0 = performance.now();
  const sim = new Simulator({ seed: o.seed, queueCapacity: peers * 2 });
  const world = new World(sim, {
    peers,
    network: { latency: o.latency === 'constant' ? { model: 'constant', ms: o.constantMs } : { model: 'geo' } },
  });
  const gossip = createGossip(world, params, gossipWorkload.parse({ broadcasts: 1, messageBytes: o.messageBytes, source: 0 }));
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  // run until the broadcast reached everyone (the round ticker then stops and the queue drains)
  while (!gossip.isComplete() && sim.pending > 0) sim.runUntil(sim.now + 1000);
  const t2 = performance.now();
  const c2 = process.cpuUsage(c1);
  const s = gossip.summary();
  const runMs = t2 - t1;
  return {
    peers,
    variant: params.variant,
    transport: params.transport,
    timing: params.timing,
    wallMs: Math.round(t2 - t0),
    buildMs: Math.round(t1 - t0),
    runMs: Math.round(runMs),
    // CPU time of the run (user + system): the figure to trust on a loaded machine
    runCpuMs: Math.round((c2.user + c2.system) / 1000),
    events: sim.eventsProcessed,
    eventsPerSec: Math.round(sim.eventsProcessed / (runMs / 1000)),
    reached: s.reached,
    roundsToAll: s.roundsToAll,
    timeToAllMs: s.timeToAllMs,
    messagesPerPeer: s.messagesPerPeer,
    theoryRounds: Math.round((Math.log2(peers) + Math.log(peers)) * 100) / 100,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
