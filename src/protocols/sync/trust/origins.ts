/**
 * Checking origins: whose key is whose, and which messages were seen with a good seal.
 *
 * - Keys: a key is taken for an origin only once its hash gives that origin's id (crypto.ts); then it is
 *   pinned (bounded, least recently used forgotten first), so later messages from that origin cost one
 *   signature check and no hash.
 * - Proofs: the origin signature of every message that checked out, with a checksum of its sealed bytes
 *   (bounded, oldest first). It answers probes (a peer shows it holds a message by its signature), checks
 *   the answers to ours, and lets a copy of a message that arrives again byte for byte through another
 *   link pass without a second signature check. A copy that differs is checked in full: a forwarder that
 *   altered a duplicate is caught like one that altered the first copy.
 */
import type { MsgId } from '../../gossip/index.js';
import { hashBytes } from '../docs.js';
import type { PushSeal } from '../wire/frames.js';
import { bytesEqual, pushSigningData, updateSigningData, type TrustCrypto } from './crypto.js';
import { msgKey } from './messages.js';
import { unseal } from './sealed.js';

const MAX_KEYS = 4096;

interface Proof {
  sig: Uint8Array;
  h1: number;
  h2: number;
}

export type SealVerdict = 'ok' | 'unsealed' | 'wrong-key' | 'bad-signature';

export class Origins {
  private readonly keys = new Map<number, Uint8Array>();
  private readonly proofs = new Map<string, Proof>();

  constructor(
    private readonly room: string,
    private readonly crypto: TrustCrypto,
    private readonly proofCache: number,
  ) {}

  /** The key pinned for `origin`, if any. */
  keyOf(origin: number): Uint8Array | undefined {
    return this.keys.get(origin);
  }

  /** The origins whose keys we hold (peers we know of). */
  known(): IterableIterator<number> {
    return this.keys.keys();
  }

  /** Pins `key` as `origin`'s (its hash was checked). */
  pin(origin: number, key: Uint8Array): void {
    this.keys.delete(origin);
    this.keys.set(origin, key.slice());
    if (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.keys().next().value as number);
  }

  /** Whether `key` is `origin`'s: pinned, or its hash gives `origin` (then pinned). */
  checkKey(origin: number, key: Uint8Array, done: (ok: boolean) => void): void {
    const pinned = this.keys.get(origin);
    if (pinned && bytesEqual(pinned, key)) return done(true);
    this.crypto.idOf(key, (id) => {
      const ok = id === origin;
      if (ok) this.pin(origin, key);
      done(ok);
    });
  }

  /** The signature of message `id` if we saw it with a good seal (and still remember it). */
  proofOf(id: MsgId): Uint8Array | null {
    return this.proofs.get(msgKey(id))?.sig ?? null;
  }

  /** Whether a sealed payload is, byte for byte, a copy of one that already checked out. */
  private knownCopy(key: string, sig: Uint8Array, sealed: Uint8Array): boolean {
    const p = this.proofs.get(key);
    if (!p || !bytesEqual(p.sig, sig)) return false;
    const [h1, h2] = hashBytes([sealed]);
    return h1 === p.h1 && h2 === p.h2;
  }

  private remember(key: string, sig: Uint8Array, sealed: Uint8Array): void {
    if (this.proofCache === 0 || this.proofs.has(key)) return;
    const [h1, h2] = hashBytes([sealed]);
    this.proofs.set(key, { sig: sig.slice(), h1, h2 });
    if (this.proofs.size > this.proofCache) this.proofs.delete(this.proofs.keys().next().value as string);
  }

  /** Checks a gossiped message's seal against its id: origin's key, then the signature. */
  check(id: MsgId, sealedBytes: Uint8Array, done: (v: SealVerdict) => void): void {
    const s = unseal(sealedBytes);
    if (s === null) return done('unsealed');
    const key = msgKey(id);
    if (this.knownCopy(key, s.sig, sealedBytes)) return done('ok');
    this.checkKey(id.origin, s.key, (keyOk) => {
      if (!keyOk) return done('wrong-key');
      this.crypto.verify(s.key, updateSigningData(this.room, id, s.payload), s.sig, (ok) => {
        if (ok) this.remember(key, s.sig, sealedBytes);
        done(ok ? 'ok' : 'bad-signature');
      });
    });
  }

  /**
   * Checks a pushed update's seal: the origin's key, then its signature over room, origin, document and
   * update. Every copy is checked in full (a push is big and rare; a forwarder may alter any copy).
   */
  checkPush(seal: PushSeal | undefined, doc: string, update: Uint8Array, done: (v: SealVerdict) => void): void {
    if (seal === undefined) return done('unsealed');
    this.checkKey(seal.origin, seal.key, (keyOk) => {
      if (!keyOk) return done('wrong-key');
      this.crypto.verify(seal.key, pushSigningData(this.room, seal.origin, doc, update), seal.sig, (ok) => done(ok ? 'ok' : 'bad-signature'));
    });
  }

  /** Our own message, sealed: its proof is known without a check. */
  own(id: MsgId, sig: Uint8Array, sealedBytes: Uint8Array): void {
    this.remember(msgKey(id), sig, sealedBytes);
  }
}
