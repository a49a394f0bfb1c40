/**
 * `peerlab torrent create <path> -o <file.torrent> [--piece-length N] [--announce URL] [--private]`
 * `peerlab torrent info <file.torrent> [--json]`
 *
 * The file-system side of BitTorrent metainfo: walking a folder, streaming files through the piece
 * hasher, reading and writing .torrent files. The codec and metainfo logic are pure and live in
 * src/protocols/bittorrent/; SHA-1 comes from node:crypto here.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { outFileProblem } from './args.js';
import {
  buildTorrent,
  comparePaths,
  defaultPieceLength,
  MetainfoError,
  parseTorrent,
  PieceHasher,
  type Metainfo,
  type TorrentFile,
} from '../protocols/bittorrent/metainfo.js';

export const nodeSha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(data).digest());

/**
 * Largest .torrent we read, checked before reading it: real ones are KBs to a few MBs (libtorrent's
 * default limit is 10 MB too), and a decoded torrent of small items costs ~25x its size in memory (a
 * 60 MB one reached 1.6 GB).
 */
export const MAX_TORRENT_BYTES = 10_000_000;

const USAGE = `usage:
  peerlab torrent create <path> -o <file.torrent> [--piece-length N] [--announce URL] [--private]
                         [--follow-symlinks]
  peerlab torrent info <file.torrent> [--json]

  --follow-symlinks  hash in what symlinks under <path> point to even outside it (refused otherwise)`;

/** Bad input (a path, a torrent, an option): printed as a message, exit code 2, nothing written. */
class CliError extends Error {}

/** C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a torrent (a name, a path, a URL) made safe to print: control characters become `\xNN` /
 * `\uNNNN` escapes, so a name cannot move the cursor, clear the screen or start a line of its own.
 */
export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** JSON whose strings carry no raw DEL, C1 or bidi characters either (JSON.stringify escapes only C0). */
function safeJson(v: unknown): string {
  return JSON.stringify(v).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The JSON `torrent info --json` prints. */
export function infoJson(m: Metainfo): {
  infoHash: string;
  name: string;
  pieceLength: number;
  pieces: number;
  length: number;
  files: { path: string; length: number }[];
} {
  return {
    infoHash: m.infoHashHex,
    name: m.name,
    pieceLength: m.pieceLength,
    pieces: m.pieceCount,
    length: m.length,
    files: m.files.map((f) => ({ path: f.path.join('/'), length: f.length })),
  };
}

interface Entry {
  rel: string[];
  abs: string;
  size: number;
}

/**
 * Regular files under `root`, as path components, sorted. Symlinks to files inside `root` are hashed in;
 * one pointing outside is refused unless `follow` (then listed in `followed`); symlinks to folders are
 * skipped (they can loop). A name no torrent can carry (`a\b`) is refused with its path.
 */
function walk(root: string, follow: boolean, followed: string[]): Entry[] {
  const out: Entry[] = [];
  const realRoot = fs.realpathSync(root);
  const inside = (p: string): boolean => p === realRoot || p.startsWith(realRoot + path.sep);
  const visit = (dir: string, rel: string[]): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, ent.name);
      const relHere = [...rel, ent.name];
      const shown = printable(relHere.join('/'));
      if (ent.name.includes('\\') || UNSAFE_NAME.test(ent.name))
        throw new CliError(`create: ${shown}: a torrent cannot carry this file name (no \\ or control characters)`);
      if (ent.isDirectory()) visit(abs, relHere);
      else if (ent.isFile()) out.push({ rel: relHere, abs, size: fs.statSync(abs).size });
      else if (ent.isSymbolicLink()) {
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        if (!st?.isFile()) continue;
        const target = fs.realpathSync(abs);
        if (!inside(target)) {
          if (!follow) throw new CliError(`create: ${shown} is a symlink to ${printable(target)}, outside ${printable(root)}: refused (--follow-symlinks hashes it in)`);
          followed.push(`${shown} -> ${printable(target)}`);
        }
        out.push({ rel: relHere, abs, size: st.size });
      }
    }
  };
  visit(root, []);
  return out.sort((a, b) => comparePaths(a.rel, b.rel));
}

/** Control characters have no place in a file name we publish (they would be escaped on every display). */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNSAFE_NAME = /[\u0000-\u001f\u007f]/;

