/**
 * What a KademliaNode waits for: its requests in flight and its lookups, each saying by a code what
 * its answer continues (a method of the node over this data) rather than holding a callback made
 * during the run, so that a keyframe of the simulation (src/sim/snapshot.ts) can copy all of it.
 */
import type { TimerId } from '../../core/index.js';
import type { NodeId } from './id.js';
import type { PutResult, LookupResult } from './node-options.js';
import type { Lookup } from './query/lookup.js';
import type { Contact } from './routing-table/index.js';
import { FIND_NODE, FIND_VALUE, NODES, PING, PONG, STORE, STORE_ACK, VALUE } from './rpc/messages.js';

/** A request's reply: nothing to do (a STORE handed over or cached). */
export const ON_NOTHING = 0;
/** A query of a lookup (`ref` the lookup, `hop` the query's hop). */
export const ON_QUERY = 1;
/** The eviction ping of `to`, the least recently seen entry of a full bucket. */
export const ON_EVICTION_PING = 2;
/** A STORE of a publication (`ref` the replication). */
export const ON_REPLICA = 3;

/** A lookup's end: nothing, the caller's callback, the join's steps, a publication's STOREs. */
export const THEN_NOTHING = 0;
export const THEN_CALLER = 1;
export const THEN_JOIN_SELF = 2;
export const THEN_JOIN_BUCKET = 3;
export const THEN_REPLICATE = 4;

export interface Pending {
  to: Contact;
  type: number;
  timer: TimerId;
  on: number;
  ref: ActiveLookup | Replication | null;
  hop: number;
}

export interface ActiveLookup {
  id: number;
  lookup: Lookup;
  startedAt: number;
  finished: boolean;
  then: number;
  ref: Replication | JoinSteps | null;
  /** The caller's callback (THEN_CALLER): in a simulation, a `cont()` continuation or one made at construction. */
  cb: ((r: LookupResult) => void) | undefined;
}

/** A value being published: the lookup of its key, then one STORE to each of the k closest. */
export interface Replication {
  key: NodeId;
  value: Uint8Array;
  ttlMs: number;
  left: number;
  stored: number;
  closest: Contact[];
  cb: ((r: PutResult) => void) | undefined;
}

/** A join's bucket refreshes still running. */
export interface JoinSteps {
  left: number;
}

export function replyMatches(request: number, reply: number): boolean {
  switch (request) {
    case PING:
      return reply === PONG;
    case FIND_NODE:
      return reply === NODES;
    case FIND_VALUE:
      return reply === NODES || reply === VALUE;
    case STORE:
      return reply === STORE_ACK;
    default:
      return false;
  }
}
