/**
 * The routing table of the paper (section 2.4 and 4.2): a binary tree whose leaves are k-buckets.
 * It starts as one bucket covering the whole id space. A full bucket is split in two when its range
 * holds our own id, or (accelerated lookups, b bits per digit) when its depth is not a multiple of b;
 * a full bucket elsewhere is also split if the newcomer would be among our k nearest contacts (the
 * paper's rule for unbalanced trees, section 4.2); otherwise the newcomer waits in the replacement
 * cache while the least-recently seen entry is pinged (least-recently-seen eviction: a live old
 * contact is kept, as long-lived peers are the likeliest to stay). The table is sans-IO: `add` tells
 * the caller whom to ping.
 *
 * `pingAfterMs` (default 0: always ping, as in the paper) skips the ping while the oldest entry was
 * heard from recently, as BitTorrent's DHT (BEP 5) does for "good" nodes: otherwise every message
 * from a stranger to a full bucket costs a ping, and each ping can set off another at its receiver.
 *
 * Walking the tree towards a target visits leaves in order of XOR distance (every id under the child
 * matching the target's next bit is closer than every id under the other), so `closest` stops as soon
 * as it holds enough contacts instead of sorting the whole table.
 *
 * Storage (what lets a simulation hold 10^6 tables) is bucket-store.ts: an arena region per table,
 * contacts as refs into a book.
 */
import { bitAt, compareDistance, idBytes, idEquals, type NodeId } from '../id.js';
import { TableArena } from './arena.js';
import { BASE_SEEN, BucketStore, COUNT, FLAGS, GROW, PINGING, REC, TOUCHED } from './bucket-store.js';
import { LocalBook, PeerDirectory, type Contact, type ContactBook } from './contact-book.js';
import { KBucket } from './k-bucket.js';

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
  /** Where contacts live (default: a book of this table's own). */
  book?: ContactBook;
  /** Where the table's arrays live (default: an arena of this table's own). */
  arena?: TableArena;
}

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
   * `bucket` is the bucket's index (`bucketAt`).
   */
  | { status: 'full'; ping: Contact | null; bucket: number };

const ADDED: AddResult = Object.freeze({ status: 'added' });
const UPDATED: AddResult = Object.freeze({ status: 'updated' });
const SELF: AddResult = Object.freeze({ status: 'self' });


export class RoutingTable extends BucketStore {
  readonly b: number;
  readonly idBits: number;
  readonly replacementCacheSize: number;
  readonly pingAfterMs: number;

