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

/** Largest .torrent we read (real ones are KBs to a few MBs). */
const MAX_TORRENT_BYTES = 64 * 1024 * 1024;

const USAGE = `usage:
  peerlab torrent create <path> -o <file.torrent> [--piece-length N] [--announce URL] [--private]
  peerlab torrent info <file.torrent> [--json]`;

class CliError extends Error {}

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

/** Regular files under `root` (following no symlinks to folders), as path components, sorted. */
function walk(root: string): { rel: string[]; abs: string; size: number }[] {
  const out: { rel: string[]; abs: string; size: number }[] = [];
  const visit = (dir: string, rel: string[]): void => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, ent.name);
      if (ent.isDirectory()) visit(abs, [...rel, ent.name]);
      else if (ent.isFile()) out.push({ rel: [...rel, ent.name], abs, size: fs.statSync(abs).size });
      else if (ent.isSymbolicLink()) {
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        if (st?.isFile()) out.push({ rel: [...rel, ent.name], abs, size: st.size });
        // symlinks to folders are skipped: they can loop
      }
    }
  };
  visit(root, []);
  return out.sort((a, b) => comparePaths(a.rel, b.rel));
}

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
    },
  });
  if (positionals.length !== 1) throw new CliError(`create: expected one <path>, got ${positionals.length}\n${USAGE}`);
  if (!values.output) throw new CliError(`create: -o <file.torrent> is required\n${USAGE}`);
  const src = path.resolve(positionals[0] as string);
  const st = fs.statSync(src, { throwIfNoEntry: false });
  if (!st) throw new CliError(`create: ${src}: no such file or folder`);
  const single = st.isFile();
  if (!single && !st.isDirectory()) throw new CliError(`create: ${src}: not a file or folder`);
  const entries = single ? [{ rel: [path.basename(src)], abs: src, size: st.size }] : walk(src);
  if (entries.length === 0) throw new CliError(`create: ${src}: the folder has no files`);
  const total = entries.reduce((s, e) => s + e.size, 0);
  let pieceLength = defaultPieceLength(total);
  if (values['piece-length'] !== undefined) {
    const v = values['piece-length'];
    pieceLength = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(pieceLength) || pieceLength < 16384 || pieceLength > 64 * 1024 * 1024 || (pieceLength & (pieceLength - 1)) !== 0)
      throw new CliError(`create: --piece-length: expected a power of two in [16384, 67108864], got ${JSON.stringify(v)}`);
  }
  const hasher = new PieceHasher(pieceLength, nodeSha1);
  for (const e of entries) hashFile(e.abs, hasher);
  if (hasher.total !== total) throw new CliError(`create: ${src}: files changed while hashing`);
  const files: TorrentFile[] = entries.map((e) => ({ path: single ? [path.basename(src)] : e.rel, length: e.size }));
  const bytes = buildTorrent({
    name: path.basename(src),
    pieceLength,
    pieces: hasher.digest(),
    files,
    single,
    announce: values.announce,
    createdBy: 'peerlab 0.1.0',
    private: values.private === true,
  });
  fs.writeFileSync(values.output, bytes);
  const m = parseTorrent(bytes, nodeSha1);
  console.log(`${values.output}: ${m.name}, ${m.files.length} file(s), ${m.length} bytes, ${m.pieceCount} pieces of ${m.pieceLength}, info-hash ${m.infoHashHex}`);
  return 0;
}

function info(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new CliError(`info: expected one <file.torrent>\n${USAGE}`);
  const file = positionals[0] as string;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new CliError(`info: ${file}: no such file`);
  if (st.size > MAX_TORRENT_BYTES) throw new CliError(`info: ${file}: ${st.size} bytes is too large for a .torrent (limit ${MAX_TORRENT_BYTES})`);
  let m: Metainfo;
  try {
    m = parseTorrent(new Uint8Array(fs.readFileSync(file)), nodeSha1);
  } catch (e) {
    if (e instanceof MetainfoError) throw new CliError(`info: ${file}: invalid torrent: ${e.message}`);
    throw e;
  }
  const j = infoJson(m);
  if (values.json) console.log(JSON.stringify(j));
  else {
    console.log(`name:         ${j.name}`);
    console.log(`info-hash:    ${j.infoHash}`);
    console.log(`piece length: ${j.pieceLength}`);
    console.log(`pieces:       ${j.pieces}`);
    console.log(`length:       ${j.length}`);
    if (m.announce) console.log(`announce:     ${m.announce}`);
    console.log('files:');
    for (const f of j.files) console.log(`  ${f.path} (${f.length})`);
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
      return 1;
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
