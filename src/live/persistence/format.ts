/**
 * The update log's bytes (pure: no I/O). Format 2, all integers little-endian:
 *
 *   header  8 bytes   'PLYLOG' 0x00 0x02
 *   record  'YREC' | u32 length | u32 crc32(payload) | u32 crc32(the 12 bytes before) | payload
 *
 * Every record carries its own magic and a checksum of its own header, so damage anywhere costs only
 * the records it touches: the reader resynchronises on the next record whose magic, header checksum,
 * payload checksum and Yjs decoding all hold. (Format 1 had `u32 length | u32 crc32` only: one flipped
 * byte in record 25 of 50 lost records 25..50, a bad header lost everything.) Format 1 logs are still
 * read, resynchronising on the next offset whose length and checksum hold, and rewritten as format 2.
 */
import { Buffer } from 'node:buffer';
import * as Y from 'yjs';
import { crc32 } from './crc32.js';

export const LOG_MAGIC = new Uint8Array([0x50, 0x4c, 0x59, 0x4c, 0x4f, 0x47, 0x00, 0x02]); // 'PLYLOG' 0 2
const LOG_MAGIC_V1 = new Uint8Array([0x50, 0x4c, 0x59, 0x4c, 0x4f, 0x47, 0x00, 0x01]);
export const HEADER_BYTES = LOG_MAGIC.length;
const RECORD_MAGIC = Buffer.from('YREC', 'latin1');
export const RECORD_HEADER_BYTES = 16;
const V1_RECORD_HEADER_BYTES = 8;
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

/** A stretch of the file that held no intact record. */
export interface Damage {
  offset: number;
  length: number;
  /** Why the first record there was refused. */
  why: string;
}

export interface ParsedLog {
  /** Every intact record's payload (a Yjs update), in file order. */
  updates: Uint8Array[];
  damaged: Damage[];
  /** The format the file was written in (a damaged header reads as the format its records have). */
  version: 1 | 2;
}

export function encodeRecord(update: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + update.length);
  const view = new DataView(out.buffer);
  out.set(RECORD_MAGIC, 0);
  view.setUint32(4, update.length, true);
  view.setUint32(8, crc32(update), true);
  view.setUint32(12, crc32(out, 0, 12), true);
  out.set(update, RECORD_HEADER_BYTES);
  return out;
}

function startsWith(buf: Uint8Array, magic: Uint8Array, at = 0): boolean {
  if (buf.length - at < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (buf[at + i] !== magic[i]) return false;
  return true;
}

function decodable(payload: Uint8Array): boolean {
  try {
    Y.decodeUpdate(payload);
    return true;
  } catch {
    return false;
  }
}

type Read = { end: number; payload: Uint8Array } | { why: string };

function recordV2(buf: Uint8Array, view: DataView, off: number, max: number): Read {
  const have = buf.length - off;
  if (have < RECORD_HEADER_BYTES) return { why: `record header torn (${have} of ${RECORD_HEADER_BYTES} bytes)` };
  if (!startsWith(buf, RECORD_MAGIC, off)) return { why: 'no record magic' };
  if (crc32(buf, off, off + 12) !== view.getUint32(off + 12, true)) return { why: 'record header checksum mismatch' };
  const len = view.getUint32(off + 4, true);
  if (len === 0 || len > max) return { why: `bad length ${len}` };
  if (have - RECORD_HEADER_BYTES < len) return { why: `torn (${have - RECORD_HEADER_BYTES} of ${len} bytes)` };
  const start = off + RECORD_HEADER_BYTES;
  if (crc32(buf, start, start + len) !== view.getUint32(off + 8, true)) return { why: 'checksum mismatch' };
  const payload = buf.slice(start, start + len);
  if (!decodable(payload)) return { why: 'not a Yjs update' };
  return { end: start + len, payload };
}

function recordV1(buf: Uint8Array, view: DataView, off: number, max: number): Read {
  const have = buf.length - off;
  if (have < V1_RECORD_HEADER_BYTES) return { why: `record header torn (${have} of ${V1_RECORD_HEADER_BYTES} bytes)` };
  const len = view.getUint32(off, true);
  if (len === 0 || len > max) return { why: `bad length ${len}` };
  if (have - V1_RECORD_HEADER_BYTES < len) return { why: `torn (${have - V1_RECORD_HEADER_BYTES} of ${len} bytes)` };
  const start = off + V1_RECORD_HEADER_BYTES;
  if (crc32(buf, start, start + len) !== view.getUint32(off + 4, true)) return { why: 'checksum mismatch' };
  const payload = buf.slice(start, start + len);
  if (!decodable(payload)) return { why: 'not a Yjs update' };
  return { end: start + len, payload };
}

/** The next offset after `from` where an intact record starts, or -1. */
function resync(buf: Uint8Array, view: DataView, from: number, version: 1 | 2, max: number): number {
  if (version === 2) {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let p = b.indexOf(RECORD_MAGIC, from); p >= 0; p = b.indexOf(RECORD_MAGIC, p + 1)) if ('end' in recordV2(buf, view, p, max)) return p;
    return -1;
  }
  // format 1 has no record magic: try every offset whose length field could fit (random lengths rarely do)
  for (let p = from; p + V1_RECORD_HEADER_BYTES <= buf.length; p++) {
    const len = view.getUint32(p, true);
    if (len === 0 || len > max || len > buf.length - p - V1_RECORD_HEADER_BYTES) continue;
    if ('end' in recordV1(buf, view, p, max)) return p;
  }
  return -1;
}

