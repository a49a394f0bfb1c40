// The recording format: Recorder -> text -> parseRecording -> Replay gives back every frame exactly
// (keyframes and deltas, peers and links coming and going), and a bad or cut-off file is refused with
// the line and field at fault.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_LINE_CHARS, parseRecording, Recorder, RecordingError, RecordingReader, Replay, type RecordingHeader } from '../../src/host/recording.js';
import { fuzz } from '../fuzz.js';
import type { CountersData, PeerView, SnapshotData } from '../../src/host/lab-group.js';
import { Rng } from '../../src/core/index.js';

const header = (over: Partial<RecordingHeader> = {}): RecordingHeader => ({
  format: 'peerlab-recording',
  version: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  scenario: { name: 'synthetic', protocol: 'x', peers: 60, source: '<test>', text: 'name: synthetic\n' },
  seed: 5,
  untilMs: 10_000,
  untilComplete: false,
  everyMs: 100,
  maxPeers: 60,
  keyframeEvery: 7,
  ...over,
});
const counters = (t: number, sent: number): CountersData => ({ timeMs: t, events: sent * 2, online: 50, sent, delivered: sent, dropped: 0, bytesSent: sent * 64, summary: { reached: sent / 1000 } });
const STATES = ['honest', 'malicious', 'isolated'];

type Link = [number, number] | [number, number, number];
const sortLinks = (l: readonly Link[]): Link[] => [...l].sort((p, q) => p[0] - q[0] || p[1] - q[1]);

/** A run of `frames` snapshots where peers join, leave, change state and reputation, and links rewire. */
function syntheticRun(seed: number, frames: number): SnapshotData[] {
  const rng = new Rng(seed);
  const peers = new Map<number, PeerView>();
  for (let i = 0; i < 40; i++) peers.set(i, { id: i, alive: true, state: 'honest', value: 0.5, x: rng.float(), y: rng.float() });
  // each link with its kind (0 = the first kind, drawn as [a, b]); kinds change too (rewiring)
  const links = new Map<string, number>();
  const out: SnapshotData[] = [];
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < 6; k++) {
      const id = rng.int(60);
      const r = rng.float();
      if (r < 0.2) peers.delete(id);
      else if (peers.has(id)) peers.set(id, { ...peers.get(id)!, state: rng.pick(STATES), value: Math.round(rng.float() * 100) / 100, alive: rng.float() < 0.9 });
      else peers.set(id, { id, alive: true, state: 'honest' });
    }
    const ids = [...peers.keys()];
    for (let k = 0; k < 8; k++) {
      const a = rng.pick(ids);
      const b = rng.pick(ids);
      if (a !== b) links.set(a < b ? `${a}-${b}` : `${b}-${a}`, rng.int(3));
    }
    for (const l of [...links.keys()]) {
      const [a, b] = l.split('-').map(Number) as [number, number];
      if (!peers.has(a) || !peers.has(b) || rng.float() < 0.1) links.delete(l);
      else if (rng.float() < 0.05) links.set(l, rng.int(3));
    }
    out.push({
      run: 1,
      timeMs: f * 100,
      totalPeers: 60,
      peers: [...peers.values()].sort((a, b) => a.id - b.id).map((p) => ({ ...p })),
      links: sortLinks([...links].map(([l, kind]) => {
        const [a, b] = l.split('-').map(Number) as [number, number];
        return kind === 0 ? [a, b] : [a, b, kind];
      })),
    });
  }
  return out;
}


function record(snaps: SnapshotData[], h = header()): string {
  const rec = new Recorder(h);
  for (const s of snaps) expect(rec.capture(s.timeMs, counters(s.timeMs, s.timeMs / 10), s)).toBe(true);
  return rec.text({ reason: 'stopped', done: false, endReason: null, series: { reached: { t: [0, 150, 6000], v: [0, 0.5, 1] } } });
}

