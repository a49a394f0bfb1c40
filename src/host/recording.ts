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
 * Pure (no Node): `Recorder` builds a file, `parseRecording` validates one and reports the first
 * problem by line and field, `Replay` answers "what was shown at time t".
 */
import { z } from 'zod';
import type { Series } from '../protocols/driver.js';
import { countersData, peerView, type CountersData, type PeerView, type SnapshotData } from './lab-group.js';

export const RECORDING_FORMAT = 'peerlab-recording';
export const RECORDING_VERSION = 1;

const link = z.tuple([z.number().int().min(0), z.number().int().min(0)]);
const finite = z.number().finite();

export const recordingHeader = z.strictObject({
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(RECORDING_VERSION),
  /** ISO time the recording started (wall clock; informational only). */
  createdAt: z.string().max(64),
  scenario: z.strictObject({
    name: z.string().max(500),
    protocol: z.string().max(200),
    /** Peers in the run (a snapshot draws at most `maxPeers` of them). */
    peers: z.number().int().min(0),
    /** Where it was loaded from (a file path, or `<dashboard>`). */
    source: z.string().max(4096),
    /** The scenario text as loaded: with `seed`, enough to simulate the same run again. */
    text: z.string().max(512 * 1024),
  }),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  untilMs: finite.min(0),
  untilComplete: z.boolean(),
  /** Virtual ms between frames. */
  everyMs: finite.positive(),
  maxPeers: z.number().int().min(1).max(20_000),
  keyframeEvery: z.number().int().min(1).max(10_000),
});
export type RecordingHeader = z.infer<typeof recordingHeader>;

const keySnapshot = z.strictObject({ peers: z.array(peerView).max(20_000), links: z.array(link).max(1_000_000) });
const deltaSnapshot = z.strictObject({
  /** Peers added or changed since the previous frame (whole). */
  peers: z.array(peerView).max(20_000),
  /** Peers no longer drawn. */
  gone: z.array(z.number().int().min(0)).max(20_000),
  linksAdded: z.array(link).max(1_000_000),
  linksGone: z.array(link).max(1_000_000),
});
const keyFrame = z.strictObject({ type: z.literal('frame'), i: z.number().int().min(0), timeMs: finite.min(0), counters: countersData, key: keySnapshot });
const deltaFrame = z.strictObject({ type: z.literal('frame'), i: z.number().int().min(0), timeMs: finite.min(0), counters: countersData, delta: deltaSnapshot });
export const recordingFrame = z.union([keyFrame, deltaFrame]);
export type RecordingFrame = z.infer<typeof recordingFrame>;

const seriesSchema = z.strictObject({ t: z.array(finite).max(1_000_000), v: z.array(finite).max(1_000_000) });
export const recordingEnd = z.strictObject({
  type: z.literal('end'),
  frames: z.number().int().min(0),
  /** Virtual time of the last frame. */
  timeMs: finite.min(0),
  /** Why recording stopped: the user, the run ended, a size limit, another run was loaded. */
  reason: z.enum(['stopped', 'done', 'full', 'closed']),
  done: z.boolean(),
  endReason: z.enum(['time', 'complete', 'idle']).nullable(),
  /** The run's series up to `timeMs` (driver's own and `net.*`); what was shown at t is each one's prefix up to t. */
  series: z.record(z.string().max(200), seriesSchema),
});
export type RecordingEnd = z.infer<typeof recordingEnd>;

