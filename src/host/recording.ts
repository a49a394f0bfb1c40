/**
 * Recordings of what the dashboard showed: the scenario (text and seed, so it can be simulated again),
 * then frames at a fixed virtual-time cadence (counters and the drawn snapshot), then an end record
 * with the run's series and summary. The file is JSON lines (gzip-compressed when saved by the CLI or
 * the dashboard under a `.gz` name); see docs/dashboard.md for the format.
 *
 * A snapshot is stored whole every `keyframeEvery` frames and as a delta from the frame before in
 * between (peers whose state, liveness or value changed; links that appeared or went), so a 200-peer
 * run costs a few hundred bytes per frame instead of ~15 kB. Replay restores the nearest keyframe and
 * applies the deltas forward.
 *
 * Pure (no Node): `Recorder` builds a file, `parseRecording` / `RecordingReader` (recording-read.ts)
 * validate one and report the first problem by line and field, `Replay` answers "what was shown at time
 * t". The format's schemas and bounds are in recording-format.ts.
 */
import type { z } from 'zod';
import type { Series } from '../protocols/driver.js';
import type { CountersData, PeerView, SnapshotData } from './lab-group.js';
import { recordingHeader, type deltaSnapshot, type RecordingEnd, type RecordingFrame, type RecordingHeader } from './recording-format.js';
import { frameOf, type Recording, type StreamedRecording } from './recording-read.js';

export * from './recording-format.js';
export { parseRecording, RecordingReader, type Recording, type StreamedRecording } from './recording-read.js';

export interface RecorderLimits {
  /** Frames at most (default 20,000); beyond it recording stops with reason 'full'. */
  maxFrames?: number;
  /** Characters of the file at most (default 64 MiB, before compression). */
  maxBytes?: number;
}

const linkKey = (a: number, b: number): string => (a < b ? `${a}-${b}` : `${b}-${a}`);
const keyLink = (k: string): [number, number] => {
  const i = k.indexOf('-');
  return [Number(k.slice(0, i)), Number(k.slice(i + 1))];
};
const samePeer = (a: PeerView, b: PeerView): boolean =>
  a.state === b.state && a.alive === b.alive && a.value === b.value && a.x === b.x && a.y === b.y && a.label === b.label;
/** A link as files and snapshots hold it: the kind only when it is not the first (0). */
const linkOut = (k: string, kind: number): [number, number] | [number, number, number] => {
  const [a, b] = keyLink(k);
  return kind === 0 ? [a, b] : [a, b, kind];
};
const linksOut = (links: Map<string, number>): ([number, number] | [number, number, number])[] => [...links].map(([k, kind]) => linkOut(k, kind));

/** What a snapshot draws, as maps of peers and of links (to their kind), so deltas apply and compare cheaply. */
interface Picture {
  peers: Map<number, PeerView>;
  links: Map<string, number>;
}

function pictureOf(peers: readonly PeerView[], links: readonly (readonly [number, number, ...number[]])[]): Picture {
  const p = new Map<number, PeerView>();
  for (const x of peers) if (!p.has(x.id)) p.set(x.id, x);
  const l = new Map<string, number>();
  for (const [a, b, kind] of links) if (a !== b) l.set(linkKey(a, b), kind ?? 0);
  return { peers: p, links: l };
}

function applyDelta(pic: Picture, d: z.infer<typeof deltaSnapshot>): void {
  for (const id of d.gone) pic.peers.delete(id);
  for (const p of d.peers) pic.peers.set(p.id, p);
  for (const [a, b] of d.linksGone) pic.links.delete(linkKey(a, b));
  for (const [a, b, kind] of d.linksAdded) pic.links.set(linkKey(a, b), kind ?? 0);
}

/** Builds a recording frame by frame. Frames come in time order; `truncateAfter` drops later ones. */
export class Recorder {
  private readonly lines: string[] = [];
  private readonly times: number[] = [];
  private readonly isKey: boolean[] = [];
  private bytes: number;
  private last: Picture | null = null;
  private forceKey = true;
  private fullFlag = false;
  private readonly maxFrames: number;
  private readonly maxBytes: number;