function hashFile(abs: string, hasher: PieceHasher): void {
  const fd = fs.openSync(abs, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hasher.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function create(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      'piece-length': { type: 'string' },
      announce: { type: 'string' },
      private: { type: 'boolean' },
      'follow-symlinks': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new CliError(`create: expected one <path>, got ${positionals.length}\n${USAGE}`);
  if (!values.output) throw new CliError(`create: -o <file.torrent> is required\n${USAGE}`);
  const outProblem = outFileProblem('-o', values.output);
  if (outProblem) throw new CliError(`create: ${outProblem}`);
  const src = path.resolve(positionals[0]!);
  const st = fs.statSync(src, { throwIfNoEntry: false });
  if (!st) throw new CliError(`create: ${printable(src)}: no such file or folder`);
  const single = st.isFile();
  if (!single && !st.isDirectory()) throw new CliError(`create: ${printable(src)}: not a file or folder`);
  const followed: string[] = [];
  const entries = single ? [{ rel: [path.basename(src)], abs: src, size: st.size }] : walk(src, values['follow-symlinks'] === true, followed);
  if (entries.length === 0) throw new CliError(`create: ${printable(src)}: the folder has no files`);
  const total = entries.reduce((s, e) => s + e.size, 0);
  let pieceLength = defaultPieceLength(total);
  if (values['piece-length'] !== undefined) {
    const v = values['piece-length'];
    pieceLength = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(pieceLength) || pieceLength < 16384 || pieceLength > 64 * 1024 * 1024 || (pieceLength & (pieceLength - 1)) !== 0)
      throw new CliError(`create: --piece-length: expected a power of two in [16384, 67108864], got ${JSON.stringify(v)}`);
  }
  const files: TorrentFile[] = entries.map((e) => ({ path: single ? [path.basename(src)] : e.rel, length: e.size }));
  const meta = {
    name: path.basename(src),
    pieceLength,
    files,
    single,
    announce: values.announce,
    createdBy: 'peerlab 0.1.0',
    private: values.private === true,
  };
  // every name checked before hours of hashing: the same rules parseTorrent applies
  try {
    buildTorrent({ ...meta, pieces: new Uint8Array(0) });
  } catch (e) {
    if (e instanceof MetainfoError) throw new CliError(`create: ${printable(e.message)}`);
    throw e;
  }
  for (const f of followed) console.error(`peerlab torrent create: following symlink ${f}`);
  const hasher = new PieceHasher(pieceLength, nodeSha1);
  for (const e of entries) hashFile(e.abs, hasher);
  if (hasher.total !== total) throw new CliError(`create: ${printable(src)}: files changed while hashing`);
  const bytes = buildTorrent({ ...meta, pieces: hasher.digest() });
  const tmp = `${values.output}.partial-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, values.output);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const m = parseTorrent(bytes, nodeSha1);
  console.log(
    `${printable(values.output)}: ${printable(m.name)}, ${m.files.length} file(s), ${m.length} bytes, ${m.pieceCount} pieces of ${m.pieceLength}, info-hash ${m.infoHashHex}`,
  );
  return 0;
}

function info(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new CliError(`info: expected one <file.torrent>\n${USAGE}`);
  const file = positionals[0]!;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new CliError(`info: ${printable(file)}: no such file`);
  if (st.size > MAX_TORRENT_BYTES) throw new CliError(`info: ${printable(file)}: ${st.size} bytes is too large for a .torrent (limit ${MAX_TORRENT_BYTES})`);
  let m: Metainfo;
  try {
    m = parseTorrent(new Uint8Array(fs.readFileSync(file)), nodeSha1);
  } catch (e) {
    if (e instanceof MetainfoError) throw new CliError(`info: ${printable(file)}: invalid torrent: ${printable(e.message)}`);
    throw e;
  }
  const j = infoJson(m);
  if (values.json) console.log(safeJson(j));
  else {
    console.log(`name:         ${printable(j.name)}`);
    console.log(`info-hash:    ${j.infoHash}`);
    console.log(`piece length: ${j.pieceLength}`);
    console.log(`pieces:       ${j.pieces}`);
    console.log(`length:       ${j.length}`);
    if (m.announce) console.log(`announce:     ${printable(m.announce)}`);
    console.log('files:');
    for (const f of j.files) console.log(`  ${printable(f.path)} (${f.length})`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'create') return create(rest);
    if (sub === 'info') return info(rest);
    if (sub === '--help' || sub === '-h') {
      console.log(USAGE);
      return 0;
    }
    console.error(`peerlab torrent: unknown subcommand ${JSON.stringify(sub ?? '')}\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`peerlab torrent ${e.message}`);
      return 2;
    }
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`peerlab torrent ${sub}: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).syscall) {
      console.error(`peerlab torrent: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}
