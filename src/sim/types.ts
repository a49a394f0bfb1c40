/** Small shared types of the simulation engine. */

/** A peer is a dense integer index 0..N-1, so per-peer state can live in typed arrays. */
export type PeerId = number;

/** Opaque handle of a scheduled timer. */
export type TimerId = number;

/** A configuration error: names the key that is wrong and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`${key}: ${problem}`);
  }
}
