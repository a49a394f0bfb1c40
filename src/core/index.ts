/**
 * The kernel under sim, protocols and live: what every part shares and nothing of ours beneath it.
 * - ids.ts: `PeerId`, `TimerId`
 * - rng.ts: `Rng`, the seeded generator every random choice draws from
 * - hash.ts: `hash32`, the one hash for values a model derives instead of drawing
 * - protocol.ts: `PeerProtocol` / `PeerContext`, the sans-IO contract the simulator and the live
 *   network both drive
 * - check.ts and schema.ts: the validation kit (one `ConfigError` naming the key; plain checks for the
 *   engine, zod schemas and zod issue wording for everything else)
 * - stats.ts: mean, confidence intervals and the one quantile definition
 * - log.ts: the one logger, a namespace per part, quiet by default (PEERLAB_DEBUG, --verbose)
 * This index carries no package, so a browser peer or the engine takes it without zod; schema.ts
 * (zod) is imported by name where a section is written as a schema. No Node builtins anywhere: the
 * kernel runs in a worker, a browser and a test alike.
 */
export * from './ids.js';
export * from './rng.js';
export * from './hash.js';
export * from './protocol.js';
export * from './check.js';
export * from './stats.js';
export * from './log.js';
