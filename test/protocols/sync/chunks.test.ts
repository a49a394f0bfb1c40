/**
 * The chunk codec and the per-link reassembler (src/protocols/sync/wire/chunks.ts): round trips of random
 * messages in random frame sizes, and every kind of lie a peer can tell (each must throw SyncWireError, which
 * closes the link as a violation) — plus the bounds on what one link may keep buffered.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/index.js';
import { Reassembler, chunkMessage, decodeChunk, encodeChunk, type ChunkFrame } from '../../../src/protocols/sync/wire/chunks.js';
import { createSyncCodec } from '../../../src/protocols/sync/wire/codec.js';
import { F_CHUNK, F_SYNC_REPLY } from '../../../src/protocols/sync/wire/frames.js';
import { SyncWireError as WireError } from '../../../src/protocols/sync/errors.js';

const codec = createSyncCodec();
const encodeChannel = (f: { t: typeof F_SYNC_REPLY; doc: string; update: Uint8Array }): Uint8Array => codec.encode(f);
const decodeChannel = (b: Uint8Array) => codec.decode(b);
const MSG_CHUNK = F_CHUNK;
const MSG_SYNC_REPLY = F_SYNC_REPLY;

const SEED = Number(process.env.PEERLAB_SEED ?? 4242);

function randomBytes(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

function frames(total: number, size: number, msgId = 1): ChunkFrame[] {
  const bytes = new Uint8Array(total).map((_, i) => i & 0xff);
  return chunkMessage(bytes, msgId, size).map(decodeChunk);
}

/** Feeds frames and returns the error message of the first refusal (or null). */
function refusal(r: Reassembler, fs: ChunkFrame[]): string | null {
  try {
    for (const f of fs) r.push(encodeChunk(f));
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return (e as Error).message;
  }
}

