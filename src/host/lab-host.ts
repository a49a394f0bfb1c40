/**
 * LabHost: one simulation session driven in (scaled) real time for the dashboard. It owns the
 * session of the loaded scenario and a wall-clock loop: while playing, each tick advances virtual
 * time by `speed x` the wall time that passed (capped, so a slow frame never makes a huge jump), and
 * every `publishEveryMs` it publishes state, counters and a snapshot (peers capped at `maxPeers`).
 * Commands come in through the router (see `mountLab`); nothing here knows about transports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { createSession, type Session } from '../lab/session.js';
import { parseScenario, type Scenario } from '../lab/scenario.js';
import type { ProtocolDriver, Series } from '../protocols/driver.js';
import type { GroupHandlers } from './contract.js';
import {
  labGroup,
  REPLAY_MAX_CHARS,
  type CountersData,
  type LabState,
  type SavedRecording,
  type ScenarioInfo,
  type SeriesData,
  type SnapshotData,
} from './lab-group.js';
import { parseRecording, Recorder, RecordingError, Replay, type RecordingEnd } from './recording.js';
import { CommandError, type HostRouter } from './router.js';
import { countUpTo, SeriesCursor, thin, wholeChunks } from './series.js';

/** Points per series in a whole-series event or answer, and in one publish's new points. */
const SERIES_POINTS = 2000;
/** Points per series kept in a recording's end record (thinned beyond). */
const RECORDED_SERIES_POINTS = 50_000;

export interface LabHostOptions {
  /** Folder of bundled scenarios (`*.yaml`, `*.yml`, `*.json`). */
  scenariosDir?: string;
  /** Where events go (the router's emit). */
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
}

/** A recording being replayed: the file, and the replay clock (virtual time shown). */
interface ReplayMode {
  replay: Replay;
  name: string;
  clockMs: number;
  /** The live session's run number, restored on close. */
  liveRun: number;
}

export class LabHost {
  private session: Session | null = null;
  /**
   * After a seek back, the session that was further on, kept so that going forward again to or past
   * its time (back to "now" after a look at the past) costs nothing instead of a second re-run.
   * One only (memory); dropped when the run changes.
   */
  private ahead: Session | null = null;
  private scenario: Scenario | null = null;
  private bundled: string | null = null;
  /** Bumped whenever the peers may be different ones (load, reset with another seed). */
  private run = 0;
  private seed = 0;
  private running = false;
  private speed = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWall = 0;
  private lastPublish = -Infinity;
  private readonly opts: Required<Omit<LabHostOptions, 'scenariosDir' | 'drivers' | 'recordingLimits' | 'date'>> & { scenariosDir: string | null };
  private readonly drivers: Record<string, ProtocolDriver> | undefined;
  /** The loaded scenario's text (a recording carries it, so the run can be simulated again). */
  private scenarioText = '';
  private recorder: Recorder | null = null;
  private recordingActive = false;
  /** Set when the recording stopped: its end record, taken from the run it recorded. */
  private recordingEnd: Omit<RecordingEnd, 'type' | 'frames' | 'timeMs'> | null = null;
  private readonly recordingLimits: { maxFrames?: number; maxBytes?: number };
  private readonly date: () => Date;
  private replayMode: ReplayMode | null = null;
  private upload: { name: string; parts: number; got: string[]; chars: number } | null = null;
  private readonly seriesCursor = new SeriesCursor();
  /** The next series event sends every series whole (history changed: new run, seek back, replay). */
  private seriesReset = true;

  constructor(opts: LabHostOptions) {
    this.opts = {
      scenariosDir: opts.scenariosDir ?? null,
      emit: opts.emit,
      tickMs: opts.tickMs ?? 33,
      publishEveryMs: opts.publishEveryMs ?? 250,
      maxPeers: opts.maxPeers ?? 1000,
      maxTickWallMs: opts.maxTickWallMs ?? 250,
      now: opts.now ?? (() => performance.now()),
      autoTick: opts.autoTick ?? true,
    };
    this.drivers = opts.drivers;
    this.recordingLimits = opts.recordingLimits ?? {};
    this.date = opts.date ?? (() => new Date());
  }

