/**
 * Torrent metainfo (BEP 3): parse any valid `.torrent`, and build one from files' bytes.
 *
 * Pure: bytes in, bytes out. SHA-1 is injected (`Sha1`) rather than imported from node:crypto so
 * this module (like the rest of src/protocols) runs in a worker, a browser or a test without Node;
 * the CLI passes node:crypto's (see `nodeSha1` in src/cli/torrent.ts).
 *
 * The info-hash is the SHA-1 of the exact bytes of the `info` value as they appear in the file (the
 * decoder reports their span), not of a re-encoding, so it agrees with every other client.
 */
import { BencodeError, decodeWithSpans, encode, latin1, type BDict, type BValue } from './bencode.js';

/** SHA-1 of some bytes: 20 bytes out. */
export type Sha1 = (data: Uint8Array) => Uint8Array;

export class MetainfoError extends Error {
  override name = 'MetainfoError';
  constructor(
    /** Where: a key path like `info.files[2].path`, or `byte 123` for bencode errors. */
    readonly where: string,
    readonly problem: string,
    /** Byte offset when known (bencode errors). */
    readonly offset?: number,
  ) {
    super(`${where}: ${problem}`);
  }
}

export interface TorrentFile {
  /** Path components below the torrent's name (for a single-file torrent: [name]). */
  path: string[];
  length: number;
}

export interface Metainfo {
  infoHash: Uint8Array;
  infoHashHex: string;
  name: string;
  pieceLength: number;
  /** Concatenated 20-byte SHA-1 digests, one per piece. */
  pieces: Uint8Array;
  pieceCount: number;
  /** Total bytes. */
  length: number;
  files: TorrentFile[];
  /** True if the torrent has a `files` list (even of one file). */
  multiFile: boolean;
  announce?: string;
  private?: boolean;
  /** The exact bytes of the info dictionary. */
  infoBytes: Uint8Array;
}

const dec = new TextDecoder('utf-8', { fatal: true });

function text(v: BValue | undefined, where: string): string {
  if (!(v instanceof Uint8Array)) throw new MetainfoError(where, 'expected a byte string');
  try {
    return dec.decode(v);
  } catch {
    throw new MetainfoError(where, 'is not valid UTF-8');
  }
}

function int(v: BValue | undefined, where: string, min: number): number {
  if (typeof v === 'bigint') throw new MetainfoError(where, `integer ${v} is too large`);
  if (typeof v !== 'number') throw new MetainfoError(where, 'expected an integer');
  if (v < min) throw new MetainfoError(where, `expected an integer >= ${min}, got ${v}`);
  return v;
}

function dict(v: BValue | undefined, where: string): BDict {
  if (!(v instanceof Map)) throw new MetainfoError(where, 'expected a dictionary');
  return v;
}

