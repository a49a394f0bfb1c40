/**
 * What the parts of the trust layer (judge.ts, rewiring.ts, behaviours.ts) see of it, and its timer
 * tags. SyncTrust (trust.ts) implements it; the parts import this, not trust.ts, so imports run one way.
 */
import type { TrustCrypto } from './crypto.js';
import type { TrustEvent, TrustIO, TrustStats } from './io.js';
import type { TrustLink } from './link.js';
import type { TrustMsg } from './messages.js';
import type { ResolvedTrustOptions } from './options.js';
import type { Origins } from './origins.js';

/** Timer tags of the trust layer (its own range; see context.ts). */
export const TT_PERIOD = 1;
export const TT_REWIRE = 2;
export const TT_PROBE = 3;
export const TT_AUTH = 4;
export const TT_SPAM = 5;

/** How an attacking peer answers a probe: a signature, "not held" (null), or nothing at all (undefined). */
export interface ProofAnswer {
  proof(have: Uint8Array | null): Uint8Array | null | undefined;
}

export interface TrustParts {
  readonly io: TrustIO;
  readonly o: ResolvedTrustOptions;
  readonly crypto: TrustCrypto;
  readonly stats: TrustStats;
  readonly links: ReadonlyMap<number, TrustLink>;
  readonly origins: Origins;
  /** Honest peers judge their neighbours; attackers judge no one. */
  readonly judging: boolean;
  readonly attack: ProofAnswer | null;
  send(peer: number, m: TrustMsg): boolean;
  /** Peers of the authenticated links. */
  neighbours(): number[];
  event(e: TrustEvent): void;
}
