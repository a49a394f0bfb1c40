/**
 * A per-peer, per-document append-only log of Yjs updates on disk (the bytes: format.ts).
 *
 * Loading keeps every intact record, wherever damage is: a torn tail (a crash mid-write), flipped bytes in
 * the middle, a damaged header, records of another writer interleaved. Each damaged stretch is reported
 * (warning callback, `LoadReport.damaged`) and its bytes are copied aside to `<file>.corrupt-<time>`; the
 * log is then rewritten as its intact records alone (written to `<file>.tmp`, fsynced, renamed over it),
 * so new records never follow garbage and nothing intact is ever cut off. A format-1 log is rewritten as
 * format 2 the same way. A file that is not a log at all is refused (LogFormatError), never overwritten.
 *
 * One writer: opening takes `<file>.lock` (lock.ts); a second writer, in this process or another, gets
 * LogLockedError.
 *
 * Durability: each append is one write(2) of the whole record, so a crash of the process (kill -9) loses
 * nothing that `append` returned from: it is in the OS page cache. fsync policy (power loss / kernel
 * crash): 'always' fsyncs every record; 'interval' (default) fsyncs at most every `fsyncIntervalMs`
 * (default 200 ms) if anything was written; 'never' leaves it to the OS.
 *
 * Compaction: when the log holds more than `compactAfterRecords` records (default 1000) it is rewritten
 * as one record, `Y.mergeUpdates` of all of them, the same atomic way: a crash during compaction leaves
 * either the old log or the new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { logger } from '../../core/index.js';
import { DEFAULT_MAX_RECORD_BYTES, encodeRecord, HEADER_BYTES, LOG_MAGIC, parseLog, type Damage } from './format.js';
import { lockLog } from './lock.js';

export { encodeRecord, LOG_MAGIC, LogFormatError, parseLog, type Damage, type ParsedLog } from './format.js';
export { LogLockedError } from './lock.js';

const log = logger('live:persistence');

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface UpdateLogOptions {
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  compactAfterRecords?: number;
  /** Largest record accepted on load and append. Default 64 MiB. */
  maxRecordBytes?: number;
  /** Told about damage found on load. Default: the `live:persistence` logger. */
  onWarning?: (message: string) => void;
}

export interface LoadReport {
  /** Intact records loaded. */
  records: number;
  /** Bytes of damage moved aside (0 if the log was clean). */
  skippedBytes: number;
  /** Each damaged stretch: where, how long, why. */
  damaged?: Damage[];
  /** The file the damaged bytes were copied to. */
  aside?: string;
}

/** Writes `<file>.tmp` (header + records), fsyncs it, renames it over `file` and fsyncs the folder. */
function rewrite(file: string, records: Uint8Array[]): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, LOG_MAGIC);
    for (const r of records) fs.writeSync(fd, encodeRecord(r));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* directory fsync is not supported everywhere */
  }
}

export class UpdateLog {
  private fd: number | null = null;
  private records = 0;
  private dirty = false;
  private fsyncTimer: ReturnType<typeof setTimeout> | null = null;
  private unlock: (() => void) | null = null;
  private readonly opts: Required<UpdateLogOptions>;

  constructor(
    readonly file: string,
    opts: UpdateLogOptions = {},
  ) {
    this.opts = {
      fsync: opts.fsync ?? 'interval',
      fsyncIntervalMs: opts.fsyncIntervalMs ?? 200,
      compactAfterRecords: opts.compactAfterRecords ?? 1000,
      maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      onWarning: opts.onWarning ?? ((m) => log.warn(m)),
    };
  }

  /** Takes the log's lock, opens it (creating it if needed), keeps every intact record and moves damage aside. */
  open(): { updates: Uint8Array[]; report: LoadReport } {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.unlock = lockLog(this.file);
    try {
      return this.load();
    } catch (e) {
      this.unlock();
      this.unlock = null;
      throw e;
    }
  }

  private load(): { updates: Uint8Array[]; report: LoadReport } {
    let buf: Uint8Array = new Uint8Array(0);
    try {
      buf = fs.readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const parsed = parseLog(buf, this.opts.maxRecordBytes);
    const skipped = parsed.damaged.reduce((n, d) => n + d.length, 0);
    const report: LoadReport = { records: parsed.updates.length, skippedBytes: skipped };
    if (parsed.damaged.length > 0) {
      report.damaged = parsed.damaged;
      const aside = `${this.file}.corrupt-${Date.now()}`;
      try {
        // the damaged stretches, in file order: for forensics, nothing reads them back
        fs.writeFileSync(aside, Buffer.concat(parsed.damaged.map((d) => buf.subarray(d.offset, d.offset + d.length))));
        report.aside = aside;
      } catch {
        /* keeping a forensic copy is best effort */
      }
      const where = parsed.damaged.map((d) => `${d.length} bytes at offset ${d.offset} (${d.why})`).join('; ');
      this.opts.onWarning(
        `update log ${this.file}: skipped ${skipped} damaged bytes: ${where}; kept all ${report.records} intact records${report.aside ? ` (damage copied to ${path.basename(report.aside)})` : ''}`,
      );
    }
    if (parsed.damaged.length > 0 || parsed.version !== 2 || buf.length < HEADER_BYTES) rewrite(this.file, parsed.updates);
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR);
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
    const { updates } = parseLog(fs.readFileSync(this.file), this.opts.maxRecordBytes);
    if (updates.length <= 1) return;
    rewrite(this.file, [Y.mergeUpdates(updates)]);
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
    this.unlock?.();
    this.unlock = null;
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
