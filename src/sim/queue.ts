/**
 * The pending-event queue: a two-level timing wheel with a small exact heap in front, exact in
 * (time, seq) order. No object is allocated per event, which is what lets the engine run millions
 * of events a second without the garbage collector taking over.
 *
 * Virtual time is cut into ticks of width W = 2^-shift ms (adapted to the event density, see
 * `retune`). An event's tick is floor(time * 2^shift), exact for any finite time because the factor
 * is a power of two. Where an event waits depends on how far ahead of the current tick `cur` it is:
 *
 * - tick <= cur: the **front**, a binary min-heap on (time, seq). Events come out of the front only.
 * - same block (2^16 ticks) as cur, later tick: **level 0**, one FIFO list per tick.
 * - a later block less than 2^14 blocks ahead: **level 1**, one FIFO list per block.
 * - further: the **far** heap, a binary heap (rare: timers hours ahead at fine ticks).
 *
 * When the front runs dry, the next non-empty level-0 list (found through a bitmap, 32 ticks per
 * word) is moved into the front; when level 0 is empty, the next non-empty level-1 list is spread
 * over level 0 ("cascading"), and far events whose block came into range move down. So an event is
 * moved at most three times, each in O(1), and only the front (a few events per tick) is ordered by
 * comparisons: the cost per event does not grow with the number pending, where a single heap pays
 * log2(n) cache-missing levels per pop.
 *
 * `seq` is a global insertion counter, so two events at the same virtual time come out in the order
 * they were scheduled: the stable tie-break that makes runs deterministic. The order is a pure function
 * of the (time, seq) keys, so the tick width (and its retuning) cannot change a run.
 *
 * Cancelling unlinks an event from its list at once (the lists are doubly linked, and which list
 * holds it follows from its time, see `listOf`), so its slot is reused while still in cache; an event
 * already in the front or far heap is marked and dropped when it reaches the top. A handle names
 * (slot, generation) and the generation moves on when the event runs or is cancelled, so cancelling an
 * event that already ran, or whose slot has been reused, is a harmless no-op.
 */

const SLOT_BITS = 2 ** 26; // up to 67M pending events; generation uses the bits above

const L0_BITS = 16;
const NB0 = 1 << L0_BITS; // ticks per block (level-0 lists)
const NB1 = 1 << 14; // blocks in level 1
const MIN_SHIFT = -24; // widest tick: 2^24 ms (4.7 h)
const MAX_SHIFT = 40; // narrowest tick: 2^-40 ms
const SAMPLE = 4096; // pops between looks at the event density
/** Target distinct event times per tick: a few, so the front stays tiny but ticks are rarely empty. */
const TIMES_PER_TICK = 4;

/** Opaque handle of a scheduled event (a timer id). */
export type EventHandle = number;

/** A binary min-heap of (time, seq, slot) in typed arrays. */
class KeyHeap {
  time: Float64Array;
  seq: Float64Array;
  slot: Int32Array;
  n = 0;

  constructor(cap: number) {
    this.time = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    this.slot = new Int32Array(cap);
  }

  push(t: number, q: number, s: number): void {
    if (this.n === this.time.length) this.grow();
    const hTime = this.time, hSeq = this.seq, hSlot = this.slot;
    let pos = this.n++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = hTime[parent] as number;
      if (pt < t || (pt === t && (hSeq[parent] as number) < q)) break;
      hTime[pos] = pt;
      hSeq[pos] = hSeq[parent] as number;
      hSlot[pos] = hSlot[parent] as number;
      pos = parent;
    }
    hTime[pos] = t;
    hSeq[pos] = q;
    hSlot[pos] = s;
  }

  /** Removes the top entry (n > 0). */
  pop(): void {
    const last = --this.n;
    if (last === 0) return;
    const hTime = this.time, hSeq = this.seq, hSlot = this.slot;
    const t = hTime[last] as number;
    const q = hSeq[last] as number;
    const s = hSlot[last] as number;
    const n = last;
    const half = n >> 1;
    let pos = 0;
    while (pos < half) {
      let child = 2 * pos + 1;
      let ct = hTime[child] as number;
      let cq = hSeq[child] as number;
      const right = child + 1;
      if (right < n) {
        const rt = hTime[right] as number;
        if (rt < ct || (rt === ct && (hSeq[right] as number) < cq)) {
          child = right;
          ct = rt;
          cq = hSeq[right] as number;
        }
      }
      if (t < ct || (t === ct && q < cq)) break;
      hTime[pos] = ct;
      hSeq[pos] = cq;
      hSlot[pos] = hSlot[child] as number;
      pos = child;
    }
    hTime[pos] = t;
    hSeq[pos] = q;
    hSlot[pos] = s;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap);
    t.set(this.time);
    this.time = t;
    const q = new Float64Array(cap);
    q.set(this.seq);
    this.seq = q;
    const s = new Int32Array(cap);
    s.set(this.slot);
    this.slot = s;
  }
}