/** A bad recording: `line` (1-based) and `path` say where, when known. */
export class RecordingError extends Error {
  override name = 'RecordingError';
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

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
  a.state === b.state && a.alive === b.alive && a.value === b.value && a.x === b.x && a.y === b.y;

/** What a snapshot draws, as a map and a link set, so deltas apply and compare cheaply. */
interface Picture {
  peers: Map<number, PeerView>;
  links: Set<string>;
}

function pictureOf(peers: readonly PeerView[], links: readonly (readonly [number, number, ...number[]])[]): Picture {
  const p = new Map<number, PeerView>();
  for (const x of peers) if (!p.has(x.id)) p.set(x.id, x);
  const l = new Set<string>();
  for (const [a, b] of links) if (a !== b) l.add(linkKey(a, b));
  return { peers: p, links: l };
}

function applyDelta(pic: Picture, d: z.infer<typeof deltaSnapshot>): void {
  for (const id of d.gone) pic.peers.delete(id);
  for (const p of d.peers) pic.peers.set(p.id, p);
  for (const [a, b] of d.linksGone) pic.links.delete(linkKey(a, b));
  for (const [a, b] of d.linksAdded) pic.links.add(linkKey(a, b));
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
    return this.times.length ? (this.times[this.times.length - 1] as number) : null;
  }
  get firstTimeMs(): number | null {
    return this.times.length ? (this.times[0] as number) : null;
  }
  has(timeMs: number): boolean {
    return this.times.length > 0 && (this.times[this.times.length - 1] as number) >= timeMs && this.times.includes(timeMs);
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
      line = JSON.stringify({ type: 'frame', i, timeMs, counters, key: { peers: [...pic.peers.values()], links: [...pic.links].map(keyLink) } });
    } else {
      const prev = this.last as Picture;
      const peers: PeerView[] = [];
      const gone: number[] = [];
      for (const [id, p] of pic.peers) {
        const old = prev.peers.get(id);
        if (!old || !samePeer(old, p)) peers.push(p);
      }
      for (const id of prev.peers.keys()) if (!pic.peers.has(id)) gone.push(id);
      const linksAdded: [number, number][] = [];
      const linksGone: [number, number][] = [];
      for (const k of pic.links) if (!prev.links.has(k)) linksAdded.push(keyLink(k));
      for (const k of prev.links) if (!pic.links.has(k)) linksGone.push(keyLink(k));
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
    while (n > 0 && (this.times[n - 1] as number) > timeMs) n--;
    if (n === this.times.length) return;
    for (let k = n; k < this.lines.length; k++) this.bytes -= (this.lines[k] as string).length + 1;
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
      const f = JSON.parse(this.lines[j] as string) as RecordingFrame;
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
      while (n < s.t.length && (s.t[n] as number) <= last) n++;
      series[name] = { t: s.t.slice(0, n), v: s.v.slice(0, n) };
    }
    const endLine = JSON.stringify({ ...end, type: 'end', frames: this.lines.length, timeMs: last, series });
    return `${JSON.stringify(this.header)}\n${this.lines.join('\n')}${this.lines.length ? '\n' : ''}${endLine}\n`;
  }
}

export interface Recording {
  header: RecordingHeader;
  frames: RecordingFrame[];
  end: RecordingEnd;
}

function issueText(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return 'invalid';
  const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(record)'}: ${i.message}`;
}

/**
 * Validates a recording's text. Throws a `RecordingError` naming the first problem by line (and
 * field): not a recording, an unsupported version, a malformed frame, frames out of order, a delta
 * about peers it never saw, or a file cut off before its end record.
 */
