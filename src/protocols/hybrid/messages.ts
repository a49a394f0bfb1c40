/**
 * BEP 5's two torrent RPCs on top of the Kademlia node's four: `get_peers` (who is in the swarm of
 * this info-hash? answered with stored peers, closer nodes and a write token) and `announce_peer`
 * (store me under this info-hash; the token proves I asked you recently from this address).
 *
 * Type codes 20..23 never collide with the Kademlia RPCs (1..8), so one channel carries both.
 * Wire sizes are BEP 5's compact forms (a peer is 6 bytes of IPv4 + port, a node 6 + its id), which
 * is what the network model charges. A reply comes from an untrusted peer: `checkPeersReply` bounds
 * and validates it before anything of it is used.
 */
import type { PeerId } from '../../core/index.js';
import type { Contact, KadMessage, NodeId } from '../kademlia/index.js';

export const GET_PEERS = 20;
/** Reply to GET_PEERS: peers stored for the key (may be empty), closer nodes, and a token. */
export const PEERS = 21;
export const ANNOUNCE_PEER = 22;
export const ANNOUNCE_ACK = 23;

interface Base {
  rpc: number;
  sender: NodeId;
}
export interface GetPeersMsg extends Base {
  type: typeof GET_PEERS;
  infoHash: NodeId;
}
export interface PeersMsg extends Base {
  type: typeof PEERS;
  infoHash: NodeId;
  token: number;
  /** Peers of the swarm (BEP 5 "values"): addresses, here dense peer ids. */
  values: PeerId[];
  /** Closer nodes (BEP 5 "nodes"). */
  contacts: Contact[];
}
export interface AnnouncePeerMsg extends Base {
  type: typeof ANNOUNCE_PEER;
  infoHash: NodeId;
  token: number;
}
export interface AnnounceAckMsg extends Base {
  type: typeof ANNOUNCE_ACK;
  /** False: the token was wrong or stale, or the store is full. */
  ok: boolean;
}

export type TorrentMessage = GetPeersMsg | PeersMsg | AnnouncePeerMsg | AnnounceAckMsg;
export type HybridMessage = KadMessage | TorrentMessage;

export function isTorrentMessage(m: HybridMessage): m is TorrentMessage {
  return m.type >= GET_PEERS && m.type <= ANNOUNCE_ACK;
}

/** BEP 5 compact peer info: 4 bytes IPv4 + 2 bytes port. */
export const PEER_BYTES = 6;
/** KRPC framing (transaction id, message type, dict keys) in bytes, beside the ids and payload. */
const FRAME = 24;

export function torrentMessageBytes(m: TorrentMessage, idLen: number): number {
  const head = FRAME + idLen;
  switch (m.type) {
    case GET_PEERS:
      return head + idLen;
    case PEERS:
      return head + idLen + 4 + m.values.length * PEER_BYTES + m.contacts.length * (PEER_BYTES + idLen);
    case ANNOUNCE_PEER:
      return head + idLen + 4 + 2;
    case ANNOUNCE_ACK:
      return head + 1;
  }
}

export interface ReplyLimits {
  /** Peers in the world (valid ids are 0..peers-1). */
  peers: number;
  idLen: number;
  /** Most `values` a reply may carry; more and the whole reply is dropped. */
  maxValues: number;
  /** Most `contacts` a reply may carry (k); more and the whole reply is dropped. */
  maxContacts: number;
}

/**
 * Why a PEERS reply from an untrusted node is unusable, or null if it is fine. A reply that breaks
 * any rule is dropped whole (as a protocol violation, not trimmed): its sender gains nothing by
 * padding a good answer with junk.
 */
export function checkPeersReply(m: PeersMsg, lim: ReplyLimits): string | null {
  if (!Array.isArray(m.values)) return 'values: not a list';
  if (m.values.length > lim.maxValues) return `values: ${m.values.length} peers exceed the limit of ${lim.maxValues}`;
  for (let i = 0; i < m.values.length; i++) {
    const v = m.values[i];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < lim.peers)) return `values[${i}]: not a peer address`;
  }
  if (!Array.isArray(m.contacts)) return 'contacts: not a list';
  if (m.contacts.length > lim.maxContacts) return `contacts: ${m.contacts.length} nodes exceed the limit of ${lim.maxContacts}`;
  for (let i = 0; i < m.contacts.length; i++) {
    const c = m.contacts[i] as Contact | null | undefined;
    if (c === null || typeof c !== 'object') return `contacts[${i}]: not a node`;
    if (!(typeof c.peer === 'number' && Number.isInteger(c.peer) && c.peer >= 0 && c.peer < lim.peers)) return `contacts[${i}].peer: not a peer address`;
    if (!(c.id instanceof Uint8Array) || c.id.length !== lim.idLen) return `contacts[${i}].id: not a ${lim.idLen}-byte id`;
  }
  if (!(typeof m.token === 'number' && Number.isInteger(m.token) && m.token >= 0 && m.token <= 0xffffffff)) return 'token: not a u32';
  return null;
}