/** Index of the first set bit at or after `from` in [from, end), or -1. */
function nextSetBit(bits: Uint32Array, from: number, end: number): number {
  if (from >= end) return -1;
  let w = from >> 5;
  let x = (bits[w] as number) & (~0 << (from & 31));
  const lastWord = (end - 1) >> 5;
  for (;;) {
    if (x !== 0) {
      const i = (w << 5) + 31 - Math.clz32(x & -x);
      return i < end ? i : -1;
    }
    if (++w > lastWord) return -1;
    x = bits[w] as number;
  }
}

/** Flag in a slot's kind word: the event has an object payload (in `obj`). */
const HAS_OBJ = 1 << 30;
/** A slot's kind word once it is cancelled while in a heap. */
const CANCELLED = -1;
const GEN_MASK = 0x7ffffff;

export class EventQueue {
  // payload per slot
  /** Handler index (| HAS_OBJ) and target, side by side: read together when the event runs. */
  private kt: Int32Array;
  private arg: Float64Array;
  /** Object payloads; only events that have one touch this array. */
  private obj: unknown[];
  /** (time, seq) of each slot, interleaved: one cache line serves both. */
  private key: Float64Array;
  /** Next and previous slot in the same tick/block list, -1 at the ends. */
  private next: Int32Array;
  private prev: Int32Array;
  private gen: Int32Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private slotCap: number;
  private nextFresh = 0;
  private liveCount = 0;
  private seqCounter = 0;

  private readonly front: KeyHeap;
  private readonly far: KeyHeap;
  /** List heads and tails: level-0 tick lists at [0, NB0), level-1 block lists at [NB0, NB0 + NB1). */
  private readonly head = new Int32Array(NB0 + NB1).fill(-1);
  private readonly tail = new Int32Array(NB0 + NB1);
  /** One bit per list, set while it is non-empty (same indexing as head/tail). */
  private readonly bits = new Uint32Array((NB0 + NB1) >> 5);
  private count0 = 0; // non-empty level-0 lists
  private count1 = 0; // non-empty level-1 lists

  /** Ticks per ms, 2^shift. */
  private scale = 1;
  private shift = 0;
  /** The current tick: everything at or before it is in the front. */
  private cur = -1;
  /** The current block, floor(cur / NB0) once an event has been taken. */
  private curBlock = -1;
  /** Sink for the prefetching reads in drain0 (so the compiler keeps them). */
  private touched = 0;

