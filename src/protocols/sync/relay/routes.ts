/**
 * How to reach a peer we have no link to. A route is a list of waypoints ending at the peer; its first
 * waypoint must be reachable (a neighbour, or itself routed), and each waypoint forwards toward the
 * next by its own table. Routes are learnt two ways:
 * - exactly, from every envelope that reaches us: it lists the peers it went through, so reversed it is
 *   a path of links to each of them (replies go back that way);
 * - loosely, from DHT replies: a contact or member named by a peer R is reached "through R", which
 *   knew how to reach it when it answered.
 * Bounded: at most `maxRoutes` entries (the least recently learnt go first); a route older than `ttlMs`
 * is forgotten when read.
 *
 * Every peer of a large room holds hundreds of routes (one per peer whose envelopes crossed it), so the
 * table keeps them in typed arrays rather than an object and an array each: a slot per route holds its
 * waypoints (the first `maxLen`; a longer route is never usable, only its length and first waypoint are
 * read), its length, when it was learnt and whether it is exact. Eviction order (last learnt last) is a
 * queue of slots stamped with the learning's sequence number; an entry whose slot was learnt again
 * since, or freed, is skipped when it comes up, and the queue is compacted when it holds mostly those.
 */

/** A route this recent is trusted over a longer fresh one. */
const RECENT_MS = 10_000;
const NONE = -1;

/** What the table tells about a route (the waypoints stay inside; see `resolveRoute`). */
export interface RouteInfo {
  learnt: number;
  /** True when every step was a link when learnt (from a reverse path). */
  exact: boolean;
  /** Waypoints, the destination last. */
  length: number;
}

export class RouteTable {
  /** Destination -> slot. */
  private readonly slotOf = new Map<number, number>();
  /** Peer ids are u32 (the wire's bound). */
  private dst: Uint32Array;
  private learnt: Float64Array;
  private len: Uint8Array;
  private exact: Uint8Array;
  /** Sequence number of the slot's last learning (0: free). */
  private stamp: Float64Array;
  /** `maxLen` waypoints per slot. */
  private ways: Uint32Array;
  private readonly free: number[] = [];
  private used = 0;
  private seq = 0;
  /** Eviction queue: slots with the stamp they had when queued, oldest first, from `qHead`. */
  private qSlot: Int32Array;
  private qStamp: Float64Array;
  private qHead = 0;
  private qTail = 0;