  constructor(
    readonly self: NodeId,
    opts: RoutingTableOptions = {},
    now = 0,
  ) {
    const k = opts.k ?? 20;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k: expected an integer >= 1, got ${k}`);
    super(k, opts.book ?? new LocalBook(), opts.arena ?? new TableArena(256), now);
    this.b = opts.b ?? 1;
    this.idBits = opts.idBits ?? 160;
    this.replacementCacheSize = opts.replacementCacheSize ?? this.k;
    this.pingAfterMs = opts.pingAfterMs ?? 0;
    if (!Number.isInteger(this.b) || this.b < 1 || this.b > 8) throw new RangeError(`b: expected an integer in [1, 8], got ${this.b}`);
    if (self.length !== idBytes(this.idBits)) throw new RangeError(`RoutingTable: own id has ${self.length} bytes, idBits=${this.idBits} needs ${idBytes(this.idBits)}`);
  }

  /** Contacts in the table. */
  get size(): number {
    return this.count;
  }

  get numBuckets(): number {
    return this.bucketCount;
  }

  // ---- the tree ----------------------------------------------------------------------------------

  /** Index of the leaf bucket whose range holds `id`. */
  private leaf(id: NodeId): number {
    const i32 = this.i32, tree = this.tree;
    let v = this.root;
    let d = 0;
    while (v >= 0) v = i32[tree + 2 * v + bitAt(id, d++)]!;
    return ~v;
  }

  private indexIn(bk: number, id: NodeId): number {
    const n = this.countOf(bk);
    const at = this.con + bk * this.k;
    for (let i = 0; i < n; i++) if (idEquals(this.book.id(this.i32[at + i]!), id)) return i;
    return -1;
  }

  /** The leaf bucket whose range holds `id` (a copy: see KBucket). */
  bucketFor(id: NodeId): KBucket {
    return this.bucketAt(this.leaf(id));
  }

  /** A copy of bucket `index`. */
  bucketAt(index: number): KBucket {
    const n = this.countOf(index);
    const contacts: Contact[] = [];
    const seen: number[] = [];
    for (let i = 0; i < n; i++) {
      contacts.push(this.book.contact(this.refAt(index, i)));
      seen.push(this.seenTime(index, i));
    }
    const repl = (this.extras?.[index]?.repl ?? []).map((r) => this.book.contact(r));
    const r = this.rec + index * REC;
    return new KBucket(index, this.depthOf(index), contacts, repl, this.f64[(r + TOUCHED) >> 1]!, (this.i32[r + FLAGS]! & PINGING) !== 0, seen);
  }

  /** A lookup in `id`'s range: the bucket does not need a refresh for a while. */
  touch(id: NodeId, now: number): void {
    this.f64[(this.rec + this.leaf(id) * REC + TOUCHED) >> 1] = now;
  }

  /** The entry with this id, if present. */
  get(id: NodeId): Contact | undefined {
    const bk = this.leaf(id);
    const i = this.indexIn(bk, id);
    return i < 0 ? undefined : this.book.contact(this.refAt(bk, i));
  }

  has(id: NodeId): boolean {
    return this.indexIn(this.leaf(id), id) >= 0;
  }

  private canSplit(bk: number): boolean {
    const depth = this.depthOf(bk);
    if (depth >= this.idBits) return false;
    return depth % this.b !== 0 || this.leaf(this.self) === bk;
  }

  /**
   * The paper's fix for unbalanced trees (section 4.2): keep every contact of the smallest subtree
   * around our id that holds at least k contacts, splitting a bucket that does not hold our id if
   * need be. So a newcomer that would be among our k nearest known contacts never waits outside.
   */
  private amongNearest(bk: number, contact: Contact): boolean {
    if (this.depthOf(bk) >= this.idBits) return false;
    if (this.kthNearest === undefined) {
      const near = this.closest(this.self, this.k);
      this.kthNearest = near.length < this.k ? null : near[near.length - 1]!.id;
    }
    return this.kthNearest === null || compareDistance(contact.id, this.kthNearest, this.self) < 0;
  }

  /** We heard from `contact` (a request, a response, or a referral): record it. */
  add(contact: Contact, now = 0): AddResult {
    if (idEquals(contact.id, this.self)) return SELF;
    for (;;) {
      const bk = this.leaf(contact.id);
      const i = this.indexIn(bk, contact.id);
      if (i >= 0) {
        this.moveToTail(bk, i, contact, now);
        return UPDATED;
      }
      if (this.countOf(bk) < this.k) {
        this.push(bk, this.book.ref(contact), now);
        this.removeReplacement(bk, contact.id);
        this.count++;
        return ADDED;
      }
      if (this.canSplit(bk) || this.amongNearest(bk, contact)) {
        this.split(bk, contact.id);
        continue;
      }
      this.addReplacement(bk, contact, this.replacementCacheSize);
      const flags = this.rec + bk * REC + FLAGS;
      if ((this.i32[flags]! & PINGING) !== 0 || now - this.seenTime(bk, 0) < this.pingAfterMs) return { status: 'full', ping: null, bucket: bk };
      this.i32[flags] = this.i32[flags]! | PINGING;
      return { status: 'full', ping: this.book.contact(this.refAt(bk, 0)), bucket: bk };
    }
  }

  /**
   * An eviction ping (or any request) got no answer: drop the entry and promote the most recent
   * replacement. Returns the promoted contact, if any.
   */
  remove(id: NodeId, now = 0): Contact | null {
    const bk = this.leaf(id);
    this.removeReplacement(bk, id);
    const i = this.indexIn(bk, id);
    if (i < 0) return null;
    this.removeAt(bk, i);
    this.count--;
    const next = this.extras?.[bk]?.repl.pop();
    if (next !== undefined) {
      this.push(bk, next, now);
      this.count++;
      return this.book.contact(next);
    }
    return null;
  }

  /** The eviction ping of `id`'s bucket finished (either way). */
  pingDone(id: NodeId): void {
    const flags = this.rec + this.leaf(id) * REC + FLAGS;
    this.i32[flags] = this.i32[flags]! & ~PINGING;
  }

  /** Splits a leaf in two; `inRange` is any id in its range (it finds the leaf's place in the tree). */
  private split(bk: number, inRange: NodeId): void {
    if (this.bucketCount === this.cap) this.setRegion(this.cap + GROW);
    const depth = this.depthOf(bk);
    const touched = this.f64[(this.rec + bk * REC + TOUCHED) >> 1]!;
    const n = this.countOf(bk);
    const refs: number[] = [];
    const seen: number[] = [];
    for (let i = 0; i < n; i++) {
      refs.push(this.refAt(bk, i));
      seen.push(this.seenTime(bk, i));
    }
    const repl = this.extras?.[bk]?.repl ?? [];
    if (this.extras) this.extras[bk] = undefined;
    // the zero half keeps the bucket's slot, the one half takes a new one
    const zero = bk;
    const one = this.bucketCount++;
    this.initBucket(zero, depth + 1, touched);
    this.initBucket(one, depth + 1, touched);
    refs.forEach((r, i) => this.push(bitAt(this.book.id(r), depth) === 1 ? one : zero, r, seen[i]!));
    for (const r of repl) this.extra(bitAt(this.book.id(r), depth) === 1 ? one : zero).repl.push(r);
    // a freed slot is filled from the replacement cache, as a later `remove` would
    const latest = n > 0 ? seen[n - 1]! : 0;
    for (const half of [zero, one]) {
      const rs = this.extras?.[half]?.repl;
      while (rs !== undefined && this.countOf(half) < this.k && rs.length > 0) {
        this.push(half, rs.pop() as number, latest);
        this.count++;
      }
    }
    const node = this.inner++;
    this.i32[this.tree + 2 * node] = ~zero;
    this.i32[this.tree + 2 * node + 1] = ~one;
    if (this.root === ~bk) this.root = node;
    else {
      let v = this.root;
      for (let d = 0; ; d++) {
        const slot = this.tree + 2 * v + bitAt(inRange, d);
        const next = this.i32[slot]!;
        if (next === ~bk) {
          this.i32[slot] = node;
          break;
        }
        v = next;
      }
    }
  }

  /**
   * Fills a fresh table (b = 1) with contacts in the order `add` would have received them, giving
   * exactly the table those adds would build, without the per-add search: the tree is a spine along
   * our own path, and where it ends follows from each contact's common prefix length with us
   * (`cpl[i]`). The i-th contact is `contacts[peers[i]]`; when the table's book is the
   * `PeerDirectory` of those very contacts its ref is the peer number, so no contact is touched (at
   * 10^6 peers each touch is a cache miss). For prefill (prefill.ts), whose contacts arrive by range,
   * at most k per sibling range, all with distinct ids. Returns false, changing nothing, if the table
   * is not fresh or the input is not of that form (the caller then adds one by one).
   */
  fillSpine(contacts: readonly Contact[], peers: readonly number[], cpl: readonly number[], n: number, now: number): boolean {
    const k = this.k;
    if (this.b !== 1 || this.count !== 0 || this.bucketCount !== 1 || this.extras !== null) return false;
    // where each contact ends up: sibling bucket of depth p+1 (p < depth), or our own bucket (depth
    // `depth`), which splits when full; only counts per prefix length matter for that
    const bits = this.idBits;
    if (spineSib.length < bits + 1) {
      spineSib = new Int32Array(bits + 1);
      spineOwn = new Int32Array(bits + 1);
    }
    const sib = spineSib, inOwn = spineOwn;
    let depth = 0;
    let ownCount = 0;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const p = cpl[i]!;
      if (!(p >= 0 && p < bits)) ok = false;
      else
        for (;;) {
          if (p < depth) {
            if (sib[p]! >= k) ok = false;
            else sib[p] = sib[p]! + 1;
            break;
          }
          if (ownCount < k) {
            inOwn[p] = inOwn[p]! + 1;
            ownCount++;
            break;
          }
          // our bucket splits: its entries that differ from us at bit `depth` go to the new sibling
          sib[depth] = inOwn[depth]!;
          ownCount -= inOwn[depth]!;
          inOwn[depth] = 0;
          depth++;
        }
    }
    sib.fill(0);
    inOwn.fill(0);
    if (!ok) return false;
    // write it: inner node d (d < depth) has our side's next node (or our bucket) and sibling bucket d
    const touched = this.f64[(this.rec + TOUCHED) >> 1]!;
    this.setRegion(depth + 1);
    const i32 = this.i32, f64 = this.f64, rec = this.rec, con = this.con;
    const direct = this.book instanceof PeerDirectory && this.book.contacts === contacts;
    for (let bk = 0; bk <= depth; bk++) this.initBucket(bk, bk < depth ? bk + 1 : depth, touched);
    for (let i = 0; i < n; i++) {
      const p = cpl[i]!;
      const bk = p < depth ? p : depth;
      const r = rec + bk * REC;
      const c = i32[r + COUNT]!;
      const peer = peers[i]!;
      i32[con + bk * k + c] = direct ? peer : this.book.ref(contacts[peer]!);
      i32[r + COUNT] = c + 1;
    }
    for (let bk = 0; bk <= depth; bk++) if (i32[rec + bk * REC + COUNT]! > 0) f64[(rec + bk * REC + BASE_SEEN) >> 1] = now;
    for (let d = 0; d < depth; d++) {
      const ours = bitAt(this.self, d);
      this.i32[this.tree + 2 * d + ours] = d + 1 < depth ? d + 1 : ~depth;
      this.i32[this.tree + 2 * d + (1 - ours)] = ~d;
    }
    this.inner = depth;
    this.root = depth > 0 ? 0 : ~0;
    this.bucketCount = depth + 1;
    this.count = n;
    this.kthNearest = undefined;
    return true;
  }

  // ---- queries -----------------------------------------------------------------------------------

  /**
   * Up to `count` contacts closest to `target`, closest first. `skip` (optional) leaves one peer out
   * (the requester: it knows itself).
   */
  closest(target: NodeId, count: number, skip = -1): Contact[] {
    const out: Contact[] = [];
    const book = this.book;
    const i32 = this.i32;
    // iterative DFS, nearer child first: leaves come out in order of distance range
    const stack: number[] = [this.root];
    const depths: number[] = [0];
    while (stack.length > 0 && out.length < count) {
      const v = stack.pop() as number;
      const depth = depths.pop() as number;
      if (v >= 0) {
        const bit = bitAt(target, depth);
        stack.push(i32[this.tree + 2 * v + 1 - bit]!, i32[this.tree + 2 * v + bit]!);
        depths.push(depth + 1, depth + 1);
        continue;
      }
      const bk = ~v;
      const start = out.length;
      const at = this.con + bk * this.k;
      const n = this.countOf(bk);
      for (let i = 0; i < n; i++) {
        const c = book.contact(i32[at + i]!);
        if (c.peer !== skip) out.push(c);
      }
      if (out.length - start > 1) sortRange(out, start, target);
    }
    if (out.length > count) out.length = count;
    return out;
  }

  /** Visits leaf buckets in tree order (zero side first) with their prefix bits (shared buffer). */
  private walk(visit: (bk: number, prefix: Uint8Array) => void): void {
    const path = new Uint8Array(this.self.length);
    const go = (v: number, depth: number): void => {
      if (v < 0) return visit(~v, path);
      const byte = depth >>> 3;
      const bit = 0x80 >>> (depth & 7);
      go(this.i32[this.tree + 2 * v]!, depth + 1);
      path[byte] = path[byte]! | bit;
      go(this.i32[this.tree + 2 * v + 1]!, depth + 1);
      path[byte] = (path[byte] as number) & ~bit;
    };
    go(this.root, 0);
  }

  /** Every leaf bucket, in tree order (copies). */
  buckets(): KBucket[] {
    const out: KBucket[] = [];
    this.walk((bk) => out.push(this.bucketAt(bk)));
    return out;
  }

  /** Every leaf bucket with its prefix (its range: the ids starting with `depth` bits of `prefix`). */
  ranges(): { bucket: KBucket; prefix: NodeId }[] {
    const out: { bucket: KBucket; prefix: NodeId }[] = [];
    this.walk((bk, prefix) => out.push({ bucket: this.bucketAt(bk), prefix: prefix.slice() }));
    return out;
  }

  /** Drops spare room (after a bulk fill such as prefill). */
  compact(): void {
    if (this.cap > this.bucketCount) this.setRegion(this.bucketCount);
  }

  /** Calls `fn` for every contact, in tree order. */
  forEach(fn: (c: Contact) => void): void {
    this.walk((bk) => {
      const n = this.countOf(bk);
      for (let i = 0; i < n; i++) fn(this.book.contact(this.refAt(bk, i)));
    });
  }

  /**
   * How many entries satisfy `pred`, which is given each entry's ref in the table's book (for a
   * population-wide pass over a `PeerDirectory`, where ref p < N is peer p: no object is touched).
   */
  countRefs(pred: (ref: number) => boolean): number {
    let n = 0;
    const i32 = this.i32;
    for (let bk = 0; bk < this.bucketCount; bk++) {
      const at = this.con + bk * this.k;
      const end = at + this.countOf(bk);
      for (let i = at; i < end; i++) if (pred(i32[i]!)) n++;
    }
    return n;
  }

  /** Every contact in the table, in tree order. */
  all(): Contact[] {
    const out: Contact[] = [];
    this.forEach((c) => out.push(c));
    return out;
  }
}

/** Scratch counts of `fillSpine` (per common prefix length), zero between calls. */
let spineSib = new Int32Array(0);
let spineOwn = new Int32Array(0);

function sortRange(a: Contact[], start: number, target: NodeId): void {
  // insertion sort: a bucket holds at most k entries
  for (let i = start + 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= start && compareDistance(a[j]!.id, x.id, target) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}
