/**
 * The adaptive overlay (`protocol.type: adaptive`): gossip over partial views with a decentralized
 * reputation system that finds malicious peers (droppers, corrupters, spammers, badmouthing
 * colluders) and cuts them off, and dynamic topology adjustment that rewires links by measured
 * latency or delivery usefulness while keeping random links for connectivity.
 *
 * - `reputation.ts`   the trust table, a sans-IO core with a small API (evidence in, scores, opinion
 *                     lists and credibility out) and the opinion-list validator
 * - `overlay-peer.ts` links agreed by both ends, push gossip, admission
 * - `peer.ts`         one honest peer as a sans-IO `PeerProtocol`: evidence, opinion exchange, cuts;
 *                     `probes.ts` (pull probes), `rewiring.ts` (latency / throughput rewiring)
 * - `behaviours/`     what malicious peers do: drop, corrupt, spam, badmouth, each its own module
 * - `messages.ts`     the messages and their checks
 * - `driver.ts`       the ProtocolDriver: `protocol.ts` (PerPeer + failure detector), `workload.ts`
 *                     (adversaries, broadcasts), `measure.ts` (summary, series, samples), `snapshot.ts`
 * - `params.ts`       scenario keys (zod) with defaults
 *
 * docs/adaptive.md describes the mechanisms, the keys and measured figures.
 */
export * from './params.js';
export * from './reputation.js';
export * from './messages.js';
export * from './peer.js';
export { createPeer, MaliciousPeer, type Adversary } from './behaviours/index.js';
export { createAdaptive, driver, type AdaptiveRun } from './driver.js';
