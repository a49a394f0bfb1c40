/**
 * Saving and opening files from the page, the same way in a browser and in Electron: a download link
 * for saving (Electron shows its save dialog) and an <input type=file> for opening; gzip through the
 * browser's own CompressionStream, so no privileged API is needed.
 */

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, name: string, type = 'text/plain'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), name);
}

export async function gzip(text: string): Promise<Blob> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).blob();
}

/**
 * Largest recording, in bytes after decompression, the page reads: the host replays at most 96 Mi
 * characters (REPLAY_MAX_CHARS in src/host/lab-group.ts), so anything bigger is refused before it is
 * inflated (a 612 KB .gz inflated to 600 MB before this bound).
 */
export const MAX_RECORDING_BYTES = 96 * 1024 * 1024;

/**
 * A recording file's text: gunzipped if it starts with gzip's magic bytes (streamed, stopping as soon
 * as it passes `maxBytes`), then decoded as UTF-8. Throws an error saying which step failed (too big, a
 * cut-off gzip stream, bytes that are not text).
 */
export async function readRecordingFile(file: Blob & { name?: string }, maxBytes = MAX_RECORDING_BYTES): Promise<string> {
  const name = file.name ?? 'file';
  const tooBig = (what: string) => new Error(`${name}: ${what} more than ${formatMiB(maxBytes)}, the most a replay takes`);
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  let data: Uint8Array;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > maxBytes) {
          void reader.cancel().catch(() => {});
          throw tooBig('it decompresses to');
        }
        chunks.push(value);
      }
    } catch (err) {
      if ((err as Error).message.includes('the most a replay takes')) throw err;
      throw new Error(`${name}: not a complete gzip file (${(err as Error).message || 'the compressed data is cut off or damaged'})`);
    }
    data = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
  } else {
    if (file.size > maxBytes) throw tooBig('it holds');
    data = new Uint8Array(await file.arrayBuffer());
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new Error(`${name}: not a peerlab recording (not UTF-8 text)`);
  }
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
