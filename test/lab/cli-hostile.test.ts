/**
 * The `peerlab` binary given hostile or careless input, as a user would run it (child processes): each
 * case is one line of message naming what and where, exit code 2, no stack trace, and nothing written.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTorrent } from '../../src/protocols/bittorrent/metainfo.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/peerlab.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'peerlab-hostile-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function peerlab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: tmp, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Exit 2, the expected message, no stack trace, and `out` (if given) not created. */
function refused(r: { code: number; stdout: string; stderr: string }, message: RegExp, out?: string): void {
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/(TypeError|ReferenceError|RangeError)/);
  expect(r.code).toBe(2);
  if (out) expect(existsSync(out)).toBe(false);
  expect(readdirSync(tmp).filter((n) => n.includes('partial'))).toEqual([]);
}

const OK = 'name: x\npeers: 20\nprotocol: { type: gossip }\nuntil: 1s\n';

describe('peerlab run: hostile scenarios and paths', () => {
  const cases: [string, string, string[], RegExp][] = [
    ['protocol.type constructor', OK.replace('gossip', 'constructor'), [], /protocol\.type: unknown protocol "constructor"/],
    ['protocol.type __proto__', OK.replace('gossip', '__proto__'), [], /protocol\.type: unknown protocol "__proto__"/],
    ['protocol.type toString', OK.replace('gossip', 'toString'), [], /protocol\.type: unknown protocol "toString"/],
    ['an alias with no anchor', OK.replace('peers: 20', 'peers: *n'), [], /^ {2}peers: line 2, column 8: alias \*n has no anchor &n/m],
    [
      'an alias bomb',
      `${OK}${Array.from({ length: 9 }, (_, i) => (i === 0 ? 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]' : `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`)).join('\n')}\n`,
      [],
      /YAML: aliases expand to more than 100 nodes/,
    ],
    ['until: 1e308', OK.replace('1s', '1e308'), [], /until: 1e\+308 ms is beyond the longest run the lab simulates/],
    ['until: 30d', OK.replace('1s', '30d'), [], /observe\.sampleEvery: sampling every 100 ms until 2592000000 ms takes 25920000 samples; at most 1000000/],
    ['--set __proto__.until', OK.replace('until: 1s\n', ''), ['--set', '__proto__.until=5s'], /bad key path "__proto__\.until": '__proto__' is not a scenario key/],
  ];
  for (const [what, text, extra, message] of cases) {
    it.concurrent(`${what}: exit 2 with the path, nothing written`, async () => {
      const out = join(tmp, `out-${what.replace(/\W+/g, '-')}`);
      refused(await peerlab(['run', file(`${what.replace(/\W+/g, '-')}.yaml`, text), '--out', out, ...extra]), message, out);
    });
  }

  it.concurrent('--out naming an existing file: exit 2 before running, the file untouched', async () => {
    const s = file('ok-out.yaml', OK);
    const f = file('a-file', 'keep me');
    refused(await peerlab(['run', s, '--out', f]), /--out .*a-file: exists and is not a folder/);
    expect(readdirSync(tmp)).toContain('a-file');
  });

  it.concurrent('a bad --record path: exit 2 before running, and no results written either', async () => {
    const s = file('ok-rec.yaml', OK);
    const out = join(tmp, 'out-bad-record');
    refused(await peerlab(['run', s, '--out', out, '--record', join(tmp, 'no-such-folder', 'x.peerlab.jsonl')]), /--record .*no folder/, out);
    mkdirSync(join(tmp, 'rec-is-a-folder'));
    refused(await peerlab(['run', s, '--out', out, '--record', join(tmp, 'rec-is-a-folder')]), /--record .*is a folder, expected a file name/, out);
  });
});

describe('peerlab torrent: hostile torrents and folders', () => {
  it.concurrent('info escapes control characters in names, paths and URLs (no screen clearing, no fake lines)', async () => {
    const t = buildTorrent({
      name: 'evil\x1b[2J\x1b[31m',
      pieceLength: 16384,
      pieces: new Uint8Array(20),
      files: [{ path: ['a\ninfo-hash:    0000000000000000000000000000000000000000'], length: 3 }, { path: ['b\u202ecod.exe', 'c\x9b1m'], length: 4 }],
      single: false,
      announce: 'http://x/\x07\r',
    });
    const tf = file('evil.torrent', t);
    const r = await peerlab(['torrent', 'info', tf]);
    expect(r.code).toBe(0);
// eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('info-hash:'))).toHaveLength(1);
    expect(r.stdout).toContain('name:         evil\\x1b[2J\\x1b[31m');
    expect(r.stdout).toContain('  a\\x0ainfo-hash:    0000000000000000000000000000000000000000 (3)');
    expect(r.stdout).toContain('  b\\u202ecod.exe/c\\x9b1m (4)');
    expect(r.stdout).toContain('announce:     http://x/\\x07\\x0d');
    const j = await peerlab(['torrent', 'info', tf, '--json']);
// eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(j.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    expect((JSON.parse(j.stdout) as { name: string }).name).toBe('evil\x1b[2J\x1b[31m');
  });

  it.concurrent('info refuses a torrent over 10 MB by its size, before reading it', async () => {
    const big = file('big.torrent', '');
    truncateSync(big, 60 * 1024 * 1024);
    refused(await peerlab(['torrent', 'info', big]), /62914560 bytes is too large for a \.torrent \(limit 10000000\)/);
  });

  it.concurrent("create refuses a file named 'a\\b', and a symlink out of the folder unless --follow-symlinks (and says so)", async () => {
    const dir = join(tmp, 'src-backslash');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok'), 'fine');
    writeFileSync(join(dir, 'a\\b'), 'x');
    const out = join(tmp, 'bs.torrent');
    refused(await peerlab(['torrent', 'create', dir, '-o', out]), /create: a\\b: a torrent cannot carry this file name/, out);

    const dir2 = join(tmp, 'src-link');
    mkdirSync(dir2);
    writeFileSync(join(dir2, 'ok'), 'fine');
    const secret = file('outside-secret', 'not for the torrent');
    symlinkSync(secret, join(dir2, 'link'));
    const out2 = join(tmp, 'link.torrent');
    refused(await peerlab(['torrent', 'create', dir2, '-o', out2]), /create: link is a symlink to .*outside-secret, outside .*src-link: refused \(--follow-symlinks hashes it in\)/, out2);
    const r = await peerlab(['torrent', 'create', dir2, '-o', out2, '--follow-symlinks']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/following symlink link -> .*outside-secret/);
    expect(existsSync(out2)).toBe(true);
  });
});
