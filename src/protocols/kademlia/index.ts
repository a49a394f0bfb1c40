/**
 * Kademlia (Maymounkov & Mazieres 2002), sans-IO, with the S/Kademlia disjoint-path lookup.
 *
 * - `id.ts`            node ids of configurable width, XOR distance, bucket index
 * - `routing-table/`   k-buckets in the paper's split tree, LRS eviction by ping, replacement cache
 * - `rpc/`             PING / FIND_NODE / FIND_VALUE / STORE, the strict mirrored codec, handlers
 * - `query/`           the iterative lookup state machine and its typed events
 * - `node.ts`          KademliaNode: one peer in the PeerProtocol form (sim and live)
 * - `wire.ts`          runs a node over bytes through the codec
 * - `prefill.ts`       fills routing tables of a large population as joins would (sim shortcut)
 * - `driver.ts`   the lab driver (`protocol.type: kademlia`)
 */
export * from './id.js';
export * from './routing-table/index.js';
export * from './rpc/index.js';
export * from './query/index.js';
export * from './storage.js';
export * from './node.js';
export * from './wire.js';
export * from './prefill.js';