  /** `baseDir` resolves relative paths inside the scenario (churn.traceFile); by default its file's folder. */
  private parse(input: string, source: string, baseDir?: string): Scenario {
    return parseScenario(input, source, this.drivers, baseDir !== undefined ? { baseDir } : {});
  }

  private makeSession(scenario: Scenario, seed: number): Session {
    return createSession(scenario, this.drivers ? { seed, drivers: this.drivers } : { seed });
  }

  // ---- scenarios ---------------------------------------------------------------------------

  scenarios(): ScenarioInfo[] {
    const dir = this.opts.scenariosDir;
    if (!dir) return [];
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    } catch {
      return [];
    }
    const out: ScenarioInfo[] = [];
    for (const f of files) {
      const name = basename(f, extname(f));
      let description = '';
      try {
        const s = this.parse(readFileSync(join(dir, f), 'utf8'), join(dir, f));
        description = s.description || `${s.peers} peers, ${s.protocol.type}`;
      } catch (err) {
        description = `(does not load: ${(err as Error).message.split('\n')[0]})`;
      }
      out.push({ name, description, file: f });
    }
    return out;
  }

  /** Loads a bundled scenario by name, or YAML/JSON text. Leaves the current one intact on error. */
  load(args: { name?: string; text?: string; seed?: number }, opts: { source?: string } = {}): LabState {
    let scenario: Scenario;
    let text: string;
    if (args.name !== undefined) {
      const info = this.scenarios().find((s) => s.name === args.name);
      if (!info || !this.opts.scenariosDir) {
        const known = this.scenarios().map((s) => s.name);
        throw new CommandError(`no bundled scenario '${args.name}' (known: ${known.join(', ') || 'none'})`);
      }
      const path = join(this.opts.scenariosDir, info.file);
      text = readFileSync(path, 'utf8');
      scenario = this.parse(text, path);
    } else {
      // text typed in the dashboard has no file: its relative paths are taken from the scenarios folder
      text = args.text ?? '';
      scenario = this.parse(text, opts.source ?? '<dashboard>', this.opts.scenariosDir ?? undefined);
    }
    const seed = args.seed ?? scenario.seed;
    const session = this.makeSession(scenario, seed);
    this.pauseLoop();
    this.stopRecording('closed');
    this.replayMode = null;
    this.scenarioText = text;
    this.seriesReset = true;
    this.scenario = scenario;
    this.run++;
    this.bundled = args.name ?? null;
    this.seed = seed;
    this.session = session;
    this.ahead = null;
    this.publish(true);
    return this.state();
  }

  // ---- playback ------------------------------------------------------------------------------

  play(): LabState {
    const r = this.replayMode;
    if (r) {
      if (r.clockMs < r.replay.lastMs && !this.running) this.startLoop();
      this.emitState();
      return this.state();
    }
    const s = this.requireSession();
    if (!s.isDone() && !this.running) {
      this.running = true;
      this.lastWall = this.opts.now();
      if (this.opts.autoTick) this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    }
    this.emitState();
    return this.state();
  }

  pause(): LabState {
    this.pauseLoop();
    this.publish(true);
    return this.state();
  }

  step(ms: number): LabState {
    const r = this.replayMode;
    this.pauseLoop();
    if (r) r.clockMs = Math.min(r.replay.lastMs, r.clockMs + ms);
    else this.advanceLive(this.requireSession(), ms);
    this.publish(true);
    return this.state();
  }

  /**
   * Shows virtual time `timeMs`. Live: ahead of now the run goes on to it; behind, the run is built
   * again and simulated from 0 to it (the simulation is deterministic, so this is the very state it
   * had; no per-step snapshots are kept). Playing goes on from there if it was playing. Replay: the
   * clock jumps, and the frame at or before it is shown.
   */
  seek(timeMs: number): LabState {
    const r = this.replayMode;
    if (r) {
      const t = Math.min(Math.max(timeMs, r.replay.firstMs), r.replay.lastMs);
      if (t < r.clockMs) this.seriesReset = true;
      r.clockMs = t;
      if (t >= r.replay.lastMs) this.pauseLoop();
      this.publish(true);
      return this.state();
    }
    const s = this.requireSession();
    const target = Math.min(timeMs, s.untilMs);
    if (target < s.sim.now) {
      if (!this.ahead || s.sim.now > this.ahead.sim.now) this.ahead = s;
      const fresh = this.makeSession(s.scenario, this.seed);
      if (this.recordingActive) this.recorder?.truncateAfter(target); // a finished recording stays as it is
      fresh.advance(target); // no frames are captured on the way: they are in the recording already, identical
      this.session = fresh;
      this.seriesReset = true;
    } else if (target > s.sim.now) {
      const a = this.ahead;
      // While recording, frames between now and the kept session's time would be skipped: run on instead.
      if (a && !this.recordingActive && a.sim.now <= target && a.sim.now > s.sim.now) {
        this.session = a;
        this.ahead = null;
        a.advance(target - a.sim.now);
        this.seriesReset = true;
      } else this.advanceLive(s, target - s.sim.now);
    }
    if (this.session?.isDone()) this.pauseLoop();
    this.lastWall = this.opts.now();
    this.publish(true);
    return this.state();
  }

  setSpeed(speed: number): LabState {
    this.speed = speed;
    this.emitState();
    return this.state();
  }

  reset(seed?: number): LabState {
    if (this.replayMode) {
      this.pauseLoop();
      this.replayMode.clockMs = this.replayMode.replay.firstMs;
      this.seriesReset = true;
      this.publish(true);
      return this.state();
    }
    if (!this.scenario) throw new CommandError('no scenario loaded (lab.load first)');
    this.pauseLoop();
    const old = this.session;
    if (seed !== undefined && seed !== this.seed) {
      this.stopRecording('closed');
      this.seed = seed;
      this.run++;
      this.ahead = null;
    } else {
      if (this.recordingActive) this.recorder?.truncateAfter(0);
      // the same run from 0: keep where it was, so seeking back there is free
      if (old && (!this.ahead || old.sim.now > this.ahead.sim.now)) this.ahead = old;
    }
    this.seriesReset = true;
    this.session = this.makeSession(this.scenario, this.seed);
    this.publish(true);
    return this.state();
  }

  /**
   * One step of the wall-clock loop: advances virtual time by speed x elapsed wall time (at most
   * `maxTickWallMs` worth), and publishes if it is time to.
   */
  tick(): void {
    if (!this.running) return;
    const now = this.opts.now();
    const wall = Math.min(Math.max(0, now - this.lastWall), this.opts.maxTickWallMs);
    this.lastWall = now;
    const r = this.replayMode;
    if (r) {
      if (wall > 0) r.clockMs = Math.min(r.replay.lastMs, r.clockMs + wall * this.speed);
      if (r.clockMs >= r.replay.lastMs) {
        this.pauseLoop();
        this.publish(true);
      } else if (now - this.lastPublish >= this.opts.publishEveryMs) this.publish(false);
      return;
    }
    const s = this.session;
    if (!s) return;
    if (wall > 0) this.advanceLive(s, wall * this.speed);
    if (s.isDone()) {
      this.pauseLoop();
      this.publish(true);
      return;
    }
    if (now - this.lastPublish >= this.opts.publishEveryMs) this.publish(false);
  }

  // ---- views -----------------------------------------------------------------------------------

  state(): LabState {
    const r = this.replayMode;
    const rec = this.recorder;
    const recording: LabState['recording'] = rec
      ? {
          active: this.recordingActive,
          frames: rec.frames,
          bytes: rec.size,
          everyMs: rec.header.everyMs,
          fromMs: rec.firstTimeMs,
          toMs: rec.lastTimeMs,
          reason: this.recordingActive ? null : (this.recordingEnd?.reason ?? 'stopped'),
        }
      : null;
    if (r) {
      const h = r.replay.rec.header;
      const end = r.replay.rec.end;
      const atEnd = r.clockMs >= r.replay.lastMs;
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
        untilMs: r.replay.lastMs,
        untilComplete: false,
        done: atEnd,
        endReason: atEnd ? (end.endReason ?? 'time') : null,
        mode: 'replay',
        recording,
        replay: { name: r.name, frames: r.replay.rec.frames.length, fromMs: r.replay.firstMs, toMs: r.replay.lastMs, seed: h.seed },
      };
    }
    const s = this.session;
    const sc = this.scenario;
    return {
      scenario: sc ? sc.name : null,
      bundled: this.bundled,
      source: sc ? sc.source : null,
      protocol: sc ? sc.protocol.type : null,
      peers: sc ? sc.peers : 0,
      seed: this.seed,
      running: this.running,
      speed: this.speed,
      timeMs: s ? s.sim.now : 0,
      untilMs: s ? s.untilMs : 0,
      untilComplete: sc ? sc.until.complete : false,
      done: s ? s.isDone() : false,
      endReason: s ? s.endReason : null,
      mode: 'live',
      recording,
      replay: null,
    };
  }

  snapshot(maxPeers = this.opts.maxPeers): SnapshotData {
    const r = this.replayMode;
    if (r) {
      const snap = r.replay.snapshot(r.replay.indexAt(r.clockMs), this.run);
      if (snap.peers.length > maxPeers) {
        const keep = new Set(snap.peers.slice(0, maxPeers).map((p) => p.id));
        return { ...snap, peers: snap.peers.slice(0, maxPeers), links: snap.links.filter(([a, b]) => keep.has(a) && keep.has(b)) };
      }
      return snap;
    }
    const s = this.session;
    if (!s) return { run: this.run, timeMs: 0, totalPeers: 0, peers: [], links: [] };
    const snap = s.run.snapshot(maxPeers);
    const peers = snap.peers.length > maxPeers ? snap.peers.slice(0, maxPeers) : snap.peers;
    const onMap = s.position(0) !== null;
    return {
      run: this.run,
      timeMs: s.sim.now,
      totalPeers: s.world.size,
      peers: peers.map((p) => {
        const pos = onMap ? s.position(p.id) : null;
        return pos ? { ...p, x: pos[0], y: pos[1] } : { ...p };
      }),
      links: snap.links,
    };
  }

  counters(): CountersData {
    const r = this.replayMode;
    if (r) return r.replay.frame(r.replay.indexAt(r.clockMs)).counters;
    const s = this.session;
    if (!s) return { timeMs: 0, events: 0, online: 0, sent: 0, delivered: 0, dropped: 0, bytesSent: 0, summary: {} };
    const st = s.world.stats;
    return {
      timeMs: s.sim.now,
      events: s.sim.eventsProcessed,
      online: s.world.online,
      sent: st.sent,
      delivered: st.delivered,
      dropped: st.dropped,
      bytesSent: st.bytesSent,
      summary: s.run.summary(),
    };
  }

  /** The run's series now (driver's own and the session's under `net.`), each thinned to `maxPoints`. */
  series(maxPoints = SERIES_POINTS): SeriesData {
    const { series, counts, timeMs } = this.seriesNow();
    const whole = wholeChunks(series, counts, maxPoints);
    return { run: this.run, timeMs, reset: true, series: whole };
  }

  private seriesNow(): { series: Record<string, Series>; counts: Record<string, number> | null; timeMs: number } {
    const r = this.replayMode;
    if (r) {
      const series = r.replay.rec.end.series;
      const counts: Record<string, number> = {};
      for (const [k, v] of Object.entries(series)) counts[k] = countUpTo(v, r.clockMs);
      return { series, counts, timeMs: r.clockMs };
    }
    const s = this.session;
    if (!s) return { series: {}, counts: null, timeMs: 0 };
    return { series: liveSeries(s), counts: null, timeMs: s.sim.now };
  }

  // ---- recording and replay --------------------------------------------------------------------

  /** Starts recording the live run from now: a frame now, then one at every multiple of `everyMs`. */
  recordStart(args: { everyMs?: number; maxPeers?: number; keyframeEvery?: number }): LabState {
    if (this.replayMode) throw new CommandError('cannot record while replaying a recording (lab.replay.close first)');
    const s = this.requireSession();
    const sc = this.scenario as Scenario;
    this.recorder = new Recorder(
      {
        format: 'peerlab-recording',
        version: 1,
        createdAt: this.date().toISOString(),
        scenario: { name: sc.name, protocol: sc.protocol.type, peers: sc.peers, source: sc.source, text: this.scenarioText },
        seed: this.seed,
        untilMs: s.untilMs,
        untilComplete: sc.until.complete,
        everyMs: args.everyMs ?? this.opts.publishEveryMs,
        maxPeers: Math.min(args.maxPeers ?? this.opts.maxPeers, 20_000),
        keyframeEvery: args.keyframeEvery ?? 20,
      },
      this.recordingLimits,
    );
    this.recordingActive = true;
    this.recordingEnd = null;
    this.captureFrame(s);
    this.emitState();
    return this.state();
  }

  recordStop(): LabState {
    if (!this.recorder) throw new CommandError('nothing is being recorded (lab.record.start first)');
    this.stopRecording('stopped');
    this.emitState();
    return this.state();
  }

  /** The recording so far (active or stopped) as the text of a recording file. */
  recordSave(): SavedRecording {
    const rec = this.recorder;
    if (!rec) throw new CommandError('nothing was recorded (lab.record.start first)');
    if (rec.frames === 0) throw new CommandError('the recording has no frames yet');
    const end = this.recordingEnd ?? this.endNow(this.session?.isDone() ? 'done' : 'stopped');
    const h = rec.header;
    const base = h.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
    return { name: `${base}-seed${h.seed}.peerlab.jsonl`, text: rec.text(end), frames: rec.frames };
  }

  /**
   * Receives part `part` of `parts` of a recording's text; the last part validates the whole and, if
   * it is a good recording, replays it. A bad or cut-off file is refused with what is wrong and on
   * which line; the live lab is not touched (it keeps running if it was).
   */
  replayOpen(args: { name: string; part: number; parts: number; text: string }): LabState {
    if (args.part === 0) this.upload = { name: args.name, parts: args.parts, got: [], chars: 0 };
    const up = this.upload;
    if (!up || up.name !== args.name || up.parts !== args.parts || up.got.length !== args.part) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: part ${args.part} of ${args.parts} of '${args.name}' came out of order (send parts 0..${args.parts - 1} in order)`);
    }
    if (args.part >= args.parts) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: part ${args.part} is not below parts ${args.parts}`);
    }
    up.got.push(args.text);
    up.chars += args.text.length;
    if (up.chars > REPLAY_MAX_CHARS) {
      this.upload = null;
      throw new CommandError(`lab.replay.open: '${args.name}' is over ${REPLAY_MAX_CHARS / 1024 / 1024} Mi characters (the most a replay takes)`);
    }
    if (up.got.length < up.parts) return this.state();
    this.upload = null;
    let replay: Replay;
    try {
      replay = new Replay(parseRecording(up.got.join(''), up.name));
    } catch (err) {
      if (err instanceof RecordingError) throw new CommandError(err.message);
      throw err;
    }
    this.pauseLoop();
    this.stopRecording('closed');
    const liveRun = this.replayMode ? this.replayMode.liveRun : this.run;
    this.replayMode = { replay, name: up.name, clockMs: replay.firstMs, liveRun };
    this.run++;
    this.seriesReset = true;
    this.publish(true);
    return this.state();
  }

  /** Back to the live run, paused where it was. */
  replayClose(): LabState {
    if (!this.replayMode) throw new CommandError('no recording is being replayed');
    this.pauseLoop();
    this.replayMode = null;
    this.run++; // the drawing starts over with the live peers
    this.seriesReset = true;
    this.publish(true);
    return this.state();
  }

  /**
   * Simulates the replayed recording again: its scenario text and seed become the live run (the one
   * before is dropped), advanced to the time the replay shows. A recording whose scenario no longer
   * loads (e.g. a protocol this build lacks) is refused with the scenario's own message.
   */
  replayResimulate(): LabState {
    const r = this.replayMode;
    if (!r) throw new CommandError('no recording is being replayed');
    const h = r.replay.rec.header;
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

  private requireSession(): Session {
    if (!this.session) throw new CommandError('no scenario loaded (lab.load first)');
    return this.session;
  }

  private startLoop(): void {
    this.running = true;
    this.lastWall = this.opts.now();
    if (this.opts.autoTick) this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  /**
   * Runs the live session `ms` further. While recording, it stops at every multiple of the frame
   * cadence to capture a frame, so frames sit at the same virtual times however the run was driven
   * (played at any speed, stepped, sought).
   */
  private advanceLive(s: Session, ms: number): void {
    this.dropStaleAhead(s, ms);
    if (!this.recorder || !this.recordingActive || this.recorder.full) {
      s.advance(ms);
      return;
    }
    const every = this.recorder.header.everyMs;
    const target = Math.min(s.sim.now + ms, s.untilMs);
    while (!s.isDone() && s.sim.now < target) {
      // the first grid time after now (now / every can round up to a whole number just below a grid time)
      let next = (Math.floor(s.sim.now / every) + 1) * every;
      if (next - every > s.sim.now) next -= every;
      s.advance(Math.min(next, target) - s.sim.now);
      if (s.sim.now >= next || s.isDone()) {
        this.captureFrame(s);
        if (this.recorder.full) {
          this.stopRecording('full');
          s.advance(Math.max(0, target - s.sim.now));
          return;
        }
      }
    }
    if (s.isDone()) {
      this.captureFrame(s);
      if (this.recordingActive) this.stopRecording(this.recorder.full ? 'full' : 'done');
    }
  }

  /** The kept session is of no use once the current one is about to pass it: free its memory. */
  private dropStaleAhead(s: Session, ms: number): void {
    if (this.ahead && s.sim.now + ms >= this.ahead.sim.now) this.ahead = null;
  }

  private captureFrame(s: Session): void {
    const rec = this.recorder;
    if (!rec) return;
    rec.capture(s.sim.now, this.counters(), this.snapshot(rec.header.maxPeers));
  }

  /** The end record as of now (the live run's series and state). */
  private endNow(reason: RecordingEnd['reason']): Omit<RecordingEnd, 'type' | 'frames' | 'timeMs'> {
    const s = this.session;
    const series: Record<string, Series> = {};
    if (s) for (const [k, v] of Object.entries(liveSeries(s))) series[k] = thin(v, 0, v.t.length, RECORDED_SERIES_POINTS);
    return { reason, done: s ? s.isDone() : false, endReason: s ? s.endReason : null, series };
  }

  private stopRecording(reason: RecordingEnd['reason']): void {
    if (!this.recorder || !this.recordingActive) return;
    this.recordingActive = false;
    this.recordingEnd = this.endNow(reason);
  }

  private pauseLoop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private emitState(): void {
    this.opts.emit('lab.state', this.state());
  }

  private publish(_force: boolean): void {
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

/** Mounts the lab group on a router, backed by `host`. */
export function labHandlers(host: LabHost): GroupHandlers<typeof labGroup> {
  return {
    'lab.scenarios': () => host.scenarios(),
    'lab.load': (a) => host.load(a),
    'lab.play': () => host.play(),
    'lab.pause': () => host.pause(),
    'lab.step': (a) => host.step(a.ms ?? 100),
    'lab.speed': (a) => host.setSpeed(a.speed),
    'lab.reset': (a) => host.reset(a.seed),
    'lab.state': () => host.state(),
    'lab.snapshot': (a) => host.snapshot(a.maxPeers),
    'lab.seek': (a) => host.seek(a.timeMs),
    'lab.series': (a) => host.series(a.maxPoints),
    'lab.record.start': (a) => host.recordStart(a),
    'lab.record.stop': () => host.recordStop(),
    'lab.record.save': () => host.recordSave(),
    'lab.replay.open': (a) => host.replayOpen(a),
    'lab.replay.close': () => host.replayClose(),
    'lab.replay.resimulate': () => host.replayResimulate(),
  };
}

/** The driver's series and the session's own under `net.` (as `peerlab run` names them). */
function liveSeries(s: Session): Record<string, Series> {
  const out: Record<string, Series> = { ...s.run.series() };
  for (const [k, v] of Object.entries(s.series())) out[`net.${k}`] = v;
  return out;
}

export function mountLab(router: HostRouter, host: LabHost): void {
  router.mount(labGroup, labHandlers(host));
}
