/**
 * The routing table of the paper (section 2.4 and 4.2): a binary tree whose leaves are k-buckets.
 * It starts as one bucket covering the whole id space. A full bucket is split in two when its range
 * holds our own id, or (accelerated lookups, b bits per digit) when its depth is not a multiple of b;
 * a full bucket elsewhere is also split if the newcomer would be among our k nearest contacts (the
 * paper's rule for unbalanced trees, section 4.2); otherwise the newcomer waits in the replacement cache while the least-recently seen entry is
 * pinged (least-recently-seen eviction: a live old contact is kept, as long-lived peers are the
 * likeliest to stay). The table itself is sans-IO: `add` tells the caller whom to ping.
 *
 * `pingAfterMs` (default 0: always ping, as in the paper) skips the ping while the oldest entry was
 * heard from recently, as BitTorrent's DHT (BEP 5) does for "good" nodes: otherwise every message
 * from a stranger to a full bucket costs a ping, and each ping can set off another at its receiver.
 *
 * Walking the tree towards a target visits leaves in order of XOR distance (every id under the child
 * matching the target's next bit is closer than every id under the other), so `closest` stops as soon
 * as it holds enough contacts instead of sorting the whole table.
 */
import { bitAt, compareDistance, idBytes, idEquals, type NodeId } from '../id.js';
import { KBucket, type Contact } from './k-bucket.js';

export interface RoutingTableOptions {
  /** Bucket capacity (the paper's k). Default 20. */
  k?: number;
  /** Bits per digit for accelerated lookups (the paper's b). Default 1. */
  b?: number;
  /** Id width in bits. Default 160. */
  idBits?: number;
  /** Replacement cache size per bucket. Default k. */
  replacementCacheSize?: number;
  /** Ping the oldest entry of a full bucket only if not heard from for this long. Default 0. */
  pingAfterMs?: number;
}

class Branch {
  constructor(
    public zero: Node,
    public one: Node,
  ) {}
}
type Node = Branch | KBucket;

export type AddResult =
  /** A new entry in a bucket with room. */
  | { status: 'added' }
  /** Already known: moved to the most-recently-seen end. */
  | { status: 'updated' }
  /** It is us. */
  | { status: 'self' }
  /**
   * The bucket is full and cannot split: the newcomer went to the replacement cache. If `ping` is
   * set, ping it (the least-recently seen entry); on no answer call `remove(ping.id)`, on an answer
   * `add(ping)` again (it moves to the tail). When null, an eviction ping is already in flight.
   */
  | { status: 'full'; ping: Contact | null; bucket: KBucket };

export class RoutingTable {
  readonly k: number;
  readonly b: number;
  readonly idBits: number;
  readonly replacementCacheSize: number;
  readonly pingAfterMs: number;
  private root: Node;
  private count = 0;
  private bucketCount = 1;

  constructor(
    readonly self: NodeId,
    opts: RoutingTableOptions = {},
    now = 0,
  ) {
    this.k = opts.k ?? 20;
    this.b = opts.b ?? 1;
    this.idBits = opts.idBits ?? 160;
    this.replacementCacheSize = opts.replacementCacheSize ?? this.k;
    this.pingAfterMs = opts.pingAfterMs ?? 0;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError(`k: expected an integer >= 1, got ${this.k}`);
    if (!Number.isInteger(this.b) || this.b < 1 || this.b > 8) throw new RangeError(`b: expected an integer in [1, 8], got ${this.b}`);
    if (self.length !== idBytes(this.idBits)) throw new RangeError(`RoutingTable: own id has ${self.length} bytes, idBits=${this.idBits} needs ${idBytes(this.idBits)}`);
    this.root = new KBucket(0, now);
  }

  /** Contacts in the table. */
  get size(): number {
    return this.count;
  }

  get numBuckets(): number {
    return this.bucketCount;
  }

  /** The leaf bucket whose range holds `id`. */
  bucketFor(id: NodeId): KBucket {
    let node = this.root;
    let depth = 0;
    while (node instanceof Branch) {
      node = bitAt(id, depth) === 1 ? node.one : node.zero;
      depth++;
    }
    return node;
  }

  /** The entry with this id, if present. */
  get(id: NodeId): Contact | undefined {
    const bucket = this.bucketFor(id);
    const i = bucket.indexOf(id);
    return i < 0 ? undefined : bucket.contacts[i];
  }

  has(id: NodeId): boolean {
    return this.bucketFor(id).indexOf(id) >= 0;
  }

  private canSplit(bucket: KBucket): boolean {
    if (bucket.depth >= this.idBits) return false;
    return bucket.depth % this.b !== 0 || this.bucketFor(this.self) === bucket;
  }

  /**
   * The paper's fix for unbalanced trees (section 4.2): keep every contact of the smallest subtree
   * around our id that holds at least k contacts, splitting a bucket that does not hold our id if
   * need be. So a newcomer that would be among our k nearest known contacts never waits outside.
   */
  private amongNearest(bucket: KBucket, contact: Contact): boolean {
    if (bucket.depth >= this.idBits) return false;
    const near = this.closest(this.self, this.k);
    return near.length < this.k || compareDistance(contact.id, (near[near.length - 1] as Contact).id, this.self) < 0;
  }

