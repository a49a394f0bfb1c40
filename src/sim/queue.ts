/**
 * The pending-event queue: a binary min-heap keyed by (time, seq) kept in typed arrays, with the
 * event payloads in slots beside it. (A calendar queue and a 4-ary heap were tried and measured
 * against it: neither won across workloads, see docs/engine.md.) No object is allocated per event, which is what lets the engine
 * run millions of events a second without the garbage collector taking over.
 *
 * `seq` is a global insertion counter, so two events at the same virtual time come out in the order
 * they were scheduled: the stable tie-break that makes runs deterministic.
 *
 * Cancellation is lazy: a cancelled slot stays in the heap and is skipped when it reaches the top.
 * A handle names (slot, generation), so cancelling an event that already ran, or whose slot has been
 * reused, is a harmless no-op.
 */

const SLOT_BITS = 2 ** 26; // up to 67M pending events; generation uses the bits above

/** Opaque handle of a scheduled event (a timer id). */
export type EventHandle = number;

export class EventQueue {
  // heap, ordered by (time, seq); position 0 is the minimum
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private n = 0;
  private seqCounter = 0;

  // payload per slot
  kind: Int32Array; // handler index; -1 = cancelled
  target: Int32Array;
  arg: Float64Array;
  obj: unknown[];
  private gen: Int32Array;
  private live: Uint8Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private slotCap: number;
  private nextFresh = 0;
  private liveCount = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(cap);
    this.hSeq = new Float64Array(cap);
    this.hSlot = new Int32Array(cap);
    this.slotCap = cap;
    this.kind = new Int32Array(cap);
    this.target = new Int32Array(cap);
    this.arg = new Float64Array(cap);
    this.obj = new Array<unknown>(cap).fill(undefined);
    this.gen = new Int32Array(cap);
    this.live = new Uint8Array(cap);
    this.freeSlots = new Int32Array(cap);
  }

  /** Number of events scheduled and not yet run or cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Heap entries including cancelled ones not yet skipped. */
  get heapSize(): number {
    return this.n;
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.n > 0 ? (this.hTime[0] as number) : Infinity;
  }

  push(time: number, kind: number, target: number, arg: number, obj: unknown): EventHandle {
    const slot = this.allocSlot();
    this.kind[slot] = kind;
    this.target[slot] = target;
    this.arg[slot] = arg;
    this.obj[slot] = obj;
    this.live[slot] = 1;
    this.liveCount++;
    if (this.n === this.hTime.length) this.growHeap();
    this.siftUp(this.n++, time, this.seqCounter++, slot);
    return (this.gen[slot] as number) * SLOT_BITS + slot;
  }

  /** Cancels a scheduled event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    if (!(handle >= 0)) return false;
    const slot = handle % SLOT_BITS;
    const g = Math.floor(handle / SLOT_BITS);
    if (slot >= this.slotCap || this.gen[slot] !== g || this.live[slot] !== 1) return false;
    this.live[slot] = 0;
    this.obj[slot] = undefined;
    this.liveCount--;
    return true;
  }

  /**
   * Removes the earliest live event and returns its slot (valid until the next push), or -1 if empty.
   * The caller reads kind/target/arg/obj[slot] and must call `release(slot)` when done with them.
   */
  popSlot(): number {
    for (;;) {
      if (this.n === 0) return -1;
      const slot = this.hSlot[0] as number;
      this.removeTop();
      if (this.live[slot] === 1) {
        this.live[slot] = 0;
        this.liveCount--;
        this.lastTime = this.poppedTime;
        return slot;
      }
      this.freeSlot(slot);
    }
  }

  /**
   * Like popSlot, but only if the earliest live event is at or before `until`; else -1 and nothing
   * live is removed. One look at the top instead of a peek followed by a pop.
   */
  popUntil(until: number): number {
    const hTime = this.hTime, hSlot = this.hSlot, live = this.live;
    while (this.n > 0) {
      const slot = hSlot[0] as number;
      if (live[slot] !== 1) {
        this.removeTop();
        this.freeSlot(slot);
        continue;
      }
      const t = hTime[0] as number;
      if (t > until) return -1;
      this.removeTop();
      live[slot] = 0;
      this.liveCount--;
      this.lastTime = t;
      return slot;
    }
    return -1;
  }

  /** Handler index of a popped slot (same as kind[slot]). */
  kindOf(slot: number): number {
    return this.kind[slot] as number;
  }
  /** Target of a popped slot. */
  targetOf(slot: number): number {
    return this.target[slot] as number;
  }
  /** Numeric argument of a popped slot. */
  argOf(slot: number): number {
    return this.arg[slot] as number;
  }
  /** Object payload of a popped slot. */
  objOf(slot: number): unknown {
    return this.obj[slot];
  }

  /** Time of the event returned by the last popSlot/popUntil. */
  lastTime = 0;
  private poppedTime = 0;

  release(slot: number): void {
    this.obj[slot] = undefined;
    this.freeSlot(slot);
  }

  clear(): void {
    for (let i = 0; i < this.n; i++) {
      const s = this.hSlot[i] as number;
      this.live[s] = 0;
      this.obj[s] = undefined;
      this.freeSlot(s);
    }
    this.n = 0;
    this.liveCount = 0;
  }

  private dropCancelledTop(): void {
    while (this.n > 0) {
      const slot = this.hSlot[0] as number;
      if (this.live[slot] === 1) return;
      this.removeTop();
      this.freeSlot(slot);
    }
  }

  private removeTop(): void {
    this.poppedTime = this.hTime[0] as number;
    const last = --this.n;
    if (last === 0) return;
    const t = this.hTime[last] as number;
    const q = this.hSeq[last] as number;
    const s = this.hSlot[last] as number;
    this.siftDown(0, t, q, s);
  }

  private siftUp(pos: number, t: number, q: number, s: number): void {
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot;
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

  private siftDown(pos: number, t: number, q: number, s: number): void {
    const hTime = this.hTime, hSeq = this.hSeq, hSlot = this.hSlot;
    const n = this.n;
    const half = n >> 1;
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

  private allocSlot(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop] as number;
    if (this.nextFresh === this.slotCap) this.growSlots();
    return this.nextFresh++;
  }

  private freeSlot(slot: number): void {
    this.gen[slot] = ((this.gen[slot] as number) + 1) & 0x7ffffff;
    this.freeSlots[this.freeTop++] = slot;
  }

  private growHeap(): void {
    const cap = this.hTime.length * 2;
    const t = new Float64Array(cap);
    t.set(this.hTime);
    this.hTime = t;
    const q = new Float64Array(cap);
    q.set(this.hSeq);
    this.hSeq = q;
    const s = new Int32Array(cap);
    s.set(this.hSlot);
    this.hSlot = s;
  }

  private growSlots(): void {
    const cap = this.slotCap * 2;
    if (cap > SLOT_BITS) throw new RangeError(`EventQueue: more than ${SLOT_BITS} pending events`);
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.kind = grow(this.kind, (n) => new Int32Array(n));
    this.target = grow(this.target, (n) => new Int32Array(n));
    this.arg = grow(this.arg, (n) => new Float64Array(n));
    this.gen = grow(this.gen, (n) => new Int32Array(n));
    this.live = grow(this.live, (n) => new Uint8Array(n));
    this.freeSlots = grow(this.freeSlots, (n) => new Int32Array(n));
    this.obj.length = cap;
    this.slotCap = cap;
  }
}
