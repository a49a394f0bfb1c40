// Opening a recording file in the page (renderer/src/export/download.ts): a gzip bomb is refused once
// its inflated bytes pass the bound, with a message that says so, not inflated whole; plain, gzipped and
// damaged files as before.
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_RECORDING_BYTES, readRecordingFile } from '../../renderer/src/export/download.js';
import { REPLAY_MAX_CHARS } from '../../src/host/lab-group.js';

/** gzip of `total` zero bytes, made in 1 MiB steps (the bomb is never whole in memory here either). */
async function zeros(total: number): Promise<Uint8Array<ArrayBuffer>> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((r) => gz.on('end', r));
  const mib = Buffer.alloc(1024 * 1024);
  for (let left = total; left > 0; left -= mib.length) {
    if (!gz.write(left >= mib.length ? mib : mib.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

const file = (bytes: Uint8Array<ArrayBuffer> | string, name: string) => Object.assign(new Blob([bytes]), { name });

describe('readRecordingFile', () => {
  it('the bound is the host replay bound', () => {
    expect(MAX_RECORDING_BYTES).toBe(REPLAY_MAX_CHARS);
  });

  it('refuses a gzip bomb (200 KB inflating to 200 MB) once it passes 96 MiB, saying so', async () => {
    const bomb = await zeros(200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(readRecordingFile(file(bomb, 'bomb.peerlab.jsonl.gz'))).rejects.toThrow(
      'bomb.peerlab.jsonl.gz: it decompresses to more than 96 MiB, the most a replay takes',
    );
  });

  it('refuses a plain file over the bound by its size, and reads what is within it', async () => {
    await expect(readRecordingFile(file('x'.repeat(2048), 'big.jsonl'), 1024)).rejects.toThrow('big.jsonl: it holds more than 0 MiB');
    expect(await readRecordingFile(file('{"a":1}\n', 'ok.jsonl'))).toBe('{"a":1}\n');
    expect(await readRecordingFile(file(new Uint8Array(gzipSync('{"b":2}\n')), 'ok.jsonl.gz'))).toBe('{"b":2}\n');
  });

  it('a cut-off gzip file and bytes that are not UTF-8 keep their own messages', async () => {
    const gz = gzipSync('{"c":3}\n'.repeat(1000));
    await expect(readRecordingFile(file(new Uint8Array(gz.subarray(0, gz.length - 20)), 'cut.gz'))).rejects.toThrow(/cut\.gz: not a complete gzip file/);
    await expect(readRecordingFile(file(new Uint8Array([0xff, 0xfe, 0xfd]), 'bin'))).rejects.toThrow('bin: not a peerlab recording (not UTF-8 text)');
  });
});
