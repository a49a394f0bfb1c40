import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decode, encode, fromLatin1, latin1, type BDict, type BValue } from '../../../src/protocols/bittorrent/bencode.js';
import { buildTorrent, MetainfoError, parseTorrent, PieceHasher, toHex } from '../../../src/protocols/bittorrent/metainfo.js';
import { Rng } from '../../../src/core/index.js';

const sha1 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(d).digest());
const SEED = 6006;

function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

function errorOf(bytes: Uint8Array): MetainfoError {
  try {
    parseTorrent(bytes, sha1);
  } catch (e) {
    if (e instanceof MetainfoError) return e;
    throw e;
  }
  throw new Error('expected the torrent to be rejected');
}

describe(`metainfo (seed ${SEED})`, () => {
  const rng = new Rng(SEED);
  const a = randomBytes(rng, 70_000);
  const b = randomBytes(rng, 12_345);

  it('builds a multi-file torrent whose piece hashes are SHA-1 of the concatenated files', () => {
    const pieceLength = 16_384;
    const h = new PieceHasher(pieceLength, sha1);
    h.update(a.subarray(0, 1000)); // fed in odd chunks on purpose
    h.update(a.subarray(1000));
    h.update(b);
    const bytes = buildTorrent({
      name: 'folder',
      pieceLength,
      pieces: h.digest(),
      files: [{ path: ['a.bin'], length: a.length }, { path: ['sub', 'b.bin'], length: b.length }],
      single: false,
      announce: 'http://127.0.0.1:6969/announce',
    });
    const m = parseTorrent(bytes, sha1);
    const all = new Uint8Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    expect(m.pieceCount).toBe(Math.ceil(all.length / pieceLength));
    for (let i = 0; i < m.pieceCount; i++)
      expect(toHex(m.pieces.subarray(i * 20, i * 20 + 20))).toBe(toHex(sha1(all.subarray(i * pieceLength, (i + 1) * pieceLength))));
    expect(m.length).toBe(all.length);
    expect(m.files).toEqual([{ path: ['a.bin'], length: a.length }, { path: ['sub', 'b.bin'], length: b.length }]);
    expect(m.announce).toBe('http://127.0.0.1:6969/announce');
    // the info-hash is over the info dict's exact bytes
    const info = (decode(bytes) as BDict).get('info') as BDict;
    expect(m.infoHashHex).toBe(toHex(sha1(encode(info))));
    expect(m.infoHashHex).toMatch(/^[0-9a-f]{40}$/);
  });

  it('single-file torrents carry `length` and list the file under its name', () => {
    const h = new PieceHasher(32_768, sha1);
    h.update(b);
    const m = parseTorrent(buildTorrent({ name: 'b.bin', pieceLength: 32_768, pieces: h.digest(), files: [{ path: ['b.bin'], length: b.length }], single: true }), sha1);
    expect(m.multiFile).toBe(false);
    expect(m.files).toEqual([{ path: ['b.bin'], length: b.length }]);
    expect(m.pieceCount).toBe(1);
  });

  const good = (): BDict => {
    const info: BDict = new Map();
    info.set('length', 20_000);
    info.set('name', fromLatin1('x'));
    info.set('piece length', 16_384);
    info.set('pieces', new Uint8Array(40));
    return new Map([['info', info]]);
  };
  const mutate = (f: (info: BDict) => void): Uint8Array => {
    const t = good();
    f(t.get('info') as BDict);
    return encode(t);
  };

  it('accepts the well-formed base case', () => {
    expect(parseTorrent(encode(good()), sha1).pieceCount).toBe(2);
  });

  it.each([
    ['missing piece length', (i: BDict) => i.delete('piece length'), 'info.piece length'],
    ['zero piece length', (i: BDict) => i.set('piece length', 0), 'info.piece length'],
    ['pieces not a multiple of 20', (i: BDict) => i.set('pieces', new Uint8Array(39)), 'info.pieces'],
    ['wrong piece count', (i: BDict) => i.set('pieces', new Uint8Array(60)), 'info.pieces'],
    ['both length and files', (i: BDict) => i.set('files', []), 'info'],
    ['path traversal in name', (i: BDict) => i.set('name', fromLatin1('..')), 'info.name'],
    ['negative length', (i: BDict) => i.set('length', -1), 'info.length'],
  ])('rejects %s, naming %j', (_what, f, where) => {
    const e = errorOf(mutate(f));
    expect(e.where).toBe(where);
  });

  it('rejects traversal in a multi-file path and names the entry', () => {
    const bytes = mutate((i) => {
      i.delete('length');
      i.set('files', [new Map<string, BValue>([['length', 20_000], ['path', [fromLatin1('ok'), fromLatin1('..')]]])]);
    });
    expect(errorOf(bytes).where).toBe('info.files[0].path[1]');
  });

  it('rejects non-canonical and truncated files with the byte offset', () => {
    const bytes = encode(good());
    const truncated = errorOf(bytes.subarray(0, bytes.length - 7));
    expect(truncated.offset).toBe(bytes.length - 7);
    expect(truncated.message).toMatch(/^byte \d+: unexpected end of input/);
    // swap two keys so they are out of order: not canonical
    const s = latin1(bytes).replace('6:lengthi20000e4:name1:x', '4:name1:x6:lengthi20000e');
    const e = errorOf(fromLatin1(s));
    expect(e.message).toContain('out of order');
    expect(e.offset).toBe(s.indexOf('6:length'));
  });
});
