/**
 * A gossiped payload with its origin's proof, as it travels in a room with trust on:
 *
 *   sealed = u8 SEALED | 32 bytes origin public key | 64 bytes signature | payload (wire/payload.ts) to the end
 *
 * The signature covers the room, the gossip message id (origin, session, seq) and the payload
 * (crypto.ts, `updateSigningData`), so a forwarder that changes a byte of the payload, claims another
 * origin or replays it under another id is caught: honest peers check before they apply or forward,
 * so a bad seal is proof against the link it came from. The key travels with every message (96 bytes
 * in all) so a peer can check an origin it never met; its hash must be the origin's id.
 */
import { SyncWireError } from '../errors.js';
import { KEY_BYTES, SIG_BYTES } from './messages.js';

export const SEALED = 0xa5;
export const SEAL_BYTES = 1 + KEY_BYTES + SIG_BYTES;

export interface Sealed {
  key: Uint8Array;
  sig: Uint8Array;
  payload: Uint8Array;
}

export function seal(key: Uint8Array, sig: Uint8Array, payload: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES || sig.length !== SIG_BYTES) throw new SyncWireError('seal: bad key or signature size');
  const out = new Uint8Array(SEAL_BYTES + payload.length);
  out[0] = SEALED;
  out.set(key, 1);
  out.set(sig, 1 + KEY_BYTES);
  out.set(payload, SEAL_BYTES);
  return out;
}

/** The parts of a sealed payload (views into `bytes`), or null if it is not one. */
export function unseal(bytes: Uint8Array): Sealed | null {
  if (bytes.length <= SEAL_BYTES || bytes[0] !== SEALED) return null;
  return {
    key: bytes.subarray(1, 1 + KEY_BYTES),
    sig: bytes.subarray(1 + KEY_BYTES, SEAL_BYTES),
    payload: bytes.subarray(SEAL_BYTES),
  };
}
