/**
 * The lab behind LabHost's `lab.*` commands, as one synchronous object: the loaded run's timeline
 * (sim or replay), the wall-clock play loop (each tick advances virtual time by speed x the wall time
 * that passed, capped), recording, and what goes out to clients (state, counters, snapshot, series).
 * LabHost runs it in a worker thread (host.ts, worker.ts) so that nothing it does can stall or kill
 * the host; `peerlab run --record`, the bench and tests drive it directly.
 */
import type { Scenario } from '../../lab/scenario.js';
import { createSession } from '../../lab/session.js';
import type { ProtocolDriver, Series } from '../../protocols/driver.js';
import type { ObservationData } from '../../protocols/observation.js';
import {
  REPLAY_MAX_CHARS,
  type CountersData,
  type InspectData,
  type LabState,
  type SavedRecording,
  type ScenarioInfo,
  type SeriesData,
  type SnapshotData,
} from '../lab-group.js';
import { RecordingError, RecordingReader, Replay } from '../recording.js';
import { CommandError } from '../router.js';
import { SeriesCursor, wholeChunks } from '../series.js';
import type { KeyframePolicy } from './keyframe-store.js';
import { liveObservation } from '../live/live-frame.js';
import { LabRecording } from './lab-recording.js';
import { ReplayTimeline } from './replay-timeline.js';
import { ScenarioCatalog } from './scenario-catalog.js';
import { SimTimeline, UNINTERRUPTED, type Control, type FrameHook } from './sim-timeline.js';

/** Points per series in a whole-series event or answer, and in one publish's new points. */
const SERIES_POINTS = 2000;

export interface LabOptions {
  /** Folder of bundled scenarios (`*.yaml`, `*.yml`, `*.json`). */
  scenariosDir?: string;
  /** Where events go. */
  emit: (event: string, data: unknown) => void;
  /** Wall ms between ticks while playing. Default 33 (about 30 per second). */
  tickMs?: number;
  /** Wall ms between published snapshots and counters while playing. Default 250. */
  publishEveryMs?: number;
  /** Peers in a published snapshot at most. Default 1000. */
  maxPeers?: number;
  /** Largest virtual step of one tick, in wall ms times speed. Default 250 wall ms. */
  maxTickWallMs?: number;
  /** Wall clock (tests pass their own). Default performance.now. */
  now?: () => number;
  /** Start a real timer loop. Tests set false and call `tick()` themselves. Default true. */
  autoTick?: boolean;
  /** Drivers for `protocol.type` (default: the lab's registry). */
  drivers?: Record<string, ProtocolDriver>;
  /** Limits of one recording (default 20,000 frames, 64 MiB). */
  recordingLimits?: { maxFrames?: number; maxBytes?: number };
  /** Wall-clock date for a recording's `createdAt` (tests pass their own). Default `new Date()`. */
  date?: () => Date;
  /** Keyframes of sim runs (false: none, every seek back simulates from 0). */
  keyframes?: KeyframePolicy | false;
  /** True once a newer command waits (the worker's shared flag): long work stops between slices. */
  interrupted?: () => boolean;
}

export class Lab {
  private sim: SimTimeline | null = null;
  private replayTl: ReplayTimeline | null = null;
  private bundled: string | null = null;
  /** Bumped whenever the peers may be different ones (load, reset with another seed, replay). */
  private run = 0;
  private running = false;
  private speed = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWall = 0;
  private lastPublish = -Infinity;
  private readonly opts: Required<Omit<LabOptions, 'scenariosDir' | 'drivers' | 'recordingLimits' | 'date' | 'keyframes' | 'interrupted'>>;
  private readonly catalog: ScenarioCatalog;
  private readonly keyframePolicy: KeyframePolicy | false;
  private readonly ctl: Control;
  /** The loaded scenario's text (a recording carries it; lab.scenario.text gives it to the editor). */
  scenarioText = '';
  private readonly recording: LabRecording;
  /** A replay upload under way: each part is checked as it comes and kept only as its frames' text. */
  private upload: { name: string; parts: number; next: number; chars: number; reader: RecordingReader } | null = null;
  private readonly seriesCursor = new SeriesCursor();
  /** The next series event sends every series whole (history changed: new run, seek back, replay). */
  private seriesReset = true;

