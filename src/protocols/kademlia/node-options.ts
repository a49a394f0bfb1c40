/**
 * What a KademliaNode is made with (`KademliaInit`) and what its lookups and publications give back.
 */
import type { NodeId } from './id.js';
import type { Contact, ContactBook, TableArena } from './routing-table/index.js';
import type { KadMessage } from './rpc/messages.js';

export interface KademliaInit {
  /** Our node id (idBits wide). */
  id: NodeId;
  /** Bucket size and replication factor. Default 20. */
  k?: number;
  /** Parallel requests per lookup path. Default 3. */
  alpha?: number;
  /** Bits per digit for accelerated lookups. Default 1. */
  b?: number;
  /** Id width. Default 160. */
  idBits?: number;
  /** Disjoint lookup paths (S/Kademlia d). Default 1. */
  disjointPaths?: number;
  /** A request with no reply within this time has failed. Default 2000 ms. */
  rpcTimeoutMs?: number;
  /** Refresh a bucket with no lookup in its range for this long; 0 = never. Default 1 h. */
  refreshIntervalMs?: number;
  /** Republish held values this often; 0 = never. Default 1 h. */
  republishIntervalMs?: number;
  /** A value's time to live when published. Default 24 h. */
  expireMs?: number;
  /** Time to live of a copy cached along a lookup path; 0 = no caching. Default 10 min. */
  cacheTtlMs?: number;
  /** Replacement cache size per bucket. Default k. */
  replacementCacheSize?: number;
  /**
   * Ping the least-recently seen entry of a full bucket only if it was not heard from for this long
   * (BEP 5's "good node" window). 0 = always, as in the paper. Default 15 min.
   */
  pingAfterMs?: number;
  /** Consecutive failed requests before a contact is dropped from the table. Default 1. */
  staleLimit?: number;
  /** Known peers to join through when started (empty: start alone, e.g. the first peer). */
  bootstrap?: Contact[];
  /** Most values held for others. Default 65536. */
  maxStoredValues?: number;
  /** Wire size of a message, charged to the network. Default: the codec's encoded length. */
  size?: (msg: KadMessage) => number;
  /** False when nobody listens: lookup events are then not built. Default always true. */
  observed?: () => boolean;
  /** Called when the join (self-lookup and bucket refreshes) has finished. */
  onJoined?: () => void;
  /** Our own contact (default: made from the context's id and `id`); a population can share one. */
  self?: Contact;
  /** Where the routing table keeps contacts and its arrays (default: its own; see routing-table/). */
  book?: ContactBook;
  arena?: TableArena;
}

export interface LookupResult {
  target: NodeId;
  findValue: boolean;
  /** The value was found (value lookups), or some peer answered (node lookups). */
  found: boolean;
  value: Uint8Array | null;
  /** The k closest peers that answered, closest first. */
  closest: Contact[];
  hops: number;
  roundTrips: number;
  messages: number;
  startedAt: number;
  durationMs: number;
}

export interface PutResult {
  /** Peers that acknowledged the STORE. */
  stored: number;
  closest: Contact[];
}

/** A finished lookup as the inspector shows it: its figures, and the chain of peers that led to the answer. */
export interface LastLookup extends LookupResult {
  /** From the first contact asked to the peer that answered (the value's holder, or the closest found). */
  path: number[];
}
