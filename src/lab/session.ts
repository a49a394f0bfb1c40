/**
 * A session is one scenario made live: the simulator, the world (peers on the scenario's network),
 * churn and partitions installed, and the protocol's DriverRun. `advance(ms)` runs virtual time in
 * slices, sampling the run's own series every `observe.sampleEvery` and taking connectivity snapshots
 * at `observe.snapshots`; the dashboard calls it between frames, the CLI in a loop.
 */
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series } from '../protocols/driver.js';
import { Simulator, World, type PeerId } from '../sim/index.js';
import { installPartitions } from '../sim/partitions.js';
import { installScenarioChurn } from './churn.js';
import { drivers as registryDrivers } from './registry.js';
import type { Scenario } from './scenario.js';

export interface SessionOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Drivers to look `protocol.type` up in (default: the registry). */
  drivers?: Record<string, ProtocolDriver>;
}

export interface Session {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly sim: Simulator;
  readonly world: World;
  readonly run: DriverRun;
  /** Virtual time at which the run stops at the latest. */
  readonly untilMs: number;
  /** True once the run reached `untilMs`, or (`until: complete`) completed or has nothing left to do. */
  isDone(): boolean;
  /** Why it is done: 'time' | 'complete' | 'idle' (no pending events), or null while running. */
  readonly endReason: 'time' | 'complete' | 'idle' | null;
  /** Runs up to `ms` more virtual time (less if the run ends first). */
  advance(ms: number): void;
  /** The session's own series, sampled every `observe.sampleEvery`: online, messages, bytes, dropped. */
  series(): Record<string, Series>;
  /** Connectivity snapshots taken so far (at `observe.snapshots`, the `end` one when done). */
  readonly snapshots: OverlaySnapshot[];
  /** A peer's place in the network's unit square (geo latency model), or null. */
  position(peer: PeerId): [number, number] | null;
}

export function createSession(scenario: Scenario, opts: SessionOptions = {}): Session {
  const driver = (opts.drivers ?? registryDrivers)[scenario.protocol.type];
  if (!driver) throw new Error(`createSession: no driver for protocol type '${scenario.protocol.type}'`);
  const seed = opts.seed ?? scenario.seed;
  const sim = new Simulator({ seed });
  const world = new World(sim, { peers: scenario.peers, network: scenario.network });
  if (scenario.churn) installScenarioChurn(world, scenario.churn);
  installPartitions(world, scenario.partitions, 'network.partitions');
  const run = driver.create({ world, seed }, scenario.protocol.params, scenario.workload);

  const untilMs = scenario.until.ms;
  const sampleMs = scenario.observe.sampleMs;
  const snapTimes = scenario.observe.snapshots.filter((t): t is number => t !== null).sort((a, b) => a - b);
  const snapAtEnd = scenario.observe.snapshots.includes(null);
  const maxPeers = scenario.observe.snapshotPeers;
  const own: Record<string, Series> = {
    online: { t: [], v: [] },
    messages: { t: [], v: [] },
    bytes: { t: [], v: [] },
    dropped: { t: [], v: [] },
  };
  const snapshots: OverlaySnapshot[] = [];
  let nextSample = 0;
  let snapIdx = 0;
  let endReason: Session['endReason'] = null;

  const sample = (): void => {
    const t = sim.now;
    const s = world.stats;
    push(own.online as Series, t, world.online);
    push(own.messages as Series, t, s.sent);
    push(own.bytes as Series, t, s.bytesSent);
    push(own.dropped as Series, t, s.dropped);
  };
  const observeNow = (): void => {
    if (sim.now >= nextSample) {
      sample();
      nextSample = Math.floor(sim.now / sampleMs) * sampleMs + sampleMs;
    }
    while (snapIdx < snapTimes.length && (snapTimes[snapIdx] as number) <= sim.now) {
      snapshots.push(run.snapshot(maxPeers));
      snapIdx++;
    }
  };
  const finish = (reason: NonNullable<Session['endReason']>): void => {
    endReason = reason;
    const last = own.online as Series;
    if (last.t[last.t.length - 1] !== sim.now) sample();
    const lastSnap = snapshots[snapshots.length - 1];
    if (snapAtEnd && (!lastSnap || lastSnap.timeMs !== sim.now)) snapshots.push(run.snapshot(maxPeers));
  };
  const checkDone = (): boolean => {
    if (endReason !== null) return true;
    if (scenario.until.complete && run.isComplete()) finish('complete');
    else if (sim.now >= untilMs) finish('time');
    // Waiting for completion with nothing left to happen: it never will.
    else if (scenario.until.complete && sim.nextTime() === Infinity) finish('idle');
    return endReason !== null;
  };

  observeNow();
  checkDone();

  return {
    scenario,
    seed,
    sim,
    world,
    run,
    untilMs,
    snapshots,
    get endReason() {
      return endReason;
    },
    isDone: () => endReason !== null,
    advance(ms: number): void {
      if (!(ms >= 0)) throw new RangeError(`Session.advance: ms must be >= 0, got ${ms}`);
      const target = Math.min(sim.now + ms, untilMs);
      while (endReason === null && sim.now < target) {
        const nextSnap = snapIdx < snapTimes.length ? (snapTimes[snapIdx] as number) : Infinity;
        // Jump straight over idle stretches, but never past a sample, snapshot or the target.
        const stop = Math.min(target, nextSample, nextSnap);
        sim.runUntil(stop);
        if (sim.paused) break;
        observeNow();
        if (checkDone()) break;
      }
      if (endReason === null && sim.now >= untilMs) checkDone();
    },
    series: () => own,
    position: (peer) => world.net.position(peer),
  };
}

function push(s: Series, t: number, v: number): void {
  s.t.push(t);
  s.v.push(v);
}
