/**
 * Interop with real BitTorrent tools from Debian (mktorrent, transmission-cli): the same info-hash
 * both ways. CI installs the tools (.ci/run, and `npm test` as root); a missing tool fails its test with
 * the command that installs it, unless PEERLAB_SKIP_INTEROP=1 says on purpose to skip (never in CI).
 * Also drives `peerlab torrent create/info` in-process (its exit codes and JSON).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as torrentMain } from '../../../src/cli/torrent.js';
import { Rng } from '../../../src/core/index.js';

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
const tools = { mktorrent: has('mktorrent'), create: has('transmission-create'), show: has('transmission-show') };
const skipMissing = process.env.PEERLAB_SKIP_INTEROP === '1' && !process.env.CI;
for (const [k, v] of Object.entries(tools))
  if (!v) console.warn(`interop: ${k} is not installed here (apt-get install mktorrent transmission-cli)${skipMissing ? '; skipped as PEERLAB_SKIP_INTEROP=1 asks' : ''}`);

/** An interop test: skipped only when asked to (PEERLAB_SKIP_INTEROP=1), otherwise a missing tool fails it. */
function interop(name: string, needs: (keyof typeof tools)[], fn: () => Promise<void>): void {
  const missing = needs.filter((t) => !tools[t]);
  it.skipIf(missing.length > 0 && skipMissing)(name, async () => {
    expect(missing, `missing interop tools (apt-get install -y mktorrent transmission-cli): ${missing.join(', ')}`).toEqual([]);
    await fn();
  });
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await torrentMain(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function showHash(file: string): string {
  const out = execFileSync('transmission-show', [file], { encoding: 'utf8' });
  const m = /Hash:\s*([0-9a-f]{40})/.exec(out);
  if (!m) throw new Error(`transmission-show printed no hash:\n${out}`);
  return m[1]!;
}

const SEED = 6;
let dir = '';
let folder = '';
let single = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerlab-bt-'));
  const rng = new Rng(SEED);
  const bytes = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = rng.int(256);
    return b;
  };
  folder = path.join(dir, 'album');
  fs.mkdirSync(path.join(folder, 'disc 2'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'a.bin'), bytes(300_001));
  fs.writeFileSync(path.join(folder, 'disc 2', 'b.bin'), bytes(70_000));
  fs.writeFileSync(path.join(folder, 'Zed.txt'), bytes(5));
  single = path.join(dir, 'single.iso');
  fs.writeFileSync(single, bytes(1_000_000));
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`peerlab torrent (data seed ${SEED})`, () => {
  it('info --json prints exactly the documented fields', async () => {
    const t = path.join(dir, 'own.torrent');
    expect((await cli(['create', folder, '-o', t, '--piece-length', '32768'])).code).toBe(0);
    const r = await cli(['info', t, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['infoHash', 'name', 'pieceLength', 'pieces', 'length', 'files']);
    expect(j).toMatchObject({ name: 'album', pieceLength: 32768, length: 370_006, pieces: Math.ceil(370_006 / 32768) });
    expect(j.files).toEqual([
      { path: 'Zed.txt', length: 5 },
      { path: 'a.bin', length: 300_001 },
      { path: 'disc 2/b.bin', length: 70_000 },
    ]);
  });

  it('a bad or truncated torrent is a clear error with the byte offset and exit code 2', async () => {
    const t = path.join(dir, 'own2.torrent');
    await cli(['create', single, '-o', t]);
    const bytes = fs.readFileSync(t);
    const cut = path.join(dir, 'cut.torrent');
    fs.writeFileSync(cut, bytes.subarray(0, 120));
    const r = await cli(['info', cut, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/invalid torrent: byte \d+: unexpected end of input/);
    fs.writeFileSync(cut, Buffer.from('d4:infoi03ee'));
    expect((await cli(['info', cut])).err).toContain('byte 8: leading zero in integer');
    expect((await cli(['info', path.join(dir, 'nope.torrent')])).code).toBe(2);
    expect((await cli(['create', single, '-o', t, '--piece-length', '1000'])).err).toContain('--piece-length: expected a power of two');
  });

  interop('transmission-show accepts our torrents with the same info-hash (file and folder)', ['show'], async () => {
    for (const [src, name] of [[single, 's.torrent'], [folder, 'f.torrent']] as const) {
      const t = path.join(dir, name);
      expect((await cli(['create', src, '-o', t])).code).toBe(0);
      const ours = JSON.parse((await cli(['info', t, '--json'])).out).infoHash;
      expect(showHash(t)).toBe(ours);
    }
  });

  interop("a torrent made by mktorrent: our info-hash equals transmission-show's", ['mktorrent', 'show'], async () => {
    const t = path.join(dir, 'mk.torrent');
    execFileSync('mktorrent', ['-l', '16', '-a', 'http://127.0.0.1:1/announce', '-o', t, folder], { stdio: 'pipe' });
    const j = JSON.parse((await cli(['info', t, '--json'])).out);
    expect(j.infoHash).toBe(showHash(t));
    expect(j.pieceLength).toBe(65536);
    expect(j.length).toBe(370_006);
  });

  interop("a torrent made by transmission-create: our info-hash equals transmission-show's", ['create', 'show'], async () => {
    for (const [src, name] of [[single, 'tc1.torrent'], [folder, 'tc2.torrent']] as const) {
      const t = path.join(dir, name);
      execFileSync('transmission-create', ['-o', t, src], { stdio: 'pipe' });
      const j = JSON.parse((await cli(['info', t, '--json'])).out);
      expect(j.infoHash).toBe(showHash(t));
    }
  });
});
