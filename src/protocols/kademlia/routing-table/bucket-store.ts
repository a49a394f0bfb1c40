/**
 * The storage under a routing table (routing-table.ts holds the rules): one region of a `TableArena`
 * per table, holding per bucket a record (times, depth, count, flags), the tree's inner nodes (2
 * words each) and k contact refs (see contact-book.ts: 4 bytes per entry with a `PeerDirectory`).
 * Per-entry "last seen" times and replacement caches exist only for buckets that traffic has reached
 * (`extras`): a prefilled table of 10^6 peers carries none of them.
 *
 * Bucket edits keep the least-recently-seen order and its times exactly as the paper's list would.
 */
import { TableArena } from './arena.js';
import type { Contact, ContactBook } from './contact-book.js';
import { idEquals, type NodeId } from '../id.js';

// a bucket's record: REC words, Float64 fields at even word offsets
export const REC = 8;
export const TOUCHED = 0; // f64: last lookup in range (refresh)
export const BASE_SEEN = 2; // f64: when every entry was last seen, while `extras` holds no per-entry times
export const DEPTH = 4;
export const COUNT = 5;
export const FLAGS = 6;
export const PINGING = 1;
/** Buckets a table grows by when a split needs room (splits after the first fill are rare). */
export const GROW = 4;

/** What only some buckets need: per-entry last-seen times and the replacement cache (refs). */
export interface BucketExtra {
  seen: number[] | null;
  repl: number[];
}

export class BucketStore {
  protected readonly book: ContactBook;
  protected readonly arena: TableArena;
  readonly k: number;
  protected addr = 0;
  /** Buckets the region has room for. */
  protected cap = 0;
  protected i32!: Int32Array;
  protected f64!: Float64Array;
  /** Word offsets of the region's three parts: bucket records, inner nodes (2 words each), contacts. */
  protected rec = 0;
  protected tree = 0;
  protected con = 0;
  /** The root: an inner node index (>= 0) or ~bucket. */
  protected root = ~0;
  protected inner = 0;
  protected count = 0;
  protected bucketCount = 1;
  protected extras: (BucketExtra | undefined)[] | null = null;
  /**
   * The id of our k-th nearest contact (undefined until asked again after a change of who is in the
   * table, null while the table holds fewer than k): the unbalanced-tree rule asks for it on every
   * message from a stranger to a full bucket.
   */
  protected kthNearest: NodeId | null | undefined = undefined;

  constructor(k: number, book: ContactBook, arena: TableArena, now: number) {
    this.k = k;
    this.book = book;
    this.arena = arena;
    this.setRegion(1);
    this.f64[(this.rec + TOUCHED) >> 1] = now;
  }

  // ---- storage -----------------------------------------------------------------------------------

  protected wordsFor(cap: number): number {
    return cap * (REC + 2 + this.k);
  }

  /** Moves the table into a fresh region with room for `cap` buckets (copying what it holds). */
  protected setRegion(cap: number): void {
    const addr = this.arena.alloc(this.wordsFor(cap));
    const i32 = this.arena.i32[TableArena.chunkOf(addr)]!;
    const base = TableArena.offsetOf(addr);
    const rec = base, tree = base + cap * REC, con = tree + 2 * cap;
    if (this.cap > 0) {
      const old = this.i32;
      i32.set(old.subarray(this.rec, this.rec + this.bucketCount * REC), rec);
      i32.set(old.subarray(this.tree, this.tree + 2 * this.inner), tree);
      i32.set(old.subarray(this.con, this.con + this.bucketCount * this.k), con);
      this.arena.release(this.addr, this.wordsFor(this.cap));
    }
    this.addr = addr;
    this.cap = cap;
    this.i32 = i32;
    this.f64 = this.arena.f64[TableArena.chunkOf(addr)]!;
    this.rec = rec;
    this.tree = tree;
    this.con = con;
  }

  /** Gives the arena back this table's region (the table must not be used after). */
  dispose(): void {
    if (this.cap > 0) this.arena.release(this.addr, this.wordsFor(this.cap));
    this.cap = 0;
  }

  protected countOf(bk: number): number {
    return this.i32[this.rec + bk * REC + COUNT]!;
  }

