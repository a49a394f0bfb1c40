/**
 * The adaptive overlay under attack (resources/bench/adaptive.yaml): the reputation scenario's set-up
 * run through the engine for a fixed virtual time, with a broadcast every 200 ms from the first second.
 *
 * Figures: { peers, virtualMs, strategy, reputation, maxKnown, maxOpinions, askRelay, wallMs (build + run), runMs, runCpuMs, events,
 * eventsPerSec, and the summary's deliveryRatioLate, maliciousCutOff, falsePositives, timeToIsolateMs,
 * meanLinkLatencyMsEnd, reputationBytesPerPeer }.
 */
import { createAdaptive } from '../../protocols/adaptive/driver.js';
import { adaptiveParams, adaptiveWorkload } from '../../protocols/adaptive/params.js';
import { Simulator, World } from '../../sim/index.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

const OPTIONS = {
  peers: 'int',
  seconds: 'number',
  fraction: 'number',
  strategy: 'string',
  reputation: 'string',
  seed: 'int',
  'max-known': 'int',
  'max-opinions': 'int',
  'ask-relay': 'int',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const peers = o.peers;
  const strategy = o.strategy;
  const reputation = o.reputation === 'on';
  const params = adaptiveParams.parse({
    adversaries: { fraction: o.fraction, behaviour: ['drop', 'corrupt', 'badmouth'] },
    reputation: { enabled: reputation, maxKnown: o.maxKnown, maxOpinions: o.maxOpinions, askRelay: o.askRelay },
    rewiring: { strategy },
  });
  const virtualMs = o.seconds * 1000;
  const t0 = performance.now();
  const sim = new Simulator({ seed: o.seed, queueCapacity: peers * 16 });
  const world = new World(sim, { peers, network: { latency: { model: 'geo' } } });
  const adaptive = createAdaptive(world, params, adaptiveWorkload.parse({ broadcasts: Math.max(0, Math.floor((virtualMs - 1000) / 200)) }));
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  sim.runUntil(virtualMs);
  const t2 = performance.now();
  const c2 = process.cpuUsage(c1);
  const s = adaptive.summary();
  return {
    peers,
    virtualMs,
    strategy,
    reputation,
    maxKnown: o.maxKnown,
    maxOpinions: o.maxOpinions,
    askRelay: o.askRelay,
    wallMs: Math.round(t2 - t0),
    runMs: Math.round(t2 - t1),
    runCpuMs: Math.round((c2.user + c2.system) / 1000),
    events: sim.eventsProcessed,
    eventsPerSec: Math.round(sim.eventsProcessed / ((t2 - t1) / 1000)),
    deliveryRatioLate: s.deliveryRatioLate,
    maliciousCutOff: s.maliciousCutOff,
    falsePositives: s.falsePositives,
    timeToIsolateMs: s.timeToIsolateMs,
    meanLinkLatencyMsEnd: s.meanLinkLatencyMsEnd,
    reputationBytesPerPeer: s.reputationBytesPerPeer,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
