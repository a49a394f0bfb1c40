/** Drop: a peer that accepts links and receives, but never forwards and never answers probes. */
import type { Forwarding } from './forwarding.js';

export const drop: Forwarding = {
  pass: () => null,
  proof: () => undefined,
};
