import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { crc32 } from '../../src/live/persistence/crc32.js';
import { LOG_MAGIC, LogFormatError, UpdateLog, parseLog, persistDoc } from '../../src/live/persistence/update-log.js';
import { Rng } from '../../src/core/index.js';

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
  const warnings: string[] = [];
  const p = persistDoc(doc, new UpdateLog(file, { onWarning: (m) => warnings.push(m), ...opts }));
  const t = doc.getText('t');
  for (let i = 0; i < n; i++) {
    if (t.length > 0 && rng.float() < 0.2) t.delete(rng.int(t.length), 1);
    else t.insert(rng.int(t.length + 1), String.fromCharCode(97 + rng.int(26)));
  }
  const s = t.toString();
  p.detach();
  return s;
}

function load(file: string, opts = {}): { text: string; warnings: string[]; records: number; skipped: number } {
  const doc = new Y.Doc();
  const warnings: string[] = [];
  const p = persistDoc(doc, new UpdateLog(file, { onWarning: (m) => warnings.push(m), ...opts }));
  const text = doc.getText('t').toString();
  p.detach();
  return { text, warnings, records: p.report.records, skipped: p.report.skippedBytes };
}

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('UpdateLog', () => {
  it('restores exactly what was typed, across restarts', () => {
    const seed = 1234;
    console.log(`seed ${seed}`);
    const rng = new Rng(seed);
    const file = tmpFile();
    const a = typeInto(file, 200, rng);
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

  it('detects a torn tail at every cut point, loads only whole records, and truncates before appending', () => {
    const file = tmpFile();
    typeInto(file, 30, new Rng(99));
    const full = fs.readFileSync(file);
    const { updates } = parseLog(full);
    // record boundaries
    const ends: number[] = [LOG_MAGIC.length];
    for (const u of updates) ends.push((ends.at(-1) as number) + 8 + u.length);
    expect(ends.at(-1)).toBe(full.length);
    for (let cut = LOG_MAGIC.length + 1; cut < full.length; cut += 3) {
      fs.writeFileSync(file, full.subarray(0, cut));
      const whole = ends.filter((e) => e <= cut).length - 1;
      const r = load(file);
      expect(r.records).toBe(whole);
      const goodEnd = ends[whole] as number;
      expect(r.skipped).toBe(cut - goodEnd);
      if (cut !== goodEnd) expect(r.warnings[0]).toMatch(/torn|bad length/);
      // the file was cut back to the last good record, so the next append is readable
      expect(fs.statSync(file).size).toBe(goodEnd);
      const expected = new Y.Doc();
      for (const u of updates.slice(0, whole)) Y.applyUpdate(expected, u);
      expect(r.text).toBe(expected.getText('t').toString());
    }
  });

  it('rejects a corrupt (bit-flipped) tail record cleanly and keeps everything before it', () => {
    const file = tmpFile();
    typeInto(file, 40, new Rng(5));
    const buf = fs.readFileSync(file);
    const { updates } = parseLog(buf);
    const lastLen = (updates.at(-1) as Uint8Array).length;
    buf[buf.length - 1 - Math.floor(lastLen / 2)] ^= 0x5a; // flip bits inside the last payload
    fs.writeFileSync(file, buf);
    const r = load(file);
    expect(r.records).toBe(updates.length - 1);
    expect(r.warnings.join()).toMatch(/checksum mismatch/);
    const expected = new Y.Doc();
    for (const u of updates.slice(0, -1)) Y.applyUpdate(expected, u);
    expect(r.text).toBe(expected.getText('t').toString());
    // a forensic copy of the bad tail was kept
    expect(fs.readdirSync(path.dirname(file)).some((f) => f.includes('.corrupt-'))).toBe(true);
    // appending after repair yields a clean log
    const doc = new Y.Doc();
    const p = persistDoc(doc, new UpdateLog(file));
    doc.getText('t').insert(0, 'Z');
    p.detach();
    expect(load(file).warnings).toEqual([]);
  });

  it('refuses a file that is not a log at all', () => {
    const file = tmpFile();
    fs.writeFileSync(file, 'hello world, not a log');
    expect(() => new UpdateLog(file).open()).toThrow(LogFormatError);
  });
});
