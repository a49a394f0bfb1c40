/**
 * A recording of the live network, in the same file format as a simulated run's (recording.ts) so the
 * Lab's replay timeline replays and scrubs it: a header that says it is live (room, sync mode,
 * documents), one frame per `everyMs` of wall-clock time since recording started, each the room as
 * the Live overlay view draws it (live-frame.ts), then an end record with its series.
 */
import type { Series } from '../../protocols/driver.js';
import type { SavedRecording } from '../lab-group.js';
import { RECORDING_VERSION, Recorder, type RecorderLimits, type RecordingEnd } from '../recording.js';
import type { LiveInfoData, LivePeerData } from './group.js';
import { liveFrame } from './live-frame.js';

export interface LiveRecordingOptions {
  /** Wall ms between frames. Default 1000. */
  everyMs?: number;
  /** Peers a frame draws at most (the first seen). Default 1000. */
  maxPeers?: number;
  keyframeEvery?: number;
  limits?: RecorderLimits;
  /** Wall clock (tests pass their own). Default Date.now. */
  now?: () => number;
  date?: () => Date;
}

export class LiveRecording {
  private readonly recorder: Recorder;
  private readonly index = new Map<number, number>();
  private readonly seenMetric = new Set<string>();
  private readonly tally = { rewired: 0 };
  private readonly series: Record<string, Series> = {};
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly maxPeers: number;
  private activeFlag = true;
  private reason: RecordingEnd['reason'] | null = null;

  constructor(info: LiveInfoData, opts: LiveRecordingOptions = {}) {
    this.now = opts.now ?? (() => Date.now());
    this.startedAt = this.now();
    this.maxPeers = Math.min(opts.maxPeers ?? 1000, 20_000);
    this.recorder = new Recorder(
      {
        format: 'peerlab-recording',
        version: RECORDING_VERSION,
        createdAt: (opts.date ?? (() => new Date()))().toISOString(),
        scenario: { name: `live room ${info.room}`, protocol: 'live', peers: 0, source: '<live>', text: '' },
        seed: 0,
        untilMs: 0,
        untilComplete: false,
        everyMs: opts.everyMs ?? 1000,
        maxPeers: this.maxPeers,
        keyframeEvery: opts.keyframeEvery ?? 20,
        live: { room: info.room.slice(0, 200), mode: info.mode, docs: info.docs.slice(0, 32).map((d) => d.slice(0, 128)) },
      },
      opts.limits ?? {},
    );
    for (const k of ['net.online', 'live.links', 'live.syncProgressMin', 'net.messages', 'net.bytes']) this.series[k] = { t: [], v: [] };
  }

  get active(): boolean {
    return this.activeFlag;
  }
  get frames(): number {
    return this.recorder.frames;
  }
  get everyMs(): number {
    return this.recorder.header.everyMs;
  }

  /** A frame of the room as `peers` report it now. False once stopped or full. */
  capture(peers: readonly LivePeerData[]): boolean {
    if (!this.activeFlag) return false;
    const t = Math.max(0, this.now() - this.startedAt);
    const { counters, snapshot } = liveFrame(peers, this.index, t, this.maxPeers, this.seenMetric, this.tally);
    const last = this.recorder.lastTimeMs;
    if (last !== null && t <= last) return true;
    if (!this.recorder.capture(t, counters, snapshot)) {
      this.stop('full');
      return false;
    }
    const add = (k: string, v: number): void => {
      this.series[k]!.t.push(t);
      this.series[k]!.v.push(v);
    };
    add('net.online', counters.online);
    add('live.links', snapshot.links.length);
    add('live.syncProgressMin', typeof counters.summary.syncProgressMin === 'number' ? counters.summary.syncProgressMin : 1);
    add('net.messages', counters.sent);
    add('net.bytes', counters.bytesSent);
    return true;
  }

  stop(reason: RecordingEnd['reason'] = 'stopped'): void {
    if (!this.activeFlag) return;
    this.activeFlag = false;
    this.reason = reason;
  }

  view(): { active: boolean; frames: number; bytes: number; everyMs: number; fromMs: number | null; toMs: number | null; reason: RecordingEnd['reason'] | null; room: string } {
    const r = this.recorder;
    return { active: this.activeFlag, frames: r.frames, bytes: r.size, everyMs: r.header.everyMs, fromMs: r.firstTimeMs, toMs: r.lastTimeMs, reason: this.reason, room: r.header.live!.room };
  }

  /** The recording so far as the text of a recording file, or null before the first frame. */
  save(): SavedRecording | null {
    const r = this.recorder;
    if (r.frames === 0) return null;
    r.header.scenario.peers = this.index.size;
    r.header.untilMs = r.lastTimeMs ?? 0;
    const base = r.header.live!.room.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'room';
    const stamp = r.header.createdAt.replace(/[:.]/g, '-').slice(0, 19);
    const end = { reason: this.reason ?? 'stopped', done: !this.activeFlag, endReason: null, series: this.series };
    return { name: `live-${base}-${stamp}.peerlab.jsonl`, text: r.text(end), frames: r.frames };
  }
}