  // density sampling for retune()
  private sampleLeft = SAMPLE;
  private sampleStart = 0;
  private distinct = 0;
  private popsSinceRebuild = 0;
  private rebuilt = false;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.slotCap = cap;
    this.kt = new Int32Array(2 * cap);
    this.arg = new Float64Array(cap);
    this.obj = new Array<unknown>(cap).fill(undefined);
    this.key = new Float64Array(2 * cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.freeSlots = new Int32Array(cap);
    this.front = new KeyHeap(256);
    this.far = new KeyHeap(256);
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /**
   * How often the rare paths ran (tests check they were exercised): rebuilds for a new tick width,
   * blocks entered (level-1 buckets cascaded), events that waited in the far heap.
   */
  readonly stats = { rebuilds: 0, blocks: 0, far: 0 };

  /** Current tick width in ms (changes with the event density). */
  get tickMs(): number {
    return 1 / this.scale;
  }

  /** How far ahead of the current tick the wheel reaches (ms); events beyond wait in the far heap. */
  get horizonMs(): number {
    return (NB0 * NB1) / this.scale;
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    return this.surface() ? (this.front.time[0] as number) : Infinity;
  }

  push(time: number, kind: number, target: number, arg: number, obj: unknown): EventHandle {
    const slot = this.allocSlot();
    this.kt[2 * slot + 1] = target;
    this.arg[slot] = arg;
    if (obj !== undefined) {
      this.obj[slot] = obj;
      this.kt[2 * slot] = kind | HAS_OBJ;
    } else this.kt[2 * slot] = kind;
    this.liveCount++;
    const seq = this.seqCounter++;
    this.key[2 * slot] = time;
    this.key[2 * slot + 1] = seq;
    this.place(slot, time, seq);
    return (this.gen[slot] as number) * SLOT_BITS + slot;
  }

  /** Cancels a scheduled event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!(handle >= 0)) return false;
    const g = Math.floor(handle / SLOT_BITS);
    const slot = handle - g * SLOT_BITS; // not %, which V8 computes with x87 fprem on doubles
    // the generation moves on when an event runs or is cancelled, so a matching handle is live
    if (slot >= this.slotCap || this.gen[slot] !== g) return false;
    this.gen[slot] = (g + 1) & GEN_MASK;
    if (((this.kt[2 * slot] as number) & HAS_OBJ) !== 0) this.obj[slot] = undefined;
    this.liveCount--;
    const w = this.listOf(this.key[2 * slot] as number);
    if (w < 0) this.kt[2 * slot] = CANCELLED; // in a heap: dropped when it surfaces
    else {
      // in a list: unlink now, so the slot is reused while its cache lines are warm
      const pv = this.prev[slot] as number, nx = this.next[slot] as number;
      if (pv >= 0) this.next[pv] = nx;
      else {
        this.head[w] = nx;
        if (nx < 0) this.clearBit(w);
      }
      if (nx >= 0) this.prev[nx] = pv;
      else this.tail[w] = pv;
      this.freeSlot(slot);
    }
    return true;
  }

  /**
   * Removes the earliest live event; false if there is none. Its time, handler index, target, argument
   * and object are then in lastTime/lastKind/lastTarget/lastArg/lastObj (until the next pop).
   */
  pop(): boolean {
    return this.popUntil(Infinity);
  }

  /**
   * Like pop, but only if the earliest live event is at or before `until`; else false and nothing
   * live is removed.
   */
  popUntil(until: number): boolean {
    // kept small: the run loop inlines this, and what it leaves of V8's inlining budget goes to the
    // handlers and their schedule() calls
    const front = this.front;
    if ((front.n === 0 || this.kt[2 * (front.slot[0] as number)] === CANCELLED) && !this.surface()) return false;
    const t = front.time[0] as number;
    if (t > until) return false;
    const slot = front.slot[0] as number;
    front.pop();
    const k = this.kt[2 * slot] as number;
    this.gen[slot] = ((this.gen[slot] as number) + 1) & GEN_MASK;
    this.liveCount--;
    this.lastKind = k & ~HAS_OBJ;
    this.lastTarget = this.kt[2 * slot + 1] as number;
    this.lastArg = this.arg[slot] as number;
    this.lastObj = k === this.lastKind ? undefined : this.takeObj(slot);
    // the payload is copied out, so the slot can serve the next push at once
    this.freeSlot(slot);
    if (t !== this.lastTime) {
      this.distinct++;
      this.lastTime = t;
    }
    this.sampleLeft--;
    return true;
  }

  /**
   * Makes the front's top a live event: drops cancelled ones and refills the front from the wheel.
   * False when nothing is left.
   */
  private surface(): boolean {
    for (;;) {
      this.dropCancelled(this.front);
      if (this.front.n > 0) return true;
      if (!this.advance()) return false;
    }
  }

  /** Pops cancelled events off the top of a heap (front or far), freeing their slots. */
  private dropCancelled(h: KeyHeap): void {
    while (h.n > 0 && this.kt[2 * (h.slot[0] as number)] === CANCELLED) {
      const s = h.slot[0] as number;
      h.pop();
      this.freeSlot(s);
    }
  }

  private takeObj(slot: number): unknown {
    const o = this.obj[slot];
    this.obj[slot] = undefined;
    return o;
  }

  /** Time of the event the last successful pop returned. */
  lastTime = 0;
  /** Its handler index. */
  lastKind = 0;
  /** Its target. */
  lastTarget = 0;
  /** Its numeric argument. */
  lastArg = 0;
  /** Its object payload (undefined if none). */
  lastObj: unknown = undefined;

  /** Drops every pending event; handles given out before stay harmless. */
  clear(): void {
    for (let s = 0; s < this.nextFresh; s++) {
      this.gen[s] = ((this.gen[s] as number) + 1) & GEN_MASK;
      this.obj[s] = undefined;
    }
    this.freeTop = 0;
    this.nextFresh = 0;
    this.liveCount = 0;
    this.resetStructure();
  }

  // ---- placement -------------------------------------------------------------------------------

  /** Puts a stored slot where its tick says (front, level 0, level 1 or far). */
  private place(slot: number, time: number, seq: number): void {
    const w = this.listOf(time);
    if (w >= 0) this.append(w, slot);
    else if (w === -1) this.front.push(time, seq, slot);
    else {
      this.stats.far++;
      this.far.push(time, seq, slot);
    }
  }

  /**
   * Where an event at `time` waits: the index of its list (into head/tail), -1 for the front, -2 for
   * the far heap. A pure function of the time and the current tick and block: every move keeps it true
   * (entering a block cascades all of its events, and far events come in range only there), so the
   * queue need not store where each event is.
   */
  private listOf(time: number): number {
    const tick = Math.floor(time * this.scale);
    if (tick <= this.cur) return -1;
    const block = Math.floor(tick / NB0);
    const ahead = block - this.curBlock;
    if (ahead === 0) return tick - block * NB0;
    if (ahead < NB1) return NB0 + block - Math.floor(block / NB1) * NB1;
    return -2;
  }

  /** Appends a slot to list w (FIFO, so equal times stay in seq order). */
  private append(w: number, slot: number): void {
    this.next[slot] = -1;
    const t = this.tail[w] as number;
    if ((this.head[w] as number) < 0) {
      this.head[w] = slot;
      this.prev[slot] = -1;
      this.bits[w >> 5] = (this.bits[w >> 5] as number) | (1 << (w & 31));
      if (w < NB0) this.count0++;
      else this.count1++;
    } else {
      this.next[t] = slot;
      this.prev[slot] = t;
    }
    this.tail[w] = slot;
  }

  /** Marks list w empty. */
  private clearBit(w: number): void {
    this.bits[w >> 5] = (this.bits[w >> 5] as number) & ~(1 << (w & 31));
    if (w < NB0) this.count0--;
    else this.count1--;
  }

  /**
   * Moves the next non-empty tick into the front (cascading a block or far events when level 0 is
   * empty). Returns false when nothing is stored anywhere.
   */
  private advance(): boolean {
    // here rather than per pop: once a tick, and out of the code the run loop inlines
    if (this.sampleLeft <= 0) this.retune();
    if (this.count0 > 0) {
      const from = this.cur - this.curBlock * NB0 + 1;
      const p = nextSetBit(this.bits, from < 0 ? 0 : from, NB0);
      // count0 > 0 means a set bit after cur: ticks at or before cur are never in level 0
      this.cur = this.curBlock * NB0 + p;
      this.drain0(p);
      return true;
    }
    let block: number;
    if (this.count1 > 0) {
      const start = this.curBlock + 1 - Math.floor((this.curBlock + 1) / NB1) * NB1;
      let p = nextSetBit(this.bits, NB0 + start, NB0 + NB1) - NB0;
      if (p < 0) p = nextSetBit(this.bits, NB0, NB0 + start) - NB0;
      block = this.curBlock + 1 + ((p - start + NB1) % NB1);
    } else {
      const far = this.far;
      this.dropCancelled(far);
      if (far.n === 0) return false;
      block = Math.floor(Math.floor((far.time[0] as number) * this.scale) / NB0);
    }
    this.enterBlock(block);
    return true;
  }

  /** Makes `block` current: its level-1 list spreads over level 0, far events in range move down. */
  private enterBlock(block: number): void {
    this.stats.blocks++;
    this.curBlock = block;
    this.cur = block * NB0 - 1;
    const w = NB0 + block - Math.floor(block / NB1) * NB1;
    let s = this.head[w] as number;
    if (s >= 0) {
      this.head[w] = -1;
      this.clearBit(w);
      const next = this.next, key = this.key;
      // lists hold live events only (cancel unlinks)
      while (s >= 0) {
        const n = next[s] as number;
        this.place(s, key[2 * s] as number, key[2 * s + 1] as number);
        s = n;
      }
    }
    const far = this.far;
    const limit = (block + NB1) * NB0; // first tick beyond level 1's reach
    while (far.n > 0) {
      const t = far.time[0] as number;
      if (Math.floor(t * this.scale) >= limit) break;
      const slot = far.slot[0] as number;
      const q = far.seq[0] as number;
      far.pop();
      if (this.kt[2 * slot] !== CANCELLED) this.place(slot, t, q);
      else this.freeSlot(slot);
    }
  }

  /** Moves level-0 list p (the tick just made current) into the front (lists hold live events only). */
  private drain0(p: number): void {
    let s = this.head[p] as number;
    this.head[p] = -1;
    this.clearBit(p);
    const next = this.next, key = this.key, front = this.front, kt = this.kt, gen = this.gen, arg = this.arg;
    // the event's other fields are read here too, though only pop needs them: these loads overlap with
    // the walk's, so pop finds them in cache instead of waiting on each in turn (1.06-1.28x on the
    // engine bench, more the busier the machine's memory); `touched` only keeps the reads alive
    let touch = 0;
    while (s >= 0) {
      const n = next[s] as number;
      touch ^= (kt[2 * s] as number) ^ (gen[s] as number);
      if ((arg[s] as number) !== (arg[s] as number)) touch++;
      front.push(key[2 * s] as number, key[2 * s + 1] as number, s);
      s = n;
    }
    this.touched = touch;
  }

  // ---- tick width ------------------------------------------------------------------------------

  /**
   * Every SAMPLE pops: from the span of virtual time they covered and how many distinct times they
   * had, pick the tick width that gives ~TIMES_PER_TICK distinct times per tick. Waves of equal times
   * count once, so they do not drive the width to zero. Rebuilding costs O(pending), so it happens only
   * for a 4x change and at most once per `pending` pops (amortised O(1) per event).
   */
  private retune(): void {
    const t = this.lastTime;
    const span = t - this.sampleStart;
    const distinct = this.distinct;
    this.popsSinceRebuild += SAMPLE - this.sampleLeft;
    this.sampleLeft = SAMPLE;
    this.sampleStart = t;
    this.distinct = 0;
    if (!(span > 0) || distinct === 0) return;
    const width = (TIMES_PER_TICK * span) / distinct;
    let shift = -Math.round(Math.log2(width));
    if (shift < MIN_SHIFT) shift = MIN_SHIFT;
    if (shift > MAX_SHIFT) shift = MAX_SHIFT;
    // the first retune may rebuild at once (the initial 1 ms tick is a guess); later ones wait until
    // the pops since the last rebuild have paid for it
    if (Math.abs(shift - this.shift) < 2 || (this.rebuilt && this.popsSinceRebuild < this.liveCount)) return;
    this.rebuilt = true;
    this.rebuild(shift);
  }

  /** Re-places every stored event under a new tick width. Order is unaffected (it is by key). */
  private rebuild(shift: number): void {
    this.stats.rebuilds++;
    this.popsSinceRebuild = 0;
    // lists hold live events only; the heaps may also hold cancelled ones
    const slots = new Int32Array(this.liveCount + this.front.n + this.far.n);
    let n = 0;
    for (const h of [this.front, this.far]) {
      for (let i = 0; i < h.n; i++) slots[n++] = h.slot[i] as number;
    }
    for (let w = 0; w < this.head.length; w++) {
      for (let s = this.head[w] as number; s >= 0; s = this.next[s] as number) slots[n++] = s;
    }
    this.shift = shift;
    this.scale = 2 ** shift;
    this.resetStructure();
    for (let i = 0; i < n; i++) {
      const s = slots[i] as number;
      if (this.kt[2 * s] !== CANCELLED) this.place(s, this.key[2 * s] as number, this.key[2 * s + 1] as number);
      else this.freeSlot(s);
    }
  }

  /** Empties every list and heap; the front takes everything up to the last popped time's tick. */
  private resetStructure(): void {
    this.head.fill(-1);
    this.bits.fill(0);
    this.count0 = 0;
    this.count1 = 0;
    this.front.n = 0;
    this.far.n = 0;
    this.cur = Math.floor(this.lastTime * this.scale);
    this.curBlock = Math.floor(this.cur / NB0);
  }

  // ---- slots -----------------------------------------------------------------------------------

  private allocSlot(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop] as number;
    if (this.nextFresh === this.slotCap) this.growSlots();
    return this.nextFresh++;
  }

  private freeSlot(slot: number): void {
    this.freeSlots[this.freeTop++] = slot;
  }

  private growSlots(): void {
    const cap = this.slotCap * 2;
    if (cap > SLOT_BITS) throw new RangeError(`EventQueue: more than ${SLOT_BITS} pending events`);
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T, n = cap): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kt = grow(this.kt, (n) => new Int32Array(n), 2 * cap);
    this.arg = grow(this.arg, (n) => new Float64Array(n));
    this.key = grow(this.key, (n) => new Float64Array(n), 2 * cap);
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.gen = grow(this.gen, (n) => new Int32Array(n));
    this.freeSlots = grow(this.freeSlots, (n) => new Int32Array(n));
    this.obj.length = cap;
    this.slotCap = cap;
  }
}
