/**
 * A k-bucket as callers see it: the contacts whose ids start with the bucket's prefix (its path in
 * the routing tree, `depth` bits long), least-recently seen first, at most k of them, plus the
 * replacement cache of contacts seen while it was full (most recent last).
 *
 * The table stores buckets compactly (routing-table.ts); a `KBucket` is a copy taken when asked for
 * (`bucketFor`, `buckets`, `ranges`), for inspection, tests and the hourly refresh, not for the hot
 * path. Changing it changes nothing in the table.
 */
import type { Contact } from './contact-book.js';

export class KBucket {
  constructor(
    /** The bucket's slot in its table (stable while the table does not split it). */
    readonly index: number,
    readonly depth: number,
    /** Least-recently seen first. */
    readonly contacts: Contact[],
    /** Candidates for the next free slot, most recently seen last. */
    readonly replacements: Contact[],
    /** Virtual time of the last lookup in this bucket's range or of the last split (for refresh). */
    readonly lastTouched: number,
    /** An eviction ping to the least-recently seen entry is in flight. */
    readonly pinging: boolean,
    private readonly seen: readonly number[],
  ) {}

  /** When the entry at `i` was last heard from. */
  seenTime(i: number): number {
    return this.seen[i]!;
  }
}
