/**
 * parseTorrent under random damage (fast-check, seed policy in test/fuzz.ts): a valid torrent with one
 * field replaced by any bencode value, and with random bytes flipped, cut or inserted. Every outcome is
 * a Metainfo that holds together (piece count matches the length, file lengths add up, every path
 * component safe, the info-hash is the SHA-1 of the info bytes), or a MetainfoError naming where:
 * never another exception.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, latin1, type BDict, type BValue } from '../../../src/protocols/bittorrent/bencode.js';
import { buildTorrent, MetainfoError, parseTorrent, type Metainfo } from '../../../src/protocols/bittorrent/metainfo.js';
import { fuzz } from '../../fuzz.js';

const sha1 = (d: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(d).digest());

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -5, max: 1 << 20 }),
    fc.constantFrom<BValue>(0, 1, 2 ** 53 - 1, 10n ** 19n, -1),
    fc.uint8Array({ maxLength: 45 }),
    fc.constantFrom<BValue>(
      new TextEncoder().encode('..'),
      new TextEncoder().encode('a/b'),
      new TextEncoder().encode('a\\b'),
      new Uint8Array([0xff, 0xfe]),
      new Uint8Array(0),
    ),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.constantFrom('length', 'path', 'name', 'x', 'piece length', 'pieces'), tie('v')), { maxLength: 4 }).map((kv) => new Map(kv)),
  ),
})).v;

function torrent(multi: boolean): Uint8Array {
  const files = multi
    ? [
        { path: ['a', 'one.bin'], length: 70_000 },
        { path: ['two.txt'], length: 12_345 },
      ]
    : [{ path: ['file.bin'], length: 40_000 }];
  const total = files.reduce((s, f) => s + f.length, 0);
  return buildTorrent({ name: multi ? 'folder' : 'file.bin', pieceLength: 16_384, pieces: new Uint8Array(20 * Math.ceil(total / 16_384)).fill(7), files, single: !multi, announce: 'http://127.0.0.1:6969/announce' });
}
const TORRENTS = [torrent(false), torrent(true)];

/** Every path into a value (dict keys and list indices), to pick one to replace. */
function paths(v: BValue, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (v instanceof Map) for (const [k, c] of v) out.push(...paths(c, [...at, k]));
  else if (Array.isArray(v)) v.forEach((c, i) => out.push(...paths(c, [...at, i])));
  return out;
}

function replaced(v: BValue, path: (string | number)[], by: BValue | undefined): BValue {
  if (path.length === 0) return by ?? new Map();
  const [head, ...rest] = path;
  if (v instanceof Map) {
    const m: BDict = new Map(v);
    const next = replaced(m.get(head as string) as BValue, rest, by);
    if (rest.length === 0 && by === undefined) m.delete(head as string);
    else m.set(head as string, next);
    return m;
  }
  const l = [...(v as BValue[])];
  l[head as number] = replaced(l[head as number]!, rest, by);
  return l;
}

/** A parsed torrent holds together, or the parser had to throw MetainfoError. */
function outcome(bytes: Uint8Array): 'ok' | 'refused' {
  let m: Metainfo;
  try {
    m = parseTorrent(bytes, sha1);
  } catch (e) {
    if (e instanceof MetainfoError) {
      expect(e.where.length).toBeGreaterThan(0);
      return 'refused';
    }
    throw e;
  }
  expect(m.pieces.length).toBe(20 * m.pieceCount);
  expect(m.pieceCount).toBe(Math.ceil(m.length / m.pieceLength));
  expect(m.files.reduce((s, f) => s + f.length, 0)).toBe(m.length);
  for (const c of [m.name, ...m.files.flatMap((f) => f.path)]) expect(c === '' || c === '.' || c === '..' || /[/\\\0]/.test(c), `unsafe ${JSON.stringify(c)}`).toBe(false);
  expect(m.infoHash).toEqual(sha1(m.infoBytes));
  expect(latin1(encode(decode(m.infoBytes)))).toBe(latin1(m.infoBytes)); // the info bytes are one whole value
  return 'ok';
}

describe('parseTorrent under random damage', () => {
  it('a field replaced or removed: a coherent torrent or a MetainfoError', () => {
    const seen = { ok: 0, refused: 0 };
    fuzz(
      fc.property(fc.nat(1), fc.nat(), fc.option(bvalue, { nil: undefined }), (which, pick, by) => {
        const top = decode(TORRENTS[which]!);
        const all = paths(top);
        const path = all[pick % all.length]!;
        seen[outcome(encode(replaced(top, path, by)))]++;
      }),
      { numRuns: 400 },
    );
    expect(seen.ok).toBeGreaterThan(0); // some damage leaves a usable torrent (e.g. announce replaced)
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('bytes flipped, cut or inserted: a coherent torrent or a MetainfoError', () => {
    fuzz(
      fc.property(
        fc.nat(1),
        fc.array(fc.tuple(fc.constantFrom('flip', 'cut', 'insert'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          let b = TORRENTS[which]!.slice();
          for (const [op, at, byte] of edits) {
            const i = at % (b.length + 1);
            if (op === 'flip' && i < b.length) b[i] = byte;
            else if (op === 'cut') b = b.slice(0, i);
            else b = new Uint8Array([...b.subarray(0, i), byte, ...b.subarray(i)]);
          }
          outcome(b);
        },
      ),
      { numRuns: 400 },
    );
  });
});
