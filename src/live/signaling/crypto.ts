/**
 * y-webrtc-compatible encryption of signaling messages for password-protected rooms: PBKDF2 (SHA-256,
 * 100 000 iterations, salt = room name) derives an AES-GCM-256 key; a message is lib0 `writeAny` of the
 * JSON value, encrypted, framed as varString 'AES-GCM' | varUint8Array iv | varUint8Array cipher, and
 * sent base64. Same construction as y-webrtc's src/crypto.js, so the signaling server only ever sees
 * ciphertext and peers without the password cannot read or forge offers.
 * Uses WebCrypto (`globalThis.crypto.subtle`): Node >= 20 and browsers.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export async function deriveKey(secret: string, roomName: string): Promise<CryptoKey> {
  const enc = new TextEncoder();
  const material = await crypto.subtle.importKey('raw', enc.encode(secret), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt: enc.encode(roomName), iterations: 100_000, hash: 'SHA-256' },
    material,
    { name: 'AES-GCM', length: 256 },
    true,
    ['encrypt', 'decrypt'],
  );
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function encryptJson(data: unknown, key: CryptoKey): Promise<string> {
  const plain = encoding.createEncoder();
  encoding.writeAny(plain, data as never);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoding.toUint8Array(plain));
  const out = encoding.createEncoder();
  encoding.writeVarString(out, 'AES-GCM');
  encoding.writeVarUint8Array(out, iv);
  encoding.writeVarUint8Array(out, new Uint8Array(cipher));
  return toBase64(encoding.toUint8Array(out));
}

/** Returns null for anything that is not a message encrypted with this key (never throws). */
export async function decryptJson(b64: unknown, key: CryptoKey): Promise<unknown> {
  if (typeof b64 !== 'string') return null;
  try {
    const dec = decoding.createDecoder(fromBase64(b64));
    if (decoding.readVarString(dec) !== 'AES-GCM') return null;
    const iv = decoding.readVarUint8Array(dec);
    const cipher = decoding.readVarUint8Array(dec);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer> }, key, cipher as Uint8Array<ArrayBuffer>);
    return decoding.readAny(decoding.createDecoder(new Uint8Array(plain)));
  } catch {
    return null;
  }
}