function scan(buf: Uint8Array, from: number, version: 1 | 2, max: number, damaged: Damage[]): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const read = version === 2 ? recordV2 : recordV1;
  const updates: Uint8Array[] = [];
  let off = from;
  while (off < buf.length) {
    const r = read(buf, view, off, max);
    if ('end' in r) {
      updates.push(r.payload);
      off = r.end;
      continue;
    }
    const next = resync(buf, view, off + 1, version, max);
    const end = next < 0 ? buf.length : next;
    damaged.push({ offset: off, length: end - off, why: next < 0 ? `torn or damaged tail: ${r.why}` : `damaged record: ${r.why}` });
    off = end;
  }
  return updates;
}

/**
 * Reads a log image: every intact record, and where the damage is. An empty image is an empty log. A file
 * whose header is neither format's and that holds no intact record of either is not a log of ours:
 * LogFormatError (so nobody overwrites it).
 */
export function parseLog(buf: Uint8Array, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): ParsedLog {
  if (buf.length === 0) return { updates: [], damaged: [], version: 2 };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const declared = startsWith(buf, LOG_MAGIC) ? 2 : startsWith(buf, LOG_MAGIC_V1) ? 1 : 0;
  if (declared !== 0) {
    const damaged: Damage[] = [];
    const updates = scan(buf, HEADER_BYTES, declared, maxRecordBytes, damaged);
    if (damaged.length === 0) return { updates, damaged, version: declared };
    // The two headers differ in their last byte, so damage can make one format's header read as the other's
    // (a bit flip, or a cut that brings a format-2 payload's leading 0x01 up against 'PLYLOG' 0x00). A
    // damaged scan is checked against the other format, and the one that keeps more records wins.
    const other = declared === 2 ? 1 : 2;
    const first = resync(buf, view, HEADER_BYTES, other, maxRecordBytes);
    if (first >= 0) {
      const otherDamaged: Damage[] = [{ offset: 0, length: first, why: `header reads as format ${declared}, records are format ${other}` }];
      const otherUpdates = scan(buf, first, other, maxRecordBytes, otherDamaged);
      if (otherUpdates.length > updates.length) return { updates: otherUpdates, damaged: otherDamaged, version: other };
    }
    return { updates, damaged, version: declared };
  }
  if (buf.length < HEADER_BYTES && startsWith(LOG_MAGIC, buf)) {
    // a header torn while the log was being created
    return { updates: [], damaged: [{ offset: 0, length: buf.length, why: `header torn (${buf.length} of ${HEADER_BYTES} bytes)` }], version: 2 };
  }
  // a damaged header: keep whatever records follow it, in whichever format has some
  for (const version of [2, 1] as const) {
    const first = resync(buf, view, version === 2 ? 0 : HEADER_BYTES, version, maxRecordBytes);
    if (first < 0) continue;
    const damaged: Damage[] = [{ offset: 0, length: first, why: 'damaged header' }];
    return { updates: scan(buf, first, version, maxRecordBytes, damaged), damaged, version };
  }
  throw new LogFormatError('not a peerlab update log (no log header and no intact record)');
}
