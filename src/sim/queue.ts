/**
 * The pending-event queue, keyed by (time, seq): `seq` is a global insertion counter, so two events
 * at the same virtual time come out in the order they were scheduled (the stable tie-break that
 * makes runs deterministic). Payloads live in slots (typed arrays), so no object is allocated per
 * event and the garbage collector stays out of the way.
 *
 * Structure (a calendar queue for the common near-future case, chosen by measurement: see
 * docs/engine.md): virtual time is cut into buckets of width W = 2^e ms, numbered k = floor(t / W).
 * - the *front*: a small binary heap holding every event with k <= cur (the current bucket);
 * - the *wheel*: B buckets for cur < k < cur + B, each an unordered linked list of slots (O(1) push);
 * - the *overflow*: a binary heap for the far future (k >= cur + B).
 * Popping takes the front's minimum; when the front runs dry the wheel turns one bucket (its events
 * are heaped into the front, and overflow events that came within reach move into the wheel), or
 * jumps straight to the overflow's minimum when the wheel is empty. W adapts to the event density
 * (wider when turning finds empty buckets, narrower when buckets are crowded), so the front stays
 * small (cache-resident) and a push is O(1) for most events. The order is exactly that of a heap on
 * (time, seq): buckets partition time, and within the front ties are broken by seq.
 *
 * Cancellation is lazy: a cancelled slot stays where it is and is skipped (and freed) when reached.
 * A handle names (slot, generation), so cancelling an event that already ran, or whose slot has been
 * reused, is a harmless no-op.
 */

const SLOT_BITS = 2 ** 26; // up to 67M pending events; generation uses the bits above

/** Opaque handle of a scheduled event (a timer id). */
export type EventHandle = number;

const WHEEL_BITS = 16;
const WHEEL = 1 << WHEEL_BITS; // buckets in the wheel
const WHEEL_MASK = WHEEL - 1;
const MIN_EXP = -30;
const MAX_EXP = 40;
/** Retune the bucket width every this many turns of the wheel. */
const TUNE_WINDOW = 1024;

// slot record layout: doubles at STRIDE * slot + F_*, int32s at I_STRIDE * slot + I_*
const STRIDE = 8;
const I_STRIDE = 16;
const F_TIME = 0;
const F_SEQ = 1;
const F_ARG = 2;
const I_KIND = 6;
const I_TARGET = 7;
const I_NEXT = 8;
const I_GEN = 9;
const I_FLAGS = 10;
const LIVE = 1;
const HAS_OBJ = 2;

/**
 * A binary min-heap of slots by (time, seq). Time and seq sit beside the slot in the heap's own arrays:
 * workloads with many equal times (constant latency, zero delays) compare seqs all the time, and a seq
 * fetched from the slot record would be a cache miss per comparison.
 */
class SlotHeap {
  t: Float64Array;
  q: Float64Array;
  s: Int32Array;
  n = 0;

  constructor(cap: number) {
    this.t = new Float64Array(cap);
    this.q = new Float64Array(cap);
    this.s = new Int32Array(cap);
  }

  push(time: number, seq: number, slot: number): void {
    if (this.n === this.t.length) this.grow();
    const ht = this.t, hq = this.q, hs = this.s;
    let pos = this.n++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = ht[parent] as number;
      if (pt < time || (pt === time && (hq[parent] as number) < seq)) break;
      ht[pos] = pt;
      hq[pos] = hq[parent] as number;
      hs[pos] = hs[parent] as number;
      pos = parent;
    }
    ht[pos] = time;
    hq[pos] = seq;
    hs[pos] = slot;
  }

  /** Removes the top entry. */
  pop(): void {
    const last = --this.n;
    if (last === 0) return;
    const ht = this.t, hq = this.q, hs = this.s;
    const t = ht[last] as number;
    const q = hq[last] as number;
    const s = hs[last] as number;
    const n = last;
    const half = n >> 1;
    let pos = 0;
    while (pos < half) {
      let child = 2 * pos + 1;
      let ct = ht[child] as number;
      let cq = hq[child] as number;
      const right = child + 1;
      if (right < n) {
        const rt = ht[right] as number;
        if (rt < ct || (rt === ct && (hq[right] as number) < cq)) {
          child = right;
          ct = rt;
          cq = hq[right] as number;
        }
      }
      if (t < ct || (t === ct && q < cq)) break;
      ht[pos] = ct;
      hq[pos] = cq;
      hs[pos] = hs[child] as number;
      pos = child;
    }
    ht[pos] = t;
    hq[pos] = q;
    hs[pos] = s;
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    t.set(this.t);
    this.t = t;
    const q = new Float64Array(cap);
    q.set(this.q);
    this.q = q;
    const s = new Int32Array(cap);
    s.set(this.s);
    this.s = s;
  }
}