  constructor(opts: LabOptions) {
    this.opts = {
      emit: opts.emit,
      tickMs: opts.tickMs ?? 33,
      publishEveryMs: opts.publishEveryMs ?? 250,
      maxPeers: opts.maxPeers ?? 1000,
      maxTickWallMs: opts.maxTickWallMs ?? 250,
      now: opts.now ?? (() => performance.now()),
      autoTick: opts.autoTick ?? true,
    };
    this.catalog = new ScenarioCatalog(opts.scenariosDir ?? null, opts.drivers);
    this.recording = new LabRecording(opts.recordingLimits ?? {}, opts.date ?? (() => new Date()));
    this.keyframePolicy = opts.keyframes ?? {};
    const interrupted = opts.interrupted;
    this.ctl = interrupted ? { interrupted } : UNINTERRUPTED;
  }

  /** The sim timeline (tests and the bench look at its keyframes). */
  get simTimeline(): SimTimeline | null {
    return this.sim;
  }

  private timeline(scenario: Scenario, seed: number): SimTimeline {
    const driver = this.catalog.driver(scenario.protocol.type);
    if (!driver) throw new CommandError(`no driver for protocol type '${scenario.protocol.type}'`);
    const drivers = this.catalog.drivers;
    const make = () => createSession(scenario, drivers ? { seed, drivers } : { seed });
    return new SimTimeline(scenario, seed, driver, make, this.keyframePolicy);
  }

  // ---- scenarios ---------------------------------------------------------------------------

  scenarios(): ScenarioInfo[] {
    return this.catalog.list();
  }

  /** Parses a scenario text without loading it: every problem with its path. */
  validate(text: string): { ok: boolean; issues: { path: string; message: string }[] } {
    return this.catalog.validate(text);
  }

  /** Loads a bundled scenario by name, or YAML/JSON text. Leaves the current one intact on error. */
  load(args: { name?: string; text?: string; seed?: number }, opts: { source?: string } = {}): LabState {
    let scenario: Scenario;
    let text: string;
    if (args.name !== undefined) ({ text, scenario } = this.catalog.bundled(args.name));
    else {
      text = args.text ?? '';
      scenario = this.catalog.parseTyped(text, opts.source ?? '<dashboard>');
    }
    const seed = args.seed ?? scenario.seed;
    const tl = this.timeline(scenario, seed);
    this.pauseLoop();
    this.recording.stop('closed', this.sim);
    this.replayTl = null;
    this.scenarioText = text;
    this.seriesReset = true;
    this.run++;
    this.bundled = args.name ?? null;
    this.sim = tl;
    this.publish();
    return this.state();
  }

  // ---- playback ------------------------------------------------------------------------------

  play(): LabState {
    const tl = this.replayTl ?? this.requireSim();
    if (!tl.done && !this.running) this.startLoop();
    this.emitState();
    return this.state();
  }

  pause(): LabState {
    this.pauseLoop();
    this.publish();
    return this.state();
  }

  step(ms: number): LabState {
    this.pauseLoop();
    if (this.replayTl) this.replayTl.advance(ms);
    else this.requireSim().advance(ms, this.ctl, this.frameHook());
    this.publish();
    return this.state();
  }

  /**
   * Shows virtual time `timeMs`. Live: ahead of now the run goes on to it; behind, the nearest keyframe
   * is restored and the run replayed from it (or from 0), which gives the very state a straight run has.
   * Replay: the clock jumps and the frame at or before it is shown.
   */
  seek(timeMs: number): LabState {
    const r = this.replayTl;
    if (r) {
      if (r.seek(timeMs)) this.seriesReset = true;
      if (r.done) this.pauseLoop();
    } else {
      const tl = this.requireSim();
      const target = Math.min(timeMs, tl.endMs);
      // a finished recording stays as it is; an active one drops the frames after t (recorded again, identical)
      if (target < tl.timeMs) this.recording.truncateAfter(target);
      if (tl.seek(target, this.ctl, this.frameHook())) this.seriesReset = true;
      if (tl.done) this.pauseLoop();
      this.recording.finishIfDone(this.sim);
    }
    this.lastWall = this.opts.now();
    this.publish();
    return this.state();
  }

  setSpeed(speed: number): LabState {
    this.speed = speed;
    this.emitState();
    return this.state();
  }

