/**
 * A k-bucket: the contacts whose ids start with the bucket's prefix (its path in the routing
 * tree, `depth` bits long; the tree knows it, the bucket does not store it, see `RoutingTable.ranges`),
 * least-recently seen first, at most k of them, plus a bounded replacement cache of contacts seen
 * while the bucket was full (most recent last), used when an entry is evicted or found dead.
 */
import type { PeerId } from '../../../core/index.js';
import { idEquals, type NodeId } from '../id.js';

/** A peer as the DHT knows it: its transport address (a dense peer number) and its node id. */
export interface Contact {
  readonly peer: PeerId;
  readonly id: NodeId;
}

export class KBucket {
  /** Least-recently seen first. */
  contacts: Contact[] = [];
  /**
   * When each entry was last heard from (parallel to `contacts`, so non-decreasing), or null while
   * every entry was last heard from at `baseSeen`: a prefilled table of 10^5 peers then carries no
   * per-entry times at all until traffic reaches a bucket.
   */
  private seenAt: number[] | null = null;
  private baseSeen = 0;
  /** Candidates for the next free slot, most recently seen last. */
  replacements: Contact[] = [];
  /** Virtual time of the last lookup in this bucket's range or of the last contact added (for refresh). */
  lastTouched: number;
  /** An eviction ping to the least-recently seen entry is in flight. */
  pinging = false;

  constructor(
    readonly depth: number,
    now: number,
  ) {
    this.lastTouched = now;
  }

  indexOf(id: NodeId): number {
    const cs = this.contacts;
    for (let i = 0; i < cs.length; i++) if (idEquals((cs[i] as Contact).id, id)) return i;
    return -1;
  }

  /** When the entry at `i` was last heard from. */
  seenTime(i: number): number {
    return this.seenAt === null ? this.baseSeen : (this.seenAt[i] as number);
  }

  private materialize(): number[] {
    if (this.seenAt === null) this.seenAt = new Array<number>(this.contacts.length).fill(this.baseSeen);
    return this.seenAt;
  }

  /** Moves the entry at `i` to the most-recently-seen end (replacing the object: the peer may have a new address). */
  moveToTail(i: number, contact: Contact, now: number): void {
    const cs = this.contacts;
    const ts = this.seenAt === null && now === this.baseSeen ? null : this.materialize();
    for (let j = i; j < cs.length - 1; j++) {
      cs[j] = cs[j + 1] as Contact;
      if (ts !== null) ts[j] = ts[j + 1] as number;
    }
    cs[cs.length - 1] = contact;
    if (ts !== null) ts[ts.length - 1] = now;
  }

  push(contact: Contact, now: number): void {
    if (this.contacts.length === 0 && this.seenAt === null) this.baseSeen = now;
    if (this.seenAt === null && now === this.baseSeen) this.contacts.push(contact);
    else {
      const ts = this.materialize();
      this.contacts.push(contact);
      ts.push(now);
    }
  }

  removeAt(i: number): void {
    this.contacts.splice(i, 1);
    if (this.seenAt !== null) this.seenAt.splice(i, 1);
  }

  /** Drops spare array capacity (after a bulk fill). */
  compact(): void {
    this.contacts = this.contacts.slice();
    if (this.seenAt !== null) this.seenAt = this.seenAt.slice();
  }

  /** Remembers a candidate in the replacement cache (deduplicated, bounded, most recent last). */
  addReplacement(contact: Contact, capacity: number): void {
    if (capacity <= 0) return;
    const rs = this.replacements;
    for (let i = 0; i < rs.length; i++) {
      if (idEquals((rs[i] as Contact).id, contact.id)) {
        rs.splice(i, 1);
        break;
      }
    }
    rs.push(contact);
    if (rs.length > capacity) rs.shift();
  }

  removeReplacement(id: NodeId): boolean {
    const rs = this.replacements;
    for (let i = 0; i < rs.length; i++) {
      if (idEquals((rs[i] as Contact).id, id)) {
        rs.splice(i, 1);
        return true;
      }
    }
    return false;
  }
}
