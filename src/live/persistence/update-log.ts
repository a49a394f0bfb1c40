/**
 * A per-peer, per-document append-only log of Yjs updates on disk.
 *
 * File layout (all integers little-endian):
 *   header  8 bytes  'PLYLOG' 0x00 0x01         (magic + format version 1)
 *   record  u32 length | u32 crc32(payload) | payload (a Yjs update, v1 encoding)
 *
 * Loading reads records until the first one that is short, longer than `maxRecordBytes`, fails its
 * checksum, or is not a decodable Yjs update: that is a torn or corrupt tail. It is reported (warning
 * callback), copied aside to `<file>.corrupt-<time>` for forensics, and the file is truncated back to the
 * end of the last good record before anything is appended — so garbage is never loaded, new records
 * never follow garbage, and every record that was intact stays.
 *
 * Durability: each append is one write(2) of the whole record (length, checksum and payload), so a
 * crash of the process (kill -9) loses nothing that `append` returned from: it is in the OS page cache.
 * fsync policy (power loss / kernel crash): 'always' fsyncs every record; 'interval' (default) fsyncs at
 * most every `fsyncIntervalMs` (default 200 ms) if anything was written; 'never' leaves it to the OS.
 *
 * Compaction: when the log holds more than `compactAfterRecords` records (default 1000) it is rewritten
 * as one record, `Y.mergeUpdates` of all of them, into `<file>.tmp`, fsynced and renamed over the log (an
 * atomic replace): a crash during compaction leaves either the old log or the new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { crc32 } from './crc32.js';

export const LOG_MAGIC = new Uint8Array([0x50, 0x4c, 0x59, 0x4c, 0x4f, 0x47, 0x00, 0x01]); // 'PLYLOG' 0 1
const HEADER = LOG_MAGIC.length;
const RECORD_HEADER = 8;

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface UpdateLogOptions {
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  compactAfterRecords?: number;
  /** Largest record accepted on load and append. Default 64 MiB. */
  maxRecordBytes?: number;
  /** Told about a torn/corrupt tail or a bad header. Default: console.warn. */
  onWarning?: (message: string) => void;
}

export interface LoadReport {
  records: number;
  /** Bytes of torn/corrupt tail that were skipped and cut off (0 if the log was clean). */
  skippedBytes: number;
  /** Why the tail was rejected, if it was. */
  tailError?: string;
}

export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

/** Parses a log image: returns the good updates and where the good part ends. Pure (no I/O). */
export function parseLog(
  buf: Uint8Array,
  maxRecordBytes = 64 * 1024 * 1024,
): { updates: Uint8Array[]; goodEnd: number; error?: string } {
  if (buf.length === 0) return { updates: [], goodEnd: 0 };
  if (buf.length < HEADER) return { updates: [], goodEnd: 0, error: `header torn (${buf.length} of ${HEADER} bytes)` };
  for (let i = 0; i < HEADER; i++)
    if (buf[i] !== LOG_MAGIC[i]) throw new LogFormatError('not a peerlab update log (bad magic/version)');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const updates: Uint8Array[] = [];
  let off = HEADER;
  while (off < buf.length) {
    if (buf.length - off < RECORD_HEADER)
      return { updates, goodEnd: off, error: `record header torn at offset ${off}` };
    const len = view.getUint32(off, true);
    const sum = view.getUint32(off + 4, true);
    if (len === 0 || len > maxRecordBytes)
      return { updates, goodEnd: off, error: `record at offset ${off}: bad length ${len}` };
    if (buf.length - off - RECORD_HEADER < len)
      return { updates, goodEnd: off, error: `record at offset ${off}: torn (${buf.length - off - RECORD_HEADER} of ${len} bytes)` };
    const start = off + RECORD_HEADER;
    if (crc32(buf, start, start + len) !== sum)
      return { updates, goodEnd: off, error: `record at offset ${off}: checksum mismatch` };
    const payload = buf.slice(start, start + len);
    try {
      Y.decodeUpdate(payload);
    } catch {
      return { updates, goodEnd: off, error: `record at offset ${off}: not a Yjs update` };
    }
    updates.push(payload);
    off = start + len;
  }
  return { updates, goodEnd: off };
}

export function encodeRecord(update: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER + update.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, update.length, true);
  view.setUint32(4, crc32(update), true);
  out.set(update, RECORD_HEADER);
  return out;
}

export class UpdateLog {
  private fd: number | null = null;
  private records = 0;
  private dirty = false;
  private fsyncTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly opts: Required<UpdateLogOptions>;