  reset(seed?: number): LabState {
    if (this.replayTl) {
      this.pauseLoop();
      this.replayTl.reset();
      this.seriesReset = true;
      this.publish();
      return this.state();
    }
    const old = this.requireSim();
    this.pauseLoop();
    if (seed !== undefined && seed !== old.seed) {
      this.recording.stop('closed', this.sim);
      this.run++;
      this.sim = this.timeline(old.scenario, seed);
    } else {
      this.recording.truncateAfter(0);
      // the same run from 0: its keyframes and where it was stay (seeking forward again is cheap)
      old.seek(0, this.ctl);
    }
    this.seriesReset = true;
    this.publish();
    return this.state();
  }

  /**
   * One step of the wall-clock loop: advances virtual time by speed x elapsed wall time (at most
   * `maxTickWallMs` worth, and at most about that long in compute), and publishes if it is time to.
   */
  tick(): void {
    if (!this.running) return;
    const now = this.opts.now();
    const wall = Math.min(Math.max(0, now - this.lastWall), this.opts.maxTickWallMs);
    this.lastWall = now;
    const r = this.replayTl;
    if (r) {
      if (wall > 0) r.advance(wall * this.speed);
    } else {
      const tl = this.sim;
      if (!tl) return;
      if (wall > 0) {
        // a heavy run at a high speed falls behind the wall clock rather than stalling the loop
        const deadline = performance.now() + this.opts.maxTickWallMs;
        const outer = this.ctl;
        tl.advance(wall * this.speed, { interrupted: () => outer.interrupted() || performance.now() > deadline }, this.frameHook());
        this.recording.finishIfDone(this.sim);
      }
    }
    const done = r ? r.done : (this.sim?.done ?? false);
    if (done) {
      this.pauseLoop();
      this.publish();
      return;
    }
    if (now - this.lastPublish >= this.opts.publishEveryMs) this.publish();
  }

  // ---- views -----------------------------------------------------------------------------------

  state(): LabState {
    const recording = this.recording.view();
    const r = this.replayTl;
    if (r) {
      const h = r.replay.rec.header;
      const end = r.replay.rec.end;
      return {
        scenario: h.scenario.name,
        bundled: null,
        source: r.name,
        protocol: h.scenario.protocol,
        peers: h.scenario.peers,
        seed: h.seed,
        running: this.running,
        speed: this.speed,
        timeMs: r.clockMs,
        untilMs: r.endMs,
        untilComplete: false,
        done: r.done,
        endReason: r.done ? (end.endReason ?? 'time') : null,
        mode: 'replay',
        recording,
        replay: { name: r.name, frames: r.replay.frameCount, fromMs: r.replay.firstMs, toMs: r.replay.lastMs, seed: h.seed },
      };
    }
    const tl = this.sim;
    const sc = tl?.scenario ?? null;
    return {
      scenario: sc ? sc.name : null,
      bundled: this.bundled,
      source: sc ? sc.source : null,
      protocol: sc ? sc.protocol.type : null,
      peers: sc ? sc.peers : 0,
      seed: tl ? tl.seed : 0,
      running: this.running,
      speed: this.speed,
      timeMs: tl ? tl.timeMs : 0,
      untilMs: tl ? tl.endMs : 0,
      untilComplete: sc ? sc.until.complete : false,
      done: tl ? tl.done : false,
      endReason: tl ? tl.session.endReason : null,
      mode: 'live',
      recording,
      replay: null,
    };
  }

  snapshot(maxPeers = this.opts.maxPeers): SnapshotData {
    if (this.replayTl) return this.replayTl.snapshot(maxPeers, this.run);
    if (!this.sim) return { run: this.run, timeMs: 0, totalPeers: 0, peers: [], links: [] };
    return this.sim.snapshot(maxPeers, this.run);
  }

  counters(): CountersData {
    if (this.replayTl) return this.replayTl.counters();
    if (!this.sim) return { timeMs: 0, events: 0, online: 0, sent: 0, delivered: 0, dropped: 0, bytesSent: 0, summary: {} };
    return this.sim.counters();
  }

  /** The run's series now (driver's own and the session's under `net.`), each thinned to `maxPoints`. */
  series(maxPoints = SERIES_POINTS): SeriesData {
    const { series, counts, timeMs } = this.seriesNow();
    return { run: this.run, timeMs, reset: true, series: wholeChunks(series, counts, maxPoints) };
  }

