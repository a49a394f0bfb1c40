/**
 * Corrupt: a peer that forwards, and answers probes with, tampered copies. The origin signature no
 * longer matches (the validity bit is false), so every copy is proof against it.
 */
import type { GossipMsg } from '../messages.js';
import type { Forwarding } from './forwarding.js';

const tamper = (m: GossipMsg): GossipMsg => ({ ...m, valid: false });

export const corrupt: Forwarding = {
  pass: tamper,
  proof: (have) => (have !== null ? tamper(have) : have),
};