export class EventQueue {
  private seqCounter = 0;

  /**
   * Per-slot records, STRIDE doubles (one 64-byte cache line) each: time, seq, arg as doubles and
   * kind, target, next (wheel list), gen, flags as int32 through `ri`, a view of the same memory.
   * One record per event instead of one entry in each of eight arrays: an event that comes due
   * touches one cold cache line, not eight.
   */
  private rec: Float64Array;
  private ri: Int32Array;
  /** Object payload per slot (only written when an event carries one). */
  obj: unknown[];
  private freeSlots: Int32Array;
  private freeTop = 0;
  private slotCap: number;
  private nextFresh = 0;
  private liveCount = 0;

  private readonly front: SlotHeap;
  private readonly overflow: SlotHeap;
  private readonly head = new Int32Array(WHEEL).fill(-1);
  private wheelCount = 0;
  /** current bucket number: every event with floor(t / W) <= cur is in the front */
  private cur = 0;
  /** cur modulo WHEEL, kept as a small integer so bucket positions are cheap masks */
  private curPos = 0;
  private exp = 0; // W = 2^exp
  private invW = 1;
  // tuning counters
  private turns = 0;
  private emptyTurns = 0;
  private loaded = 0;
  /** How many times the bucket width was retuned (for benchmarks and tests). */
  rebuckets = 0;
  private popsSinceRebucket = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.slotCap = cap;
    this.rec = new Float64Array(cap * STRIDE);
    this.ri = new Int32Array(this.rec.buffer);
    this.obj = new Array<unknown>(cap).fill(undefined);
    this.freeSlots = new Int32Array(cap);
    this.front = new SlotHeap(256);
    this.overflow = new SlotHeap(256);
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Entries held including cancelled ones not yet skipped. */
  get heapSize(): number {
    return this.front.n + this.wheelCount + this.overflow.n;
  }

  /** Current bucket width in ms (it adapts to the event density). */
  get bucketWidth(): number {
    return Math.pow(2, this.exp);
  }

  /** Handler index of a popped slot. */
  kindOf(slot: number): number {
    return this.ri[slot * I_STRIDE + I_KIND] as number;
  }
  /** Target of a popped slot. */
  targetOf(slot: number): number {
    return this.ri[slot * I_STRIDE + I_TARGET] as number;
  }
  /** Numeric argument of a popped slot. */
  argOf(slot: number): number {
    return this.rec[slot * STRIDE + F_ARG] as number;
  }
  /** Object payload of a popped slot (undefined if none). */
  objOf(slot: number): unknown {
    return (this.ri[slot * I_STRIDE + I_FLAGS] as number) & HAS_OBJ ? this.obj[slot] : undefined;
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    return this.fillFront() ? (this.front.t[0] as number) : Infinity;
  }

  push(time: number, kind: number, target: number, arg: number, obj: unknown): EventHandle {
    const slot = this.freeTop > 0 ? (this.freeSlots[--this.freeTop] as number) : this.freshSlot();
    const rec = this.rec, ri = this.ri;
    const f = slot * STRIDE, i = slot * I_STRIDE;
    rec[f + F_TIME] = time;
    rec[f + F_SEQ] = this.seqCounter++;
    rec[f + F_ARG] = arg;
    ri[i + I_KIND] = kind;
    ri[i + I_TARGET] = target;
    if (obj !== undefined) {
      this.obj[slot] = obj;
      ri[i + I_FLAGS] = LIVE | HAS_OBJ;
    } else ri[i + I_FLAGS] = LIVE;
    this.liveCount++;
    this.place(slot, time);
    return (ri[i + I_GEN] as number) * SLOT_BITS + slot;
  }

  /** Puts a slot where its time belongs: front, wheel or overflow. */
  private place(slot: number, time: number): void {
    const d = Math.floor(time * this.invW) - this.cur;
    if (d <= 0) this.front.push(time, this.rec[slot * STRIDE + F_SEQ] as number, slot);
    else if (d < WHEEL) {
      const b = (this.curPos + d) & WHEEL_MASK;
      this.ri[slot * I_STRIDE + I_NEXT] = this.head[b] as number;
      this.head[b] = slot;
      this.wheelCount++;
    } else this.overflow.push(time, this.rec[slot * STRIDE + F_SEQ] as number, slot);
  }

  private isLive(slot: number): boolean {
    return ((this.ri[slot * I_STRIDE + I_FLAGS] as number) & LIVE) !== 0;
  }

