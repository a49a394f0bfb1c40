/**
 * `peerlab bench engine`: raw event throughput of the Simulator on a realistic mix, plus the memory
 * an idle peer costs in a World.
 *
 * The mix: `pending` (default 100,000) event chains run side by side. Each event schedules its
 * successor after a random delay (half network-like: uniform 5..105 ms; half timer-like: exponential
 * with mean 50 ms, so there are ties and near-future bunching as in a protocol run), and one event in
 * four also arms a timeout 1 s out; three quarters of the timeouts are cancelled before they fire
 * (the request/response pattern). So the queue holds ~10^5 live events plus cancelled ones, and every
 * event costs a pop, a push, a few random draws, and now and then a cancel.
 *
 * Options (strings from the command line): --events N (default 10,000,000), --pending N, --seed N,
 * --runs N (median of N timed runs, default 3), --peers N (for the memory figure, default 1,000,000).
 */
import { Simulator } from './engine.js';
import { Rng } from '../core/rng.js';
import { median } from '../core/stats.js';
import { World } from './world.js';

type Opts = Record<string, string | boolean | undefined>;

function intOpt(opts: Opts, key: string, dflt: number): number {
  const v = opts[key];
  if (v === undefined || typeof v === 'boolean') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`--${key}: expected a positive number, got ${v}`);
  return Math.floor(n);
}

function nowMs(): number {
  return performance.now();
}

type Host = {
  process?: {
    memoryUsage?: () => { heapUsed: number; arrayBuffers: number };
    cpuUsage?: (prev?: { user: number; system: number }) => { user: number; system: number };
  };
};
const host = (globalThis as Host).process;

/** CPU time of this process in ms, where the host tells (Node); null elsewhere. */
function cpuMs(): number | null {
  const u = host?.cpuUsage?.();
  return u ? (u.user + u.system) / 1000 : null;
}

export interface EngineRun {
  events: number;
  wallMs: number;
  eventsPerSec: number;
  /** Events per second of CPU time (less sensitive to other processes on a shared machine), if known. */
  cpuEventsPerSec: number | null;
  cancelled: number;
  /** Live events pending at the end. */
  pending: number;
  /** Order-sensitive digest of (time, target) of every event: a run is reproducible iff it matches. */
  digest: number;
}

/** One timed run of the mix; exported so tests can check it is deterministic. */
export function runMix(events: number, pending: number, seed: number): EngineRun {
  const sim = new Simulator({ seed, queueCapacity: pending * 2 });
  const rng = new Rng(seed);
  const TIMEOUTS = 4096; // ring of armed timeouts, oldest cancelled first
  const ring = new Float64Array(TIMEOUTS).fill(-1);
  let ringHead = 0;
  let cancelled = 0;
  let digest = 0;
  let step = 0;
  const tick = sim.register((target, arg) => {
    digest = (Math.imul(digest ^ target, 0x01000193) + (sim.now * 1000) | 0) | 0;
    const u = rng.nextU32();
    const delay = (u & 1) === 0 ? 5 + (u >>> 1) / 21474836.48 : rng.exponential(50);
    sim.schedule(delay, tick, target, arg + 1);
    if ((u & 0x6) === 0) {
      // one event in four arms a timeout; three timeouts in four are cancelled later
      const old = ring[ringHead] as number;
      if (old >= 0 && (u & 0x18) !== 0 && sim.cancel(old)) cancelled++;
      ring[ringHead] = sim.schedule(1000, timeout, target);
      ringHead = (ringHead + 1) & (TIMEOUTS - 1);
    }
    if (++step >= events) sim.pause();
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
    cpuEventsPerSec: c0 !== null && c1 !== null && c1 > c0 ? sim.eventsProcessed / ((c1 - c0) / 1000) : null,
    cancelled,
    pending: sim.pending,
    digest: digest >>> 0,
  };
}

/**
 * Bytes a peer costs in an idle World (+ its Network) with the default geo latency, no bandwidth
 * classes, no protocol: the sum of the per-peer typed arrays, which is exact (they are the only
 * per-peer storage). Also measured from the heap when the host exposes process.memoryUsage.
 */
export function worldBytesPerPeer(peers: number): { counted: number; measured: number | null } {
  const mem = host?.memoryUsage;
  // per-peer state is all typed arrays, i.e. array buffers outside the JS heap: their growth is the
  // figure (heapUsed moves by GC timing, not by the world)
  const before = mem ? mem() : null;
  const sim = new Simulator({ seed: 1 });
  const world = new World(sim, { peers });
  const after = mem ? mem() : null;
  const counted = world.memoryBytes() / peers;
  const measured = before && after ? (after.arrayBuffers - before.arrayBuffers) / peers : null;
  return { counted, measured };
}

export async function bench(opts: Opts): Promise<Record<string, unknown>> {
  const events = intOpt(opts, 'events', 10_000_000);
  const pending = intOpt(opts, 'pending', 100_000);
  const seed = intOpt(opts, 'seed', 1);
  const runs = intOpt(opts, 'runs', 3);
  const peers = intOpt(opts, 'peers', 1_000_000);
  runMix(Math.min(events, 1_000_000), pending, seed); // warm-up: let the JIT settle
  const results: EngineRun[] = [];
  for (let i = 0; i < runs; i++) results.push(runMix(events, pending, seed));
  const rates = results.map((r) => r.eventsPerSec);
  const best = results[rates.indexOf(median(rates))] ?? (results[0] as EngineRun);
  const mem = worldBytesPerPeer(peers);
  return {
    eventsPerSec: Math.round(median(rates)),
    cpuEventsPerSec: results.every((r) => r.cpuEventsPerSec !== null)
      ? Math.round(median(results.map((r) => r.cpuEventsPerSec as number)))
      : null,
    events: best.events,
    wallMs: Math.round(best.wallMs),
    runs,
    runsEventsPerSec: rates.map(Math.round),
    pending,
    cancelled: best.cancelled,
    digest: best.digest,
    bytesPerIdlePeer: mem.counted,
    bytesPerIdlePeerMeasured: mem.measured === null ? null : Math.round(mem.measured * 10) / 10,
  };
}
