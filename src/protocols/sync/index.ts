/**
 * The sync peer: one sans-IO peer that keeps Yjs documents in step with the other members of a room,
 * run unchanged by the simulator (`protocol.type: sync`), the deterministic test network and live
 * WebRTC peers (src/live/overlay/room.ts).
 *
 * - `peer.ts`          SyncPeer: wires the parts, reads frames, housekeeping, link rules and bans
 * - `host.ts`          SyncHost: what a world supplies (links, signaling); events and counters
 * - `options.ts`       every option, its default and bounds
 * - `view.ts`          the partial view: bootstrap by signaling, degree, max links, shuffle, healing
 * - `discovery/`       Kademlia over the overlay; the room is a DHT key (announce, member lookups)
 * - `relay/`           routed envelopes and the routes they teach (DHT traffic, link negotiation)
 * - `links/`           the link table, negotiation (offer / answer / busy, glare), rate bounds
 * - `dissemination/`   Plumtree (src/protocols/gossip) or flood for updates and awareness; PUSH
 * - `anti-entropy.ts`  digests and state-vector sync, one request in flight per document
 * - `docs.ts`          documents, digests, applying updates
 * - `wire/`            frames and their bounded codec, payloads, chunking, signaling messages
 * - `context.ts`       timers shared by the parts
 * - `ids.ts`           peer and room positions in the DHT
 */
export * from './errors.js';
export * from './ids.js';
export * from './context.js';
export * from './options.js';
export * from './host.js';
export * from './docs.js';
export * from './peer.js';
export * from './wire/frames.js';
export * from './wire/codec.js';
export * from './wire/payload.js';
export * from './wire/chunks.js';
export * from './wire/signaling.js';
export { RouteTable, resolveRoute } from './relay/routes.js';
export { Relay, newRelayStats, type RelayStats } from './relay/relay.js';
export { Discovery, newDiscoveryStats, type DiscoveryStats } from './discovery/discovery.js';
export { LinkTable, type LinkState, type Channel } from './links/link-table.js';
export * from './wire/framing.js';
export * from './trust/index.js';