describe('recording format', () => {
  it('round-trips every frame of a run with churn, state changes and rewiring (keyframes + deltas)', () => {
    for (const seed of [1, 2, 3]) {
      const snaps = syntheticRun(seed, 50);
      const text = record(snaps);
      const rec = parseRecording(text, 'mem');
      expect(rec.frames).toHaveLength(50);
      // a version-1 file (written before links had kinds) is still read
      expect(parseRecording(record(snaps.map((x) => ({ ...x, links: x.links.map(([a, b]) => [a, b] as Link) })), header({ version: 1 })), 'v1').frames).toHaveLength(50);
      expect(rec.frames.filter((f) => 'key' in f)).toHaveLength(Math.ceil(50 / 7));
      const replay = new Replay(rec);
      // in order (the cached path), then in a shuffled order (from the nearest keyframe)
      const order = [...snaps.keys(), ...new Rng(seed).shuffle([...snaps.keys()])];
      for (const i of order) {
        const got = replay.snapshot(i, 9);
        const want = snaps[i]!;
        expect(got.timeMs, `seed ${seed} frame ${i}`).toBe(want.timeMs);
        expect(got.peers, `seed ${seed} frame ${i}`).toEqual(want.peers);
        expect(sortLinks(got.links as Link[]), `seed ${seed} frame ${i}`).toEqual(want.links);
        expect(replay.frame(i).counters.sent).toBe(want.timeMs / 10);
      }
      expect(replay.indexAt(-5)).toBe(0);
      expect(replay.indexAt(450)).toBe(4);
      expect(replay.indexAt(499.9)).toBe(4);
      expect(replay.indexAt(1e9)).toBe(49);
      // the end record keeps the series only up to the last frame (4.9 s)
      expect(rec.end.series.reached).toEqual({ t: [0, 150], v: [0, 0.5] });
    }
  });

  it('deltas are much smaller than keyframes', () => {
    const snaps = syntheticRun(4, 40);
    const lines = record(snaps, header({ keyframeEvery: 1000 })).split('\n');
    const key = lines[1]!.length;
    const deltas = lines.slice(2, -2).map((l) => l.length);
    expect(Math.max(...deltas)).toBeLessThan(key / 2);
  });

  it('truncateAfter drops later frames and starts again with a keyframe', () => {
    const snaps = syntheticRun(5, 20);
    const rec = new Recorder(header());
    for (const s of snaps.slice(0, 12)) rec.capture(s.timeMs, counters(s.timeMs, 1), s);
    rec.truncateAfter(650);
    expect(rec.frames).toBe(7);
    expect(rec.lastTimeMs).toBe(600);
    for (const s of snaps.slice(7)) rec.capture(s.timeMs, counters(s.timeMs, 1), s);
    const parsed = parseRecording(rec.text({ reason: 'stopped', done: false, endReason: null, series: {} }));
    expect('key' in parsed.frames[7]!).toBe(true);
    const replay = new Replay(parsed);
    for (let i = 0; i < 20; i++) expect(replay.snapshot(i, 1).peers).toEqual(snaps[i]!.peers);
  });

  it('stops at its frame limit and says so', () => {
    const rec = new Recorder(header(), { maxFrames: 3 });
    const snaps = syntheticRun(6, 5);
    expect(snaps.map((s) => rec.capture(s.timeMs, counters(s.timeMs, 0), s))).toEqual([true, true, true, false, false]);
    expect(rec.full).toBe(true);
    expect(rec.frames).toBe(3);
  });

  describe('refuses a bad file with the line and field at fault', () => {
    const good = record(syntheticRun(7, 10));
    const lines = good.trimEnd().split('\n');
    const edit = (n: number, f: (o: Record<string, unknown>) => void): string => {
      const copy = [...lines];
      const o = JSON.parse(copy[n - 1]!) as Record<string, unknown>;
      f(o);
      copy[n - 1] = JSON.stringify(o);
      return `${copy.join('\n')}\n`;
    };
    const cases: [string, string, RegExp][] = [
      ['empty', '', /f\.jsonl: empty file/],
      ['not ours', '{"hello":1}\n', /line 1: not a peerlab recording/],
      ['binary (e.g. still gzipped)', '\x1f\x8b\x08\x00garbage', /line 1: not JSON/],
      ['newer version', edit(1, (o) => (o.version = 3)), /line 1: recording format version 3 is not supported \(this peerlab reads versions 1 and 2\)/],
      ['bad header field', edit(1, (o) => (o.everyMs = -1)), /line 1: header: everyMs: /],
      ['bad frame field', edit(4, (o) => ((o.counters as Record<string, unknown>).sent = 'many')), /line 4: frame: counters\.sent: /],
      ['unknown key', edit(3, (o) => (o.extra = true)), /line 3: frame: /],
      ['frame missing', [...lines.slice(0, 3), ...lines.slice(4)].join('\n') + '\n', /line 4: frame i is 3, expected 2/],
      ['time goes back', edit(3, (o) => (o.timeMs = 0)), /line 3: frame timeMs 0 is not after the previous frame's 0/],
      ['delta first', [lines[0], ...lines.slice(2)].join('\n') + '\n', /line 2: frame i is 1, expected 0/],
      ['delta about a peer never drawn', edit(3, (o) => ((o.delta as { gone: number[] }).gone = [59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48])), /line 3: delta\.gone: peer \d+ was not drawn/],
      ['end says more frames', edit(lines.length, (o) => (o.frames = 11)), /line 12: end record says 11 frames but the file has 10/],
      ['series lengths differ', edit(lines.length, (o) => ((o.series as Record<string, { v: number[] }>).reached!.v = [1])), /end record: series\.reached: t has 2 points but v has 1/],
      ['cut off after a frame', lines.slice(0, 6).join('\n') + '\n', /truncated: 6 lines \(5 frames\) and no end record/],
      ['cut off mid-line', good.slice(0, Math.floor(good.length * 0.6)), /line \d+: cut off mid-record \(the file is truncated\)/],
      ['junk after the end', good + '{"type":"frame"}\n', /line 13: content after the end record/],
    ];
    for (const [what, text, re] of cases) {
      it(what, () => {
        let err: unknown;
        try {
          parseRecording(text, 'f.jsonl');
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RecordingError);
        expect((err as Error).message).toMatch(re);
      });
    }
  });
});

describe('recordings read as a stream, and hostile ones', () => {
  it('read in pieces of any size, a recording replays exactly as when parsed whole (fast-check over the cuts)', () => {
    const text = record(syntheticRun(9, 40));
    const whole = new Replay(parseRecording(text, 'w'));
    fuzz(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const r = new RecordingReader('s');
        let at = 0;
        for (let k = 0; at < text.length; k++) {
          const n = sizes[k % sizes.length]!;
          r.push(text.slice(at, at + n));
          at += n;
        }
        const streamed = new Replay(r.finish());
        expect(streamed.frameCount).toBe(whole.frameCount);
        for (const i of [0, 7, 13, 39, 20, 3]) expect(streamed.snapshot(i, 1)).toEqual(whole.snapshot(i, 1));
        expect(streamed.frame(25)).toEqual(whole.frame(25));
      }),
      { numRuns: 60 },
    );
  });

  it('a recording with random damage is read or refused with a RecordingError, never anything else (fast-check)', () => {
    const text = record(syntheticRun(4, 20));
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 30 }), ins: fc.string({ maxLength: 30, unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\n', '1', '-', 'e', 'x', ' ', 'key', 'delta', 'peers', 'null') }) });
    fuzz(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), (edits, streamed) => {
        let t = text;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.ins + t.slice(at + e.del);
        }
        try {
          if (streamed) {
            const r = new RecordingReader('f');
            r.push(t);
            new Replay(r.finish()).snapshot(0, 1);
          } else new Replay(parseRecording(t, 'f')).snapshot(0, 1);
        } catch (e) {
          expect(e).toBeInstanceOf(RecordingError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a frame holding a huge value is refused by its line or its value, with where', () => {
    const text = record(syntheticRun(2, 5));
    const lines = text.split('\n');
    const frame = JSON.parse(lines[2]!) as { counters: { summary: Record<string, unknown> } };
    frame.counters.summary.note = 'x'.repeat(5000);
    const withValue = [...lines.slice(0, 2), JSON.stringify(frame), ...lines.slice(3)].join('\n');
    expect(() => parseRecording(withValue, 'v.jsonl')).toThrow(/^v\.jsonl: line 3: frame: counters\.summary\.note: Too big/);
    frame.counters.summary.note = 'x'.repeat(MAX_FRAME_LINE_CHARS);
    const withLine = [...lines.slice(0, 2), JSON.stringify(frame), ...lines.slice(3)].join('\n');
    expect(() => parseRecording(withLine, 'l.jsonl')).toThrow(`l.jsonl: line 3: a frame of ${JSON.stringify(frame).length} characters, more than the ${MAX_FRAME_LINE_CHARS} a frame may have`);
  });

  it('streamed, a bad line is refused as soon as its piece arrives, before the rest of the file', () => {
    const text = record(syntheticRun(3, 10));
    const lines = text.split('\n');
    const r = new RecordingReader('early');
    r.push(`${lines[0]}\n${lines[1]}\n`);
    expect(() => r.push('{"type":"frame","i":5}\n')).toThrow(/^early: line 3: frame: /);
  });
});
