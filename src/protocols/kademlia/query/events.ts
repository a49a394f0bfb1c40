/**
 * What a lookup tells observers (the dashboard, recordings, tests), in the spirit of js-libp2p's
 * kad-dht query events. Emitted through `PeerContext.emit(event.type, event)`; `lookup` is a
 * per-node counter, so (peer, lookup) names one lookup.
 */
import type { PeerId } from '../../../core/index.js';

export interface SendQueryEvent {
  type: 'SEND_QUERY';
  lookup: number;
  to: PeerId;
  hop: number;
  path: number;
  rpc: 'FIND_NODE' | 'FIND_VALUE';
}

export interface PeerResponseEvent {
  type: 'PEER_RESPONSE';
  lookup: number;
  from: PeerId;
  hop: number;
  /** Contacts in the reply that were new to the lookup. */
  closer: number;
  value: boolean;
}

export interface QueryErrorEvent {
  type: 'QUERY_ERROR';
  lookup: number;
  peer: PeerId;
  reason: 'timeout';
}

export interface FinalPeersEvent {
  type: 'FINAL_PEERS';
  lookup: number;
  /** The target or key, hex. */
  target: string;
  findValue: boolean;
  found: boolean;
  peers: PeerId[];
  hops: number;
  roundTrips: number;
  messages: number;
  durationMs: number;
}

export type LookupEvent = SendQueryEvent | PeerResponseEvent | QueryErrorEvent | FinalPeersEvent;
