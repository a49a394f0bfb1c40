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
 * A recording file's text: gunzipped if it starts with gzip's magic bytes, then decoded as UTF-8.
 * Throws an error saying which step failed (a cut-off gzip stream, bytes that are not text).
 */
export async function readRecordingFile(file: Blob & { name?: string }): Promise<string> {
  const name = file.name ?? 'file';
  const bytes = new Uint8Array(await file.arrayBuffer());
  let data = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      data = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (err) {
      throw new Error(`${name}: not a complete gzip file (${(err as Error).message || 'the compressed data is cut off or damaged'})`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new Error(`${name}: not a peerlab recording (not UTF-8 text)`);
  }
}