  /** Cancels a scheduled event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!(handle >= 0)) return false;
    const slot = handle % SLOT_BITS;
    const g = Math.floor(handle / SLOT_BITS);
    if (slot >= this.slotCap) return false;
    const i = slot * I_STRIDE;
    const ri = this.ri;
    const flags = ri[i + I_FLAGS] as number;
    if (ri[i + I_GEN] !== g || (flags & LIVE) === 0) return false;
    if (flags & HAS_OBJ) this.obj[slot] = undefined;
    ri[i + I_FLAGS] = 0;
    this.liveCount--;
    return true;
  }

  /**
   * Removes the earliest live event and returns its slot (valid until the next push), or -1 if empty.
   * The caller reads it with kindOf/targetOf/argOf/objOf and must call `release(slot)` when done.
   */
  popSlot(): number {
    return this.popUntil(Infinity);
  }

  /**
   * Like popSlot, but only if the earliest live event is at or before `until`; else -1 and nothing
   * live is removed. One look at the top instead of a peek followed by a pop.
   */
  popUntil(until: number): number {
    if (!this.fillFront()) return -1;
    const front = this.front;
    const t = front.t[0] as number;
    if (t > until) return -1;
    const slot = front.s[0] as number;
    front.pop();
    // stays HAS_OBJ so objOf works until release; LIVE cleared so a cancel is refused
    this.ri[slot * I_STRIDE + I_FLAGS] = (this.ri[slot * I_STRIDE + I_FLAGS] as number) & HAS_OBJ;
    this.liveCount--;
    this.lastTime = t;
    this.popsSinceRebucket++;
    return slot;
  }

  /** Time of the event returned by the last popSlot/popUntil. */
  lastTime = 0;

  release(slot: number): void {
    const i = slot * I_STRIDE;
    if ((this.ri[i + I_FLAGS] as number) & HAS_OBJ) this.obj[slot] = undefined;
    this.ri[i + I_FLAGS] = 0;
    this.freeSlot(slot);
  }

  clear(): void {
    const drop = (s: number): void => {
      if (this.isLive(s)) this.liveCount--;
      this.release(s);
    };
    for (const hp of [this.front, this.overflow]) {
      for (let i = 0; i < hp.n; i++) drop(hp.s[i] as number);
      hp.n = 0;
    }
    for (let b = 0; b < WHEEL; b++) {
      for (let s = this.head[b] as number; s >= 0; ) {
        const nx = this.ri[s * I_STRIDE + I_NEXT] as number;
        drop(s);
        s = nx;
      }
      this.head[b] = -1;
    }
    this.wheelCount = 0;
    this.liveCount = 0;
  }

  /** Makes the front's top the earliest live event, turning the wheel as needed. False when empty. */
  private fillFront(): boolean {
    const front = this.front;
    for (;;) {
      while (front.n > 0) {
        const slot = front.s[0] as number;
        if (this.isLive(slot)) return true;
        front.pop();
        this.freeSlot(slot);
      }
      if (this.wheelCount > 0) this.turn();
      else if (this.overflow.n > 0) this.jump();
      else return false;
    }
  }

  /** Advances the current bucket by one: its events go to the front; the far end pulls overflow. */
  private turn(): void {
    this.cur++;
    const b = (this.curPos = (this.curPos + 1) & WHEEL_MASK);
    let s = this.head[b] as number;
    this.head[b] = -1;
    this.turns++;
    if (s < 0) this.emptyTurns++;
    const rec = this.rec, ri = this.ri, front = this.front;
    let moved = 0;
    while (s >= 0) {
      const i = s * I_STRIDE;
      const nx = ri[i + I_NEXT] as number;
      moved++;
      if ((ri[i + I_FLAGS] as number) & LIVE) front.push(rec[s * STRIDE + F_TIME] as number, rec[s * STRIDE + F_SEQ] as number, s);
      else this.freeSlot(s);
      s = nx;
    }
    this.wheelCount -= moved;
    this.loaded += moved;
    this.pullOverflow();
    if (this.turns >= TUNE_WINDOW) this.tune();
  }

  /** The wheel is empty: move the current bucket to the overflow's earliest event. */
  private jump(): void {
    // a jump is a turn that found the whole wheel empty: evidence for wider buckets
    this.turns++;
    this.emptyTurns++;
    if (this.turns >= TUNE_WINDOW) this.tune();
    // the retune may have moved events into the front or wheel: let fillFront look again
    if (this.front.n > 0 || this.wheelCount > 0 || this.overflow.n === 0) return;
    const k = Math.floor((this.overflow.t[0] as number) * this.invW);
    if (k > this.cur) this.setCur(k);
    this.drainOverflowToFront();
    this.pullOverflow();
  }

  /** Overflow events in the current bucket (or before it) go to the front. */
  private drainOverflowToFront(): void {
    const ov = this.overflow, rec = this.rec;
    while (ov.n > 0 && Math.floor((ov.t[0] as number) * this.invW) <= this.cur) {
      const s = ov.s[0] as number;
      const t = ov.t[0] as number;
      const q = ov.q[0] as number;
      ov.pop();
      if (this.isLive(s)) this.front.push(t, q, s);
      else this.freeSlot(s);
    }
  }

