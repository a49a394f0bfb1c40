/**
 * A session is one scenario made live: the simulator, the world (peers on the scenario's network),
 * churn and partitions installed, and the protocol's DriverRun. `advance(ms)` runs virtual time in
 * slices, sampling the run's own series every `observe.sampleEvery` and taking connectivity snapshots
 * at `observe.snapshots`; the dashboard calls it between frames, the CLI in a loop.
 *
 * Where a run ends does not depend on how time was sliced: whether it is complete (or idle) is asked
 * only on the sample grid (every `sampleEvery` of virtual time) and at `until`, so `peerlab run` and the
 * dashboard, played at any speed, stop after the very same event with the same summary.
 *
 * All mutable state lives in the session object's fields (not in closures), so an engine snapshot of
 * the session (src/sim/snapshot.ts) holds all of it.
 */
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series } from '../protocols/driver.js';
import { Simulator, World } from '../sim/index.js';
import { isChecked, type PeerId } from '../core/index.js';
import { installPartitions } from '../sim/partitions.js';
import { installScenarioChurn } from './scenario-churn.js';
import { ScenarioError } from './errors.js';
import { drivers as registryDrivers } from './registry.js';
import { MAX_SAMPLES, MAX_UNTIL_MS, type Scenario } from './scenario.js';


export interface SessionOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Drivers to look `protocol.type` up in (default: the registry). */
  drivers?: Record<string, ProtocolDriver>;
}

export type EndReason = 'time' | 'complete' | 'idle';

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
  readonly endReason: EndReason | null;
  /** Runs up to `ms` more virtual time (less if the run ends first). */
  advance(ms: number): void;
  /** The session's own series, sampled every `observe.sampleEvery`: online, messages, bytes, dropped. */
  series(): Record<string, Series>;
  /** Connectivity snapshots taken so far (at `observe.snapshots`, the `end` one when done). */
  readonly snapshots: OverlaySnapshot[];
  /** A peer's place in the network's unit square (geo latency model), or null. */
  position(peer: PeerId): [number, number] | null;
}

/**
 * Refuses runs whose time or sample count would not fit in bounded time arithmetic and memory: the
 * scenario's own bounds, for a scenario built or changed in code (parseScenario's are checked there).
 */
export function checkBounds(scenario: Scenario): void {
  const until = scenario.until.ms;
  if (!(until <= MAX_UNTIL_MS))
    throw new ScenarioError([{ path: scenario.until.complete ? 'until.max' : 'until', problem: `${until} ms is beyond the longest run the lab simulates (${MAX_UNTIL_MS} ms, about 31 years)` }], scenario.source);
  const samples = until / scenario.observe.sampleMs;
  if (samples > MAX_SAMPLES)
    throw new ScenarioError(
      [
        {
          path: 'observe.sampleEvery',
          problem: `sampling every ${scenario.observe.sampleMs} ms until ${until} ms takes ${Math.ceil(samples)} samples; at most ${MAX_SAMPLES} (sample less often or end earlier)`,
        },
      ],
      scenario.source,
    );
}

export function createSession(scenario: Scenario, opts: SessionOptions = {}): Session {
  const driver = (opts.drivers ?? registryDrivers)[scenario.protocol.type];
  if (!driver) throw new Error(`createSession: no driver for protocol type '${scenario.protocol.type}'`);
  if (!isChecked(scenario, scenario.peers)) checkBounds(scenario);
  return new SimSession(scenario, driver, opts.seed ?? scenario.seed);
}