  constructor(
    readonly header: RecordingHeader,
    limits: RecorderLimits = {},
  ) {
    recordingHeader.parse(header);
    this.maxFrames = limits.maxFrames ?? 20_000;
    this.maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
    this.bytes = JSON.stringify(header).length + 1;
  }

  get frames(): number {
    return this.lines.length;
  }
  get size(): number {
    return this.bytes;
  }
  /** True once a limit was reached: later frames are not kept. */
  get full(): boolean {
    return this.fullFlag;
  }
  get lastTimeMs(): number | null {
    return this.times.length ? this.times[this.times.length - 1]! : null;
  }
  get firstTimeMs(): number | null {
    return this.times.length ? this.times[0]! : null;
  }
  has(timeMs: number): boolean {
    return this.times.length > 0 && this.times[this.times.length - 1]! >= timeMs && this.times.includes(timeMs);
  }

  /** Adds the frame shown at `timeMs` (after the last one). Returns false if a limit stopped it. */
  capture(timeMs: number, counters: CountersData, snap: SnapshotData): boolean {
    if (this.fullFlag) return false;
    const lastT = this.lastTimeMs;
    if (lastT !== null && timeMs <= lastT) return true; // already have it (the run is deterministic)
    const i = this.lines.length;
    const pic = pictureOf(snap.peers, snap.links);
    let line: string;
    const key = this.forceKey || !this.last || i % this.header.keyframeEvery === 0;
    if (key) {
      line = JSON.stringify({ type: 'frame', i, timeMs, counters, key: { peers: [...pic.peers.values()], links: linksOut(pic.links) } });
    } else {
      const prev = this.last as Picture;
      const peers: PeerView[] = [];
      const gone: number[] = [];
      for (const [id, p] of pic.peers) {
        const old = prev.peers.get(id);
        if (!old || !samePeer(old, p)) peers.push(p);
      }
      for (const id of prev.peers.keys()) if (!pic.peers.has(id)) gone.push(id);
      const linksAdded: ([number, number] | [number, number, number])[] = [];
      const linksGone: [number, number][] = [];
      // a link whose kind changed is added again with its new kind
      for (const [k, kind] of pic.links) if (prev.links.get(k) !== kind) linksAdded.push(linkOut(k, kind));
      for (const k of prev.links.keys()) if (!pic.links.has(k)) linksGone.push(keyLink(k));
      line = JSON.stringify({ type: 'frame', i, timeMs, counters, delta: { peers, gone, linksAdded, linksGone } });
    }
    if (this.lines.length + 1 > this.maxFrames || this.bytes + line.length + 1 > this.maxBytes) {
      this.fullFlag = true;
      return false;
    }
    this.lines.push(line);
    this.times.push(timeMs);
    this.isKey.push(key);
    this.forceKey = false;
    this.bytes += line.length + 1;
    this.last = pic;
    return true;
  }

  /** Forgets frames after `timeMs` (the run went back in time; they will be captured again, identical). */
  truncateAfter(timeMs: number): void {
    let n = this.times.length;
    while (n > 0 && this.times[n - 1]! > timeMs) n--;
    if (n === this.times.length) return;
    for (let k = n; k < this.lines.length; k++) this.bytes -= this.lines[k]!.length + 1;
    this.lines.length = n;
    this.times.length = n;
    this.isKey.length = n;
    this.fullFlag = false;
    // The next delta is against the last kept frame: rebuild its picture from its keyframe and the
    // deltas after it, so the file comes out the same as if the run had never gone back.
    this.last = null;
    this.forceKey = true;
    if (n === 0) return;
    let k = n - 1;
    while (k > 0 && !this.isKey[k]) k--;
    let pic: Picture | null = null;
    for (let j = k; j < n; j++) {
      const f = JSON.parse(this.lines[j]!) as RecordingFrame;
      if ('key' in f) pic = pictureOf(f.key.peers, f.key.links);
      else if (pic) applyDelta(pic, f.delta);
    }
    if (pic) {
      this.last = pic;
      this.forceKey = false;
    }
  }

