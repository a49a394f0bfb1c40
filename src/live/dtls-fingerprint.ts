/**
 * The DTLS certificate fingerprints of a WebRTC connection, read from its session descriptions (RFC 8122
 * `a=fingerprint:<hash> <hex:hex:...>`): the local description names our certificate, the remote one the
 * far end's, and the DTLS handshake refuses a far end whose certificate does not match the remote one (in
 * Chromium and in libdatachannel alike). So once a connection is open, the two fingerprints name the two
 * ends that hold its keys, and a trust KEY proof signs them (src/protocols/sync/trust/crypto.ts): a man in
 * the middle that relays a proof onto a connection of its own cannot make it name that connection.
 *
 * A fingerprint becomes bytes as a hash-function code and the digest. The remote description comes from
 * an untrusted peer: it is parsed with bounds, and an SDP naming no fingerprint, an unknown hash
 * function, a digest of the wrong length or two different fingerprints gives null (no binding: the trust
 * layer then refuses the link rather than guess which certificate DTLS checked). Browser-safe (pages run
 * the sync peer): no Node modules.
 */
import type { LinkCerts } from '../protocols/sync/index.js';

/** Hash functions of RFC 8122 (the IANA "Hash Function Textual Names" WebRTC uses), by code, with digest sizes. */
const HASHES: Record<string, { code: number; bytes: number }> = {
  'sha-1': { code: 1, bytes: 20 },
  'sha-224': { code: 2, bytes: 28 },
  'sha-256': { code: 3, bytes: 32 },
  'sha-384': { code: 4, bytes: 48 },
  'sha-512': { code: 5, bytes: 64 },
};

/** Longest SDP read (a signaled description is at most 64 KiB: src/protocols/sync/wire/signaling.ts). */
const MAX_SDP_CHARS = 256 * 1024;

const LINE = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/;

/** One `a=fingerprint` line's value as bytes (hash code, digest), or null if it is not a well-formed one. */
export function fingerprintBytes(hash: string, hex: string): Uint8Array | null {
  const h = HASHES[hash.toLowerCase()];
  if (!h) return null;
  const parts = hex.split(':');
  if (parts.length !== h.bytes) return null;
  const out = new Uint8Array(1 + h.bytes);
  out[0] = h.code;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9A-Fa-f]{2}$/.test(p)) return null;
    out[1 + i] = parseInt(p, 16);
  }
  return out;
}

/** The one certificate fingerprint an SDP names (session or media level), as bytes; null if none, or several differ, or one is malformed. */
export function sdpFingerprint(sdp: string | undefined | null): Uint8Array | null {
  if (typeof sdp !== 'string' || sdp.length > MAX_SDP_CHARS) return null;
  let found: Uint8Array | null = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (!line.startsWith('a=fingerprint:')) continue;
    const m = LINE.exec(line);
    const fp = m ? fingerprintBytes(m[1]!, m[2]!) : null;
    if (fp === null) return null;
    if (found !== null && !sameBytes(found, fp)) return null;
    found = fp;
  }
  return found;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An open connection's certificates (ours, the far end's), from its current descriptions; null if either is unreadable. */
export function connectionCerts(pc: Pick<RTCPeerConnection, 'localDescription' | 'remoteDescription'>): LinkCerts | null {
  const from = sdpFingerprint(pc.localDescription?.sdp);
  const to = sdpFingerprint(pc.remoteDescription?.sdp);
  return from !== null && to !== null ? { from, to } : null;
}