  protected depthOf(bk: number): number {
    return this.i32[this.rec + bk * REC + DEPTH]!;
  }

  protected refAt(bk: number, i: number): number {
    return this.i32[this.con + bk * this.k + i]!;
  }

  protected extra(bk: number): BucketExtra {
    const xs = (this.extras ??= []);
    let x = xs[bk];
    if (x === undefined) xs[bk] = x = { seen: null, repl: [] };
    return x;
  }

  protected seenOf(bk: number): number[] | null {
    return this.extras?.[bk]?.seen ?? null;
  }

  protected baseSeen(bk: number): number {
    return this.f64[(this.rec + bk * REC + BASE_SEEN) >> 1]!;
  }

  /** When the entry at `i` of bucket `bk` was last heard from. */
  protected seenTime(bk: number, i: number): number {
    const s = this.seenOf(bk);
    return s === null ? this.baseSeen(bk) : s[i]!;
  }

  protected materialize(bk: number): number[] {
    const x = this.extra(bk);
    if (x.seen === null) x.seen = new Array<number>(this.countOf(bk)).fill(this.baseSeen(bk));
    return x.seen;
  }

  // ---- bucket edits ------------------------------------------------------------------------------

  protected setCount(bk: number, n: number): void {
    this.i32[this.rec + bk * REC + COUNT] = n;
  }

  /** Appends a ref at the most-recently-seen end. */
  protected push(bk: number, ref: number, now: number): void {
    const n = this.countOf(bk);
    let seen = this.seenOf(bk);
    if (n === 0 && seen === null) this.f64[(this.rec + bk * REC + BASE_SEEN) >> 1] = now;
    if (seen === null && now !== this.baseSeen(bk)) seen = this.materialize(bk);
    this.i32[this.con + bk * this.k + n] = ref;
    if (seen !== null) seen.push(now);
    this.setCount(bk, n + 1);
    this.kthNearest = undefined;
  }

  /** Moves the entry at `i` to the most-recently-seen end (with the contact just heard: the peer may have a new address). */
  protected moveToTail(bk: number, i: number, contact: Contact, now: number): void {
    const at = this.con + bk * this.k;
    const n = this.countOf(bk);
    const old = this.i32[at + i]!;
    const ref = this.book.ref(contact);
    if (ref !== old) this.book.release(old);
    const ts = this.seenOf(bk) === null && now === this.baseSeen(bk) ? null : this.materialize(bk);
    this.i32.copyWithin(at + i, at + i + 1, at + n);
    this.i32[at + n - 1] = ref;
    if (ts !== null) {
      ts.splice(i, 1);
      ts.push(now);
    }
  }

  protected removeAt(bk: number, i: number): void {
    const at = this.con + bk * this.k;
    const n = this.countOf(bk);
    this.book.release(this.i32[at + i]!);
    this.i32.copyWithin(at + i, at + i + 1, at + n);
    this.setCount(bk, n - 1);
    this.kthNearest = undefined;
    this.seenOf(bk)?.splice(i, 1);
  }

  /** Remembers a candidate in the replacement cache (deduplicated, at most `capacity`, most recent last). */
  protected addReplacement(bk: number, contact: Contact, capacity: number): void {
    if (capacity <= 0) return;
    this.removeReplacement(bk, contact.id);
    const rs = this.extra(bk).repl;
    rs.push(this.book.ref(contact));
    if (rs.length > capacity) this.book.release(rs.shift() as number);
  }

  protected removeReplacement(bk: number, id: NodeId): boolean {
    const rs = this.extras?.[bk]?.repl;
    if (rs === undefined) return false;
    for (let i = 0; i < rs.length; i++) {
      if (idEquals(this.book.id(rs[i]!), id)) {
        this.book.release(rs[i]!);
        rs.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** A new empty bucket record. */
  protected initBucket(bk: number, depth: number, touched: number): void {
    const r = this.rec + bk * REC;
    this.i32.fill(0, r, r + REC);
    this.i32[r + DEPTH] = depth;
    this.f64[(r + TOUCHED) >> 1] = touched;
  }

}
