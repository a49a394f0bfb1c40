/**
 * The Lab's recording of its sim run: started and stopped by command, one frame at every multiple of
 * its cadence however the run is driven (play, step, seek), truncated when the run is taken back, and
 * closed with an end record of the run's series when the run ends, fills up or is replaced.
 */
import type { Series } from '../../protocols/driver.js';
import type { CountersData, LabState, SavedRecording, SnapshotData } from '../lab-group.js';
import { RECORDING_VERSION, Recorder, type RecorderLimits, type RecordingEnd } from '../recording.js';
import { thin } from '../series.js';
import type { FrameHook, SimTimeline } from './sim-timeline.js';

/** Points per series kept in a recording's end record (thinned beyond). */
const RECORDED_SERIES_POINTS = 50_000;

type EndBody = Omit<RecordingEnd, 'type' | 'frames' | 'timeMs'>;

/** The end record of a sim run as of now (its series and state). */
function endOf(tl: SimTimeline | null, reason: RecordingEnd['reason']): EndBody {
  const series: Record<string, Series> = {};
  if (tl) for (const [k, v] of Object.entries(tl.series())) series[k] = thin(v, 0, v.t.length, RECORDED_SERIES_POINTS);
  return { reason, done: tl ? tl.done : false, endReason: tl ? tl.session.endReason : null, series };
}

/** A file name from a scenario's name and seed. */
export function recordingName(scenario: string, seed: number, suffix = ''): string {
  const base = scenario.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return `${base}${suffix}-seed${seed}.peerlab.jsonl`;
}

export class LabRecording {
  private recorder: Recorder | null = null;
  private activeFlag = false;
  /** Set when the recording stopped: its end record, taken from the run it recorded. */
  private end: EndBody | null = null;
  private of: { scenario: string; seed: number } | null = null;

  constructor(
    private readonly limits: RecorderLimits,
    private readonly date: () => Date,
  ) {}

  get active(): boolean {
    return this.activeFlag;
  }

  get exists(): boolean {
    return this.recorder !== null;
  }

  /** Starts recording `tl` from now (the caller captures the first frame). */
  start(tl: SimTimeline, scenarioText: string, opts: { everyMs: number; maxPeers: number; keyframeEvery: number }): void {
    const sc = tl.scenario;
    this.recorder = new Recorder(
      {
        format: 'peerlab-recording',
        version: RECORDING_VERSION,
        createdAt: this.date().toISOString(),
        scenario: { name: sc.name, protocol: sc.protocol.type, peers: sc.peers, source: sc.source, text: scenarioText },
        seed: tl.seed,
        untilMs: tl.endMs,
        untilComplete: sc.until.complete,
        everyMs: opts.everyMs,
        maxPeers: Math.min(opts.maxPeers, 20_000),
        keyframeEvery: opts.keyframeEvery,
      },
      this.limits,
    );
    this.activeFlag = true;
    this.end = null;
    this.of = { scenario: sc.name, seed: tl.seed };
  }

  /** Stops an active recording, its end record taken from `tl`. */
  stop(reason: RecordingEnd['reason'], tl: SimTimeline | null): void {
    if (!this.recorder || !this.activeFlag) return;
    this.activeFlag = false;
    this.end = endOf(tl, reason);
  }

  /** Stops it once `tl` has ended. */
  finishIfDone(tl: SimTimeline | null): void {
    if (this.activeFlag && tl?.done) this.stop(this.recorder?.full ? 'full' : 'done', tl);
  }

  /** The run was taken back to `timeMs`: an active recording drops its later frames (they come again, identical). */
  truncateAfter(timeMs: number): void {
    if (this.activeFlag) this.recorder?.truncateAfter(timeMs);
  }

  /** A frame of `tl` now, unless one at this time or later was taken. */
  capture(tl: SimTimeline, counters: CountersData, snapshot: (maxPeers: number) => SnapshotData): void {
    const rec = this.recorder;
    if (!rec) return;
    if (rec.lastTimeMs !== null && tl.timeMs <= rec.lastTimeMs) return; // one frame per time
    rec.capture(tl.timeMs, counters, snapshot(rec.header.maxPeers));
  }

  /** While recording, frames at multiples of the cadence, however the run is driven. */
  frameHook(tl: SimTimeline, capture: () => void): FrameHook | undefined {
    const rec = this.recorder;
    if (!rec || !this.activeFlag || rec.full) return undefined;
    return {
      everyMs: rec.header.everyMs,
      capture: () => {
        capture();
        if (!rec.full) return true;
        this.stop('full', tl);
        return false;
      },
    };
  }

  /** What LabState says of it. */
  view(): LabState['recording'] {
    const rec = this.recorder;
    if (!rec) return null;
    return {
      active: this.activeFlag,
      frames: rec.frames,
      bytes: rec.size,
      everyMs: rec.header.everyMs,
      fromMs: rec.firstTimeMs,
      toMs: rec.lastTimeMs,
      reason: this.activeFlag ? null : (this.end?.reason ?? 'stopped'),
      ...(this.of ? { scenario: this.of.scenario, seed: this.of.seed } : {}),
    };
  }

  /** The recording so far (active or stopped) as the text of a recording file; 'none' or 'empty' when there is nothing to save. */
  save(tl: SimTimeline | null): SavedRecording | 'none' | 'empty' {
    const rec = this.recorder;
    if (!rec) return 'none';
    if (rec.frames === 0) return 'empty';
    const end = this.end ?? endOf(tl, tl?.done ? 'done' : 'stopped');
    const h = rec.header;
    return { name: recordingName(h.scenario.name, h.seed), text: rec.text(end), frames: rec.frames };
  }
}
