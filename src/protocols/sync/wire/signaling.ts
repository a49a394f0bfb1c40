/**
 * What a sync peer publishes on its room's signaling topic (`peerlab-sync/<room>` on a y-webrtc
 * signaling server, JSON, encrypted the y-webrtc way when the room has a password). Only a peer's first
 * link(s) are made here:
 *
 *   hello   { type: 'hello', from }                 "I have no link: offer me one" (repeated with backoff
 *                                                   while the peer has none)
 *   signal  { type: 'signal', from, to, sig }       one step of a negotiation (offer / answer / busy)
 *   bye     { type: 'bye', from }                   leaving
 *
 * Everything else (more links, replacements, the shuffle) is negotiated through the overlay (relay/).
 * Anyone can publish on a topic: `parseSignaling` validates every field and returns null for anything
 * else, so a bad message is dropped, never acted on.
 */
import { utf8Length } from './codec.js';
import { LINK_KINDS, type LinkKind, type LinkSignal } from './frames.js';

export type SignalingMsg =
  | { type: 'hello'; from: number }
  | { type: 'signal'; from: number; to: number; sig: LinkSignal }
  | { type: 'bye'; from: number };

const PEER = /^\d{1,10}$/;
const NONCE = /^[0-9a-f]{1,32}$/;
export const MAX_SIGNAL_SDP = 64 * 1024;

function peerOf(v: unknown): number | null {
  if (typeof v !== 'string' || !PEER.test(v)) return null;
  const n = Number(v);
  return n <= 0xffffffff ? n : null;
}

/** The message as it goes on the topic (peer ids as decimal strings, as y-webrtc's are strings). */
export function toJson(m: SignalingMsg): Record<string, unknown> {
  switch (m.type) {
    case 'hello':
      return { type: 'hello', from: String(m.from) };
    case 'signal':
      return { type: 'signal', from: String(m.from), to: String(m.to), sig: { kind: m.sig.kind, nonce: m.sig.nonce, sdp: m.sig.sdp, link: m.sig.link } };
    case 'bye':
      return { type: 'bye', from: String(m.from) };
  }
}

/** A validated signaling message, or null (dropped). */
export function parseSignaling(data: unknown): SignalingMsg | null {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  const from = peerOf(m.from);
  if (from === null) return null;
  switch (m.type) {
    case 'hello':
      return { type: 'hello', from };
    case 'bye':
      return { type: 'bye', from };
    case 'signal': {
      const to = peerOf(m.to);
      const s = m.sig as Record<string, unknown> | null | undefined;
      if (to === null || s === null || typeof s !== 'object') return null;
      if (s.kind !== 'offer' && s.kind !== 'answer' && s.kind !== 'busy' && s.kind !== 'candidates') return null;
      if (typeof s.nonce !== 'string' || !NONCE.test(s.nonce)) return null;
      if (typeof s.sdp !== 'string' || utf8Length(s.sdp) > MAX_SIGNAL_SDP) return null;
      if (!LINK_KINDS.includes(s.link as LinkKind)) return null;
      return { type: 'signal', from, to, sig: { kind: s.kind, nonce: s.nonce, sdp: s.sdp, link: s.link as LinkKind } };
    }
    default:
      return null;
  }
}
