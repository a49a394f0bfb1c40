/**
 * The engine's raw event throughput on a realistic mix, plus the memory an idle peer costs in a World
 * (resources/bench/engine.yaml).
 *
 * The mix: `pending` (default 100,000) event chains run side by side. Each event schedules its
 * successor after a random delay (half network-like: uniform 5..105 ms; half timer-like: exponential
 * with mean 50 ms, so there are ties and near-future bunching as in a protocol run), and one event in
 * four also arms a timeout 1 s out; three quarters of the timeouts are cancelled before they fire
 * (the request/response pattern). So the queue holds ~10^5 live events plus cancelled ones, and every
 * event costs a pop, a push, a few random draws, and now and then a cancel.
 */
import { Rng } from '../../core/index.js';
import { Simulator, World } from '../../sim/index.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

function nowMs(): number {
  return performance.now();
}

/** CPU time of this process in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface EngineRun {
  events: number;
  wallMs: number;
  eventsPerSec: number;
  /** Events per second of CPU time (less sensitive to other processes on a shared machine). */
  cpuEventsPerSec: number | null;
  cancelled: number;
  /** Live events pending at the end. */
  pending: number;
  /** Live events pending, averaged over the run (sampled every 1,024 events). */
  pendingMean: number;
  /** Order-sensitive digest of (time, target) of every event: a run is reproducible iff it matches. */
  digest: number;
}

/** One timed run of the mix; exported so tests can check it is deterministic. */
export function runMix(events: number, pending: number, seed: number, chainsOnly = false): EngineRun {
  const sim = new Simulator({ seed, queueCapacity: pending * 2 });
  const rng = new Rng(seed);
  const TIMEOUTS = 4096; // ring of armed timeouts, oldest cancelled first
  const ring = new Float64Array(TIMEOUTS).fill(-1);
  let ringHead = 0;
  let cancelled = 0;
  let digest = 0;
  let step = 0;
  let pendingSum = 0;
  let pendingSamples = 0;
  const tick = sim.register((target, arg) => {
    digest = (Math.imul(digest ^ target, 0x01000193) + (sim.now * 1000) | 0) | 0;
    const u = rng.nextU32();
    const delay = (u & 1) === 0 ? 5 + (u >>> 1) / 21474836.48 : rng.exponential(50);
    sim.schedule(delay, tick, target, arg + 1);
    if (!chainsOnly && (u & 0x6) === 0) {
      // one event in four arms a timeout; three timeouts in four are cancelled later
      const old = ring[ringHead]!;
      if (old >= 0 && (u & 0x18) !== 0 && sim.cancel(old)) cancelled++;
      ring[ringHead] = sim.schedule(1000, timeout, target);
      ringHead = (ringHead + 1) & (TIMEOUTS - 1);
    }
    if ((++step & 1023) === 0) {
      pendingSum += sim.pending;
      pendingSamples++;
    }
    if (step >= events) sim.pause();
  });
  const timeout = sim.register((target) => {
    digest = (Math.imul(digest ^ ~target, 0x01000193) + (sim.now * 1000) | 0) | 0;
    if (++step >= events) sim.pause();
  });
  for (let i = 0; i < pending; i++) sim.schedule(rng.float() * 100, tick, i, 0);
  const c0 = cpuMs();
  const t0 = nowMs();
  sim.runAll();
  const wallMs = nowMs() - t0;
  const c1 = cpuMs();
  return {
    events: sim.eventsProcessed,
    wallMs,
    eventsPerSec: sim.eventsProcessed / (wallMs / 1000),
    cpuEventsPerSec: c1 > c0 ? sim.eventsProcessed / ((c1 - c0) / 1000) : null,
    cancelled,
    pending: sim.pending,
    pendingMean: pendingSamples > 0 ? pendingSum / pendingSamples : sim.pending,
    digest: digest >>> 0,
  };
}

/**
 * Bytes a peer costs in an idle World (+ its Network) with the default geo latency, no bandwidth
 * classes, no protocol: the sum of the per-peer typed arrays, which is exact (they are the only
 * per-peer storage), and the same measured from the process's array buffers.
 */
export function worldBytesPerPeer(peers: number): { counted: number; measured: number } {
  // per-peer state is all typed arrays, i.e. array buffers outside the JS heap: their growth is the
  // figure (heapUsed moves by GC timing, not by the world)
  const before = process.memoryUsage();
  const sim = new Simulator({ seed: 1 });
  const world = new World(sim, { peers });
  const after = process.memoryUsage();
  return { counted: world.memoryBytes() / peers, measured: (after.arrayBuffers - before.arrayBuffers) / peers };
}

const OPTIONS = {
  events: 'int',
  pending: 'int',
  seed: 'int',
  peers: 'int',
  'chains-only': 'flag',
} as const satisfies OptionTypes;

async function run(o: OptionsOf<typeof OPTIONS>): Promise<Figures> {
  const r = runMix(o.events, o.pending, o.seed, o.chainsOnly);
  const mem = worldBytesPerPeer(o.peers);
  return {
    eventsPerSec: Math.round(r.eventsPerSec),
    cpuEventsPerSec: r.cpuEventsPerSec === null ? null : Math.round(r.cpuEventsPerSec),
    events: r.events,
    wallMs: Math.round(r.wallMs),
    pending: o.pending,
    pendingMean: Math.round(r.pendingMean),
    chainsOnly: o.chainsOnly,
    cancelled: r.cancelled,
    digest: r.digest,
    bytesPerIdlePeer: mem.counted,
    bytesPerIdlePeerMeasured: Math.round(mem.measured * 10) / 10,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
