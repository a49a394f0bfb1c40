/** The ids every part shares: peers and timers. */

/** A peer is a dense integer index 0..N-1, so per-peer state can live in typed arrays. */
export type PeerId = number;

/** Opaque handle of a scheduled timer. */
export type TimerId = number;