export function parseRecording(text: string, source = 'recording'): Recording {
  if (text.length === 0) throw new RecordingError(`${source}: empty file (not a peerlab recording)`, null);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const at = (n: number, msg: string): RecordingError => new RecordingError(`${source}: line ${n}: ${msg}`, n);
  const json = (n: number): unknown => {
    try {
      return JSON.parse(lines[n - 1] as string);
    } catch (err) {
      const cut = n > 1 && n === lines.length && !text.endsWith('\n');
      throw at(n, cut ? `cut off mid-record (the file is truncated): ${(err as Error).message}` : `not JSON: ${(err as Error).message}`);
    }
  };
  const first = json(1) as { format?: unknown; version?: unknown } | null;
  if (!first || typeof first !== 'object' || first.format !== RECORDING_FORMAT)
    throw at(1, `not a peerlab recording (the first line must be a header with "format": "${RECORDING_FORMAT}")`);
  if (first.version !== RECORDING_VERSION)
    throw at(1, `recording format version ${JSON.stringify(first.version)} is not supported (this peerlab reads version ${RECORDING_VERSION})`);
  const h = recordingHeader.safeParse(first);
  if (!h.success) throw at(1, `header: ${issueText(h.error)}`);
  const header = h.data;
  const frames: RecordingFrame[] = [];
  let end: RecordingEnd | null = null;
  let known: Set<number> | null = null;
  let links: Set<string> | null = null;
  for (let n = 2; n <= lines.length; n++) {
    if (end) throw at(n, 'content after the end record');
    const v = json(n) as { type?: unknown } | null;
    if (v && typeof v === 'object' && v.type === 'end') {
      const e = recordingEnd.safeParse(v);
      if (!e.success) throw at(n, `end record: ${issueText(e.error)}`);
      if (e.data.frames !== frames.length) throw at(n, `end record says ${e.data.frames} frames but the file has ${frames.length} (frames are missing)`);
      for (const [name, s] of Object.entries(e.data.series)) {
        if (s.t.length !== s.v.length) throw at(n, `end record: series.${name}: t has ${s.t.length} points but v has ${s.v.length}`);
        for (let k = 1; k < s.t.length; k++)
          if ((s.t[k] as number) < (s.t[k - 1] as number)) throw at(n, `end record: series.${name}.t[${k}]: times go backwards`);
      }
      end = e.data;
      continue;
    }
    // checked against the one form it claims to be, so the error names the field, not "no union member"
    const f = (v && typeof v === 'object' && 'key' in v ? keyFrame : deltaFrame).safeParse(v);
    if (!f.success) throw at(n, `frame: ${issueText(f.error)}`);
    const frame = f.data;
    if (frame.i !== frames.length) throw at(n, `frame i is ${frame.i}, expected ${frames.length} (frames are missing or out of order)`);
    const prev = frames[frames.length - 1];
    if (prev && frame.timeMs <= prev.timeMs) throw at(n, `frame timeMs ${frame.timeMs} is not after the previous frame's ${prev.timeMs}`);
    if ('key' in frame) {
      if (frame.key.peers.length > header.maxPeers) throw at(n, `key.peers: ${frame.key.peers.length} peers, over the header's maxPeers ${header.maxPeers}`);
      known = new Set(frame.key.peers.map((p) => p.id));
      links = new Set(frame.key.links.map(([a, b]) => linkKey(a, b)));
    } else {
      if (!known || !links) throw at(n, 'the first frame must be a keyframe ("key"), not a delta');
      for (const id of frame.delta.gone) if (!known.delete(id)) throw at(n, `delta.gone: peer ${id} was not drawn in the frame before`);
      for (const p of frame.delta.peers) known.add(p.id);
      if (known.size > header.maxPeers) throw at(n, `delta: ${known.size} peers drawn, over the header's maxPeers ${header.maxPeers}`);
      for (const [a, b] of frame.delta.linksGone) if (!links.delete(linkKey(a, b))) throw at(n, `delta.linksGone: link ${a}-${b} was not drawn in the frame before`);
      for (const [a, b] of frame.delta.linksAdded) links.add(linkKey(a, b));
    }
    frames.push(frame);
  }
  if (!end) {
    throw new RecordingError(
      `${source}: truncated: ${lines.length} line${lines.length === 1 ? '' : 's'} (${frames.length} frames) and no end record (the file was cut off, or the recording was never finished)`,
      lines.length,
    );
  }
  if (frames.length === 0) throw new RecordingError(`${source}: the recording has no frames`, null);
  return { header, frames, end };
}

/** Answers what a recording showed at any time: the last frame at or before it, and the series up to it. */
export class Replay {
  private cacheIndex = -1;
  private cache: Picture | null = null;

  constructor(readonly rec: Recording) {}

  get firstMs(): number {
    return (this.rec.frames[0] as RecordingFrame).timeMs;
  }
  get lastMs(): number {
    return (this.rec.frames[this.rec.frames.length - 1] as RecordingFrame).timeMs;
  }

  /** Index of the last frame at or before `timeMs` (0 if it is before the first). */
  indexAt(timeMs: number): number {
    const f = this.rec.frames;
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((f[mid] as RecordingFrame).timeMs <= timeMs) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  frame(i: number): RecordingFrame {
    return this.rec.frames[i] as RecordingFrame;
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
      const key = this.rec.frames[k] as Extract<RecordingFrame, { key: unknown }>;
      pic = pictureOf(key.key.peers, key.key.links);
      start = k + 1;
    }
    for (let j = start; j <= i; j++) {
      const f = this.rec.frames[j] as RecordingFrame;
      if ('key' in f) {
        pic = pictureOf(f.key.peers, f.key.links);
        continue;
      }
      applyDelta(pic, f.delta);
    }
    this.cache = pic;
    this.cacheIndex = i;
    const peers = [...pic.peers.values()].sort((a, b) => a.id - b.id);
    return { run, timeMs: this.frame(i).timeMs, totalPeers: this.rec.header.scenario.peers, peers, links: [...pic.links].map(keyLink) };
  }

  private keyframeBefore(i: number): number {
    for (let k = i; k >= 0; k--) if ('key' in (this.rec.frames[k] as RecordingFrame)) return k;
    return 0; // parseRecording guarantees frame 0 is a keyframe
  }
}
