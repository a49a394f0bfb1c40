/**
 * The update log of Node peers (src/live/persistence/): restarts restore exactly; compaction; damage
 * anywhere (a torn tail at every cut point, one flipped byte in the middle, a damaged header or version,
 * another writer's records interleaved, random damage of every kind) costs only the records it touches:
 * every intact record is loaded, the damage is reported and copied aside, the rewritten log holds exactly
 * the intact records; format-1 logs are read and rewritten; one writer per log (a lock).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Rng } from '../../src/core/index.js';
import { crc32 } from '../../src/live/persistence/crc32.js';
import { encodeRecord, LOG_MAGIC, LogFormatError, LogLockedError, UpdateLog, parseLog, persistDoc } from '../../src/live/persistence/update-log.js';
import { fuzz } from '../fuzz.js';

const dirs: string[] = [];
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'peerlab-log-'));
  dirs.push(d);
  return path.join(d, 'doc.ylog');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Types `n` random edits into a doc bound to a log at `file`; returns the doc's text. */
function typeInto(file: string, n: number, rng: Rng, opts = {}): string {
  const doc = new Y.Doc();
  const p = persistDoc(doc, new UpdateLog(file, { onWarning: () => {}, ...opts }));
  const t = doc.getText('t');
  for (let i = 0; i < n; i++) {
    if (t.length > 0 && rng.float() < 0.2) t.delete(rng.int(t.length), 1);
    else t.insert(rng.int(t.length + 1), String.fromCharCode(97 + rng.int(26)));
  }
  const s = t.toString();
  p.detach();
  return s;
}

function load(file: string, opts = {}): { doc: Y.Doc; text: string; warnings: string[]; records: number; skipped: number; aside?: string } {
  const doc = new Y.Doc();
  const warnings: string[] = [];
  const p = persistDoc(doc, new UpdateLog(file, { onWarning: (m) => warnings.push(m), ...opts }));
  const text = doc.getText('t').toString();
  p.detach();
  return { doc, text, warnings, records: p.report.records, skipped: p.report.skippedBytes, ...(p.report.aside ? { aside: p.report.aside } : {}) };
}

const key = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** A log image of these updates, and where each record starts and ends. */
function image(updates: Uint8Array[]): { bytes: Buffer; spans: [number, number][] } {
  const parts: Uint8Array[] = [LOG_MAGIC];
  const spans: [number, number][] = [];
  let off = LOG_MAGIC.length;
  for (const u of updates) {
    const r = encodeRecord(u);
    parts.push(r);
    spans.push([off, off + r.length]);
    off += r.length;
  }
  return { bytes: Buffer.concat(parts), spans };
}

/**
 * Two writers' updates interleaved, as a peer's log holds its own typing and what arrives from another:
 * A types into Y.Text 'a', B into Y.Text 'b', so B's edits never depend on A's.
 */