  /** What the run's protocol measures and how it is drawn; for a replay, the recorded protocol's if this build has it. */
  observation(): ObservationData | null {
    if (this.replayTl) {
      const h = this.replayTl.replay.rec.header;
      if (h.live) return liveObservation;
      try {
        return this.timeline(this.catalog.parse(h.scenario.text, h.scenario.source), h.seed).observation();
      } catch {
        return null;
      }
    }
    return this.sim ? this.sim.observation() : null;
  }

  inspect(peer: number): InspectData {
    if (this.replayTl) {
      const snap = this.replayTl.snapshot(Number.MAX_SAFE_INTEGER, this.run);
      const p = snap.peers.find((x) => x.id === peer);
      if (!p) throw new CommandError(`lab.inspect: peer ${peer} is not in the recording's frame at ${this.replayTl.clockMs} ms`);
      const neighbours = snap.links.flatMap(([a, b]) => (a === peer ? [b] : b === peer ? [a] : []));
      return {
        run: this.run,
        timeMs: this.replayTl.clockMs,
        id: peer,
        alive: p.alive,
        state: p.state,
        ...(p.value !== undefined ? { value: p.value } : {}),
        neighbours: neighbours.slice(0, 2000),
        sections: [{ kind: 'facts', title: 'Recorded peer', rows: [{ label: 'Online', value: p.alive }, { label: 'Links drawn', value: neighbours.length, unit: 'peers' }] }],
      };
    }
    try {
      return this.requireSim().inspect(peer, this.run);
    } catch (err) {
      if (err instanceof RangeError) throw new CommandError(err.message);
      throw err;
    }
  }

  /** Everything a new window needs, from one moment. */
  join(maxPeers = this.opts.maxPeers, maxPoints = SERIES_POINTS): { state: LabState; counters: CountersData; snapshot: SnapshotData; series: SeriesData; observation: ObservationData | null } {
    return { state: this.state(), counters: this.counters(), snapshot: this.snapshot(maxPeers), series: this.series(maxPoints), observation: this.observation() };
  }

  private seriesNow(): { series: Record<string, Series>; counts: Record<string, number> | null; timeMs: number } {
    const r = this.replayTl;
    if (r) return { ...r.series(), timeMs: r.clockMs };
    if (!this.sim) return { series: {}, counts: null, timeMs: 0 };
    return { series: this.sim.series(), counts: null, timeMs: this.sim.timeMs };
  }

  // ---- recording and replay --------------------------------------------------------------------

  /** Starts recording the live run from now: a frame now, then one at every multiple of `everyMs`. */
  recordStart(args: { everyMs?: number; maxPeers?: number; keyframeEvery?: number }): LabState {
    if (this.replayTl) throw new CommandError('cannot record while replaying a recording (lab.replay.close first)');
    const tl = this.requireSim();
    this.recording.start(tl, this.scenarioText, {
      everyMs: args.everyMs ?? this.opts.publishEveryMs,
      maxPeers: args.maxPeers ?? this.opts.maxPeers,
      keyframeEvery: args.keyframeEvery ?? 20,
    });
    this.captureFrame();
    this.recording.finishIfDone(this.sim);
    this.emitState();
    return this.state();
  }

  recordStop(): LabState {
    if (!this.recording.exists) throw new CommandError('nothing is being recorded (lab.record.start first)');
    this.recording.stop('stopped', this.sim);
    this.emitState();
    return this.state();
  }

  /** The recording so far (active or stopped) as the text of a recording file. */
  recordSave(): SavedRecording {
    const saved = this.recording.save(this.sim);
    if (saved === 'none') throw new CommandError('nothing was recorded (lab.record.start first)');
    if (saved === 'empty') throw new CommandError('the recording has no frames yet');
    return saved;
  }

