/**
 * The sync peer's trust layer (plugged in by `new SyncPeer(..., { crypto, options })`):
 *
 * - `trust.ts`       SyncTrust: link keys, per-link queues for checks, sealing our own payloads, the message switch
 * - `judge.ts`       evidence, probes, opinions, the cut and admission rules (adaptive/reputation.ts's TrustTable)
 * - `rewiring.ts`    latency or throughput rewiring of the partial view, keeping random links
 * - `behaviours.ts`  attackers for experiments: drop, corrupt, spam, badmouth
 * - `origins.ts`     pinned keys, seal checks, the proofs that answer probes
 * - `crypto.ts`      what is signed, the signer interface, the model keys of the simulator and test network
 * - `sealed.ts`      a gossiped payload with its origin's key and signature
 * - `messages.ts`, `codec.ts`  the F_TRUST messages and their bounded codec
 * - `options.ts`     every option, its default and bounds
 */
export * from './messages.js';
export * from './codec.js';
export * from './crypto.js';
export * from './sealed.js';
export * from './options.js';
export * from './io.js';
export { SyncTrust, gossipOf } from './trust.js';
export { TrustLink } from './link.js';
