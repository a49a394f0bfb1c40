/**
 * Reading a recording file, line by line as it arrives: `RecordingReader` takes the text in pieces (a
 * replay upload comes in parts) and checks each complete line at once, so a bad file is refused at its
 * first bad line, and a good one is held as the text of its frame lines plus two small arrays (time,
 * keyframe or not): about the file's size in memory, not the ~25x its parsed objects would cost (an 84 MB
 * recording took the host from 286 MB to 2.4 GB). A frame is parsed again only when it is shown.
 * `parseRecording` is the same check over a whole text, keeping the parsed frames (tests, small files).
 *
 * Every problem is a RecordingError naming the line (and the field): not a recording, an unsupported
 * version, a line over its bound, a malformed frame, frames out of order, a delta about peers or links it
 * never saw, a file cut off before its end record.
 */
import type { z } from 'zod';
import {
  deltaFrame,
  keyFrame,
  MAX_FRAME_LINE_CHARS,
  MAX_RECORD_LINE_CHARS,
  RECORDING_FORMAT,
  READABLE_VERSIONS,
  recordingEnd,
  recordingHeader,
  RecordingError,
  type RecordingEnd,
  type RecordingFrame,
  type RecordingHeader,
} from './recording-format.js';

/** A recording with its frames parsed (parseRecording). */
export interface Recording {
  header: RecordingHeader;
  frames: RecordingFrame[];
  end: RecordingEnd;
}

/** A recording read as a stream: its frames kept as their lines, parsed when asked for. */
export interface StreamedRecording {
  header: RecordingHeader;
  end: RecordingEnd;
  /** The text of each frame line. */
  lines: string[];
  timesMs: number[];
  isKey: boolean[];
}

function issueText(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return 'invalid';
  const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(record)'}: ${i.message}`;
}

/** A link as a number (ids are below 2^24), so the links a check remembers cost a number each. */
const linkNum = (a: number, b: number): number => (a < b ? a * 2 ** 24 + b : b * 2 ** 24 + a);

export class RecordingReader {
  private partial = '';
  private lineNo = 0;
  private header: RecordingHeader | null = null;
  private end: RecordingEnd | null = null;
  private known: Set<number> | null = null;
  private links: Set<number> | null = null;
  private lastTime = -Infinity;
  private frames = 0;
  private readonly lines: string[] = [];
  private readonly timesMs: number[] = [];
  private readonly isKey: boolean[] = [];
  private readonly parsed: RecordingFrame[] = [];

  constructor(
    readonly source = 'recording',
    /** Keep the parsed frames too (parseRecording); a stream keeps only their text. */
    private readonly keepParsed = false,
  ) {}

  private at(n: number, msg: string): RecordingError {
    return new RecordingError(`${this.source}: line ${n}: ${msg}`, n);
  }

