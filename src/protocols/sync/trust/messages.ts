/**
 * What the trust layer of a sync peer says on a link (inside one frame type, F_TRUST), as objects:
 *
 *   KEY       the sender's public key and its proof of holding the private key for this link (a signature
 *             over the room, both peer ids, the link's negotiation nonce and, where the transport has
 *             them, the DTLS certificate fingerprints of the connection as the sender sees it, which it
 *             also names: `certs`); the first frame each end sends on a new link. The key's hash is the
 *             sender's peer id, so an id cannot be claimed by another key (see crypto.ts).
 *   PROBE     "show me you hold message `id`" (one we pushed or announced to you a while ago)
 *   PROOF     the answer to PROBE `nonce`: the message's origin signature (proof of possession), or none
 *   OPINIONS  the sender's evidence about other peers (beta reputation counts, scaled to a cap), with a
 *             sequence number that only grows on a link (a replayed or reordered list is dropped)
 *   PING/PONG a round-trip measurement (the rewiring metric), timed by the sender's own clock
 *   KIND      how the sender holds this link: one of its kept random links, or one picked by the metric;
 *             both ends keep a random link random (GoCast's random neighbours survive rewiring)
 */
import type { MsgId } from '../../gossip/index.js';

export const T_KEY = 1;
export const T_PROBE = 2;
export const T_PROOF = 3;
export const T_OPINIONS = 4;
export const T_PING = 5;
export const T_PONG = 6;
export const T_KIND = 7;

/** Raw Ed25519 public key and signature sizes (what WebCrypto exports and produces). */
export const KEY_BYTES = 32;
export const SIG_BYTES = 64;

/** Opinion counts travel as fixed-point numbers with this many steps per unit of evidence. */
export const OPINION_SCALE = 256;

/** Longest certificate fingerprint a KEY may name: a hash-function code and a digest of up to 64 bytes (SHA-512). */
export const MAX_CERT_BYTES = 65;

/**
 * The DTLS certificates of one WebRTC connection as one end sees them: its own (`from`) and the far end's
 * (`to`), each as the transport's fingerprint bytes (src/live/dtls-fingerprint.ts: a hash code and the
 * digest). A KEY proof made on one connection names and signs them, so it does not check out on another.
 */
export interface LinkCerts {
  from: Uint8Array;
  to: Uint8Array;
}

export interface WireOpinion {
  peer: number;
  good: number;
  bad: number;
}

export type TrustMsg =
  | { k: typeof T_KEY; key: Uint8Array; proof: Uint8Array; certs: LinkCerts | null }
  | { k: typeof T_PROBE; nonce: number; id: MsgId }
  | { k: typeof T_PROOF; nonce: number; sig: Uint8Array | null }
  | { k: typeof T_OPINIONS; seq: number; entries: WireOpinion[] }
  | { k: typeof T_PING; nonce: number }
  | { k: typeof T_PONG; nonce: number }
  | { k: typeof T_KIND; random: boolean };

export const TRUST_MSG_NAMES: Record<number, string> = {
  [T_KEY]: 'KEY',
  [T_PROBE]: 'PROBE',
  [T_PROOF]: 'PROOF',
  [T_OPINIONS]: 'OPINIONS',
  [T_PING]: 'PING',
  [T_PONG]: 'PONG',
  [T_KIND]: 'KIND',
};

/** The key of a gossip message id in maps (origin, session, seq). */
export function msgKey(id: MsgId): string {
  return `${id.origin}:${id.session}:${id.seq}`;
}