  constructor(
    readonly file: string,
    opts: UpdateLogOptions = {},
  ) {
    this.opts = {
      fsync: opts.fsync ?? 'interval',
      fsyncIntervalMs: opts.fsyncIntervalMs ?? 200,
      compactAfterRecords: opts.compactAfterRecords ?? 1000,
      maxRecordBytes: opts.maxRecordBytes ?? 64 * 1024 * 1024,
      onWarning: opts.onWarning ?? ((m) => console.warn(m)),
    };
  }

  /** Opens (creating if needed), validates and repairs the log; returns its good updates. */
  open(): { updates: Uint8Array[]; report: LoadReport } {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let buf: Uint8Array = new Uint8Array(0);
    try {
      buf = fs.readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const parsed = parseLog(buf, this.opts.maxRecordBytes);
    const report: LoadReport = { records: parsed.updates.length, skippedBytes: buf.length - parsed.goodEnd };
    if (parsed.error) {
      report.tailError = parsed.error;
      const aside = `${this.file}.corrupt-${Date.now()}`;
      try {
        fs.writeFileSync(aside, buf.subarray(parsed.goodEnd));
      } catch {
        /* keeping a forensic copy is best effort */
      }
      this.opts.onWarning(
        `update log ${this.file}: ${parsed.error}; skipped ${report.skippedBytes} bytes (kept ${report.records} good records; tail copied to ${path.basename(aside)})`,
      );
    }
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    if (parsed.goodEnd < HEADER) {
      fs.ftruncateSync(this.fd, 0);
      fs.writeSync(this.fd, LOG_MAGIC, 0, HEADER, 0);
      fs.fsyncSync(this.fd);
    } else if (parsed.goodEnd < buf.length) {
      fs.ftruncateSync(this.fd, parsed.goodEnd);
      fs.fsyncSync(this.fd);
    }
    this.records = parsed.updates.length;
    return { updates: parsed.updates, report };
  }

  get recordCount(): number {
    return this.records;
  }

  append(update: Uint8Array): void {
    if (this.fd === null) throw new Error('UpdateLog.append before open()');
    if (update.length === 0 || update.length > this.opts.maxRecordBytes)
      throw new RangeError(`update of ${update.length} bytes is outside (0, ${this.opts.maxRecordBytes}]`);
    const rec = encodeRecord(update);
    // O_APPEND-like: always at the end; one write of the whole record.
    const end = fs.fstatSync(this.fd).size;
    let written = 0;
    while (written < rec.length) written += fs.writeSync(this.fd, rec, written, rec.length - written, end + written);
    this.records++;
    this.afterWrite();
    if (this.records > this.opts.compactAfterRecords) this.compact();
  }

  private afterWrite(): void {
    if (this.opts.fsync === 'always') {
      fs.fsyncSync(this.fd as number);
      return;
    }
    if (this.opts.fsync === 'never') return;
    this.dirty = true;
    if (this.fsyncTimer) return;
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = null;
      this.flush();
    }, this.opts.fsyncIntervalMs);
    this.fsyncTimer.unref?.();
  }

  /** fsyncs now if anything is unsynced. */
  flush(): void {
    if (this.fd !== null && this.dirty) {
      fs.fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Rewrites the log as one merged record (atomic rename). */
  compact(): void {
    if (this.fd === null) throw new Error('UpdateLog.compact before open()');
    const buf = fs.readFileSync(this.file);
    const { updates } = parseLog(buf, this.opts.maxRecordBytes);
    if (updates.length <= 1) return;
    const merged = Y.mergeUpdates(updates);
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, LOG_MAGIC);
      fs.writeSync(fd, encodeRecord(merged));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    try {
      const dfd = fs.openSync(path.dirname(this.file), 'r');
      fs.fsyncSync(dfd);
      fs.closeSync(dfd);
    } catch {
      /* directory fsync is not supported everywhere */
    }
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR);
    this.records = 1;
    this.dirty = false;
  }

  close(): void {
    if (this.fsyncTimer) clearTimeout(this.fsyncTimer);
    this.fsyncTimer = null;
    if (this.fd !== null) {
      this.flush();
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

/**
 * Binds a Y.Doc to its log: loads what is stored, then appends every update the doc sees (local edits
 * and remote ones alike, so a restarted peer has everything it had, not just its own typing).
 */
export function persistDoc(doc: Y.Doc, log: UpdateLog): { report: LoadReport; detach: () => void } {
  const { updates, report } = log.open();
  const origin = Symbol('persistence');
  if (updates.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(updates), origin);
  const onUpdate = (update: Uint8Array, o: unknown) => {
    if (o !== origin) log.append(update);
  };
  doc.on('update', onUpdate);
  return {
    report,
    detach: () => {
      doc.off('update', onUpdate);
      log.close();
    },
  };
}
