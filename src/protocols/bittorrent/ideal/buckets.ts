/**
 * Peers ordered by a small integer key (the blocks they hold or have on the way), lowest first: one
 * doubly linked list per key value, so moving a peer up one key and finding the lowest peers cost O(1)
 * (the lowest non-empty key only moves up between inserts below it). Within one key, peers are kept in
 * the order they reached it, so peers at the same level are served in turn.
 */
export class Buckets {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Each peer's key, or -1 when it is in no bucket. */
  readonly key: Int32Array;
  private min: number;

  constructor(peers: number, readonly maxKey: number) {
    this.head = new Int32Array(maxKey + 1).fill(-1);
    this.tail = new Int32Array(maxKey + 1).fill(-1);
    this.next = new Int32Array(peers).fill(-1);
    this.prev = new Int32Array(peers).fill(-1);
    this.key = new Int32Array(peers).fill(-1);
    this.min = maxKey + 1;
  }

  /** Adds `p` (not in any bucket) at the end of bucket `k`. */
  insert(p: number, k: number): void {
    const t = this.tail[k]!;
    this.prev[p] = t;
    this.next[p] = -1;
    if (t === -1) this.head[k] = p;
    else this.next[t] = p;
    this.tail[k] = p;
    this.key[p] = k;
    if (k < this.min) this.min = k;
  }

  /** Takes `p` out of its bucket (nothing if it is in none). */
  remove(p: number): void {
    const k = this.key[p]!;
    if (k < 0) return;
    const a = this.prev[p]!, b = this.next[p]!;
    if (a === -1) this.head[k] = b;
    else this.next[a] = b;
    if (b === -1) this.tail[k] = a;
    else this.prev[b] = a;
    this.key[p] = -1;
  }

  /** The first peer of the lowest non-empty bucket at or above `from`, or -1. */
  firstFrom(from: number): number {
    let k = from;
    if (k <= this.min) {
      while (this.min <= this.maxKey && this.head[this.min] === -1) this.min++;
      k = this.min;
    }
    for (; k <= this.maxKey; k++) if (this.head[k] !== -1) return this.head[k]!;
    return -1;
  }
}