  /** We heard from `contact` (a request, a response, or a referral): record it. */
  add(contact: Contact, now = 0): AddResult {
    if (idEquals(contact.id, this.self)) return { status: 'self' };
    for (;;) {
      const bucket = this.bucketFor(contact.id);
      const i = bucket.indexOf(contact.id);
      if (i >= 0) {
        bucket.moveToTail(i, contact, now);
        return { status: 'updated' };
      }
      if (bucket.contacts.length < this.k) {
        bucket.push(contact, now);
        bucket.removeReplacement(contact.id);
        this.count++;
        return { status: 'added' };
      }
      if (this.canSplit(bucket) || this.amongNearest(bucket, contact)) {
        this.split(bucket, contact.id);
        continue;
      }
      bucket.addReplacement(contact, this.replacementCacheSize);
      if (bucket.pinging || now - bucket.seenTime(0) < this.pingAfterMs) return { status: 'full', ping: null, bucket };
      bucket.pinging = true;
      return { status: 'full', ping: bucket.contacts[0] as Contact, bucket };
    }
  }

  /**
   * An eviction ping (or any request) got no answer: drop the entry and promote the most recent
   * replacement. Returns the promoted contact, if any.
   */
  remove(id: NodeId, now = 0): Contact | null {
    const bucket = this.bucketFor(id);
    bucket.removeReplacement(id);
    const i = bucket.indexOf(id);
    if (i < 0) return null;
    bucket.removeAt(i);
    this.count--;
    const next = bucket.replacements.pop();
    if (next !== undefined) {
      bucket.push(next, now);
      this.count++;
      return next;
    }
    return null;
  }

  /** The eviction ping of `bucket` finished (either way). */
  pingDone(id: NodeId): void {
    this.bucketFor(id).pinging = false;
  }

  /** Splits a leaf in two; `inRange` is any id in its range (it finds the leaf's place in the tree). */
  private split(bucket: KBucket, inRange: NodeId): void {
    const depth = bucket.depth;
    const zero = new KBucket(depth + 1, bucket.lastTouched);
    const one = new KBucket(depth + 1, bucket.lastTouched);
    bucket.contacts.forEach((c, i) => (bitAt(c.id, depth) === 1 ? one : zero).push(c, bucket.seenTime(i)));
    for (const c of bucket.replacements) (bitAt(c.id, depth) === 1 ? one : zero).replacements.push(c);
    // a freed slot is filled from the replacement cache, as a later `remove` would
    const latest = bucket.contacts.length > 0 ? bucket.seenTime(bucket.contacts.length - 1) : 0;
    for (const half of [zero, one]) {
      while (half.contacts.length < this.k && half.replacements.length > 0) {
        half.push(half.replacements.pop() as Contact, latest);
        this.count++;
      }
    }
    const branch = new Branch(zero, one);
    if (this.root === bucket) this.root = branch;
    else {
      let node = this.root as Branch;
      for (let d = 0; ; d++) {
        const right = bitAt(inRange, d) === 1;
        const next = right ? node.one : node.zero;
        if (next === bucket) {
          if (right) node.one = branch;
          else node.zero = branch;
          break;
        }
        node = next as Branch;
      }
    }
    this.bucketCount++;
  }

  /**
   * Up to `count` contacts closest to `target`, closest first. `skip` (optional) leaves one peer out
   * (the requester: it knows itself).
   */
  closest(target: NodeId, count: number, skip = -1): Contact[] {
    const out: Contact[] = [];
    // iterative DFS, nearer child first: leaves come out in order of distance range
    const stack: Node[] = [this.root];
    const depths: number[] = [0];
    while (stack.length > 0 && out.length < count) {
      const node = stack.pop() as Node;
      const depth = depths.pop() as number;
      if (node instanceof Branch) {
        const near = bitAt(target, depth) === 1 ? node.one : node.zero;
        const far = near === node.one ? node.zero : node.one;
        stack.push(far, near);
        depths.push(depth + 1, depth + 1);
        continue;
      }
      const start = out.length;
      for (const c of node.contacts) if (c.peer !== skip) out.push(c);
      if (out.length - start > 1) sortRange(out, start, target);
    }
    if (out.length > count) out.length = count;
    return out;
  }

  /** Every leaf bucket, in tree order. */
  buckets(): KBucket[] {
    const out: KBucket[] = [];
    const walk = (n: Node): void => {
      if (n instanceof Branch) {
        walk(n.zero);
        walk(n.one);
      } else out.push(n);
    };
    walk(this.root);
    return out;
  }

  /** Every leaf bucket with its prefix (its range: the ids starting with `depth` bits of `prefix`). */
  ranges(): { bucket: KBucket; prefix: NodeId }[] {
    const out: { bucket: KBucket; prefix: NodeId }[] = [];
    const path = new Uint8Array(this.self.length);
    const walk = (n: Node, depth: number): void => {
      if (!(n instanceof Branch)) {
        out.push({ bucket: n, prefix: path.slice() });
        return;
      }
      const byte = depth >>> 3;
      const bit = 0x80 >>> (depth & 7);
      walk(n.zero, depth + 1);
      path[byte] = (path[byte] as number) | bit;
      walk(n.one, depth + 1);
      path[byte] = (path[byte] as number) & ~bit;
    };
    walk(this.root, 0);
    return out;
  }

  /** Drops spare capacity of every bucket's arrays (after a bulk fill such as prefill). */
  compact(): void {
    for (const b of this.buckets()) b.compact();
  }

  /** Every contact in the table. */
  all(): Contact[] {
    const out: Contact[] = [];
    for (const b of this.buckets()) for (const c of b.contacts) out.push(c);
    return out;
  }
}

function sortRange(a: Contact[], start: number, target: NodeId): void {
  // insertion sort: a bucket holds at most k entries
  for (let i = start + 1; i < a.length; i++) {
    const x = a[i] as Contact;
    let j = i - 1;
    while (j >= start && compareDistance((a[j] as Contact).id, x.id, target) > 0) {
      a[j + 1] = a[j] as Contact;
      j--;
    }
    a[j + 1] = x;
  }
}
