/**
 * The pending-event queue: a two-level timing wheel with a sorted run of the current tick in front,
 * exact in (time, seq) order. No object is allocated per event, which is what lets the engine run
 * millions of events a second without the garbage collector taking over.
 *
 * Virtual time is cut into ticks of width W = 2^-shift ms (adapted to the event density, see
 * `retune`). An event's tick is floor(time * 2^shift), exact for any finite time because the factor
 * is a power of two. Where an event waits depends on how far ahead of the current tick `cur` it is:
 *
 * - tick <= cur: the **front**: the current tick's events as a sorted run (arrays of time, seq and
 *   slot, read from a cursor), plus a small heap for the rare event that lands inside the run.
 * - same block (2^16 ticks) as cur, later tick: **level 0**, one list per tick.
 * - a later block less than 2^14 blocks ahead: **level 1**, one list per block.
 * - further: the **far** heap, a binary heap (rare: timers hours ahead at fine ticks).
 *
 * When the front runs dry, the next non-empty level-0 list (found through a bitmap, 32 ticks per
 * word) is sorted into the run; when level 0 is empty, the next non-empty level-1 list is spread over
 * level 0 ("cascading"), and far events whose block came into range move down. So an event is moved
 * at most three times, each in O(1), and only a tick's few events are ordered by comparisons: the cost
 * per event does not grow with the number pending, where a single heap pays log2(n) cache-missing
 * levels per pop. Taking the next event from the run is a cursor step.
 *
 * `seq` is a global insertion counter, so two events at the same virtual time come out in the order
 * they were scheduled: the stable tie-break that makes runs deterministic. The order is a pure function
 * of the (time, seq) keys, so the tick width (and its retuning) cannot change a run.
 *
 * Cancelling unlinks an event from its list at once (the lists are doubly linked, and which list
 * holds it follows from its time, see `listOf`), so its slot is reused while still in cache; an event
 * already in the front or the far heap is marked and dropped when it reaches the top. A handle names
 * (slot, generation) and the generation moves on when the event runs or is cancelled, so cancelling an
 * event that already ran, or whose slot has been reused, is a harmless no-op.
 */
import { EventSlots } from './event-slots.js';
import { grownRun, sortRun } from './front-run.js';
import { KeyHeap, nextSetBit } from './key-heap.js';

/**
 * The queue's constants. A const enum because esbuild (tsx) writes each use as a literal, where a
 * module-level `const` is a context-slot load with a hole check on every use in optimized code.
 */
const enum Q {
  /** Ticks per block (level-0 lists): 2^16. */
  NB0 = 65536,
  /** Blocks in level 1: 2^14. */
  NB1 = 16384,
  /** Widest tick: 2^24 ms (4.7 h). */
  MIN_SHIFT = -24,
  /** Narrowest tick: 2^-40 ms. */
  MAX_SHIFT = 40,
  /** Pops between looks at the event density. */
  SAMPLE = 4096,
  /** Target distinct event times per tick: a few, so the run stays short but ticks are rarely empty. */
  TIMES_PER_TICK = 2,
  /** Flag in a slot's kind word: the event has an object payload (in `obj`). */
  HAS_OBJ = 1073741824,
  /** A slot's kind word once it is cancelled while in the front or the far heap. */
  CANCELLED = -1,
  /** A tick's list longer than this is sorted by a merge sort instead of by insertion. */
  INSERTION_MAX = 24,
  /** An event landing inside the run moves at most this many run entries; else it waits in the heap. */
  SHIFT_MAX = 16,
}

/** Opaque handle of a scheduled event (a timer id). */
export type EventHandle = number;

export class EventQueue extends EventSlots {
  private seqCounter = 0;

  /** The run: the current tick's events sorted by (time, seq), live from `ri` to `rn`. */
  private rTime = new Float64Array(256);
  private rSeq = new Float64Array(256);
  private rSlot = new Int32Array(256);
  private ri = 0;
  private rn = 0;
  /** Events of the current tick that arrived inside the run (rare). */
  private readonly extra = new KeyHeap(64);
  private readonly far = new KeyHeap(256);
  /** List heads and tails: level-0 tick lists at [0, NB0), level-1 block lists at [NB0, NB0 + NB1). */
  private readonly head = new Int32Array(Q.NB0 + Q.NB1).fill(-1);
  private readonly tail = new Int32Array(Q.NB0 + Q.NB1);
  /** One bit per list, set while it is non-empty (same indexing as head/tail). */
  private readonly bits = new Uint32Array((Q.NB0 + Q.NB1) >> 5);
  private count0 = 0; // non-empty level-0 lists
  private count1 = 0; // non-empty level-1 lists