  /** The whole file: header, frames, end record. */
  text(end: Omit<RecordingEnd, 'type' | 'frames' | 'timeMs'>): string {
    const last = this.lastTimeMs ?? 0;
    const series: Record<string, Series> = {};
    for (const [name, s] of Object.entries(end.series)) {
      // only what was shown up to the last frame
      let n = 0;
      while (n < s.t.length && s.t[n]! <= last) n++;
      series[name] = { t: s.t.slice(0, n), v: s.v.slice(0, n) };
    }
    const endLine = JSON.stringify({ ...end, type: 'end', frames: this.lines.length, timeMs: last, series });
    return `${JSON.stringify(this.header)}\n${this.lines.join('\n')}${this.lines.length ? '\n' : ''}${endLine}\n`;
  }
}

/** Answers what a recording showed at any time: the last frame at or before it, and the series up to it. */
export class Replay {
  private cacheIndex = -1;
  private cache: Picture | null = null;
  /** One frame parsed last (a streamed recording parses a frame's line when it is shown). */
  private lastParsed: { i: number; frame: RecordingFrame } | null = null;
  private readonly count: number;
  private readonly timeOf: (i: number) => number;
  private readonly keyAt: (i: number) => boolean;
  private readonly get: (i: number) => RecordingFrame;

  constructor(readonly rec: Recording | StreamedRecording) {
    if ('frames' in rec) {
      const f = rec.frames;
      this.count = f.length;
      this.timeOf = (i) => f[i]!.timeMs;
      this.keyAt = (i) => 'key' in f[i]!;
      this.get = (i) => f[i]!;
    } else {
      this.count = rec.lines.length;
      this.timeOf = (i) => rec.timesMs[i]!;
      this.keyAt = (i) => rec.isKey[i]!;
      this.get = (i) => frameOf(rec.lines[i]!);
    }
  }

  get header(): RecordingHeader {
    return this.rec.header;
  }
  get end(): RecordingEnd {
    return this.rec.end;
  }
  get frameCount(): number {
    return this.count;
  }
  get firstMs(): number {
    return this.timeOf(0);
  }
  get lastMs(): number {
    return this.timeOf(this.count - 1);
  }

  /** Index of the last frame at or before `timeMs` (0 if it is before the first). */
  indexAt(timeMs: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.timeOf(mid) <= timeMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  frame(i: number): RecordingFrame {
    if (this.lastParsed?.i === i) return this.lastParsed.frame;
    const frame = this.get(i);
    this.lastParsed = { i, frame };
    return frame;
  }

  /** The snapshot of frame `i` (keyframe plus the deltas after it; the one before is reused when playing forward). */
  snapshot(i: number, run: number): SnapshotData {
    let start: number;
    let pic: Picture;
    if (this.cache && this.cacheIndex <= i && this.cacheIndex >= this.keyframeBefore(i)) {
      start = this.cacheIndex + 1;
      pic = this.cache;
    } else {
      const k = this.keyframeBefore(i);
      const key = this.frame(k) as Extract<RecordingFrame, { key: unknown }>;
      pic = pictureOf(key.key.peers, key.key.links);
      start = k + 1;
    }
    for (let j = start; j <= i; j++) {
      const f = this.frame(j);
      if ('key' in f) {
        pic = pictureOf(f.key.peers, f.key.links);
        continue;
      }
      applyDelta(pic, f.delta);
    }
    this.cache = pic;
    this.cacheIndex = i;
    const peers = [...pic.peers.values()].sort((a, b) => a.id - b.id);
    return { run, timeMs: this.timeOf(i), totalPeers: this.rec.header.scenario.peers, peers, links: linksOut(pic.links) };
  }

  private keyframeBefore(i: number): number {
    for (let k = i; k >= 0; k--) if (this.keyAt(k)) return k;
    return 0; // the reader guarantees frame 0 is a keyframe
  }
}
