/**
 * What travels on a link between two sync peers, as objects. The simulator passes these by reference
 * (sized by `frameSize`); live peers put them on a data channel through the codec (codec.ts), which
 * bounds and validates every field. Message types are named constants handled in one switch per reader.
 *
 *   GOSSIP      a Plumtree message (updates and awareness, see dissemination/)
 *   FLOOD       a flooded payload (the `flood` baseline: every new payload to every neighbour)
 *   DIGEST      a document's state digest (hash of its state vector and delete set): "is yours the same?"
 *   SYNC_REQ    a document's state vector: "this is what I have, send what I lack" (and maybe "ask me too")
 *   SYNC_REPLY  Y.encodeStateAsUpdate(doc, theirStateVector)
 *   SYNC_SEALED with trust: sealed originals (gossiped or pushed updates with their origins' seals) the
 *               asker lacks, sent before the SYNC_REPLY that carries the rest (trust/originals.ts)
 *   PUSH        an update too big for gossip, flooded link by link (forwarded only if new); with trust it
 *               carries its origin's seal (origin, key, signature over room, origin, document and update),
 *               passed on unchanged by every forwarder (wire type PUSH_SEALED)
 *   ROUTE       an envelope routed over several links (DHT traffic and link negotiation, see relay/)
 *   PING        liveness: sent on a link that carried nothing for a heartbeat period
 *   BYE         the sender is leaving (or dropping this link): close it now, do not retry
 *   CHUNK       one frame of a larger message (wire only, see chunks.ts)
 *   TRUST       the trust layer's messages (keys, probes, proofs, opinions, pings; see trust/)
 */
import type { PlumtreeMsg } from '../../gossip/index.js';
import type { KadMessage, NodeId } from '../../kademlia/index.js';
import type { TrustMsg } from '../trust/messages.js';

export const F_GOSSIP = 1;
export const F_FLOOD = 2;
export const F_DIGEST = 3;
export const F_SYNC_REQ = 4;
export const F_SYNC_REPLY = 5;
export const F_PUSH = 6;
export const F_ROUTE = 7;
export const F_PING = 8;
export const F_BYE = 9;
export const F_CHUNK = 10;
export const F_TRUST = 11;
/** A PUSH with its origin's seal (wire only: decoded as a PUSH frame with `seal`). */
export const F_PUSH_SEALED = 12;
export const F_SYNC_SEALED = 13;

/** Bodies of a ROUTE envelope. */
export const B_KAD = 1;
export const B_MEMBERS = 2;
export const B_SIGNAL = 3;
/** A relay could not forward an envelope to `dst`: sent back to its source. */
export const B_UNREACHABLE = 4;

/** Room membership RPCs (beside Kademlia's own four, see discovery/members.ts). */
export const M_GET = 1;
export const M_ANNOUNCE = 2;
export const M_LIST = 3;

/** How a link was found: through the signaling server, a DHT lookup, or the periodic shuffle. */
export type LinkKind = 'bootstrap' | 'dht' | 'shuffle';
export const LINK_KINDS: readonly LinkKind[] = ['bootstrap', 'dht', 'shuffle'];

/** One step of a WebRTC negotiation, carried opaquely: the SDP is the transport's business. */
export interface LinkSignal {
  /**
   * 'candidates': the initiator's ICE candidates, sent once its answer is applied when its offer went
   * without them (a Node peer's does: src/live/rtc-node.ts says why).
   */
  kind: 'offer' | 'answer' | 'busy' | 'candidates';
  /** Names the negotiation (drawn by the initiator, echoed by the answer). */
  nonce: string;
  /** The session description (offer/answer; candidate lines for candidates; empty for busy). */
  sdp: string;
  /** How the initiator found the other end, so both ends label the link the same. */
  link: LinkKind;
}

export type MemberMsg =
  | { type: typeof M_GET; rpc: number; key: NodeId }
  | { type: typeof M_ANNOUNCE; rpc: number; key: NodeId }
  | { type: typeof M_LIST; rpc: number; key: NodeId; members: number[] };

export type RouteBody =
  | { b: typeof B_KAD; msg: KadMessage }
  | { b: typeof B_MEMBERS; msg: MemberMsg }
  | { b: typeof B_SIGNAL; sig: LinkSignal }
  | { b: typeof B_UNREACHABLE; dst: number };

export interface RouteFrame {
  t: typeof F_ROUTE;
  /** Who sent it (claimed: a relay could lie, see relay/) and who it is for. */
  src: number;
  dst: number;
  /** Links it may still cross. */
  ttl: number;
  /** The peers it went through, src first; each forwarder appends itself (the receiver's way back). */
  path: number[];
  /** Waypoints still to reach before dst (each resolved by the peer before it). */
  via: number[];
  body: RouteBody;
}

/** An origin's proof on a pushed update (see trust/crypto.ts, pushSigningData). */
export interface PushSeal {
  origin: number;
  key: Uint8Array;
  sig: Uint8Array;
}

export interface PushFrame {
  t: typeof F_PUSH;
  doc: string;
  update: Uint8Array;
  /** The origin's proof (trust on); absent where trust is off. */
  seal?: PushSeal;
}

/**
 * A sealed original as anti-entropy sends it: a gossiped update as it was gossiped (its message id and
 * sealed payload, trust/sealed.ts), or a pushed one (its seal and update; the document is the frame's).
 */
export type SealedOriginal =
  | { kind: 'gossip'; id: { origin: number; session: number; seq: number }; sealed: Uint8Array }
  | { kind: 'push'; seal: PushSeal; update: Uint8Array };

export type Frame =
  | { t: typeof F_GOSSIP; g: PlumtreeMsg }
  | { t: typeof F_FLOOD; origin: number; seq: number; payload: Uint8Array }
  | { t: typeof F_DIGEST; doc: string; h1: number; h2: number }
  /** `back`: the asker also wants to be asked (its digest differed from ours). */
  | { t: typeof F_SYNC_REQ; doc: string; sv: Uint8Array; back: boolean }
  | { t: typeof F_SYNC_REPLY; doc: string; update: Uint8Array }
  | { t: typeof F_SYNC_SEALED; doc: string; items: SealedOriginal[] }
  | PushFrame
  | RouteFrame
  | { t: typeof F_PING }
  | { t: typeof F_BYE }
  | { t: typeof F_TRUST; m: TrustMsg };

export const FRAME_NAMES: Record<number, string> = {
  [F_GOSSIP]: 'GOSSIP',
  [F_FLOOD]: 'FLOOD',
  [F_DIGEST]: 'DIGEST',
  [F_SYNC_REQ]: 'SYNC_REQ',
  [F_SYNC_REPLY]: 'SYNC_REPLY',
  [F_PUSH]: 'PUSH',
  [F_ROUTE]: 'ROUTE',
  [F_PING]: 'PING',
  [F_BYE]: 'BYE',
  [F_CHUNK]: 'CHUNK',
  [F_TRUST]: 'TRUST',
  [F_PUSH_SEALED]: 'PUSH_SEALED',
  [F_SYNC_SEALED]: 'SYNC_SEALED',
};

/** Traffic classes the peer counts bytes by (what each metric adds up). */
export type TrafficClass = 'updates' | 'antiEntropy' | 'awareness' | 'dht' | 'negotiation' | 'control';

export const MAX_DOC_NAME = 128;
const DOC_NAME = /^[\w.:/ -]{1,128}$/;

export function validDocName(s: string): boolean {
  return DOC_NAME.test(s);
}