  /** Moves overflow events whose bucket came within the wheel's reach into the wheel. */
  private pullOverflow(): void {
    const ov = this.overflow;
    if (ov.n === 0) return;
    const cur = this.cur;
    const limit = cur + WHEEL; // exclusive
    const invW = this.invW, rec = this.rec, ri = this.ri;
    while (ov.n > 0) {
      const t = ov.t[0] as number;
      const k = Math.floor(t * invW);
      if (k >= limit) break;
      const s = ov.s[0] as number;
      ov.pop();
      if (!this.isLive(s)) {
        this.freeSlot(s);
        continue;
      }
      const b = (this.curPos + (k - cur)) & WHEEL_MASK;
      ri[s * I_STRIDE + I_NEXT] = this.head[b] as number;
      this.head[b] = s;
      this.wheelCount++;
    }
  }

  /**
   * Adapts the bucket width: many empty turns mean buckets too narrow (time wasted turning); many
   * events per turn mean buckets too wide (the front heap grows). Rebuckets the front and wheel.
   */
  private tune(): void {
    const perTurn = this.loaded / this.turns;
    const emptyShare = this.emptyTurns / this.turns;
    this.turns = 0;
    this.emptyTurns = 0;
    this.loaded = 0;
    let e = this.exp;
    // aim at ~12 events per bucket in one step when far off (a rebucket costs a pass over the wheel)
    if (emptyShare > 0.5) e += Math.max(2, Math.ceil(Math.log2(12 / Math.max(perTurn, 1 / 4096))));
    else if (perTurn > 48) e -= Math.max(2, Math.ceil(Math.log2(perTurn / 12)));
    else return;
    e = Math.min(MAX_EXP, Math.max(MIN_EXP, e));
    // a rebucket touches every event in the front and wheel: allow one only after as many pops, so
    // a workload no width suits (waves of equal times, say) pays at most one extra move per pop
    if (e !== this.exp && this.popsSinceRebucket >= this.front.n + this.wheelCount) this.rebucket(e);
  }

  private rebucket(exp: number): void {
    this.rebuckets++;
    this.popsSinceRebucket = 0;
    // collect front and wheel entries, then place them again under the new width
    const held: number[] = [];
    const front = this.front;
    for (let i = 0; i < front.n; i++) held.push(front.s[i] as number);
    front.n = 0;
    for (let b = 0; b < WHEEL; b++) {
      for (let s = this.head[b] as number; s >= 0; s = this.ri[s * I_STRIDE + I_NEXT] as number) held.push(s);
      this.head[b] = -1;
    }
    this.wheelCount = 0;
    // the new current bucket holds the earliest held time, so nothing held is behind it
    let minT = Infinity;
    for (const s of held) {
      const t = this.rec[s * STRIDE + F_TIME] as number;
      if (this.isLive(s) && t < minT) minT = t;
    }
    if (minT === Infinity && this.overflow.n > 0) minT = this.overflow.t[0] as number;
    this.exp = exp;
    this.invW = Math.pow(2, -exp);
    this.setCur(minT === Infinity ? 0 : Math.floor(minT * this.invW));
    for (const s of held) {
      if (this.isLive(s)) this.place(s, this.rec[s * STRIDE + F_TIME] as number);
      else this.freeSlot(s);
    }
    // overflow entries that a wider bucket brings within reach must not sit behind wheel entries
    this.drainOverflowToFront();
    this.pullOverflow();
  }

  private setCur(k: number): void {
    this.cur = k;
    const m = k % WHEEL;
    this.curPos = m < 0 ? m + WHEEL : m;
  }

  private freshSlot(): number {
    if (this.nextFresh === this.slotCap) this.growSlots();
    return this.nextFresh++;
  }

  private freeSlot(slot: number): void {
    const i = slot * I_STRIDE + I_GEN;
    this.ri[i] = ((this.ri[i] as number) + 1) & 0x7ffffff;
    this.freeSlots[this.freeTop++] = slot;
  }

  private growSlots(): void {
    const cap = this.slotCap * 2;
    if (cap > SLOT_BITS) throw new RangeError(`EventQueue: more than ${SLOT_BITS} pending events`);
    const rec = new Float64Array(cap * STRIDE);
    rec.set(this.rec);
    this.rec = rec;
    this.ri = new Int32Array(rec.buffer);
    const free = new Int32Array(cap);
    free.set(this.freeSlots);
    this.freeSlots = free;
    this.obj.length = cap;
    this.slotCap = cap;
  }
}