  constructor(
    private readonly maxRoutes = 4096,
    private readonly ttlMs = 120_000,
    /** Waypoints kept per route: the longest route a caller may resolve (`resolveRoute`'s maxLen). */
    readonly maxLen = 9,
  ) {
    if (!(maxLen >= 1 && maxLen <= 255)) throw new RangeError(`RouteTable: maxLen must be in [1, 255], got ${maxLen}`);
    const cap = 8;
    this.dst = new Uint32Array(cap);
    this.learnt = new Float64Array(cap);
    this.len = new Uint8Array(cap);
    this.exact = new Uint8Array(cap);
    this.stamp = new Float64Array(cap);
    this.ways = new Uint32Array(cap * maxLen);
    this.qSlot = new Int32Array(2 * cap);
    this.qStamp = new Float64Array(2 * cap);
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** The route to `dst` (forgotten if older than the TTL). */
  get(dst: number, now: number): RouteInfo | undefined {
    const s = this.live(dst, now);
    return s === NONE ? undefined : { learnt: this.learnt[s]!, exact: this.exact[s] === 1, length: this.len[s]! };
  }

  /** The slot of `dst`'s route, or NONE; a route older than the TTL is forgotten here. */
  private live(dst: number, now: number): number {
    const s = this.slotOf.get(dst);
    if (s === undefined) return NONE;
    if (now - this.learnt[s]! > this.ttlMs) {
      this.remove(dst, s);
      return NONE;
    }
    return s;
  }

  /** Takes a slot for `dst` (its old one, or a new one last in the eviction order), stamped learnt now. */
  private claim(dst: number, now: number, exact: boolean): number {
    let s = this.slotOf.get(dst);
    if (s === undefined) {
      s = this.free.length > 0 ? this.free.pop()! : this.grow();
      this.slotOf.set(dst, s);
      this.dst[s] = dst;
    }
    this.learnt[s] = now;
    this.exact[s] = exact ? 1 : 0;
    const stamp = ++this.seq;
    this.stamp[s] = stamp;
    this.enqueue(s, stamp);
    if (this.slotOf.size > this.maxRoutes) this.evictOldest();
    return s;
  }

  private grow(): number {
    const s = this.used++;
    const cap = this.dst.length;
    if (s < cap) return s;
    const next = cap * 2;
    const g = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.dst = g(this.dst, next);
    this.learnt = g(this.learnt, next);
    this.len = g(this.len, next);
    this.exact = g(this.exact, next);
    this.stamp = g(this.stamp, next);
    this.ways = g(this.ways, next * this.maxLen);
    return s;
  }

  private enqueue(s: number, stamp: number): void {
    if (this.qTail === this.qSlot.length) {
      // mostly stale entries: compact in place; else grow
      const live = this.slotOf.size;
      if (this.qTail - this.qHead > 2 * live + 16) this.compact();
      if (this.qTail + 1 > this.qSlot.length) {
        const n = Math.max(16, 2 * (this.qTail - this.qHead + 1));
        const qs = new Int32Array(n);
        const qt = new Float64Array(n);
        qs.set(this.qSlot.subarray(this.qHead, this.qTail));
        qt.set(this.qStamp.subarray(this.qHead, this.qTail));
        this.qTail -= this.qHead;
        this.qHead = 0;
        this.qSlot = qs;
        this.qStamp = qt;
      }
    }
    this.qSlot[this.qTail] = s;
    this.qStamp[this.qTail] = stamp;
    this.qTail++;
  }

  /** Drops the queue's stale entries, keeping the order of the live ones. */
  private compact(): void {
    let w = 0;
    for (let r = this.qHead; r < this.qTail; r++) {
      const s = this.qSlot[r]!;
      if (this.stamp[s] === this.qStamp[r]) {
        this.qSlot[w] = s;
        this.qStamp[w] = this.qStamp[r]!;
        w++;
      }
    }
    this.qHead = 0;
    this.qTail = w;
  }

  private evictOldest(): void {
    while (this.qHead < this.qTail) {
      const s = this.qSlot[this.qHead]!;
      const stamp = this.qStamp[this.qHead]!;
      this.qHead++;
      if (this.stamp[s] === stamp) {
        this.remove(this.dst[s]!, s);
        return;
      }
    }
  }

  private remove(dst: number, s: number): void {
    this.slotOf.delete(dst);
    this.stamp[s] = 0;
    this.free.push(s);
    if (this.slotOf.size === 0) {
      // nothing queued is live: start the queue over
      this.qHead = this.qTail = 0;
    }
  }

  /**
   * An envelope came along `path` (its source first, the neighbour that handed it to us last): every peer
   * on it is reachable back along the same links. The way back to its source is always taken (it proves
   * that way works now, while an older one may lead to where the source used to be, before it restarted);
   * for the peers in between, a shorter exact route learnt in the last few seconds is kept.
   */
  learnPath(path: readonly number[], self: number, now: number): void {
    const n = path.length;
    const maxLen = this.maxLen;
    for (let i = 0; i < n - 1; i++) {
      const dst = path[i]!;
      if (dst === self) continue;
      const len = n - i;
      if (i > 0) {
        const old = this.slotOf.get(dst);
        if (old !== undefined && this.exact[old] === 1 && this.len[old]! < len && now - this.learnt[old]! <= RECENT_MS) continue;
      }
      const s = this.claim(dst, now, true);
      this.len[s] = len;
      // waypoints: the path from its end back to dst
      const base = s * maxLen;
      const m = len < maxLen ? len : maxLen;
      for (let j = 0; j < m; j++) this.ways[base + j] = path[n - 1 - j]!;
    }
  }

  /** Whether `dst` has an exact route learnt within `maxAgeMs` (a way we can vouch for to others). */
  vouch(dst: number, now: number, maxAgeMs = RECENT_MS * 6): boolean {
    const s = this.slotOf.get(dst);
    return s !== undefined && this.exact[s] === 1 && now - this.learnt[s]! <= maxAgeMs;
  }

  /** The first waypoint of `dst`'s route (NONE if there is none), whatever its age. */
  firstHop(dst: number): number {
    const s = this.slotOf.get(dst);
    return s === undefined ? NONE : this.ways[s * this.maxLen]!;
  }

  /** `dst` is reachable through `waypoint` (it named `dst` in a reply). Never replaces a fresh exact route. */
  learnVia(dst: number, waypoint: number, self: number, now: number): void {
    if (dst === self || dst === waypoint) return;
    const old = this.slotOf.get(dst);
    if (old !== undefined && (this.exact[old] === 1 || this.len[old]! <= 2) && now - this.learnt[old]! <= this.ttlMs / 2) return;
    const s = this.claim(dst, now, false);
    this.len[s] = 2;
    const base = s * this.maxLen;
    this.ways[base] = waypoint;
    if (this.maxLen > 1) this.ways[base + 1] = dst;
  }

  forget(dst: number): void {
    const s = this.slotOf.get(dst);
    if (s !== undefined) this.remove(dst, s);
  }

  clear(): void {
    for (const [dst, s] of this.slotOf) this.remove(dst, s);
  }

  /**
   * The waypoints to send to, starting with a neighbour, for reaching `dst`; null if we know no way.
   * A route whose first waypoint is not a neighbour is resolved through that waypoint's own route, at most
   * `depth` levels deep and `maxLen` waypoints long.
   */
  resolve(dst: number, isNeighbour: (p: number) => boolean, now: number, maxLen: number, depth = 3): number[] | null {
    if (isNeighbour(dst)) return [dst];
    const s = this.live(dst, now);
    if (s === NONE) return null;
    const base = s * this.maxLen;
    const len = this.len[s]!;
    const first = this.ways[base]!;
    if (isNeighbour(first)) return len <= maxLen ? this.waypoints(base, 0, len) : null;
    if (depth <= 0 || first === dst) return null;
    const exact = this.exact[s] === 1;
    const pre = this.resolve(first, isNeighbour, now, maxLen, depth - 1);
    if (pre === null) {
      if (exact) this.forget(dst);
      return null;
    }
    const full = pre.length + len - 1;
    if (full > maxLen) return null;
    // the slot still holds dst's waypoints: resolving learns nothing (no slot is taken), and a prefix
    // that resolved did not forget dst (only a resolution that fails forgets)
    for (let j = 1; j < len; j++) pre.push(this.ways[base + j]!);
    return pre;
  }

  private waypoints(base: number, from: number, to: number): number[] {
    const out = new Array<number>(to - from);
    for (let j = from; j < to; j++) out[j - from] = this.ways[base + j]!;
    return out;
  }
}

/**
 * The waypoints to send to, starting with a neighbour, for reaching `dst`; null if we know no way.
 * A route whose first waypoint is not a neighbour is resolved through that waypoint's own route, at most
 * `depth` levels deep and `maxLen` waypoints long (at most the table's `maxLen`).
 */
export function resolveRoute(
  table: RouteTable,
  dst: number,
  isNeighbour: (p: number) => boolean,
  now: number,
  maxLen: number,
  depth = 3,
): number[] | null {
  if (maxLen > table.maxLen) throw new RangeError(`resolveRoute: maxLen ${maxLen} exceeds the table's ${table.maxLen}`);
  return table.resolve(dst, isNeighbour, now, maxLen, depth);
}