function twoWriters(n: number, seed: number): { updates: { who: 'A' | 'B'; u: Uint8Array }[]; a: string; b: string } {
  const rng = new Rng(seed);
  const docs = { A: new Y.Doc(), B: new Y.Doc() };
  // client ids from the seed too, so a failing case replays byte for byte (Yjs draws them at random)
  docs.A.clientID = 1 + rng.int(0x3fffffff);
  docs.B.clientID = 1 + rng.int(0x3fffffff);
  const updates: { who: 'A' | 'B'; u: Uint8Array }[] = [];
  for (const who of ['A', 'B'] as const) docs[who].on('update', (u: Uint8Array) => updates.push({ who, u }));
  for (let i = 0; i < n; i++)
    for (const who of ['A', 'B'] as const) {
      const t = docs[who].getText(who.toLowerCase());
      // at the start or the end, so each edit's text stays whole
      t.insert(rng.int(2) === 0 ? 0 : t.length, `${who}${i};`);
    }
  return { updates, a: docs.A.getText('a').toString(), b: docs.B.getText('b').toString() };
}

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('UpdateLog', () => {
  it('restores exactly what was typed, across restarts', () => {
    const file = tmpFile();
    const a = typeInto(file, 200, new Rng(1234));
    expect(load(file).text).toBe(a);
    // a second session appends to the same log
    const doc = new Y.Doc();
    const p = persistDoc(doc, new UpdateLog(file));
    doc.getText('t').insert(0, 'XY');
    const b = doc.getText('t').toString();
    p.detach();
    const again = load(file);
    expect(again.text).toBe(b);
    expect(again.warnings).toEqual([]);
  });

  it('compacts with Y.mergeUpdates and keeps the content', () => {
    const file = tmpFile();
    const text = typeInto(file, 120, new Rng(7), { compactAfterRecords: 50 });
    const { updates } = parseLog(fs.readFileSync(file));
    expect(updates.length).toBeLessThan(50); // compacted at least once
    expect(load(file).text).toBe(text);
  });

  it('a torn tail at every cut point: only whole records load, the tail goes aside, the log ends at the last whole record', () => {
    const file = tmpFile();
    typeInto(file, 30, new Rng(99));
    const full = fs.readFileSync(file);
    const { updates } = parseLog(full);
    const { spans } = image(updates);
    expect(spans.at(-1)![1]).toBe(full.length);
    for (let cut = LOG_MAGIC.length + 1; cut < full.length; cut += 3) {
      fs.writeFileSync(file, full.subarray(0, cut));
      const whole = spans.filter(([, e]) => e <= cut).length;
      const goodEnd = whole === 0 ? LOG_MAGIC.length : spans[whole - 1]![1];
      const r = load(file);
      expect(r.records).toBe(whole);
      expect(r.skipped).toBe(cut - goodEnd);
      if (cut !== goodEnd) expect(r.warnings[0]).toMatch(/torn or damaged tail/);
      // the rewritten log ends at the last whole record, so the next append is readable
      expect(fs.statSync(file).size).toBe(goodEnd);
      const expected = new Y.Doc();
      for (const u of updates.slice(0, whole)) Y.applyUpdate(expected, u);
      expect(r.text).toBe(expected.getText('t').toString());
    }
  });

  it('one flipped byte inside record 25 of 50 loses record 25 only; the rest load, the log is rewritten with them, the damage goes aside', () => {
    const file = tmpFile();
    const rng = new Rng(5);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 50; i++) doc.getText('t').insert(rng.int(doc.getText('t').length + 1), `e${i};`);
    const { bytes, spans } = image(updates);
    const [s, e] = spans[24]!;
    bytes[s + 16 + Math.floor((e - s - 16) / 2)]! ^= 0x5a; // inside record 25's payload
    fs.writeFileSync(file, bytes);
    const r = load(file);
    expect(r.records).toBe(49);
    expect(r.skipped).toBe(e - s);
    expect(r.warnings.join()).toMatch(/damaged record: checksum mismatch/);
    // exactly the 49 intact records, in order, are what the log now holds
    const kept = parseLog(fs.readFileSync(file));
    expect(kept.damaged).toEqual([]);
    expect(kept.updates.map(key)).toEqual([...updates.slice(0, 24), ...updates.slice(25)].map(key));
    expect(fs.readFileSync(r.aside!)).toEqual(bytes.subarray(s, e));
    // what needs the lost record waits in the doc (pending), it is not thrown away
    expect(r.doc.store.pendingStructs).not.toBeNull();
    // the next open is clean, and appends follow
    const again = new Y.Doc();
    const p = persistDoc(again, new UpdateLog(file));
    again.getText('z').insert(0, 'Z');
    p.detach();
    expect(load(file).warnings).toEqual([]);
  });

  it("two writers interleaved: one bad byte in a record of writer A leaves every one of writer B's 25 edits", () => {
    const file = tmpFile();
    const { updates, b } = twoWriters(25, 11);
    const { bytes, spans } = image(updates.map((x) => x.u));
    const victim = updates.findIndex((x, i) => x.who === 'A' && i > 4);
    bytes[spans[victim]![0] + 20]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const r = load(file);
    expect(r.records).toBe(updates.length - 1);
    expect(r.doc.getText('b').toString()).toBe(b);
    for (let i = 0; i < 25; i++) expect(r.doc.getText('b').toString()).toContain(`B${i};`);
  });

  it('a damaged magic or version costs only the header: every record loads and the log is rewritten whole', () => {
    for (const at of [0, 3, 7]) {
      const file = tmpFile();
      const text = typeInto(file, 40, new Rng(at + 1));
      const before = parseLog(fs.readFileSync(file)).updates;
      const bytes = fs.readFileSync(file);
      bytes[at]! ^= 0x21;
      fs.writeFileSync(file, bytes);
      const r = load(file);
      expect(r.records).toBe(before.length);
      expect(r.text).toBe(text);
      expect(r.warnings.join()).toMatch(/damaged header/);
      expect(fs.readFileSync(file).subarray(0, 8)).toEqual(Buffer.from(LOG_MAGIC));
    }
  });

  it("a header that damage makes read as the other format's costs only the header: version byte 0x02 -> 0x01, and a cut that joins 'PLYLOG' 0x00 to a payload's 0x01", () => {
    const file = tmpFile();
    const text = typeInto(file, 30, new Rng(7));
    const clean = fs.readFileSync(file);
    const before = parseLog(clean).updates.length;
    // the version byte flipped to format 1's
    const flipped = Buffer.from(clean);
    flipped[7] = 0x01;
    const p1 = parseLog(flipped);
    expect(p1.version).toBe(2);
    expect(p1.updates.length).toBe(before);
    // bytes 7..23 cut: the header's 0x00 now meets the first record's payload, whose first byte is 0x01
    expect(clean[8 + 16]).toBe(0x01);
    const cut = Buffer.concat([clean.subarray(0, 7), clean.subarray(8 + 16)]);
    expect(cut.subarray(0, 8)).toEqual(Buffer.from([0x50, 0x4c, 0x59, 0x4c, 0x4f, 0x47, 0x00, 0x01]));
    const p2 = parseLog(cut);
    expect(p2.version).toBe(2);
    expect(p2.updates.length).toBe(before - 1);
    fs.writeFileSync(file, flipped);
    const r = load(file);
    expect(r.records).toBe(before);
    expect(r.text).toBe(text);
    expect(parseLog(fs.readFileSync(file)).damaged).toEqual([]);
  });

  it('reads a format-1 log (no record magic) and rewrites it as format 2; a bad record in it is skipped too', () => {
    const file = tmpFile();
    // twenty writers of one key each: no update depends on another, so each lost record costs one key
    const updates: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      const doc = new Y.Doc();
      doc.on('update', (u: Uint8Array) => updates.push(u));
      doc.getMap('m').set(`k${i}`, i);
    }
    const v1 = (u: Uint8Array) => {
      const out = Buffer.alloc(8 + u.length);
      out.writeUInt32LE(u.length, 0);
      out.writeUInt32LE(crc32(u), 4);
      out.set(u, 8);
      return out;
    };
    const recs = updates.map(v1);
    recs[7]![12]! ^= 0x40;
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0x50, 0x4c, 0x59, 0x4c, 0x4f, 0x47, 0x00, 0x01]), ...recs]));
    const r = load(file);
    expect(r.records).toBe(19);
    for (let i = 0; i < 20; i++) if (i !== 7) expect(r.doc.getMap('m').get(`k${i}`)).toBe(i);
    const now = parseLog(fs.readFileSync(file));
    expect(now.version).toBe(2);
    expect(now.updates.length).toBe(19);
  });

  it('refuses a file that is not a log at all, and leaves it as it was', () => {
    const file = tmpFile();
    fs.writeFileSync(file, 'hello world, not a log');
    expect(() => new UpdateLog(file).open()).toThrow(LogFormatError);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello world, not a log');
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('one writer per log: a second open is refused while the first holds it; a lock left by a dead process is taken over', () => {
    const file = tmpFile();
    const first = new UpdateLog(file);
    first.open();
    expect(() => new UpdateLog(file).open()).toThrow(LogLockedError);
    first.close();
    const second = new UpdateLog(file);
    second.open();
    second.close();
    // as a process killed with -9 leaves it: a pid that no longer runs
    fs.writeFileSync(`${file}.lock`, '2147483646 12345\n');
    const third = new UpdateLog(file);
    expect(() => third.open()).not.toThrow();
    expect(fs.readFileSync(`${file}.lock`, 'utf8').split(' ')[0]).toBe(String(process.pid));
    third.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('UpdateLog under random damage (fast-check)', () => {
  const damage = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('copy' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 60 }) }),
  );

  it('every record whose bytes were not touched is loaded, nothing else is, and the rewritten log is clean', () => {
    const file = tmpFile();
    fuzz(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(), fc.array(damage, { minLength: 1, maxLength: 5 }), (n, seed, damages) => {
        const { updates } = twoWriters(n, seed);
        const { bytes, spans } = image(updates.map((x) => x.u));
        // apply the damage, tracking which original bytes each output byte came from (-1: not original)
        let buf = [...bytes];
        let origin = buf.map((_, i) => i);
        const touched = new Set<number>();
        for (const d of damages) {
          const at = d.at % (buf.length + 1);
          if (d.kind === 'flip' && at < buf.length) {
            buf[at] = buf[at]! ^ d.bits;
            touched.add(origin[at]!);
          } else if (d.kind === 'overwrite') {
            for (let i = 0; i < d.bytes.length && at + i < buf.length; i++) {
              if (buf[at + i] !== d.bytes[i]) touched.add(origin[at + i]!);
              buf[at + i] = d.bytes[i]!;
            }
          } else if (d.kind === 'insert') {
            buf = [...buf.slice(0, at), ...d.bytes, ...buf.slice(at)];
            origin = [...origin.slice(0, at), ...Array<number>(d.bytes.length).fill(-1), ...origin.slice(at)];
          } else if (d.kind === 'delete') {
            for (const o of origin.slice(at, at + d.len)) touched.add(o);
            buf.splice(at, d.len);
            origin.splice(at, d.len);
          } else if (d.kind === 'truncate') {
            for (const o of origin.slice(at)) touched.add(o);
            buf = buf.slice(0, at);
            origin = origin.slice(0, at);
          } else if (d.kind === 'copy' && buf.length > 0) {
            const from = d.from % buf.length;
            const piece = buf.slice(from, from + d.len);
            buf = [...buf.slice(0, at), ...piece, ...buf.slice(at)];
            origin = [...origin.slice(0, at), ...Array<number>(piece.length).fill(-1), ...origin.slice(at)];
          }
        }
        // a record is intact if none of its bytes was touched and they still stand together, in order
        const intact = updates.filter((_, i) => {
          const [s, e] = spans[i]!;
          for (let b = s; b < e; b++) if (touched.has(b)) return false;
          const p = origin.indexOf(s);
          return p >= 0 && origin[p + (e - s) - 1] === e - 1 && origin.slice(p, p + (e - s)).every((o, k) => o === s + k);
        });
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, Uint8Array.from(buf));
        let loaded: Uint8Array[];
        const log = new UpdateLog(file, { onWarning: () => {} });
        try {
          loaded = log.open().updates;
          log.close();
        } catch (e) {
          // only a file left with no header and no intact record may be refused
          expect(e).toBeInstanceOf(LogFormatError);
          expect(intact.length).toBe(0);
          return;
        }
        const got = new Set(loaded.map(key));
        for (const x of intact) expect(got.has(key(x.u))).toBe(true);
        const all = new Set(updates.map((x) => key(x.u)));
        for (const u of loaded) expect(all.has(key(u))).toBe(true); // no garbage loaded
        const after = parseLog(fs.readFileSync(file));
        expect(after.damaged).toEqual([]);
        expect(after.updates.map(key)).toEqual(loaded.map(key));
      }),
      { numRuns: 150 },
    );
  });
});