describe('chunk codec', () => {
  it(`round-trips random messages in random frame sizes, interleaved up to maxPartial (seed ${SEED})`, () => {
    const rng = new Rng(SEED);
    const r = new Reassembler({ maxMessageBytes: 1 << 20, maxBufferedBytes: 4 << 20, minChunkBytes: 16 });
    let nextId = 1;
    for (let round = 0; round < 40; round++) {
      // up to 4 messages in progress at once, frames interleaved the way several senders' would be
      const msgs = Array.from({ length: 1 + rng.int(4) }, () => {
        const m = randomBytes(rng, 1 + rng.int(100_000));
        m[0] = MSG_SYNC_REPLY; // a channel message never starts with MSG_CHUNK
        return m;
      });
      const streams = msgs.map((m) => chunkMessage(m, nextId++, 16 + rng.int(70_000)));
      const out: Uint8Array[] = [];
      const pos = streams.map(() => 0);
      while (pos.some((p, i) => p < streams[i]!.length)) {
        // a sender numbers messages in the order it starts them: stream i may start once i-1 has
        const started = pos.findIndex((p) => p === 0);
        const i = rng.int(started === -1 ? streams.length : started + 1);
        const s = streams[i]!;
        if (pos[i]! >= s.length) continue;
        const f = s[pos[i]!]!;
        pos[i] = pos[i]! + 1;
        if (f[0] !== MSG_CHUNK) out.push(f); // small enough to go whole
        else {
          const whole = r.push(f);
          if (whole) out.push(whole);
        }
      }
      expect(out.map((b) => b.length).sort()).toEqual(msgs.map((b) => b.length).sort());
      for (const m of msgs) expect(out.some((o) => Buffer.compare(o, m) === 0)).toBe(true);
      expect(r.pending).toBe(0);
      expect(r.bufferedBytes).toBe(0);
    }
  });

  it('a 4 MiB sync reply goes in 64 KiB frames (each under the 256 KiB SCTP limit) and decodes as the same message', () => {
    const update = new Uint8Array(4 * 1024 * 1024 + 17).fill(7);
    // not a Yjs update, so build the channel bytes by hand and compare bytes only
    const bytes = encodeChannel({ t: MSG_SYNC_REPLY, doc: 'main', update: new Uint8Array([0, 0]) });
    const big = new Uint8Array(bytes.length + update.length);
    big.set(bytes);
    big.set(update, bytes.length);
    const fs = chunkMessage(big, 1);
    expect(fs.length).toBe(Math.ceil(big.length / 65536));
    expect(Math.max(...fs.map((f) => f.length))).toBeLessThan(65536 + 32);
    const r = new Reassembler();
    let whole: Uint8Array | null = null;
    for (const f of fs) whole = r.push(f);
    expect(whole && Buffer.compare(whole, big)).toBe(0);
    // a real reply survives the trip through frames and the wire decoder
    const real = encodeChannel({ t: MSG_SYNC_REPLY, doc: 'main', update: new Uint8Array([0, 0]) });
    expect(chunkMessage(real, 2)).toEqual([real]);
    expect(decodeChannel(real)).toMatchObject({ t: MSG_SYNC_REPLY, doc: 'main' });
  });

  it('refuses every lie about ids, counts, sizes and order', () => {
    const L = { maxMessageBytes: 10_000, maxBufferedBytes: 15_000, maxPartial: 2, minChunkBytes: 100 };
    const ok = frames(1000, 300); // 4 frames: 300 300 300 100
    expect(ok.length).toBe(4);
    const lies: [string, ChunkFrame[], RegExp][] = [
      ['declared total over the limit', [{ ...ok[0]!, total: 10_001, count: 40 }], /> 10000/],
      ['count of 1 (should have been sent whole)', [{ ...ok[0]!, count: 1 }], /count 1 impossible/],
      ['more frames than bytes', [{ msgId: 1, index: 0, count: 11, total: 10, data: new Uint8Array(1) }], /impossible/],
      ['frames smaller than the minimum', [{ ...ok[0]!, count: 11 }], /impossible/],
      ['a frame of a message never started', [ok[1]!], /never started/],
      ['frames out of order', [ok[0]!, ok[2]!], /out of order/],
      ['a repeated frame', [ok[0]!, ok[0]!], /not fresh/],
      ['count changes midway', [ok[0]!, { ...ok[1]!, count: 5 }], /changed its count or total/],
      ['total changes midway', [ok[0]!, { ...ok[1]!, total: 1001 }], /changed its count or total/],
      ['an empty frame', [ok[0]!, { ...ok[1]!, data: new Uint8Array(0) }], /empty frame/],
      ['a middle frame under the minimum', [ok[0]!, { ...ok[1]!, data: new Uint8Array(50) }], /< 100/],
      ['data past the declared total', [ok[0]!, ok[1]!, { ...ok[2]!, data: new Uint8Array(500) }], /runs past/],
      ['last frame short of the total', [ok[0]!, ok[1]!, ok[2]!, { ...ok[3]!, data: new Uint8Array(99) }], /ends at 999/],
      ['last frame over the total', [ok[0]!, ok[1]!, ok[2]!, { ...ok[3]!, data: new Uint8Array(101) }], /runs past/],
      ['a reused message id', [...ok, ok[0]!], /not fresh/],
      ['an older message id', [...frames(1000, 300, 5), ...frames(1000, 300, 4)], /not fresh/],
      ['too many messages in progress', [frames(1000, 300, 1)[0]!, frames(1000, 300, 2)[0]!, frames(1000, 300, 3)[0]!], /more than 2 messages/],
      ['too many bytes in progress', [frames(9000, 3000, 1)[0]!, frames(9000, 3000, 2)[0]!], /18000 bytes in progress > 15000/],
    ];
    for (const [what, fs, why] of lies) expect(refusal(new Reassembler(L), fs), what).toMatch(why);
    // the honest sequence passes, and its budget is released
    const r = new Reassembler(L);
    expect(refusal(r, ok)).toBeNull();
    expect(r.bufferedBytes).toBe(0);
  });

  it('refuses malformed frames: truncated, lying length prefix, trailing bytes, wrong type, nested chunks', () => {
    const good = encodeChunk(frames(1000, 300)[0]!);
    const r = () => new Reassembler({ minChunkBytes: 100 });
    expect(() => r().push(good.subarray(0, 5))).toThrow(WireError);
    const lying = good.slice();
    lying[5] = 0xff; // the data length prefix (after type, msgId, index, count, total(2 bytes)) now claims more
    expect(() => r().push(lying)).toThrow(WireError);
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    expect(() => r().push(trailing)).toThrow(/trailing/);
    expect(() => r().push(new Uint8Array([MSG_SYNC_REPLY, 1, 2]))).toThrow(/not a chunk frame/);
    expect(() => r().push(new Uint8Array([MSG_CHUNK, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(WireError);
    // a chunked message whose content is itself a chunk frame is refused by the channel decoder
    expect(() => decodeChannel(good)).toThrow(/do not nest/);
  });

  it(`a corrupted header anywhere in an honest stream is refused with WireError (seed ${SEED})`, () => {
    const rng = new Rng(SEED + 1);
    for (let t = 0; t < 300; t++) {
      const msg = randomBytes(rng, 6000 + rng.int(20_000));
      const fs = chunkMessage(msg, 1, 1024 + rng.int(4096));
      const k = rng.int(fs.length);
      const bad = fs[k]!.slice();
      const header = bad.length - decodeChunk(bad).data.length;
      bad[rng.int(header)]! ^= 1 + rng.int(255); // type, id, index, count, total or the length prefix
      fs[k] = bad;
      const re = new Reassembler({ maxMessageBytes: 1 << 20, maxBufferedBytes: 1 << 20 });
      let whole: Uint8Array | null = null;
      try {
        for (const f of fs) whole = re.push(f) ?? whole;
      } catch (e) {
        expect(e, `trial ${t}`).toBeInstanceOf(WireError);
        continue;
      }
      expect.fail(`trial ${t}: a corrupted frame ${k} was accepted (${whole?.length} bytes)`);
    }
  });
});