  /** The next piece of the file's text. Throws at the first bad line. */
  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      const line = this.partial ? this.partial + piece : piece;
      this.partial = '';
      start = nl + 1;
      this.line(line, false);
    }
    if (start < chunk.length) {
      this.partial += chunk.slice(start);
      if (this.partial.length > MAX_RECORD_LINE_CHARS)
        throw this.at(this.lineNo + 1, `a line of more than ${MAX_RECORD_LINE_CHARS} characters (the most a recording line may have)`);
    }
  }

  /** The file ended: checks it was whole, and returns it. */
  finish(): StreamedRecording {
    if (this.partial) {
      const last = this.partial;
      this.partial = '';
      this.line(last, true);
    }
    if (this.lineNo === 0) throw new RecordingError(`${this.source}: empty file (not a peerlab recording)`, null);
    if (!this.end)
      throw new RecordingError(
        `${this.source}: truncated: ${this.lineNo} line${this.lineNo === 1 ? '' : 's'} (${this.frames} frames) and no end record (the file was cut off, or the recording was never finished)`,
        this.lineNo,
      );
    if (this.frames === 0) throw new RecordingError(`${this.source}: the recording has no frames`, null);
    return { header: this.header as RecordingHeader, end: this.end, lines: this.lines, timesMs: this.timesMs, isKey: this.isKey };
  }

  /** The parsed frames (when made with keepParsed). */
  get frameObjects(): RecordingFrame[] {
    return this.parsed;
  }

  private json(n: number, line: string, lastOfFile: boolean): unknown {
    try {
      return JSON.parse(line);
    } catch (err) {
      const cut = n > 1 && lastOfFile;
      throw this.at(n, cut ? `cut off mid-record (the file is truncated): ${(err as Error).message}` : `not JSON: ${(err as Error).message}`);
    }
  }

  private line(line: string, lastOfFile: boolean): void {
    const n = ++this.lineNo;
    if (this.end) throw this.at(n, 'content after the end record');
    if (this.header === null) {
      if (line.length > MAX_RECORD_LINE_CHARS) throw this.at(n, `a line of ${line.length} characters, more than the ${MAX_RECORD_LINE_CHARS} a recording line may have`);
      const first = this.json(n, line, lastOfFile) as { format?: unknown; version?: unknown } | null;
      if (!first || typeof first !== 'object' || first.format !== RECORDING_FORMAT)
        throw this.at(n, `not a peerlab recording (the first line must be a header with "format": "${RECORDING_FORMAT}")`);
      if (typeof first.version !== 'number' || !READABLE_VERSIONS.includes(first.version))
        throw this.at(n, `recording format version ${JSON.stringify(first.version)} is not supported (this peerlab reads versions ${READABLE_VERSIONS.join(' and ')})`);
      const h = recordingHeader.safeParse(first);
      if (!h.success) throw this.at(n, `header: ${issueText(h.error)}`);
      this.header = h.data;
      return;
    }
    if (line.length > MAX_RECORD_LINE_CHARS) throw this.at(n, `a line of ${line.length} characters, more than the ${MAX_RECORD_LINE_CHARS} a recording line may have`);
    const v = this.json(n, line, lastOfFile) as { type?: unknown } | null;
    if (v && typeof v === 'object' && v.type === 'end') {
      const e = recordingEnd.safeParse(v);
      if (!e.success) throw this.at(n, `end record: ${issueText(e.error)}`);
      if (e.data.frames !== this.frames) throw this.at(n, `end record says ${e.data.frames} frames but the file has ${this.frames} (frames are missing)`);
      for (const [name, s] of Object.entries(e.data.series)) {
        if (s.t.length !== s.v.length) throw this.at(n, `end record: series.${name}: t has ${s.t.length} points but v has ${s.v.length}`);
        for (let k = 1; k < s.t.length; k++)
          if (s.t[k]! < s.t[k - 1]!) throw this.at(n, `end record: series.${name}.t[${k}]: times go backwards`);
      }
      this.end = e.data;
      return;
    }
    if (line.length > MAX_FRAME_LINE_CHARS) throw this.at(n, `a frame of ${line.length} characters, more than the ${MAX_FRAME_LINE_CHARS} a frame may have`);
    // checked against the one form it claims to be, so the error names the field, not "no union member"
    const f = (v && typeof v === 'object' && 'key' in v ? keyFrame : deltaFrame).safeParse(v);
    if (!f.success) throw this.at(n, `frame: ${issueText(f.error)}`);
    const frame = f.data;
    const header = this.header;
    if (frame.i !== this.frames) throw this.at(n, `frame i is ${frame.i}, expected ${this.frames} (frames are missing or out of order)`);
    if (frame.timeMs <= this.lastTime) throw this.at(n, `frame timeMs ${frame.timeMs} is not after the previous frame's ${this.lastTime}`);
    if ('key' in frame) {
      if (frame.key.peers.length > header.maxPeers) throw this.at(n, `key.peers: ${frame.key.peers.length} peers, over the header's maxPeers ${header.maxPeers}`);
      this.known = new Set(frame.key.peers.map((p) => p.id));
      this.links = new Set(frame.key.links.map(([a, b]) => linkNum(a, b)));
    } else {
      const known = this.known;
      const links = this.links;
      if (!known || !links) throw this.at(n, 'the first frame must be a keyframe ("key"), not a delta');
      for (const id of frame.delta.gone) if (!known.delete(id)) throw this.at(n, `delta.gone: peer ${id} was not drawn in the frame before`);
      for (const p of frame.delta.peers) known.add(p.id);
      if (known.size > header.maxPeers) throw this.at(n, `delta: ${known.size} peers drawn, over the header's maxPeers ${header.maxPeers}`);
      for (const [a, b] of frame.delta.linksGone) if (!links.delete(linkNum(a, b))) throw this.at(n, `delta.linksGone: link ${a}-${b} was not drawn in the frame before`);
      for (const [a, b] of frame.delta.linksAdded) links.add(linkNum(a, b));
    }
    this.frames++;
    this.lastTime = frame.timeMs;
    if (this.keepParsed) this.parsed.push(frame);
    else {
      this.lines.push(line);
      this.timesMs.push(frame.timeMs);
      this.isKey.push('key' in frame);
    }
  }
}

/** Validates a whole recording's text and returns it with its frames parsed. Throws a RecordingError. */
export function parseRecording(text: string, source = 'recording'): Recording {
  const r = new RecordingReader(source, true);
  r.push(text);
  const { header, end } = r.finish();
  return { header, frames: r.frameObjects, end };
}

/** Parses one frame line of a StreamedRecording (it was checked when it was read). */
export function frameOf(line: string): RecordingFrame {
  return JSON.parse(line) as RecordingFrame;
}
