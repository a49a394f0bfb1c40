/**
 * The adaptive overlay's messages and their checks: peers are untrusted, so every field of a message
 * is checked before use (`isGossip`, `isNonNegInt`; opinion lists by reputation.ts's `validateOpinions`).
 */
import type { PeerId } from '../../core/index.js';
import type { Opinion } from './reputation.js';

/** A broadcast message. `valid` models the origin signature: false = tampered or junk, provably. */
export interface GossipMsg {
  t: 'gossip';
  id: number;
  origin: PeerId;
  valid: boolean;
  bytes: number;
}

export type AdaptiveMsg =
  | GossipMsg
  | { t: 'pull'; id: number; nonce: number }
  | { t: 'pullReply'; nonce: number; msg: GossipMsg | null }
  /** `random`: a random link (kept by both ends up to keepRandom), else one picked by the rewiring metric. */
  | { t: 'connect'; random: boolean }
  | { t: 'accept' }
  | { t: 'reject' }
  | { t: 'disconnect' }
  | { t: 'ping'; nonce: number }
  | { t: 'pong'; nonce: number }
  | { t: 'opinions'; entries: Opinion[] }
  /** What do you hold about `peer`? `relay`: if nothing, ask your own neighbours first (vetting.ts). */
  | { t: 'ask'; peer: PeerId; nonce: number; relay?: boolean }
  | { t: 'tell'; nonce: number; entry: Opinion };

/** Largest payload a message may claim. */
export const MAX_MSG_BYTES = 2 ** 28;
/** Wire size of one opinion entry (peer id, good, bad). */
export const OPINION_ENTRY_BYTES = 12;
/** A pull reply carries the message id and its origin signature (Ed25519-sized). */
export const PROOF_BYTES = 72;
/** Message id = seq * ID_SPLIT + origin. */
export const ID_SPLIT = 2 ** 24;

export function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

export function isGossip(m: unknown): m is GossipMsg {
  if (m === null || typeof m !== 'object') return false;
  const g = m as Record<string, unknown>;
  return (
    g.t === 'gossip' &&
    isNonNegInt(g.id) &&
    isNonNegInt(g.origin) &&
    typeof g.valid === 'boolean' &&
    typeof g.bytes === 'number' &&
    g.bytes >= 0 &&
    g.bytes <= MAX_MSG_BYTES
  );
}
