/**
 * The four RPCs of the paper and their replies. Every message carries the sender's node id (the
 * receiver learns the sender's address from the transport) and an rpc id that pairs a reply with its
 * request. In the simulator these objects travel by reference; on a real wire they go through the
 * codec (rpc/codec.ts), which bounds every field.
 */
import type { NodeId } from '../id.js';
import type { Contact } from '../routing-table/index.js';

export const PING = 1;
export const PONG = 2;
export const FIND_NODE = 3;
/** Reply to FIND_NODE, and to FIND_VALUE when the value is not held: the k closest contacts known. */
export const NODES = 4;
export const FIND_VALUE = 5;
/** Reply to FIND_VALUE when the value is held. */
export const VALUE = 6;
export const STORE = 7;
export const STORE_ACK = 8;

export const MESSAGE_NAMES: Record<number, string> = {
  [PING]: 'PING',
  [PONG]: 'PONG',
  [FIND_NODE]: 'FIND_NODE',
  [NODES]: 'NODES',
  [FIND_VALUE]: 'FIND_VALUE',
  [VALUE]: 'VALUE',
  [STORE]: 'STORE',
  [STORE_ACK]: 'STORE_ACK',
};

interface Base {
  /** Pairs a reply with its request (u32). */
  rpc: number;
  sender: NodeId;
}

export interface PingMessage extends Base {
  type: typeof PING;
}
export interface PongMessage extends Base {
  type: typeof PONG;
}
export interface FindNodeMessage extends Base {
  type: typeof FIND_NODE;
  target: NodeId;
}
export interface NodesMessage extends Base {
  type: typeof NODES;
  contacts: Contact[];
}
export interface FindValueMessage extends Base {
  type: typeof FIND_VALUE;
  key: NodeId;
}
export interface ValueMessage extends Base {
  type: typeof VALUE;
  key: NodeId;
  value: Uint8Array;
}
export interface StoreMessage extends Base {
  type: typeof STORE;
  key: NodeId;
  value: Uint8Array;
  /** How long the receiver should keep it, ms (u32). */
  ttlMs: number;
}
export interface StoreAckMessage extends Base {
  type: typeof STORE_ACK;
  stored: boolean;
}

export type KadRequest = PingMessage | FindNodeMessage | FindValueMessage | StoreMessage;
export type KadResponse = PongMessage | NodesMessage | ValueMessage | StoreAckMessage;
export type KadMessage = KadRequest | KadResponse;

export function isRequest(m: KadMessage): m is KadRequest {
  return m.type === PING || m.type === FIND_NODE || m.type === FIND_VALUE || m.type === STORE;
}