class SimSession implements Session {
  readonly sim: Simulator;
  readonly world: World;
  readonly run: DriverRun;
  readonly untilMs: number;
  readonly snapshots: OverlaySnapshot[] = [];
  private readonly sampleMs: number;
  private readonly snapTimes: number[];
  private readonly snapAtEnd: boolean;
  private readonly maxPeers: number;
  private readonly own: Record<'online' | 'messages' | 'bytes' | 'dropped', Series> = {
    online: { t: [], v: [] },
    messages: { t: [], v: [] },
    bytes: { t: [], v: [] },
    dropped: { t: [], v: [] },
  };
  /** Virtual time of the next sample (a multiple of sampleMs). */
  private nextSample = 0;
  private snapIdx = 0;
  private reason: EndReason | null = null;

  constructor(
    readonly scenario: Scenario,
    driver: ProtocolDriver,
    readonly seed: number,
  ) {
    this.sim = new Simulator({ seed });
    this.world = new World(this.sim, { peers: scenario.peers, network: scenario.network });
    // the sections come checked from parseScenario: installed as they are, not validated again
    if (scenario.churn) installScenarioChurn(this.world, scenario.churn);
    installPartitions(this.world, scenario.partitions, 'network.partitions');
    this.run = driver.create({ world: this.world, seed }, scenario.protocol.params, scenario.workload);
    this.untilMs = scenario.until.ms;
    this.sampleMs = scenario.observe.sampleMs;
    this.snapTimes = scenario.observe.snapshots.filter((t): t is number => t !== null).sort((a, b) => a - b);
    this.snapAtEnd = scenario.observe.snapshots.includes(null);
    this.maxPeers = scenario.observe.snapshotPeers;
    this.observe();
  }

  get endReason(): EndReason | null {
    return this.reason;
  }

  isDone(): boolean {
    return this.reason !== null;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Session.advance: ms must be >= 0, got ${ms}`);
    const sim = this.sim;
    const target = Math.min(sim.now + ms, this.untilMs);
    while (this.reason === null && sim.now < target) {
      const nextSnap = this.snapIdx < this.snapTimes.length ? this.snapTimes[this.snapIdx]! : Infinity;
      // Jump straight over idle stretches, but never past a sample, snapshot or the target.
      sim.runUntil(Math.min(target, this.nextSample, nextSnap));
      if (sim.paused) break;
      this.observe();
    }
  }

  series(): Record<string, Series> {
    return this.own;
  }

  position(peer: PeerId): [number, number] | null {
    return this.world.net.position(peer);
  }

  /** At a slice's end: a sample and the end check on the grid, snapshots due, the end at `until`. */
  private observe(): void {
    const sim = this.sim;
    const onGrid = sim.now >= this.nextSample;
    if (onGrid) {
      this.sample();
      this.nextSample = Math.floor(sim.now / this.sampleMs) * this.sampleMs + this.sampleMs;
    }
    while (this.snapIdx < this.snapTimes.length && this.snapTimes[this.snapIdx]! <= sim.now) {
      this.snapshots.push(this.run.snapshot(this.maxPeers));
      this.snapIdx++;
    }
    const complete = onGrid && this.scenario.until.complete;
    if (complete && this.run.isComplete()) this.finish('complete');
    else if (sim.now >= this.untilMs) this.finish('time');
    // waiting for completion with nothing left to happen: it never will
    else if (complete && sim.nextTime() === Infinity) this.finish('idle');
  }

  private sample(): void {
    const t = this.sim.now;
    const s = this.world.stats;
    const own = this.own;
    push(own.online, t, this.world.online);
    push(own.messages, t, s.sent);
    push(own.bytes, t, s.bytesSent);
    push(own.dropped, t, s.dropped);
  }

  private finish(reason: EndReason): void {
    this.reason = reason;
    const last = this.own.online;
    if (last.t[last.t.length - 1] !== this.sim.now) this.sample();
    const lastSnap = this.snapshots[this.snapshots.length - 1];
    if (this.snapAtEnd && (!lastSnap || lastSnap.timeMs !== this.sim.now)) this.snapshots.push(this.run.snapshot(this.maxPeers));
  }
}

function push(s: Series, t: number, v: number): void {
  s.t.push(t);
  s.v.push(v);
}
