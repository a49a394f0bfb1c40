/**
 * What a sync peer needs from the world it runs in, and what it reports. The simulator's driver, the
 * deterministic test network and the live adapter (src/live/overlay/room.ts) each implement `SyncHost`:
 * they own the transports (modelled links, in-memory queues, WebRTC data channels) and the signaling
 * server connection; the peer decides everything else.
 *
 * Link lifecycle: the peer calls `openLink(peer, initiator)`; an initiator's transport produces an offer,
 * which the host hands back with `SyncPeer.onLocalSignal`; the peer routes it (signaling or overlay); the
 * other side's peer calls `openLink(peer, false)` and `remoteSignal(offer)`, its transport answers (again
 * through onLocalSignal), and so on. When the channel opens the host calls `SyncPeer.onLinkOpen`; when
 * the transport closes by itself (the remote end closed, ICE failed, a frame broke the wire rules) it calls
 * `SyncPeer.onLinkClosed`. `closeLink` from the peer is silent (no callback).
 */
import type { Frame, LinkKind, LinkSignal, TrafficClass } from './wire/frames.js';
import type { SignalingMsg } from './wire/signaling.js';
import type { TrustEvent } from './trust/io.js';
import type { LinkCerts } from './trust/messages.js';

export interface SyncHost {
  /** Publishes on the room's signaling topic. */
  publish(m: SignalingMsg): void;
  /** Whether the signaling server can be reached now. */
  signalingUp(): boolean;
  /** Starts a transport to `peer` (an initiator's produces an offer). */
  openLink(peer: number, initiator: boolean): void;
  /** Hands a remote description to the transport being negotiated with `peer`. */
  remoteSignal(peer: number, sig: LinkSignal): void;
  /** Puts a frame on the open link to `peer`; `bytes` is its wire size. */
  send(peer: number, frame: Frame, bytes: number, cls: TrafficClass): void;
  /** Closes the transport to `peer` (open or opening), without calling back. */
  closeLink(peer: number): void;
  /**
   * The DTLS certificates of the open link to `peer` (ours, the far end's: the fingerprints its
   * negotiation exchanged, which the DTLS handshake checked), or null if it has none to read. A host
   * whose transport has them (live WebRTC) gives this, and the trust layer's KEY proofs then bind them; a
   * host without it (the simulator, the test network) models no transport security.
   */
  linkCerts?(peer: number): LinkCerts | null;
  /** An awareness update for a document arrived (apply it to the document's awareness). */
  onAwareness?(doc: string, update: Uint8Array, from: number): void;
  /** Content from a peer was applied to a document (the simulator tracks convergence by this). */
  docChanged?(doc: string): void;
  /** Wall-clock milliseconds, for the arrival latency of stamped updates (live). */
  wallMs?(): number;
  /** Something worth drawing or counting happened. */
  event?(e: SyncEvent): void;
}

export type SyncEvent =
  | { type: 'link-up'; peer: number; kind: LinkKind; initiator: boolean }
  | { type: 'link-down'; peer: number; reason: string }
  | { type: 'violation'; peer: number; reason: string }
  | { type: 'oversize'; doc: string; bytes: number }
  | { type: 'edit-arrived'; doc: string; origin: number; latencyMs: number }
  | { type: 'members'; found: number; hops: number }
  | TrustEvent;

/** A peer's counters (the simulator shares one object among all its peers and sums). */
export interface SyncStats {
  linksOpened: number;
  linksClosed: number;
  /** Links closed because nothing was heard for deadLinkMs. */
  linksTimedOut: number;
  negotiationsStarted: number;
  negotiationsFailed: number;
  offersRefused: number;
  violations: number;
  /** Frames dropped by a per-link rate bound. */
  rateDropped: number;
  signalingOut: number;
  hellosOut: number;
  gossipDelivered: number;
  syncRequests: number;
  syncReplies: number;
  digestsOut: number;
  digestMismatches: number;
  /** Mismatched digests let pass while gossip was still arriving (edits in flight, not a gap). */
  digestsInFlight: number;
  /** Sync requests made because Yjs held updates whose predecessors had not arrived. */
  gapRequests: number;
  pushesOut: number;
  pushesIn: number;
  /** Messages not sent because they exceed the largest message a link carries. */
  oversize: number;
  /** Lost neighbours retried through signaling (partition healing). */
  healAttempts: number;
}

export function newSyncStats(): SyncStats {
  return {
    linksOpened: 0, linksClosed: 0, linksTimedOut: 0, negotiationsStarted: 0, negotiationsFailed: 0, offersRefused: 0,
    violations: 0, rateDropped: 0, signalingOut: 0, hellosOut: 0, gossipDelivered: 0, syncRequests: 0, syncReplies: 0,
    digestsOut: 0, digestMismatches: 0, digestsInFlight: 0, gapRequests: 0, pushesOut: 0, pushesIn: 0, oversize: 0, healAttempts: 0,
  };
}
