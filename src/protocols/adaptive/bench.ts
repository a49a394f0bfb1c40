/**
 * `peerlab bench adaptive [--peers N] [--seconds S] [--fraction F] [--strategy latency|throughput|none]
 * [--reputation on|off] [--seed N]`: the reputation scenario's set-up (geo latency, degree 8, fanout 3,
 * F malicious peers that drop, corrupt and badmouth; default 500 peers, 15%, 40 s of virtual time, one
 * broadcast every 200 ms) run through the engine.
 *
 * Reports { peers, virtualMs, wallMs (build + run), runMs, runCpuMs, events, eventsPerSec, and the
 * summary's deliveryRatioLate, maliciousCutOff, falsePositives, timeToIsolateMs, meanLinkLatencyMsEnd,
 * reputationBytesPerPeer }; the runner adds peakRssMB.
 */
import { Simulator, World } from '../../sim/index.js';
import { createAdaptive } from './driver.js';
import { adaptiveParams, adaptiveWorkload } from './params.js';

type Opts = Record<string, string | boolean | undefined>;

function numOpt(opts: Opts, key: string, dflt: number, min: number, max: number): number {
  const v = opts[key];
  if (v === undefined || typeof v === 'boolean') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new RangeError(`--${key}: expected a number in [${min}, ${max}], got ${v}`);
  return n;
}

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const peers = Math.round(numOpt(opts, 'peers', 500, 2, 1_000_000));
  const seconds = numOpt(opts, 'seconds', 40, 1, 86_400);
  const seed = Math.round(numOpt(opts, 'seed', 1, 0, 2 ** 31));
  const strategy = typeof opts.strategy === 'string' ? opts.strategy : 'none';
  const reputation = opts.reputation !== 'off';
  const params = adaptiveParams.parse({
    adversaries: { fraction: numOpt(opts, 'fraction', 0.15, 0, 0.9), behaviour: ['drop', 'corrupt', 'badmouth'] },
    reputation,
    rewiring: { strategy },
  });
  const virtualMs = seconds * 1000;
  const t0 = performance.now();
  const sim = new Simulator({ seed, queueCapacity: peers * 16 });
  const world = new World(sim, { peers, network: { latency: { model: 'geo' } } });
  const run = createAdaptive(world, params, adaptiveWorkload.parse({ broadcasts: Math.max(0, Math.floor((virtualMs - 1000) / 200)) }));
  const cpu = (globalThis as { process?: { cpuUsage?: (prev?: { user: number; system: number }) => { user: number; system: number } } })
    .process?.cpuUsage;
  const c1 = cpu?.();
  const t1 = performance.now();
  sim.runUntil(virtualMs);
  const t2 = performance.now();
  const c2 = c1 && cpu ? cpu(c1) : null;
  const s = run.summary();
  return {
    peers,
    virtualMs,
    strategy,
    reputation,
    wallMs: Math.round(t2 - t0),
    runMs: Math.round(t2 - t1),
    runCpuMs: c2 ? Math.round((c2.user + c2.system) / 1000) : null,
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
