/**
 * A live peer's key pair for the sync peer's trust layer (src/protocols/sync/trust/): Ed25519 through
 * WebCrypto (`globalThis.crypto.subtle`, Node >= 20 and Chromium), so Node peers and browser peers sign
 * and check alike. The peer id is bound to the key: the first 32 bits of SHA-256 of the raw public key,
 * big-endian (`idFromDigest`), so no peer can claim another's id.
 *
 * WebCrypto answers with promises; the trust layer takes callbacks and keeps each link's order itself.
 * A verification that WebCrypto refuses (a public key that is not a curve point) is a failed check, never
 * an exception. Imported public keys and key hashes are cached (bounded), since every gossiped message
 * names its origin's key.
 */
import { idFromDigest, KEY_BYTES, type TrustCrypto } from '../protocols/sync/index.js';

const ED25519 = 'Ed25519';
/** Public keys (imported, and their ids) kept per peer; a room rarely has more origins than this. */
const CACHE = 4096;

export interface PeerKeys extends TrustCrypto {
  /** The peer id this key pair gives (the first 32 bits of SHA-256 of the public key). */
  readonly id: number;
  /** The private key as PKCS#8 DER (what a key file holds). */
  exportPkcs8(): Promise<Uint8Array>;
}

export class KeyError extends Error {
  override name = 'KeyError';
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function fromBase64Url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A copy in a fresh ArrayBuffer (WebCrypto takes BufferSource; a view into a larger buffer is fine, a SharedArrayBuffer is not). */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b) as Uint8Array<ArrayBuffer>;
}

/** The peer id of a raw public key. */
export async function peerIdOfKey(publicKey: Uint8Array): Promise<number> {
  return idFromDigest(new Uint8Array(await crypto.subtle.digest('SHA-256', buf(publicKey))));
}

class Bounded<V> extends Map<string, V> {
  put(k: string, v: V): V {
    this.delete(k);
    this.set(k, v);
    if (this.size > CACHE) this.delete(this.keys().next().value as string);
    return v;
  }
}

class WebCryptoKeys implements PeerKeys {
  private readonly imported = new Bounded<Promise<CryptoKey | null>>();
  private readonly ids = new Bounded<number>();

  constructor(
    readonly id: number,
    readonly publicKey: Uint8Array,
    private readonly privateKey: CryptoKey,
  ) {
    this.ids.put(hex(publicKey), id);
  }

  sign(data: Uint8Array, done: (sig: Uint8Array) => void): void {
    void crypto.subtle.sign(ED25519, this.privateKey, buf(data)).then((s) => done(new Uint8Array(s)));
  }

  private importKey(key: Uint8Array): Promise<CryptoKey | null> {
    const k = hex(key);
    const got = this.imported.get(k);
    if (got) return got;
    const p = crypto.subtle.importKey('raw', buf(key), ED25519, false, ['verify']).catch(() => null);
    return this.imported.put(k, p);
  }

  verify(key: Uint8Array, data: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void): void {
    if (key.length !== KEY_BYTES) return done(false);
    void this.importKey(key)
      .then((k) => (k === null ? false : crypto.subtle.verify(ED25519, k, buf(sig), buf(data))))
      .then(done, () => done(false));
  }

  idOf(key: Uint8Array, done: (id: number) => void): void {
    const k = hex(key);
    const known = this.ids.get(k);
    if (known !== undefined) return done(known);
    void peerIdOfKey(key).then((id) => done(this.ids.put(k, id)));
  }

  async exportPkcs8(): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.exportKey('pkcs8', this.privateKey));
  }
}

async function fromPrivate(privateKey: CryptoKey): Promise<PeerKeys> {
  // the public half of an Ed25519 private key is its JWK's `x` (WebCrypto has no other way to derive it)
  const jwk = await crypto.subtle.exportKey('jwk', privateKey);
  if (typeof jwk.x !== 'string') throw new KeyError('the private key has no public part');
  const publicKey = fromBase64Url(jwk.x);
  if (publicKey.length !== KEY_BYTES) throw new KeyError(`the public key has ${publicKey.length} bytes, expected ${KEY_BYTES}`);
  return new WebCryptoKeys(await peerIdOfKey(publicKey), publicKey, privateKey);
}

/** A fresh Ed25519 key pair (its id follows from it). */
export async function createPeerKeys(): Promise<PeerKeys> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  return fromPrivate(pair.privateKey);
}

/** The key pair of an Ed25519 private key in PKCS#8 DER; throws KeyError if it is not one. */
export async function importPeerKeys(pkcs8: Uint8Array): Promise<PeerKeys> {
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('pkcs8', buf(pkcs8), ED25519, true, ['sign']);
  } catch (e) {
    throw new KeyError(`not an Ed25519 private key in PKCS#8 form (${e instanceof Error ? e.message : String(e)})`);
  }
  return fromPrivate(key);
}
