/**
 * The adaptive overlay (`protocol.type: adaptive`): gossip over partial views with a decentralized
 * reputation system that finds malicious peers (droppers, corrupters, spammers, badmouthing
 * colluders) and cuts them off, and dynamic topology adjustment that rewires links by measured
 * latency or delivery usefulness while keeping random links for connectivity.
 *
 * - `peer.ts`       one peer as a sans-IO `PeerProtocol`: gossip, link handshake, evidence, probes,
 *                   opinion exchange, cuts, rewiring; adversary behaviours
 * - `reputation.ts` the per-peer trust table (beta reputation with ageing, trust- and
 *                   credibility-weighted second-hand opinions) and the opinion-list validator
 * - `driver.ts`     the ProtocolDriver: initial overlay, adversaries, workload, metrics, snapshot
 * - `params.ts`     scenario keys (zod) with defaults
 *
 * docs/adaptive.md describes the mechanisms, the keys and measured figures.
 */
export * from './params.js';
export * from './reputation.js';
export * from './peer.js';
export { createAdaptive, driver, type AdaptiveRun } from './driver.js';
