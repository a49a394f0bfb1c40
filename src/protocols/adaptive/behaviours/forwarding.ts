/** How a malicious peer passes messages on and answers probes (drop.ts, corrupt.ts, or as an honest peer would). */
import type { GossipMsg } from '../messages.js';

export interface Forwarding {
  /** What to forward of a new valid message (null: nothing). */
  pass(msg: GossipMsg): GossipMsg | null;
  /** The answer to a probe for a message held (`have`) or not (null); undefined: no answer at all. */
  proof(have: GossipMsg | null): GossipMsg | null | undefined;
}

/** A malicious peer that only spams or badmouths forwards like an honest one. */
export const forwardAsHonest: Forwarding = {
  pass: (m) => m,
  proof: (have) => have,
};
