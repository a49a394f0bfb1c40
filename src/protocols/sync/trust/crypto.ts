/**
 * Proof of origin for the sync peer: what a peer signs, and the signer/verifier it is handed.
 *
 * Every peer holds a key pair. Its peer id is bound to its public key: id = the first 32 bits of
 * SHA-256(raw public key), big-endian (`idOf`). So a peer cannot claim another's id without a key that
 * hashes to it, and a message signed by an origin's key can be checked against the origin id it names.
 * Live peers use Ed25519 through WebCrypto (src/live/trust-keys.ts); the simulator and the deterministic
 * test network use `ModelKeys` below, a keyed-hash model with the same sizes and the same answers (a
 * tampered message fails, another peer's key cannot sign for you), computed synchronously.
 *
 * The interface is callback-based so the sans-IO peer can run both: WebCrypto answers later (a promise),
 * the model at once. Callers keep their own order (see trust.ts's per-link queues).
 *
 * What is signed (each starts with a domain tag and the room, so a signature is good for one purpose in one room):
 *   update  DOMAIN | 1 | room | u32 origin | u32 session | varUint seq | payload     (a gossiped update or awareness)
 *   link    DOMAIN | 2 | room | u32 from | u32 to | nonce [| 1 | cert from | cert to]  (KEY: this link is mine)
 *           where the transport has DTLS certificates (live), the signer's and the far end's fingerprints
 *           as the signer sees them: a proof relayed onto another connection names other certificates
 *   push    DOMAIN | 3 | room | u32 origin | varString doc | update                  (an update too big for gossip)
 */
import * as encoding from 'lib0/encoding';
import { hash32 } from '../../../core/index.js';
import type { MsgId } from '../../gossip/index.js';
import { KEY_BYTES, SIG_BYTES, type LinkCerts } from './messages.js';

export interface TrustCrypto {
  /** This peer's raw public key (KEY_BYTES). */
  readonly publicKey: Uint8Array;
  /** Signs `data` with this peer's private key. */
  sign(data: Uint8Array, done: (sig: Uint8Array) => void): void;
  /** Whether `sig` is `key`'s signature of `data`. */
  verify(key: Uint8Array, data: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void): void;
  /** The peer id bound to a public key (see idOf). */
  idOf(key: Uint8Array, done: (id: number) => void): void;
}

const DOMAIN = [0x70, 0x6c, 0x73, 0x79, 0x6e, 0x63, 0x31, 0x00]; // "plsync1\0"
const PURPOSE_UPDATE = 1;
const PURPOSE_LINK = 2;
const PURPOSE_PUSH = 3;

function header(e: encoding.Encoder, purpose: number, room: string): void {
  for (const b of DOMAIN) encoding.writeUint8(e, b);
  encoding.writeUint8(e, purpose);
  encoding.writeVarString(e, room);
}

/** The bytes an origin signs for a gossiped payload with message id `id`. */
export function updateSigningData(room: string, id: MsgId, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  header(e, PURPOSE_UPDATE, room);
  encoding.writeUint32(e, id.origin >>> 0);
  encoding.writeUint32(e, id.session >>> 0);
  encoding.writeVarUint(e, id.seq);
  encoding.writeUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

/**
 * The bytes an origin signs for a pushed update. No message id: a push is forwarded only while it is new
 * where it arrives, and applying a replayed one changes nothing (Yjs updates are idempotent).
 */
export function pushSigningData(room: string, origin: number, doc: string, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  header(e, PURPOSE_PUSH, room);
  encoding.writeUint32(e, origin >>> 0);
  encoding.writeVarString(e, doc);
  encoding.writeUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/**
 * The bytes a peer signs to claim a link (`from` is the signer, `nonce` the link's negotiation nonce,
 * `certs` the connection's DTLS certificates: `from`'s and `to`'s, or null where the transport has none).
 */
export function linkSigningData(room: string, from: number, to: number, nonce: string, certs: LinkCerts | null): Uint8Array {
  const e = encoding.createEncoder();
  header(e, PURPOSE_LINK, room);
  encoding.writeUint32(e, from >>> 0);
  encoding.writeUint32(e, to >>> 0);
  encoding.writeVarString(e, nonce);
  if (certs !== null) {
    encoding.writeUint8(e, 1);
    encoding.writeVarUint8Array(e, certs.from);
    encoding.writeVarUint8Array(e, certs.to);
  }
  return encoding.toUint8Array(e);
}

/** The peer id of a SHA-256 digest of a public key: its first 4 bytes, big-endian. */
export function idFromDigest(digest: Uint8Array): number {
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- the model (simulator, test network) --------------------------------------------------------

/** A 32-bit hash of bytes under a 32-bit key (FNV-1a over the bytes, finished by hash32). */
function mac(secret: number, data: Uint8Array, salt: number): number {
  let h = (0x811c9dc5 ^ secret ^ Math.imul(salt, 0x9e3779b9)) >>> 0;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return hash32(h >>> 0, secret);
}

/**
 * A world of model keys. A model public key is the peer id (4 bytes) followed by 28 bytes derived from it;
 * its "signature" is 64 bytes of keyed hashes under a secret only the world knows, handed out per peer.
 * `keysFor(id)` gives peer `id` its signer: a peer holding only its own can sign only as itself, and any
 * change to signed bytes or to the signature fails verification (the 64 bytes are 16 independent 32-bit
 * hashes). Synchronous and deterministic for a seed.
 */
export class ModelKeys {
  constructor(private readonly seed: number) {}

  private secretOf(id: number): number {
    return hash32(id >>> 0, this.seed ^ 0x5eed1e55);
  }

  /** The model public key of peer `id`. */
  publicKeyOf(id: number): Uint8Array {
    const k = new Uint8Array(KEY_BYTES);
    new DataView(k.buffer).setUint32(0, id >>> 0);
    for (let i = 4; i < KEY_BYTES; i++) k[i] = hash32(id >>> 0, i) & 0xff;
    return k;
  }

  private idOfKey(key: Uint8Array): number | null {
    if (key.length !== KEY_BYTES) return null;
    const id = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0);
    return bytesEqual(key, this.publicKeyOf(id)) ? id : null;
  }

  private signAs(id: number, data: Uint8Array): Uint8Array {
    const secret = this.secretOf(id);
    const sig = new Uint8Array(SIG_BYTES);
    const v = new DataView(sig.buffer);
    for (let i = 0; i < SIG_BYTES / 4; i++) v.setUint32(4 * i, mac(secret, data, i));
    return sig;
  }

  /** Peer `id`'s signer and verifier. */
  keysFor(id: number): TrustCrypto {
    const publicKey = this.publicKeyOf(id);
    return {
      publicKey,
      sign: (data, done) => done(this.signAs(id, data)),
      verify: (key, data, sig, done) => {
        const who = this.idOfKey(key);
        done(who !== null && sig.length === SIG_BYTES && bytesEqual(sig, this.signAs(who, data)));
      },
      // a key that is not a model key hashes to an id no peer has
      idOf: (key, done) => done(this.idOfKey(key) ?? (hash32(mac(0, key, 99), 7) | 0x80000000) >>> 0),
    };
  }
}