  /**
   * Receives part `part` of `parts` of a recording's text; the last part validates the whole and, if
   * it is a good recording, replays it. A bad or cut-off file is refused with what is wrong and on
   * which line; the live lab is not touched (it keeps running if it was).
   */
  replayOpen(args: { name: string; part: number; parts: number; text: string }): LabState {
    if (args.part === 0) this.upload = { name: args.name, parts: args.parts, next: 0, chars: 0, reader: new RecordingReader(args.name) };
    const up = this.upload;
    if (!up || up.name !== args.name || up.parts !== args.parts || up.next !== args.part) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: part ${args.part} of ${args.parts} of '${args.name}' came out of order (send parts 0..${args.parts - 1} in order)`);
    }
    if (args.part >= args.parts) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: part ${args.part} is not below parts ${args.parts}`);
    }
    up.next++;
    up.chars += args.text.length;
    if (up.chars > REPLAY_MAX_CHARS) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: '${args.name}' is over ${REPLAY_MAX_CHARS / 1024 / 1024} Mi characters (the most a replay takes)`);
    }
    let replay: Replay;
    try {
      // checked as it comes: a bad file is refused at its first bad line, before the rest is sent
      up.reader.push(args.text);
      if (up.next < up.parts) return this.state();
      this.upload = null;
      replay = new Replay(up.reader.finish());
    } catch (err) {
      this.upload = null;
      if (err instanceof RecordingError) throw new CommandError(err.message);
      throw err;
    }
    this.pauseLoop();
    this.recording.stop('closed', this.sim);
    const liveRun = this.replayTl ? this.replayTl.liveRun : this.run;
    this.replayTl = new ReplayTimeline(replay, up.name, liveRun);
    this.run++;
    this.seriesReset = true;
    this.publish();
    return this.state();
  }

  /** Back to the live run, paused where it was. */
  replayClose(): LabState {
    if (!this.replayTl) throw new CommandError('no recording is being replayed');
    this.pauseLoop();
    this.replayTl = null;
    this.run++; // the drawing starts over with the live peers
    this.seriesReset = true;
    this.publish();
    return this.state();
  }

  /**
   * Simulates the replayed recording again: its scenario text and seed become the live run (the one
   * before is dropped), advanced to the time the replay shows. A recording whose scenario no longer
   * loads (e.g. a protocol this build lacks) is refused with the scenario's own message.
   */
  replayResimulate(): LabState {
    const r = this.replayTl;
    if (!r) throw new CommandError('no recording is being replayed');
    const h = r.replay.rec.header;
    if (h.live) throw new CommandError(`a recording of the live room '${h.live.room}' cannot be simulated again (it holds what real peers did, not a scenario)`);
    this.load({ text: h.scenario.text, seed: h.seed }, { source: h.scenario.source });
    return this.seek(r.clockMs);
  }

  /** Stops the loop (for shutdown). */
  close(): void {
    this.pauseLoop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- internals -------------------------------------------------------------------------------

  private requireSim(): SimTimeline {
    if (!this.sim) throw new CommandError('no scenario loaded (lab.load first)');
    return this.sim;
  }

  private startLoop(): void {
    this.running = true;
    this.lastWall = this.opts.now();
    if (this.opts.autoTick) this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  /** While recording, frames at multiples of the cadence, however the run is driven. */
  private frameHook(): FrameHook | undefined {
    return this.sim ? this.recording.frameHook(this.sim, () => this.captureFrame()) : undefined;
  }

  private captureFrame(): void {
    const tl = this.sim;
    if (tl) this.recording.capture(tl, tl.counters(), (maxPeers) => tl.snapshot(maxPeers, this.run));
  }

  private pauseLoop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emitState(): void {
    this.opts.emit('lab.state', this.state());
  }

  private publish(): void {
    this.lastPublish = this.opts.now();
    this.emitState();
    this.opts.emit('lab.counters', this.counters());
    this.opts.emit('lab.snapshot', this.snapshot());
    this.publishSeries();
  }

  private publishSeries(): void {
    const { series, counts, timeMs } = this.seriesNow();
    if (this.seriesReset) {
      this.seriesReset = false;
      this.seriesCursor.forget();
      const whole = wholeChunks(series, counts, SERIES_POINTS);
      const ends: Record<string, number> = {};
      for (const [k, c] of Object.entries(whole)) ends[k] = c.end;
      this.seriesCursor.mark(ends);
      this.opts.emit('lab.series', { run: this.run, timeMs, reset: true, series: whole });
      return;
    }
    const delta = this.seriesCursor.delta(series, counts, SERIES_POINTS);
    if (Object.keys(delta).length) this.opts.emit('lab.series', { run: this.run, timeMs, reset: false, series: delta });
  }
}