  /** Ticks per ms, 2^shift. */
  private scale = 1;
  private shift = 0;
  /** The current tick: everything at or before it is in the front. */
  private cur = -1;
  /** The current block, floor(cur / NB0) once an event has been taken. */
  private curBlock = -1;
  /** The current block's first tick, curBlock * NB0. */
  private base0 = -Q.NB0;
  /** Sink for the prefetching reads in loadTick (so the compiler keeps them). */
  private touched = 0;

  // density sampling for retune()
  private sampleLeft = Q.SAMPLE;
  private sampleStart = 0;
  private distinct = 0;
  private popsSinceRebuild = 0;
  private rebuilt = false;

  constructor(initialCapacity = 1024) {
    super(initialCapacity);
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /**
   * How often the rare paths ran (tests check they were exercised): rebuilds for a new tick width,
   * blocks entered (level-1 buckets cascaded), events that waited in the far heap, events that landed
   * inside the run.
   */
  readonly stats = { rebuilds: 0, blocks: 0, far: 0, extra: 0 };

  /** Current tick width in ms (changes with the event density). */
  get tickMs(): number {
    return 1 / this.scale;
  }

  /** How far ahead of the current tick the wheel reaches (ms); events beyond wait in the far heap. */
  get horizonMs(): number {
    return (Q.NB0 * Q.NB1) / this.scale;
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    const s = this.surface();
    return s < 0 ? Infinity : this.key[2 * s]!;
  }

  push(time: number, kind: number, target: number, arg: number, obj: unknown): EventHandle {
    const slot = this.allocSlot();
    this.kt[2 * slot + 1] = target;
    this.arg[slot] = arg;
    if (obj !== undefined) {
      this.obj[slot] = obj;
      this.kt[2 * slot] = kind | Q.HAS_OBJ;
    } else this.kt[2 * slot] = kind;
    this.liveCount++;
    const seq = this.seqCounter++;
    this.key[2 * slot] = time;
    this.key[2 * slot + 1] = seq;
    this.place(slot, time, seq);
    return this.handleOf(slot);
  }

  /** Cancels a scheduled event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = this.liveSlot(handle);
    if (slot < 0) return false;
    this.retire(slot);
    if ((this.kt[2 * slot]! & Q.HAS_OBJ) !== 0) this.obj[slot] = undefined;
    this.liveCount--;
    const w = this.listOf(this.key[2 * slot]!);
    if (w < 0) this.kt[2 * slot] = Q.CANCELLED; // in the front or the far heap: dropped when it surfaces
    else {
      // in a list: unlink now, so the slot is reused while its cache lines are warm
      const pv = this.prev[slot]!, nx = this.next[slot]!;
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
    // handlers and their schedule() calls. The common case is the next entry of the run.
    const i = this.ri;
    if (i < this.rn && this.extra.n === 0) {
      const slot = this.rSlot[i]!;
      const k = this.kt[2 * slot]!;
      if (k !== Q.CANCELLED) {
        const t = this.rTime[i]!;
        if (t > until) return false;
        this.ri = i + 1;
        this.take(slot, k, t);
        return true;
      }
    }
    return this.popSlow(until);
  }

  /** popUntil when the run's next entry is cancelled, the run is empty, or the extra heap is in use. */
  private popSlow(until: number): boolean {
    if (this.ri === this.rn && this.count0 > 0 && this.extra.n === 0 && this.sampleLeft > 0) {
      // the usual case: the run is spent and the next tick is in level 0 (lists hold live events only)
      this.nextTick();
      const t = this.rTime[0]!;
      if (t > until) return false;
      const slot = this.rSlot[0]!;
      this.ri = 1;
      this.take(slot, this.kt[2 * slot]!, t);
      return true;
    }
    const slot = this.surface();
    if (slot < 0) return false;
    const t = this.key[2 * slot]!;
    if (t > until) return false;
    if (this.ri < this.rn && this.rSlot[this.ri] === slot) this.ri++;
    else this.extra.pop();
    this.take(slot, this.kt[2 * slot]!, t);
    return true;
  }

  /** Hands out a popped event (its payload is copied out, so the slot serves the next push at once). */
  private take(slot: number, k: number, t: number): void {
    this.retire(slot);
    this.liveCount--;
    this.lastKind = k & ~Q.HAS_OBJ;
    this.lastTarget = this.kt[2 * slot + 1]!;
    this.lastArg = this.arg[slot]!;
    this.lastObj = k === this.lastKind ? undefined : this.takeObj(slot);
    this.freeSlot(slot);
    if (t !== this.lastTime) {
      this.distinct++;
      this.lastTime = t;
    }
    this.sampleLeft--;
  }

  /**
   * The slot of the earliest live event (at the run's cursor or the extra heap's top), after dropping
   * cancelled ones and refilling the run from the wheel; -1 when nothing is left.
   */
  private surface(): number {
    for (;;) {
      const kt = this.kt;
      while (this.ri < this.rn && kt[2 * this.rSlot[this.ri]!] === Q.CANCELLED)
        this.freeSlot(this.rSlot[this.ri++]!);
      this.dropCancelled(this.extra);
      const x = this.extra;
      if (this.ri < this.rn) {
        if (x.n === 0) return this.rSlot[this.ri]!;
        const t = this.rTime[this.ri]!, xt = x.time[0]!;
        const first = t < xt || (t === xt && this.rSeq[this.ri]! < x.seq[0]!);
        return first ? this.rSlot[this.ri]! : x.slot[0]!;
      }
      if (x.n > 0) return x.slot[0]!;
      if (!this.advance()) return -1;
    }
  }

  /** Pops cancelled events off the top of a heap (extra or far), freeing their slots. */
  private dropCancelled(h: KeyHeap): void {
    while (h.n > 0 && this.kt[2 * h.slot[0]!] === Q.CANCELLED) {
      const s = h.slot[0]!;
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
    this.clearSlots();
    this.resetStructure();
  }

  // ---- placement -------------------------------------------------------------------------------

  /** Puts a stored slot where its tick says (front, level 0, level 1 or far). */
  private place(slot: number, time: number, seq: number): void {
    // the usual case first: a later tick of the current block (level 0)
    const tick = Math.floor(time * this.scale);
    const d = tick - this.base0;
    if (tick > this.cur && d < Q.NB0) {
      this.append(d, slot);
      return;
    }
    const w = this.listOf(time);
    if (w >= 0) this.append(w, slot);
    else if (w === -1) this.toFront(slot, time, seq);
    else {
      this.stats.far++;
      this.far.push(time, seq, slot);
    }
  }

  /**
   * An event of the current tick: at the end of the run when it sorts last there (the usual case: a
   * later time, or the same time and so a later seq), inside the run if that moves only a few
   * entries, else into the extra heap.
   */
  private toFront(slot: number, time: number, seq: number): void {
    if (this.ri === this.rn) this.ri = this.rn = 0;
    else if (this.rn === this.rSlot.length) this.growRun();
    const n = this.rn;
    const rTime = this.rTime, rSeq = this.rSeq, rSlot = this.rSlot;
    const lo = Math.max(this.ri, n - Q.SHIFT_MAX);
    let j = n;
    while (j > lo) {
      const pt = rTime[j - 1]!;
      if (pt < time || (pt === time && rSeq[j - 1]! < seq)) break;
      j--;
    }
    if (j === lo && j > this.ri) {
      const pt = rTime[j - 1]!;
      if (pt > time || (pt === time && rSeq[j - 1]! > seq)) {
        this.stats.extra++;
        this.extra.push(time, seq, slot);
        return;
      }
    }
    rTime.copyWithin(j + 1, j, n);
    rSeq.copyWithin(j + 1, j, n);
    rSlot.copyWithin(j + 1, j, n);
    rTime[j] = time;
    rSeq[j] = seq;
    rSlot[j] = slot;
    this.rn = n + 1;
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
    const block = Math.floor(tick / Q.NB0);
    const ahead = block - this.curBlock;
    if (ahead === 0) return tick - block * Q.NB0;
    if (ahead < Q.NB1) return Q.NB0 + block - Math.floor(block / Q.NB1) * Q.NB1;
    return -2;
  }

  /** Appends a slot to list w. */
  private append(w: number, slot: number): void {
    this.next[slot] = -1;
    const t = this.tail[w]!;
    if (this.head[w]! < 0) {
      this.head[w] = slot;
      this.prev[slot] = -1;
      this.bits[w >> 5] = this.bits[w >> 5]! | (1 << (w & 31));
      if (w < Q.NB0) this.count0++;
      else this.count1++;
    } else {
      this.next[t] = slot;
      this.prev[slot] = t;
    }
    this.tail[w] = slot;
  }

  /** Marks list w empty. */
  private clearBit(w: number): void {
    this.bits[w >> 5] = this.bits[w >> 5]! & ~(1 << (w & 31));
    if (w < Q.NB0) this.count0--;
    else this.count1--;
  }

  /**
   * Moves the next non-empty tick into the run (cascading a block or far events when level 0 is
   * empty). Returns false when nothing is stored anywhere.
   */
  private advance(): boolean {
    // here rather than per pop: once a tick, and out of the code the run loop inlines
    if (this.sampleLeft <= 0) {
      this.retune();
      // a rebuild may have put events of the new current tick in front
      if (this.ri < this.rn || this.extra.n > 0) return true;
    }
    if (this.count0 > 0) {
      this.nextTick();
      return true;
    }
    let block: number;
    if (this.count1 > 0) {
      const start = this.curBlock + 1 - Math.floor((this.curBlock + 1) / Q.NB1) * Q.NB1;
      let p = nextSetBit(this.bits, Q.NB0 + start, Q.NB0 + Q.NB1) - Q.NB0;
      if (p < 0) p = nextSetBit(this.bits, Q.NB0, Q.NB0 + start) - Q.NB0;
      block = this.curBlock + 1 + ((p - start + Q.NB1) % Q.NB1);
    } else {
      const far = this.far;
      this.dropCancelled(far);
      if (far.n === 0) return false;
      block = Math.floor(Math.floor(far.time[0]! * this.scale) / Q.NB0);
    }
    this.enterBlock(block);
    return true;
  }

  /** Makes the next non-empty level-0 tick current and sorts it into the run (count0 > 0). */
  private nextTick(): void {
    const from = this.cur - this.base0 + 1;
    const p = nextSetBit(this.bits, from < 0 ? 0 : from, Q.NB0);
    // count0 > 0 means a set bit after cur: ticks at or before cur are never in level 0
    this.cur = this.base0 + p;
    this.loadTick(p);
  }

  /** Makes `block` current: its level-1 list spreads over level 0, far events in range move down. */
  private enterBlock(block: number): void {
    this.stats.blocks++;
    this.curBlock = block;
    this.base0 = block * Q.NB0;
    this.cur = this.base0 - 1;
    const w = Q.NB0 + block - Math.floor(block / Q.NB1) * Q.NB1;
    let s = this.head[w]!;
    if (s >= 0) {
      this.head[w] = -1;
      this.clearBit(w);
      const next = this.next, key = this.key;
      // lists hold live events only (cancel unlinks)
      while (s >= 0) {
        const n = next[s]!;
        this.place(s, key[2 * s]!, key[2 * s + 1]!);
        s = n;
      }
    }
    const far = this.far;
    const limit = (block + Q.NB1) * Q.NB0; // first tick beyond level 1's reach
    while (far.n > 0) {
      const t = far.time[0]!;
      if (Math.floor(t * this.scale) >= limit) break;
      const slot = far.slot[0]!;
      const q = far.seq[0]!;
      far.pop();
      if (this.kt[2 * slot] !== Q.CANCELLED) this.place(slot, t, q);
      else this.freeSlot(slot);
    }
  }

  /**
   * Sorts level-0 list p (the tick just made current; the run is empty) into the run. Lists hold live
   * events only, in the order they were scheduled, so insertion sort is short: a tick holds a few
   * distinct times, and equal times are already in seq order.
   */
  private loadTick(p: number): void {
    let s = this.head[p]!;
    this.head[p] = -1;
    this.clearBit(p);
    const next = this.next, key = this.key, kt = this.kt, gen = this.gen, arg = this.arg;
    let rTime = this.rTime, rSeq = this.rSeq, rSlot = this.rSlot;
    // the event's other fields are read here too, though only pop needs them: these loads overlap with
    // the walk's, so pop finds them in cache instead of waiting on each in turn; `touched` only keeps
    // the reads alive
    let touch = 0;
    let n = 0;
    let sorted = true;
    this.ri = 0;
    while (s >= 0) {
      if (n === rSlot.length) {
        this.rn = n;
        this.growRun();
        rTime = this.rTime;
        rSeq = this.rSeq;
        rSlot = this.rSlot;
      }
      const nx = next[s]!;
      touch ^= kt[2 * s]! ^ gen[s]!;
      if (arg[s]! !== arg[s]!) touch++;
      const t = key[2 * s]!, q = key[2 * s + 1]!;
      let j = n;
      if (j > 0 && sorted && n < Q.INSERTION_MAX) {
        while (j > 0) {
          const pt = rTime[j - 1]!;
          if (pt < t || (pt === t && rSeq[j - 1]! < q)) break;
          rTime[j] = pt;
          rSeq[j] = rSeq[j - 1]!;
          rSlot[j] = rSlot[j - 1]!;
          j--;
        }
      } else if (j > 0 && sorted) {
        const pt = rTime[j - 1]!;
        sorted = pt < t || (pt === t && rSeq[j - 1]! < q);
      }
      rTime[j] = t;
      rSeq[j] = q;
      rSlot[j] = s;
      n++;
      s = nx;
    }
    this.touched = touch;
    this.ri = 0;
    this.rn = n;
    if (!sorted) sortRun({ time: this.rTime, seq: this.rSeq, slot: this.rSlot }, this.rn); // a long tick out of order
  }

  /** Makes room at the run's end: moves [ri, rn) to the start, into arrays twice as long if need be. */
  private growRun(): void {
    const r = grownRun({ time: this.rTime, seq: this.rSeq, slot: this.rSlot }, this.ri, this.rn);
    this.rTime = r.time;
    this.rSeq = r.seq;
    this.rSlot = r.slot;
    this.rn -= this.ri;
    this.ri = 0;
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
    this.popsSinceRebuild += Q.SAMPLE - this.sampleLeft;
    this.sampleLeft = Q.SAMPLE;
    this.sampleStart = t;
    this.distinct = 0;
    if (!(span > 0) || distinct === 0) return;
    const width = (Q.TIMES_PER_TICK * span) / distinct;
    let shift = -Math.round(Math.log2(width));
    if (shift < Q.MIN_SHIFT) shift = Q.MIN_SHIFT;
    if (shift > Q.MAX_SHIFT) shift = Q.MAX_SHIFT;
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
    // lists hold live events only; the run and the heaps may also hold cancelled ones
    const slots = new Int32Array(this.liveCount + (this.rn - this.ri) + this.extra.n + this.far.n);
    let n = 0;
    for (let i = this.ri; i < this.rn; i++) slots[n++] = this.rSlot[i]!;
    for (const h of [this.extra, this.far]) {
      for (let i = 0; i < h.n; i++) slots[n++] = h.slot[i]!;
    }
    for (let w = 0; w < this.head.length; w++) {
      for (let s = this.head[w]!; s >= 0; s = this.next[s]!) slots[n++] = s;
    }
    this.shift = shift;
    this.scale = 2 ** shift;
    this.resetStructure();
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      if (this.kt[2 * s] !== Q.CANCELLED) this.place(s, this.key[2 * s]!, this.key[2 * s + 1]!);
      else this.freeSlot(s);
    }
  }

  /** Empties every list, the run and the heaps; the front takes everything up to the last popped time's tick. */
  private resetStructure(): void {
    this.head.fill(-1);
    this.bits.fill(0);
    this.count0 = 0;
    this.count1 = 0;
    this.ri = 0;
    this.rn = 0;
    this.extra.n = 0;
    this.far.n = 0;
    this.cur = Math.floor(this.lastTime * this.scale);
    this.curBlock = Math.floor(this.cur / Q.NB0);
    this.base0 = this.curBlock * Q.NB0;
  }
}