function pathComponent(s: string, where: string): string {
  if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0'))
    throw new MetainfoError(where, `unsafe path component ${JSON.stringify(s)}`);
  return s;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Parses a .torrent file's bytes. Throws MetainfoError (with the byte offset for encoding errors). */
export function parseTorrent(bytes: Uint8Array, sha1: Sha1): Metainfo {
  let decoded;
  try {
    decoded = decodeWithSpans(bytes);
  } catch (e) {
    if (e instanceof BencodeError) throw new MetainfoError(`byte ${e.offset}`, e.problem, e.offset);
    throw e;
  }
  const top = dict(decoded.value, 'torrent');
  const info = dict(top.get('info'), 'info');
  const span = decoded.spans.get('info') as [number, number];
  const infoBytes = bytes.slice(span[0], span[1]);
  const name = pathComponent(text(info.get('name'), 'info.name'), 'info.name');
  const pieceLength = int(info.get('piece length'), 'info.piece length', 1);
  const pieces = info.get('pieces');
  if (!(pieces instanceof Uint8Array)) throw new MetainfoError('info.pieces', 'expected a byte string');
  if (pieces.length % 20 !== 0) throw new MetainfoError('info.pieces', `length ${pieces.length} is not a multiple of 20`);
  const hasLength = info.has('length');
  const hasFiles = info.has('files');
  if (hasLength === hasFiles) throw new MetainfoError('info', 'needs exactly one of `length` (single file) or `files` (multi-file)');
  let files: TorrentFile[];
  let length = 0;
  if (hasLength) {
    length = int(info.get('length'), 'info.length', 0);
    files = [{ path: [name], length }];
  } else {
    const list = info.get('files');
    if (!Array.isArray(list)) throw new MetainfoError('info.files', 'expected a list');
    if (list.length === 0) throw new MetainfoError('info.files', 'is empty');
    files = list.map((f, i) => {
      const fd = dict(f, `info.files[${i}]`);
      const len = int(fd.get('length'), `info.files[${i}].length`, 0);
      const p = fd.get('path');
      if (!Array.isArray(p) || p.length === 0) throw new MetainfoError(`info.files[${i}].path`, 'expected a non-empty list');
      const path = p.map((c, j) => pathComponent(text(c, `info.files[${i}].path[${j}]`), `info.files[${i}].path[${j}]`));
      length += len;
      if (!Number.isSafeInteger(length)) throw new MetainfoError('info.files', 'total length is too large');
      return { path, length: len };
    });
  }
  const pieceCount = pieces.length / 20;
  const expected = Math.ceil(length / pieceLength);
  if (pieceCount !== expected)
    throw new MetainfoError('info.pieces', `has ${pieceCount} hashes but ${length} bytes in pieces of ${pieceLength} need ${expected}`);
  const infoHash = sha1(infoBytes);
  const m: Metainfo = {
    infoHash,
    infoHashHex: toHex(infoHash),
    name,
    pieceLength,
    pieces: pieces.slice(),
    pieceCount,
    length,
    files,
    multiFile: hasFiles,
    infoBytes,
  };
  const announce = top.get('announce');
  if (announce !== undefined) m.announce = text(announce, 'announce');
  const priv = info.get('private');
  if (priv !== undefined) m.private = int(priv, 'info.private', 0) === 1;
  return m;
}

/**
 * Hashes a stream of file bytes into pieces: feed the files' contents in order with `update`,
 * then `digest()` gives the concatenated piece hashes. Holds at most one piece in memory.
 */
export class PieceHasher {
  private readonly buf: Uint8Array;
  private fill = 0;
  private readonly out: Uint8Array[] = [];
  total = 0;

  constructor(
    readonly pieceLength: number,
    private readonly sha1: Sha1,
  ) {
    if (!Number.isSafeInteger(pieceLength) || pieceLength < 1) throw new RangeError(`pieceLength: expected a positive integer, got ${pieceLength}`);
    this.buf = new Uint8Array(pieceLength);
  }

  update(chunk: Uint8Array): void {
    let off = 0;
    this.total += chunk.length;
    while (off < chunk.length) {
      const take = Math.min(this.pieceLength - this.fill, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === this.pieceLength) {
        this.out.push(this.sha1(this.buf));
        this.fill = 0;
      }
    }
  }

  digest(): Uint8Array {
    if (this.fill > 0) {
      this.out.push(this.sha1(this.buf.subarray(0, this.fill)));
      this.fill = 0;
    }
    const all = new Uint8Array(this.out.length * 20);
    this.out.forEach((h, i) => all.set(h, i * 20));
    return all;
  }
}

export interface CreateOptions {
  name: string;
  pieceLength: number;
  /** Concatenated piece hashes (from PieceHasher). */
  pieces: Uint8Array;
  /** In the order their bytes were hashed (sort a folder's files with `comparePaths` first); for a
   * single-file torrent one entry with `single: true`. */
  files: TorrentFile[];
  single: boolean;
  announce?: string;
  createdBy?: string;
  /** Unix seconds; omitted unless given (keeps output reproducible). */
  creationDate?: number;
  private?: boolean;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Builds the .torrent bytes (canonical bencode). */
export function buildTorrent(o: CreateOptions): Uint8Array {
  const info: BDict = new Map();
  info.set('name', utf8(pathComponent(o.name, 'name')));
  info.set('piece length', o.pieceLength);
  info.set('pieces', o.pieces);
  if (o.single) {
    if (o.files.length !== 1) throw new RangeError('buildTorrent: a single-file torrent has exactly one file');
    info.set('length', o.files[0]!.length);
  } else {
    info.set(
      'files',
      o.files.map((f) => new Map<string, BValue>([
        ['length', f.length],
        ['path', f.path.map((c, j) => utf8(pathComponent(c, `files.path[${j}]`)))],
      ])),
    );
  }
  if (o.private) info.set('private', 1);
  const top: BDict = new Map();
  if (o.announce !== undefined) top.set('announce', utf8(o.announce));
  if (o.createdBy !== undefined) top.set('created by', utf8(o.createdBy));
  if (o.creationDate !== undefined) top.set('creation date', o.creationDate);
  top.set('info', info);
  return encode(top);
}

/**
 * Order of a folder's files: BEP 3 fixes none, so sort by path components' UTF-8 bytes and the same
 * folder always gives the same info-hash.
 */
export function comparePaths(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = latin1(utf8(a[i]!)), y = latin1(utf8(b[i]!));
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A piece length like common tools choose: a power of two giving ~1500 pieces, in [16 KiB, 16 MiB]. */
export function defaultPieceLength(totalBytes: number): number {
  let p = 16 * 1024;
  while (p < 16 * 1024 * 1024 && totalBytes / p > 1500) p *= 2;
  return p;
}
